"""The README's grants for running on PostgreSQL as a role without UPDATE/DELETE/TRUNCATE on the
audit tables: the app works under that role, and changing or removing entries is refused even when
the attacker holds the app's credentials."""

import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from complaints import create_app
from complaints.extensions import db
from complaints.services import audit_integrity, audit_trail
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PostgreSQL only (COMPLAINTS_TEST_POSTGRES_URL)")

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_grants(role: str) -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    grants = next(b for b in blocks if "-- grants for the app role" in b)
    lines = [line for line in grants.splitlines() if line.strip() and not line.startswith("--")]
    return [line.replace("complaints_app", role) for line in lines]


@pytest.fixture
def app_role(app):
    role = f"complaints_app_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        for statement in readme_grants(role):
            conn.execute(text(statement))
    try:
        yield role
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_the_app_appends_as_the_restricted_role_but_cannot_rewrite_the_log(app, app_role, keyring, tmp_path):
    url = make_url(POSTGRES_URL).set(username=app_role, password=None)
    restricted = create_app({"COMPLAINTS_ENV": "testing", "SQLALCHEMY_DATABASE_URI": url.render_as_string(False),
                             "KEYRING": keyring, "KEYRING_PATH": str(tmp_path / "k.json"),
                             "AUDIT_CHECKPOINT_ENTRIES": 3, "AUDIT_CHECKPOINT_MINUTES": 0})
    with restricted.app_context():
        try:
            for i in range(7):
                audit_trail.record(None, "test.restricted", actor_name="app", i=i)
                db.session.commit()
            assert audit_integrity.verify().ok
            attacks = [
                "UPDATE audit_events SET outcome = 'denied' WHERE seq = 2",
                "DELETE FROM audit_events WHERE seq = 7",
                "TRUNCATE audit_events",
                "DELETE FROM audit_checkpoints",
                "UPDATE audit_checkpoints SET mac = 'x'",
                "DELETE FROM audit_head",
                "SET session_replication_role = replica",
                "DROP TRIGGER audit_events_no_change ON audit_events",
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change",
            ]
            for statement in attacks:
                with pytest.raises(DBAPIError) as refused:
                    db.session.execute(text(statement))
                db.session.rollback()
                assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value), statement
            result = audit_integrity.verify()
            assert result.ok and result.entries == 7 and result.checkpoints == 3
        finally:
            db.session.remove()
            db.engine.dispose()
