"""Lockout and per-address limits hold across app processes (they live in the database);
re-authentication before exports; production headers and cookies."""

from __future__ import annotations

import json

import pytest

from complaints import create_app
from complaints.extensions import db
from tests.conftest import PASSWORD, POSTGRES_URL, Auth, _config, audit_rows, csrf_token
from tests.factors import age_sessions


@pytest.fixture
def second_app(app, keyring, tmp_path):
    """A second app process on the same database, as another gunicorn worker would be."""
    url = POSTGRES_URL or f"sqlite:///{app.config['TEST_DATABASE_PATH']}"
    other = create_app(_config(url, keyring, tmp_path))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _reasons(app, action="auth.login"):
    with app.app_context():
        return [json.loads(r["details"]).get("reason") for r in audit_rows(action=action, outcome="failed")]


def test_a_locked_account_stays_locked_in_another_app_process(app, second_app, people):
    first = Auth(app.test_client())
    for _ in range(5):
        first.login("inspector", "wrong password number one")
    other = Auth(second_app.test_client())
    response = other.login("inspector")  # the right password, in the other process
    assert response.status_code == 200 and "ระงับชั่วคราว" in response.get_data(as_text=True)
    assert other.client.get("/").status_code == 302
    assert _reasons(second_app)[-1] == "locked"


def test_failures_in_two_processes_add_up(app, second_app, people):
    one, two = Auth(app.test_client()), Auth(second_app.test_client())
    for i in range(5):
        (one if i % 2 else two).login("inspector", "wrong password number two")
    assert "ระงับชั่วคราว" in one.login("inspector").get_data(as_text=True)
    with app.app_context():
        from complaints.models import User

        assert db.session.get(User, people["inspector"].id).failed_logins == 5


def test_too_many_failures_from_one_address_are_refused_in_every_process(app, second_app, people):
    for application in (app, second_app):
        application.config["SIGN_IN_FAILURES_PER_ADDRESS"] = 3
    attacker = Auth(app.test_client())
    attacker.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for username in ("inspector", "registrar", "nobody"):  # spraying across accounts
        attacker.login(username, "guessing a password now")
    other = Auth(second_app.test_client())
    other.client.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    refused = other.login("executive")  # right password, same address, other process
    assert refused.status_code == 429 and "หลายครั้งเกินไป" in refused.get_data(as_text=True)
    assert other.client.get("/").status_code == 302
    assert _reasons(second_app)[-1] == "rate_limited"
    colleague = Auth(second_app.test_client())
    colleague.client.environ_base["REMOTE_ADDR"] = "203.0.113.10"
    assert colleague.login("executive").status_code == 302  # another address is not affected


def test_case_export_needs_a_recent_sign_in(app, client, auth, people):
    auth.login("inspector")
    assert client.get("/cases.csv").status_code == 200  # just signed in
    age_sessions(app, people["inspector"].id)
    response = client.get("/cases.csv?fiscal_year=2564")
    assert response.status_code == 302
    assert "/account/confirm" in response.headers["Location"]
    with app.app_context():
        entry = audit_rows(action="auth.reauth_required")[0]
        assert entry["outcome"] == "denied" and json.loads(entry["details"])["endpoint"] == "cases.export_csv"
        assert len(audit_rows(action="case.export")) == 1
    wrong = auth.post("/account/confirm?next=/cases.csv", {"password": "not the password at all"},
                      form_url="/account/confirm")
    assert wrong.status_code == 200 and "ไม่ถูกต้อง" in wrong.get_data(as_text=True)
    confirmed = auth.post("/account/confirm?next=/cases.csv%3Ffiscal_year%3D2564", {"password": PASSWORD},
                          form_url="/account/confirm")
    assert confirmed.headers["Location"] == "/cases.csv?fiscal_year=2564"
    assert client.get("/cases.csv?fiscal_year=2564").status_code == 200
    assert _reasons(app, "auth.reauth") == ["bad_password"]


def test_failed_re_authentications_lock_the_account_and_end_the_session(app, client, auth, people):
    auth.login("inspector")
    age_sessions(app, people["inspector"].id)
    for _ in range(5):
        response = auth.post("/account/confirm", {"password": "someone else guessing"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/").status_code == 302
    assert _reasons(app, "auth.reauth") == ["bad_password"] * 5


def test_re_authentication_goes_back_only_to_our_own_pages(app, client, auth, people):
    auth.login("inspector")
    response = auth.post("/account/confirm?next=https://evil.example/", {"password": PASSWORD},
                         form_url="/account/confirm")
    assert response.headers["Location"] == "/"


def test_production_headers_and_cookies(app, keyring, tmp_path, people):
    config = _config(POSTGRES_URL or f"sqlite:///{app.config['TEST_DATABASE_PATH']}", keyring, tmp_path)
    config["COMPLAINTS_ENV"] = "production"
    config["TESTING"] = False
    production = create_app({**config, "TOTP_REQUIRED": True, "SESSION_COOKIE_SECURE": True})
    try:
        client = production.test_client()
        base = "https://register.example"
        page = client.get("/login", base_url=base)
        assert page.headers["Strict-Transport-Security"].startswith("max-age=")
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "same-origin"
        token = csrf_token(client, base + "/login")
        response = client.post("/login", base_url=base, data={"username": "inspector", "password": PASSWORD,
                                                              "csrf_token": token},
                               headers={"Referer": base + "/login"})
        # a second factor is required in production: the password alone leads to its set-up
        assert response.status_code == 302 and response.headers["Location"].endswith("/login/second-factor")
        cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("complaints_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert client.get("/", base_url=base).status_code == 302
    finally:
        with production.app_context():
            db.session.remove()
            db.engine.dispose()


def test_production_refuses_to_run_without_a_required_second_factor(tmp_path, keyring):
    from complaints.config import ConfigError

    config = _config("sqlite:///" + str(tmp_path / "x.db"), keyring, tmp_path)
    with pytest.raises(ConfigError, match="second factor"):
        create_app({**config, "COMPLAINTS_ENV": "production", "SESSION_COOKIE_SECURE": True,
                    "TOTP_REQUIRED": False})


def _age(app, user_id, **columns):
    from datetime import timedelta

    from sqlalchemy import update

    from complaints.clock import utcnow
    from complaints.models import UserSession

    with app.app_context():
        db.session.execute(update(UserSession).where(UserSession.user_id == user_id).values(
            **{name: utcnow() - timedelta(minutes=minutes) for name, minutes in columns.items()}))
        db.session.commit()


def test_idle_and_absolute_timeouts_end_the_session(app, client, auth, people):
    auth.login("inspector")
    _age(app, people["inspector"].id, last_seen_at=16)  # 15 minutes idle by default
    assert client.get("/").status_code == 302
    auth.login("inspector")
    _age(app, people["inspector"].id, created_at=8 * 60 + 1)  # 8 hours in any case
    assert client.get("/").status_code == 302


def test_signing_in_starts_a_new_session(app, client, auth, people):
    client.get("/login")
    before = client.get_cookie("complaints_session")
    auth.login("inspector")
    after = client.get_cookie("complaints_session")
    assert after is not None and (before is None or before.value != after.value)
    with app.app_context():
        from complaints.models import UserSession

        assert len(db.session.scalars(db.select(UserSession)).all()) == 1
