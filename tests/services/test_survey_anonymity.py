"""Nothing in the schema or the rows links an answer to the person who gave it; one answer per person,
also when two submissions race."""

import threading
from collections import defaultdict

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.types import Date, DateTime

from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.models import (
    SurveyAnswer,
    SurveyParticipation,
    SurveyPendingResponse,
    SurveyResponse,
    SurveyRound,
)
from complaints.services import survey
from tests.conftest import POSTGRES_URL, audit_rows
from tests.survey_support import answer, open_round, question_ids, users

ANSWER_TABLES = {"survey_responses", "survey_answers", "survey_pending_responses"}
PERSON_TABLES = {"users", "survey_participations", "user_sessions", "audit_events"}
# Round-level tables that everybody's rows point to: joining through them pairs every participant
# of a round with every response of the round, which says nothing about who answered what.
SHARED = {"survey_rounds", "survey_questions"}
SUSPECT_COLUMN = ("user", "actor", "ip", "addr", "time", "created", "updated", "at", "seq", "session", "who")


def _fk_graph(inspector) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for table in inspector.get_table_names():
        for fk in inspector.get_foreign_keys(table):
            graph[table].add(fk["referred_table"])
            graph[fk["referred_table"]].add(table)
    return graph


def test_no_column_or_join_in_the_schema_links_an_answer_to_a_user(ctx):
    inspector = inspect(db.engine)
    tables = set(inspector.get_table_names())
    assert tables >= ANSWER_TABLES
    for table in ANSWER_TABLES:
        for column in inspector.get_columns(table):
            name = column["name"].lower()
            assert not any(part in name.split("_") for part in SUSPECT_COLUMN), f"{table}.{name}"
            assert not isinstance(column["type"], Date | DateTime), f"{table}.{name} holds a time"
        for fk in inspector.get_foreign_keys(table):
            assert fk["referred_table"] in ANSWER_TABLES | SHARED, f"{table} -> {fk['referred_table']}"
    # No path of foreign keys joins an answer table to a person table without going through the
    # round-level tables.
    graph = _fk_graph(inspector)
    seen, todo = set(ANSWER_TABLES), list(ANSWER_TABLES)
    while todo:
        for neighbour in graph[todo.pop()] - seen - SHARED:
            seen.add(neighbour)
            todo.append(neighbour)
    assert not seen & PERSON_TABLES, f"answers reach {seen & PERSON_TABLES}"
    assert {c["name"] for c in inspector.get_columns("survey_participations")} == {"round_id", "user_id"}
    assert {c["name"] for c in inspector.get_columns("survey_responses")} == {"id", "round_id"}
    assert {c["name"] for c in inspector.get_columns("survey_pending_responses")} == {"id", "round_id", "payload_ct"}


def _raw_rows(table: str) -> list[tuple]:
    return [tuple(row) for row in db.session.execute(text(f"SELECT * FROM {table}"))]  # noqa: S608


def test_the_rows_hold_nothing_of_the_person(ctx):
    round_id = open_round()
    people = users(7, prefix="person")
    comment = "ระบบช้ามากช่วงบ่าย-ความเห็นลับ"
    for index, person in enumerate(people):
        answer(person, round_id, [5, 4, (index % 5) + 1, "yes", comment if index == 0 else None], batch_size=3)
    ids = {str(p.id) for p in people} | {p.username for p in people}
    for table in ANSWER_TABLES:
        for row in _raw_rows(table):
            for value in row:
                if isinstance(value, bytes | memoryview):
                    value = bytes(value)
                    assert comment.encode() not in value
                    assert not any(i.encode() in value for i in ids if len(i) > 3)
                else:
                    assert str(value) not in {p.username for p in people}
    # Response ids are random, unrelated to participations or audit entries.
    response_ids = set(db.session.scalars(select(SurveyResponse.id)))
    assert len(response_ids) == 3  # 7 submitted, k = 3: at 6 pooled 3 were released; 4 wait (< 2k)
    assert all(len(i) == 36 for i in response_ids)
    audit_text = " ".join(str(r) for r in audit_rows())
    assert not any(i in audit_text for i in response_ids)
    assert comment not in audit_text


def test_pooled_responses_are_opaque_and_all_of_one_length(ctx):
    round_id = open_round()
    for index, person in enumerate(users(4)):
        long_comment = "ก" * (index * 900) or None
        answer(person, round_id, [1 + index, 2, 3, "no", long_comment], batch_size=5)
    pooled = db.session.scalars(select(SurveyPendingResponse)).all()
    assert len(pooled) == 4 and not db.session.scalars(select(SurveyResponse)).all()
    assert len({len(p.payload_ct) for p in pooled}) == 1, "ciphertext length would tell comments apart"
    for item in pooled:
        assert "ก".encode() * 10 not in item.payload_ct


