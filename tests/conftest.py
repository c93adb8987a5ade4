"""Fixtures: a migrated database per test (SQLite by default, PostgreSQL when
``COMPLAINTS_TEST_POSTGRES_URL`` is set), the app, clients and small factories.

SQLite: the schema is migrated once into a template file that every test copies.
PostgreSQL: the schema is migrated once; every test starts from emptied tables.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from complaints import create_app, passwords
from complaints.crypto import Keyring


def _postgres_url() -> str | None:
    """The PostgreSQL URL for this test process. Under pytest-xdist every worker gets a database of
    its own (``<name>_gw0``, ...), created on first use, so that workers never empty each other's tables."""
    base = os.environ.get("COMPLAINTS_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"{url.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _postgres_url()
PASSWORD = "horse-battery-staple-2565"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """argon2id stays argon2id, with small parameters so the suite runs fast."""
    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("not a password of anyone")
    yield
    passwords._hasher = original


@pytest.fixture(scope="session")
def keyring() -> Keyring:
    return Keyring.generate()


def _config(url: str, keyring: Keyring, tmp_path) -> dict:
    return {
        "COMPLAINTS_ENV": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "KEYRING": keyring,
        "KEYRING_PATH": str(tmp_path / "keyring.json"),
        "SURVEY_MIN_RESPONSES": 5,
        # On PostgreSQL the previous test's rows are still there when the next app starts; the start-up
        # check of the keyring against the database has its own tests (tests/services/test_keys.py).
        "KEYRING_CHECK": False,
    }


def _migrate_and_seed(app) -> None:
    from flask_migrate import upgrade

    from complaints.extensions import db
    from complaints.services import reference

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        reference.load_reference_data()
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory, keyring):
    """SQLite: a migrated template file. PostgreSQL: the URL of a freshly migrated schema."""
    base = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        engine = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate_and_seed(create_app(_config(POSTGRES_URL, keyring, base)))
        return POSTGRES_URL
    path = base / "template.db"
    _migrate_and_seed(create_app(_config(f"sqlite:///{path}", keyring, base)))
    return path


def _empty_postgres(app) -> None:
    from complaints.extensions import db
    from complaints.services import reference

    with app.app_context():
        with db.engine.connect() as conn:
            tables = [t for t in db.engine.dialect.get_table_names(conn) if t != "alembic_version"]
        with db.engine.begin() as conn:
            # LOCAL: only for this transaction, so the pooled connection does not keep triggers off later
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # lets the test bypass triggers
            conn.execute(text(f"TRUNCATE TABLE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        reference.load_reference_data()
        db.session.commit()


@pytest.fixture
def app(database_template, keyring, tmp_path):
    if POSTGRES_URL:
        application = create_app(_config(POSTGRES_URL, keyring, tmp_path))
        _empty_postgres(application)
    else:
        path = tmp_path / "test.db"
        shutil.copy(database_template, path)
        application = create_app(_config(f"sqlite:///{path}", keyring, tmp_path))
        application.config["TEST_DATABASE_PATH"] = path
    yield application
    from complaints.extensions import db

    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def csrf_token(client, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = PASSWORD):
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self):
        token = csrf_token(self.client, "/")
        return self.client.post("/logout", data={"csrf_token": token})

    def post(self, url: str, data: dict, form_url: str | None = None):
        """POST a form with a valid CSRF token taken from ``form_url`` (default: the same URL)."""
        token = csrf_token(self.client, form_url or url)
        return self.client.post(url, data={**data, "csrf_token": token})


@pytest.fixture
def auth(client):
    return Auth(client)


def make_user(username: str, roles: list[str], *, clearance: str = "top_secret", agencies=(), zones=(),
              all_agencies: bool = False, password: str = PASSWORD):
    from complaints.extensions import db
    from complaints.services import users

    user = users.create_user(None, username=username, display_name=f"ผู้ใช้ {username}", password=password,
                             roles=roles, clearance=clearance, agencies=list(agencies), zones=list(zones),
                             all_agencies=all_agencies)
    db.session.commit()
    return user


def make_case(actor, **overrides):
    from complaints.extensions import db
    from complaints.services import cases

    values = dict(received_date=date(2021, 1, 15), kind="complaint", agency_code="1004", category_code="road",
                  channel="letter", subject="ถนนชำรุด", details="รายละเอียด", classification="unclassified",
                  complainant_name="นายทดสอบ ระบบ")
    values.update(overrides)
    case = cases.create_case(actor, cases.CaseInput(**values))
    db.session.commit()
    return case


class Person:
    def __init__(self, user):
        self.id, self.username = user.id, user.username

    def load(self):
        """The User row, in the current app context."""
        from complaints.extensions import db
        from complaints.models import User

        return db.session.get(User, self.id)


@pytest.fixture
def people(app):
    """A registrar (all agencies), an inspector for Bang Rak (1004) cleared to ลับ, an executive, an
    auditor and an admin. Plain records, so that no app context is held across requests."""
    with app.app_context():
        return {
            "registrar": Person(make_user("registrar", ["registrar"], all_agencies=True)),
            "inspector": Person(make_user("inspector", ["inspector"], agencies=["1004"], clearance="confidential")),
            "executive": Person(make_user("executive", ["executive"])),
            "auditor": Person(make_user("auditor", ["auditor"])),
            "admin": Person(make_user("admin", ["admin"])),
        }


def new_case(app, person: Person, **overrides) -> str:
    """Create a case as ``person`` in its own app context; returns the case id."""
    with app.app_context():
        return make_case(person.load(), **overrides).id


def audit_rows(**where):
    """Audit entries (as dicts), oldest first, filtered by column values."""
    from sqlalchemy import select

    import audit
    from complaints.extensions import db

    query = select(audit.audit_events).order_by(audit.audit_events.c.seq)
    for column, value in where.items():
        query = query.where(audit.audit_events.c[column] == value)
    return [dict(row._mapping) for row in db.session.execute(query)]
