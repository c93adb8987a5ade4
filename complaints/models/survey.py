"""The satisfaction survey. Who answered and what was answered are kept apart.

``survey_participations`` says who has answered a round; ``survey_responses`` and ``survey_answers``
hold the answers with no user id, no timestamp and no IP, under random ids. On SQLite those tables
are WITHOUT ROWID, so their physical order follows the random key, not the order of submission.

A new response does not go straight into ``survey_responses``: it waits, encrypted and padded to a
fixed length, in ``survey_pending_responses`` and is released together with others, in random order,
by a later transaction (see ``complaints.services.survey.answering``). So neither the order of rows
(PostgreSQL's heap order), nor the transaction that wrote them (PostgreSQL's ``xmin``, SQLite's WAL
frames), nor the time of the ``survey.submit`` audit entry ties a readable answer to one person.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from complaints.clock import utcnow
from complaints.extensions import db

QUESTION_KINDS = ("scale", "yes_no", "text")


class SurveyRound(db.Model):
    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_th: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str] = mapped_column(String(300))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # Comma-separated role codes; empty means every signed-in user.
    eligible_roles: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    questions: Mapped[list[SurveyQuestion]] = relationship(
        order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )

    @property
    def eligible_role_set(self) -> frozenset[str]:
        return frozenset(r for r in self.eligible_roles.split(",") if r)

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # scale | yes_no | text
    text_th: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    is_overall: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyParticipation(db.Model):
    """That a user has answered a round: the primary key makes the answer once-only, also under races."""

    __tablename__ = "survey_participations"
    __table_args__ = {"sqlite_with_rowid": False}

    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


def new_response_id() -> str:
    return str(uuid.uuid4())


class SurveyResponse(db.Model):
    """One anonymous response: no user, no time, no address."""

    __tablename__ = "survey_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_response_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True)
    score: Mapped[int | None] = mapped_column(Integer)
    yes: Mapped[bool | None] = mapped_column(Boolean)
    comment_ct: Mapped[bytes | None] = mapped_column(LargeBinary)  # under the round's data key


class SurveyPendingResponse(db.Model):
    """A response waiting to be released: one ciphertext of fixed length per round, nothing readable."""

    __tablename__ = "survey_pending_responses"
    __table_args__ = {"sqlite_with_rowid": False}

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_response_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id", ondelete="CASCADE"), index=True)
    payload_ct: Mapped[bytes] = mapped_column(LargeBinary)  # under the round's data key
