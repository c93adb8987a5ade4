"""Helpers for the survey tests: rounds with known questions, answering as a given user."""

from __future__ import annotations

from datetime import timedelta

from complaints.clock import today_bangkok
from complaints.extensions import db

# Three 1-5 questions (the third is the overall one), a yes/no question and a comment.
QUESTIONS = [
    ("scale", "ใช้งานง่าย", "Easy to use", False),
    ("scale", "รวดเร็ว", "Fast", False),
    ("scale", "พึงพอใจโดยรวม", "Overall", True),
    ("yes_no", "จะแนะนำให้เพื่อนร่วมงานใช้หรือไม่", "Would recommend", False),
    ("text", "ข้อเสนอแนะ", "Comments", False),
]


def open_round(questions=QUESTIONS, *, roles=(), days_left: int = 10):
    """An open round (opened 10 days ago) with the given questions; returns its id."""
    from complaints.services import survey

    today = today_bangkok()
    survey_round = survey.create_round(None, title_th="รอบทดสอบ", title_en="Test round",
                                       opens_on=today - timedelta(days=10), closes_on=today + timedelta(days=days_left),
                                       eligible_roles=list(roles), questions=questions)
    db.session.commit()
    return survey_round.id


def question_ids(round_id: int) -> list[int]:
    from complaints.models import SurveyRound

    return [q.id for q in db.session.get(SurveyRound, round_id).questions]


def answer(user, round_id: int, values: list, *, batch_size: int = 5, commit: bool = True) -> None:
    """Submit ``values`` (one per question, in order; None = left empty) as ``user``."""
    from complaints.services import survey

    ids = question_ids(round_id)
    raw = {qid: "" if value is None else str(value) for qid, value in zip(ids, values, strict=True)}
    survey.submit(user, round_id, raw, today_bangkok(), batch_size=batch_size)
    if commit:
        db.session.commit()


def after_close(round_id: int):
    """A day after the round closes."""
    from complaints.models import SurveyRound

    return db.session.get(SurveyRound, round_id).closes_on + timedelta(days=1)


def users(count: int, prefix: str = "u", roles=("inspector",)):
    from tests.conftest import make_user

    return [make_user(f"{prefix}{i:03d}", list(roles)) for i in range(count)]
