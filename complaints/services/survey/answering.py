"""Answering a round: once per user, and in a way that cannot be traced back to the user.

How an answer is kept apart from the person who gave it:

1. ``survey_participations`` records *that* a user answered (its primary key makes a second answer
   impossible, also when two submissions race). Nothing else about the user is stored with the answers.
2. The answers do not go straight into the readable tables. They are encrypted under the round's data
   key, padded to one fixed length per round, and put in a pool (``survey_pending_responses``) under a
   random id. A database reader sees only equally long ciphertexts.
3. When the pool holds ``2 × k`` responses (k = ``SURVEY_MIN_RESPONSES``), the transaction that
   brings it there releases all but ``k`` of them, chosen at random, into ``survey_responses`` and
   ``survey_answers`` under fresh random ids, in random order. Every released row therefore carries
   the same transaction id (PostgreSQL ``xmin``) and sits in the heap in shuffled order, and the
   audit log's ``survey.submit`` times only say who was in the pool, never which answer is whose.
   The ``k`` left behind keep the pool from ever shrinking below ``k``, so each release, and the
   difference between two successive views of the results, covers at least ``k`` answers.
4. When the round has closed, results also count the pool (decrypted in memory, never written out);
   after the last release the pool still holds at least ``k`` answers, so the final figures again
   differ from the last interim ones by at least ``k`` answers. A closed round with answers cannot
   be reopened (``rounds.schedule_locked``).

What this does not protect against: someone holding both the keyring and a copy of the database
taken while a response was still in the pool can decrypt it and find its transaction (and so its
participation row). The keyring is the root of trust for everything in the register.
"""

from __future__ import annotations

import json
import secrets
import struct
import unicodedata
from datetime import date

from sqlalchemy import delete, exists, select
from sqlalchemy.exc import IntegrityError

from complaints.extensions import db
from complaints.models import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyPendingResponse,
    SurveyQuestion,
    SurveyResponse,
    SurveyRound,
    User,
)
from complaints.models.survey import new_response_id
from complaints.services import audit_trail, vault
from complaints.services.errors import Invalid, NotFound
from complaints.services.survey.rounds import TABLE

ANSWER_TABLE = "survey_answers"
PENDING_TABLE = "survey_pending_responses"
COMMENT_MAX_CHARS = 4000
# A comment of COMMENT_MAX_CHARS characters is at most 4 bytes a character in UTF-8 JSON (``\n``, ``"``
# and ``\\`` take 2; other control characters are removed), plus quotes, key and separators.
_COMMENT_BYTES = 4 * COMMENT_MAX_CHARS + 32
_QUESTION_BYTES = 32
_PAYLOAD_BASE = 64

Answer = int | bool | str  # a score 1-5, yes/no, or a comment


class AlreadyAnswered(Exception):
    """The user has already answered this round."""


def _eligible(user: User, survey_round: SurveyRound) -> bool:
    roles = survey_round.eligible_role_set
    return not roles or bool(roles & user.roles)


def open_round_for(user: User, today: date) -> SurveyRound | None:
    rounds = db.session.scalars(
        select(SurveyRound).where(SurveyRound.opens_on <= today, SurveyRound.closes_on >= today)
        .order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
    )
    return next((r for r in rounds if _eligible(user, r)), None)


def has_answered(user: User, survey_round: SurveyRound) -> bool:
    return bool(db.session.scalar(select(exists().where(
        SurveyParticipation.round_id == survey_round.id, SurveyParticipation.user_id == user.id))))