def test_release_moves_a_random_batch_leaving_k_in_the_pool(ctx):
    round_id = open_round()
    people = users(10)
    for index, person in enumerate(people[:9]):
        answer(person, round_id, [5, 5, 5, "yes", f"ความเห็น {index}"], batch_size=5)
    assert db.session.scalar(select(db.func.count()).select_from(SurveyResponse)) == 0
    answer(people[9], round_id, [1, 1, 1, "no", None], batch_size=5)
    assert db.session.scalar(select(db.func.count()).select_from(SurveyResponse)) == 5
    assert db.session.scalar(select(db.func.count()).select_from(SurveyPendingResponse)) == 5
    assert db.session.scalar(select(db.func.count()).select_from(SurveyParticipation)) == 10
    release = audit_rows(action="survey.release")
    assert len(release) == 1 and release[0]["actor_id"] is None
    # Released comments are encrypted under the round's key and bound to their new row.
    stored = db.session.scalars(select(SurveyAnswer).where(SurveyAnswer.comment_ct.is_not(None))).all()
    assert stored and all(b"\xe0\xb8" not in a.comment_ct for a in stored)


def test_release_order_is_not_the_order_of_submission(ctx):
    """Over many releases, which pooled responses come out is random (not first in, first out)."""
    from complaints.services.survey import answering

    round_id = open_round(questions=[("scale", "ข้อเดียว", "One", True)])
    survey_round = db.session.get(SurveyRound, round_id)
    firsts_released = 0
    for trial in range(20):
        db.session.execute(SurveyPendingResponse.__table__.delete())
        for score in (1, 1, 2, 2):  # first two in carry score 1
            pending_id = answering.new_response_id()
            db.session.add(SurveyPendingResponse(id=pending_id, round_id=round_id,
                                                 payload_ct=answering._seal(survey_round, pending_id,
                                                                            {survey_round.questions[0].id: score})))
        db.session.flush()
        db.session.execute(SurveyAnswer.__table__.delete())
        db.session.execute(SurveyResponse.__table__.delete())
        answering.release(survey_round, 2)
        released = sorted(a.score for a in db.session.scalars(select(SurveyAnswer)))
        firsts_released += released == [1, 1]
        assert len(released) == 2, trial
    db.session.rollback()
    assert firsts_released < 20  # first in, first out would release the first two every time ((1/6)^20 by chance)


@pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only: transaction ids and heap order")
def test_postgres_released_rows_share_one_transaction_id(ctx):
    round_id = open_round()
    for person in users(6):
        answer(person, round_id, [3, 4, 5, "yes", None], batch_size=3)
    xmins = {row[0] for row in db.session.execute(text("SELECT xmin::text FROM survey_responses"))}
    assert len(xmins) == 1, "every released response is written by the one releasing transaction"
    answer_xmins = {row[0] for row in db.session.execute(text("SELECT xmin::text FROM survey_answers"))}
    assert answer_xmins == xmins
    participation_xmins = [row[0] for row in db.session.execute(text("SELECT xmin::text FROM survey_participations"))]
    assert len(set(participation_xmins)) == 6  # six submissions, six transactions; only one released


def _race(app, person_id: int, round_id: int, answers: list) -> list[str]:
    """Two threads submit for the same person at the same moment; returns their outcomes."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        with app.app_context():
            from complaints.models import User

            user = db.session.get(User, person_id)
            ids = question_ids(round_id)
            raw = {qid: "" if v is None else str(v) for qid, v in zip(ids, answers, strict=True)}
            db.session.commit()  # end the read transaction (SQLite: BEGIN IMMEDIATE holds the write lock)
            barrier.wait(30)
            try:
                survey.submit(user, round_id, raw, today_bangkok(), batch_size=1)
                db.session.commit()
                outcomes.append("ok")
            except survey.AlreadyAnswered:
                db.session.rollback()
                outcomes.append("already")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_submissions_by_one_user_leave_one_response(app, attempt):
    with app.app_context():
        round_id = open_round()
        (person,) = users(1, prefix=f"racer{attempt}")
        person_id = person.id
        db.session.remove()
    outcomes = _race(app, person_id, round_id, [4, 4, 4, "yes", "ครั้งเดียว"])
    assert sorted(outcomes) == ["already", "ok"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(SurveyParticipation)) == 1
        responses = (db.session.scalar(select(db.func.count()).select_from(SurveyResponse))
                     + db.session.scalar(select(db.func.count()).select_from(SurveyPendingResponse)))
        assert responses == 1
        assert len(audit_rows(action="survey.submit")) == 1


def test_a_second_answer_is_refused(ctx):
    round_id = open_round()
    (person,) = users(1)
    answer(person, round_id, [5, 5, 5, "yes", None])
    with pytest.raises(survey.AlreadyAnswered):
        answer(person, round_id, [1, 1, 1, "no", None])
    db.session.rollback()
    assert db.session.scalar(select(db.func.count()).select_from(SurveyPendingResponse)) == 1


def test_ineligible_or_closed_rounds_refuse_answers(ctx):
    from complaints.services.errors import NotFound
    from tests.conftest import make_user

    round_id = open_round(roles=["executive"])
    outsider = make_user("outsider", ["registrar"])
    with pytest.raises(NotFound):
        answer(outsider, round_id, [5, 5, 5, "yes", None])
    db.session.rollback()
    assert not db.session.scalars(select(SurveyParticipation)).all()
