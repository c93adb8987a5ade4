"""The satisfaction survey (the plan's level 5: users satisfied at 80 % or more).

- ``rounds``: rounds and questions as administrators set them up (every change audited).
- ``answering``: one anonymous response per user per round, pooled and released in shuffled batches.
- ``results``: the figures, computed exactly, hidden below the minimum number of responses.
- ``export``: CSV and XLSX for the evaluators (audited).
"""

from complaints.services.survey.answering import (
    AlreadyAnswered,
    has_answered,
    open_round_for,
    pooled_answers,
    release,
    released_answers,
    submit,
)
from complaints.services.survey.export import HiddenResults, export_csv, export_xlsx
from complaints.services.survey.results import RoundResults, compute, eligible_count, results, rounded
from complaints.services.survey.rounds import (
    DEFAULT_QUESTIONS,
    QuestionInput,
    RoundInput,
    add_question,
    create_round,
    create_round_from,
    delete_question,
    delete_round,
    ensure_default_round,
    get_round,
    has_answers,
    move_question,
    participant_count,
    questions_locked,
    rounds,
    schedule_locked,
    status,
    update_question,
    update_round,
)

__all__ = [
    "DEFAULT_QUESTIONS", "AlreadyAnswered", "HiddenResults", "QuestionInput", "RoundInput", "RoundResults",
    "add_question", "compute", "create_round", "create_round_from", "delete_question", "delete_round",
    "eligible_count", "ensure_default_round", "export_csv", "export_xlsx", "get_round", "has_answered",
    "has_answers", "move_question", "open_round_for", "participant_count", "pooled_answers", "questions_locked",
    "release", "released_answers", "results", "rounded", "rounds", "schedule_locked", "status", "submit",
    "update_question", "update_round",
]