def clean_comment(text: str) -> str:
    """NFC, newlines kept, other control characters removed, at most COMMENT_MAX_CHARS characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    kept = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept.strip()[:COMMENT_MAX_CHARS]


def _parse(questions: list[SurveyQuestion], answers: dict[int, str]) -> dict[int, Answer]:
    errors: dict[str, str] = {}
    parsed: dict[int, Answer] = {}
    for question in questions:
        raw = (answers.get(question.id) or "").strip()
        if question.kind == "scale":
            if raw not in {"1", "2", "3", "4", "5"}:
                errors[f"q{question.id}"] = "กรุณาเลือกคะแนน 1-5"
            else:
                parsed[question.id] = int(raw)
        elif question.kind == "yes_no":
            if raw not in {"yes", "no"}:
                errors[f"q{question.id}"] = "กรุณาเลือก ใช่ หรือ ไม่ใช่"
            else:
                parsed[question.id] = raw == "yes"
        elif comment := clean_comment(answers.get(question.id) or ""):
            parsed[question.id] = comment
    if errors:
        raise Invalid(errors)
    return parsed


def payload_size(survey_round: SurveyRound) -> int:
    """The one length every pooled ciphertext of a round is padded to (questions are locked once answered)."""
    texts = sum(1 for q in survey_round.questions if q.kind == "text")
    return _PAYLOAD_BASE + _QUESTION_BYTES * len(survey_round.questions) + _COMMENT_BYTES * texts


def _seal(survey_round: SurveyRound, pending_id: str, parsed: dict[int, Answer]) -> bytes:
    body = json.dumps({str(k): v for k, v in parsed.items()}, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")
    size = max(payload_size(survey_round), len(body) + 4)
    plain = struct.pack(">I", len(body)) + body
    plain += b"\0" * (size - len(plain))
    data_key = vault.load_data_key(TABLE, str(survey_round.id))
    return data_key.encrypt_bytes(plain, table=PENDING_TABLE, column="payload_ct", row_id=pending_id)


def _open(data_key, pending: SurveyPendingResponse) -> dict[int, Answer]:
    plain = data_key.decrypt_bytes(pending.payload_ct, table=PENDING_TABLE, column="payload_ct", row_id=pending.id)
    (length,) = struct.unpack(">I", plain[:4])
    return {int(k): v for k, v in json.loads(plain[4:4 + length].decode("utf-8")).items()}


def pooled_answers(survey_round: SurveyRound) -> list[dict[int, Answer]]:
    """The answers still waiting in the pool, decrypted in memory (for the results of a closed round)."""
    pending = list(db.session.scalars(
        select(SurveyPendingResponse).where(SurveyPendingResponse.round_id == survey_round.id)))
    if not pending:
        return []
    data_key = vault.load_data_key(TABLE, str(survey_round.id))
    return [_open(data_key, p) for p in pending]


def submit(user: User, round_id: int, answers: dict[int, str], today: date, *, batch_size: int = 5) -> None:
    """Record one anonymous response. ``answers`` maps question ids to the submitted text.

    ``batch_size`` is k: releases leave k responses in the pool and bring out at least k.
    """
    # Submissions to one round take turns (PostgreSQL: a row lock; SQLite: BEGIN IMMEDIATE), so two
    # of them never release the same pooled responses.
    locked = db.session.execute(
        select(SurveyRound.id).where(SurveyRound.id == round_id).with_for_update()).scalar()
    survey_round = db.session.get(SurveyRound, round_id) if locked is not None else None
    if survey_round is None or not survey_round.is_open(today) or not _eligible(user, survey_round):
        raise NotFound()
    parsed = _parse(list(survey_round.questions), answers)
    try:
        with db.session.begin_nested():
            db.session.add(SurveyParticipation(round_id=survey_round.id, user_id=user.id))
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyAnswered() from exc
    pending_id = new_response_id()
    db.session.add(SurveyPendingResponse(id=pending_id, round_id=survey_round.id,
                                         payload_ct=_seal(survey_round, pending_id, parsed)))
    db.session.flush()
    audit_trail.record(user, "survey.submit", object_type="survey_round", object_id=str(survey_round.id))
    release(survey_round, batch_size)


def release(survey_round: SurveyRound, batch_size: int) -> int:
    """Move all but ``k`` pooled responses, chosen at random, into the readable tables once the pool
    holds ``2k``. Returns how many were released."""
    k = max(1, batch_size)
    pending = list(db.session.scalars(
        select(SurveyPendingResponse).where(SurveyPendingResponse.round_id == survey_round.id)))
    if len(pending) < 2 * k:
        return 0
    chosen = secrets.SystemRandom().sample(pending, len(pending) - k)
    data_key = vault.load_data_key(TABLE, str(survey_round.id))
    responses = []
    for item in chosen:
        response_id = new_response_id()
        rows = []
        for question_id, value in sorted(_open(data_key, item).items()):
            answer = SurveyAnswer(response_id=response_id, question_id=question_id)
            if isinstance(value, bool):
                answer.yes = value
            elif isinstance(value, int):
                answer.score = value
            else:
                answer.comment_ct = data_key.encrypt(value, table=ANSWER_TABLE, column="comment_ct",
                                                     row_id=f"{response_id}/{question_id}")
            rows.append(answer)
        responses.append(SurveyResponse(id=response_id, round_id=survey_round.id, answers=rows))
    db.session.execute(delete(SurveyPendingResponse).where(
        SurveyPendingResponse.id.in_([item.id for item in chosen])).execution_options(synchronize_session=False))
    for item in chosen:
        db.session.expunge(item)
    db.session.add_all(responses)
    db.session.flush()
    audit_trail.record(None, "survey.release", object_type="survey_round", object_id=str(survey_round.id),
                       actor_name="system", released=len(chosen), still_pooled=k)
    return len(chosen)


def released_answers(survey_round: SurveyRound) -> list[dict[int, Answer]]:
    """The released responses, each as question id -> answer, comments decrypted."""
    by_response: dict[str, dict[int, Answer]] = {}
    data_key = None
    query = select(SurveyAnswer).join(SurveyResponse).where(SurveyResponse.round_id == survey_round.id)
    for answer in db.session.scalars(query):
        values = by_response.setdefault(answer.response_id, {})
        if answer.score is not None:
            values[answer.question_id] = answer.score
        elif answer.yes is not None:
            values[answer.question_id] = answer.yes
        elif answer.comment_ct is not None:
            data_key = data_key or vault.load_data_key(TABLE, str(survey_round.id))
            values[answer.question_id] = data_key.decrypt(
                answer.comment_ct, table=ANSWER_TABLE, column="comment_ct",
                row_id=f"{answer.response_id}/{answer.question_id}")
    # Responses without any answer row (every question optional and skipped) still count.
    for response_id in db.session.scalars(select(SurveyResponse.id).where(SurveyResponse.round_id == survey_round.id)):
        by_response.setdefault(response_id, {})
    return list(by_response.values())
