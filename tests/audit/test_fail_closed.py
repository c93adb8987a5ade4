"""No entry, no data: when the audit entry cannot be written, nothing is shown or exported, on
every path that reads cases (one case, the list, exports) and on the auditor's own pages."""

import pytest
from sqlalchemy import text

from complaints.extensions import db
from complaints.services import audit_trail
from tests.conftest import new_case

SUBJECT = "ต้องไม่รั่ว-ZQ77"


@pytest.fixture
def register(app, people):
    case_id = new_case(app, people["registrar"], subject=SUBJECT)
    return case_id


def _break_audit_records(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit_trail, "record", broken)


def _refuse_audit_inserts_in_the_database(app):
    """The audit table itself refuses new rows (a full disk, a broken replica, a hostile DBA)."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("""CREATE TRIGGER audit_events_broken BEFORE INSERT ON audit_events
                                       BEGIN SELECT RAISE(ABORT, 'audit store unavailable'); END"""))
        else:
            db.session.execute(text("""CREATE FUNCTION audit_broken() RETURNS trigger LANGUAGE plpgsql AS $$
                                       BEGIN RAISE EXCEPTION 'audit store unavailable'; END $$"""))
            db.session.execute(text("""CREATE TRIGGER audit_events_broken BEFORE INSERT ON audit_events
                                       FOR EACH ROW EXECUTE FUNCTION audit_broken()"""))
        db.session.commit()


@pytest.fixture
def repair(app):
    yield
    with app.app_context():  # the PostgreSQL schema outlives the test
        db.session.rollback()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP TRIGGER IF EXISTS audit_events_broken ON audit_events"))
            db.session.execute(text("DROP FUNCTION IF EXISTS audit_broken()"))
            db.session.commit()


def assert_withheld(response, path: str, case_id: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert SUBJECT not in body and "1/2564" not in body and "text/csv" not in response.content_type
    if "{id}" not in path:  # (a page about one case repeats the address asked for, nothing more)
        assert case_id not in body


CASE_PATHS = ["/cases/{id}", "/cases", "/cases.csv", "/cases.csv?agency=1004", "/reports/top3.csv"]


@pytest.mark.parametrize("path", CASE_PATHS)
def test_case_data_is_withheld_when_the_audit_entry_fails(client, auth, register, monkeypatch, path):
    auth.login("registrar")
    _break_audit_records(monkeypatch)
    response = client.get(path.format(id=register))
    assert_withheld(response, path, register)


@pytest.mark.parametrize("path", CASE_PATHS)
def test_case_data_is_withheld_when_the_database_refuses_the_entry(app, client, auth, register, repair, path):
    auth.login("registrar")
    _refuse_audit_inserts_in_the_database(app)
    response = client.get(path.format(id=register))
    assert_withheld(response, path, register)


@pytest.mark.parametrize("path", ["/cases", "/cases.csv"])
def test_case_data_is_withheld_when_the_commit_fails(client, auth, register, monkeypatch, path):
    auth.login("registrar")

    def failing_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(db.session, "commit", failing_commit)
    response = client.get(path)
    assert response.status_code == 500
    assert SUBJECT not in response.get_data(as_text=True) and register not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/audit", "/audit.csv", "/audit/alerts"])
def test_the_log_is_not_shown_or_exported_when_reading_it_cannot_be_recorded(client, auth, register, monkeypatch,
                                                                             path):
    auth.login("auditor")
    _break_audit_records(monkeypatch)
    response = client.get(path)
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "case.create" not in body and register not in body and "text/csv" not in response.content_type
