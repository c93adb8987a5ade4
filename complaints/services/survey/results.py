"""The figures of a round, computed exactly (fractions, not floats) so that they can be reproduced.

- Satisfaction percentage = mean of every 1-5 answer / 5 × 100 (with every scale question required,
  this is also the mean of the question means). Pass when it is at or above ``SURVEY_PASS_PERCENT``,
  compared exactly: 80 % is a pass, 79.99 % is not.
- Beside it, the share of respondents who answered 4 or 5 to the overall-satisfaction question.
- Per scale question: count, distribution, mean, sample standard deviation (n - 1) and the usual Thai
  interpretation of the mean (4.21-5.00 มากที่สุด, 3.41-4.20 มาก, 2.61-3.40 ปานกลาง,
  1.81-2.60 น้อย, 1.00-1.80 น้อยที่สุด), read from the mean rounded to two places as printed.
- Nothing is shown while fewer than ``SURVEY_MIN_RESPONSES`` responses are included. While the round
  is open only released responses are included (see ``answering``); once it has closed, all are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import func, or_, select

from complaints.extensions import db
from complaints.models import SurveyParticipation, SurveyQuestion, SurveyRound, User, UserRole
from complaints.services import audit_trail
from complaints.services.survey.answering import Answer, pooled_answers, released_answers
from complaints.services.survey.rounds import participant_count, status
from complaints.thai import thai_sorted

# Level of satisfaction from the mean (rounded to 2 places): lowest mean of each level, code, Thai name
# (the name as printed in exports; pages translate the code).
LEVELS = [
    (Decimal("4.21"), 5, "มากที่สุด"),
    (Decimal("3.41"), 4, "มาก"),
    (Decimal("2.61"), 3, "ปานกลาง"),
    (Decimal("1.81"), 2, "น้อย"),
    (Decimal("1.00"), 1, "น้อยที่สุด"),
]


def rounded(value: Fraction | None, places: int = 2) -> Decimal | None:
    """Half-up rounding of an exact value, as figures in Thai government reports are rounded."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def level_of(mean: Fraction | None) -> tuple[int, str] | None:
    shown = rounded(mean)
    if shown is None:
        return None
    for lowest, code, name in LEVELS:
        if shown >= lowest:
            return code, name
    return None


def _mean(values: list[int]) -> Fraction | None:
    return Fraction(sum(values), len(values)) if values else None


def _sample_sd(values: list[int]) -> Decimal | None:
    if len(values) < 2:
        return None
    mean = Fraction(sum(values), len(values))
    variance = sum((Fraction(v) - mean) ** 2 for v in values) / (len(values) - 1)
    return Decimal(math.sqrt(variance)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class QuestionResult:
    question: SurveyQuestion
    number: int
    count: int = 0
    scores: list[int] = field(default_factory=list)
    yes: int = 0
    no: int = 0
    comments: list[str] = field(default_factory=list)

    @property
    def distribution(self) -> dict[int, int]:
        return {s: self.scores.count(s) for s in range(1, 6)}

    @property
    def mean(self) -> Fraction | None:
        return _mean(self.scores)

    @property
    def percent(self) -> Fraction | None:
        """Mean / 5 × 100 for scale questions, share of "yes" for yes/no questions."""
        if self.question.kind == "yes_no":
            return Fraction(100 * self.yes, self.count) if self.count else None
        return None if self.mean is None else self.mean * 20

    @property
    def sd(self) -> Decimal | None:
        return _sample_sd(self.scores)

    @property
    def level(self) -> tuple[int, str] | None:
        return level_of(self.mean) if self.question.kind == "scale" else None

    def share(self, count: int) -> Fraction:
        """A part of this question's answers, in per cent (for the charts)."""
        return Fraction(100 * count, self.count) if self.count else Fraction(0)


@dataclass
class RoundResults:
    survey_round: SurveyRound
    status: str  # upcoming | open | closed
    eligible: int
    respondents: int  # who have answered (participations)
    included: int  # responses the figures are computed from
    hidden: bool  # too few responses to show anything without pointing at a person
    min_responses: int
    pass_percent: int
    questions: list[QuestionResult]
    all_scores: list[int]
    responses: list[dict[int, Answer]] = field(default_factory=list, repr=False)  # empty when hidden

    @property
    def response_rate(self) -> Fraction | None:
        return Fraction(100 * self.respondents, self.eligible) if self.eligible else None

    @property
    def mean_score(self) -> Fraction | None:
        return None if self.hidden else _mean(self.all_scores)

    @property
    def sd(self) -> Decimal | None:
        return None if self.hidden else _sample_sd(self.all_scores)

    @property
    def satisfaction_percent(self) -> Fraction | None:
        mean = self.mean_score
        return None if mean is None else mean * 20

    @property
    def level(self) -> tuple[int, str] | None:
        return level_of(self.mean_score)

    @property
    def overall_question(self) -> QuestionResult | None:
        return next((q for q in self.questions if q.question.is_overall and q.question.kind == "scale"), None)

    @property
    def overall_top_two_percent(self) -> Fraction | None:
        """Share of answers 4 or 5 to the overall-satisfaction question."""
        overall = self.overall_question
        if self.hidden or overall is None or not overall.count:
            return None
        return Fraction(100 * sum(1 for s in overall.scores if s >= 4), overall.count)

    @property
    def passed(self) -> bool | None:
        percent = self.satisfaction_percent
        return None if percent is None else percent >= self.pass_percent

    @property
    def waiting(self) -> int:
        """Answers given but not yet in the figures (in the pool until a release or the close)."""
        return max(0, self.respondents - self.included)


def eligible_count(survey_round: SurveyRound) -> int:
    """Active users holding an eligible role, plus anyone who answered (so the rate never passes 100 %)."""
    answered = select(SurveyParticipation.user_id).where(SurveyParticipation.round_id == survey_round.id)
    query = select(func.count(func.distinct(User.id)))
    if roles := survey_round.eligible_role_set:
        holders = select(UserRole.user_id).where(UserRole.role.in_(sorted(roles)))
        query = query.where(or_((User.active.is_(True)) & User.id.in_(holders), User.id.in_(answered)))
    else:
        query = query.where(or_(User.active.is_(True), User.id.in_(answered)))
    return db.session.scalar(query)


def compute(survey_round: SurveyRound, *, pass_percent: int, min_responses: int, today: date) -> RoundResults:
    """The figures, without an audit entry: callers record why they were computed."""
    state = status(survey_round, today)
    responses = released_answers(survey_round)
    if state == "closed":
        responses += pooled_answers(survey_round)
    hidden = len(responses) < max(1, min_responses)
    questions = [QuestionResult(q, number) for number, q in enumerate(survey_round.questions, start=1)]
    all_scores: list[int] = []
    if not hidden:
        for result in questions:
            _collect(result, responses)
            if result.question.kind == "scale":
                all_scores.extend(result.scores)
    return RoundResults(
        survey_round=survey_round, status=state, eligible=eligible_count(survey_round),
        respondents=participant_count(survey_round), included=len(responses), hidden=hidden,
        min_responses=max(1, min_responses), pass_percent=pass_percent, questions=questions,
        all_scores=all_scores, responses=[] if hidden else responses,
    )


def _collect(result: QuestionResult, responses: list[dict[int, Answer]]) -> None:
    question_id = result.question.id
    for response in responses:
        value = response.get(question_id)
        if value is None:
            continue
        if result.question.kind == "scale" and isinstance(value, int) and not isinstance(value, bool):
            result.scores.append(value)
            result.count += 1
        elif result.question.kind == "yes_no" and isinstance(value, bool):
            result.yes += int(value)
            result.no += int(not value)
            result.count += 1
        elif result.question.kind == "text" and isinstance(value, str):
            result.comments.append(value)
            result.count += 1
    result.scores.sort()  # nothing in any list follows the order of the responses
    result.comments = thai_sorted(result.comments)


def results(actor: User, survey_round: SurveyRound, *, pass_percent: int, min_responses: int, today: date,
            purpose: str = "view") -> RoundResults:
    """The figures for a reader of the results, audited (``purpose``: view or print)."""
    outcome = compute(survey_round, pass_percent=pass_percent, min_responses=min_responses, today=today)
    audit_trail.record(actor, "survey.results", object_type="survey_round", object_id=str(survey_round.id),
                       purpose=purpose, included=outcome.included, hidden=outcome.hidden)
    return outcome
