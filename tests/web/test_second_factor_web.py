"""The TOTP second factor: enrolment by QR code, sign-in with a code, replay, recovery codes,
lockout through wrong codes, and the requirement in production."""

from __future__ import annotations

import json
import re

import pyotp
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import RecoveryCode, User
from tests.conftest import PASSWORD, _config, audit_rows, csrf_token
from tests.factors import code, enrol, enrol_with_codes


def _sign_in_with_code(client, auth, username, totp_code):
    first = auth.login(username)
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/code")
    token = csrf_token(client, "/login/code")
    return client.post("/login/code", data={"code": totp_code, "csrf_token": token})


def _details(row) -> dict:
    return json.loads(row["details"])


def test_enrolment_shows_a_local_qr_code_and_keeps_the_secret_encrypted(app, client, auth, people):
    auth.login("inspector")
    page = client.get("/account/second-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html  # drawn by segno in the app, no outside service
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    with app.app_context():
        user = db.session.get(User, people["inspector"].id)
        assert user.totp_secret_ct and secret.encode() not in user.totp_secret_ct
        assert user.totp_enrolled_at is None  # not in use before the first code proves the app works
    assert client.get("/account/second-factor").get_data(as_text=True).count(secret[:4]) >= 1  # same secret
    wrong = auth.post("/account/second-factor", {"code": "000000"})
    assert "ไม่ถูกต้อง" in wrong.get_data(as_text=True)
    done = auth.post("/account/second-factor", {"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 10
    with app.app_context():
        stored = list(db.session.scalars(select(RecoveryCode.code_hash)))
        assert len(stored) == 10 and not any(c.replace("-", "") in h or c in h for c in codes for h in stored)
        assert db.session.get(User, people["inspector"].id).totp_enrolled_at is not None
        assert audit_rows(action="user.second_factor_enrol", outcome="ok")
        assert audit_rows(action="user.second_factor_enrol", outcome="failed")


def test_sign_in_needs_the_code_after_the_password(app, client, auth, people):
    secret = enrol(app, people["inspector"])
    first = auth.login("inspector")
    assert first.headers["Location"].endswith("/login/code")
    assert client.get("/").status_code == 302  # the password alone signs nobody in
    response = auth.post("/login/code", {"code": code(secret)})
    assert response.status_code == 302 and client.get("/").status_code == 200
    with app.app_context():
        assert [_details(r)["method"] for r in audit_rows(action="auth.login", outcome="ok")] == ["totp"]


def test_a_replayed_code_is_refused_and_audited(app, client, auth, people):
    secret = enrol(app, people["inspector"])
    used = code(secret)
    assert _sign_in_with_code(client, auth, "inspector", used).status_code == 302
    auth.logout()
    again = _sign_in_with_code(client, auth, "inspector", used)
    assert again.status_code == 200 and "ถูกใช้ไปแล้ว" in again.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with app.app_context():
        refused = audit_rows(action="auth.second_factor", outcome="failed")
        assert [_details(r)["reason"] for r in refused] == ["replayed"]
    # the next code works
    assert auth.post("/login/code", {"code": code(secret, 1)}).status_code == 302


def test_a_replayed_code_is_refused_by_another_app_process(app, client, auth, people, keyring, tmp_path):
    from complaints import create_app
    from tests.conftest import POSTGRES_URL, Auth

    secret = enrol(app, people["inspector"])
    used = code(secret)
    assert _sign_in_with_code(client, auth, "inspector", used).status_code == 302
    url = POSTGRES_URL or f"sqlite:///{app.config['TEST_DATABASE_PATH']}"
    other = create_app(_config(url, keyring, tmp_path))
    other_client = other.test_client()
    response = _sign_in_with_code(other_client, Auth(other_client), "inspector", used)
    assert "ถูกใช้ไปแล้ว" in response.get_data(as_text=True)
    with other.app_context():
        assert audit_rows(action="auth.second_factor", outcome="failed")
        db.session.remove()
        db.engine.dispose()


def test_recovery_codes_work_once(app, client, auth, people):
    _secret, codes = enrol_with_codes(app, people["inspector"])
    signed_in = _sign_in_with_code(client, auth, "inspector", codes[0].upper().replace("-", " "))
    assert signed_in.status_code == 302
    assert "เหลืออีก 9 รหัส" in client.get("/").get_data(as_text=True)
    auth.logout()
    again = _sign_in_with_code(client, auth, "inspector", codes[0])
    assert "ไม่ถูกต้อง" in again.get_data(as_text=True) and client.get("/").status_code == 302
    with app.app_context():
        failed = audit_rows(action="auth.second_factor", outcome="failed")
        assert _details(failed[-1])["method"] == "recovery_code"


def test_wrong_codes_lock_the_account_even_with_the_right_password(app, client, auth, people):
    secret = enrol(app, people["inspector"])
    auth.login("inspector")
    for _ in range(5):
        response = auth.post("/login/code", {"code": "123456"}, form_url="/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    again = auth.login("inspector")
    assert "ระงับชั่วคราว" in again.get_data(as_text=True)
    with app.app_context():
        assert _details(audit_rows(action="auth.login", outcome="failed")[-1])["reason"] == "locked"
        assert db.session.get(User, people["inspector"].id).failed_logins == 5
    assert client.get("/").status_code == 302
    assert secret  # the right code never got a chance


def test_pending_step_without_a_password_goes_back_to_sign_in(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    response = client.get("/login/second-factor")
    assert response.status_code == 302


def test_required_second_factor_is_set_up_at_first_sign_in(app, client, auth, people):
    app.config["TOTP_REQUIRED"] = True
    first = auth.login("inspector")
    assert first.headers["Location"].endswith("/login/second-factor")
    page = client.get("/login/second-factor").get_data(as_text=True)
    assert client.get("/").status_code == 302  # nothing signed in yet
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    done = auth.post("/login/second-factor", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "รหัสกู้คืน" in done.get_data(as_text=True)
    assert client.get("/").status_code == 200
    with app.app_context():
        assert [_details(r)["method"] for r in audit_rows(action="auth.login", outcome="ok")] == ["totp_enrolment"]


def test_a_live_session_without_second_factor_is_sent_to_set_it_up_when_required(app, client, auth, people):
    auth.login("inspector")
    app.config["TOTP_REQUIRED"] = True
    response = client.get("/cases")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/second-factor")


def test_cli_prints_the_provisioning_uri_when_a_second_factor_is_required(app):
    app.config["TOTP_REQUIRED"] = True
    result = app.test_cli_runner().invoke(args=["users", "create", "newclerk", "--role", "registrar",
                                                "--agency", "1004"])
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/" in result.output and "newclerk" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newclerk"))
        assert user.has_second_factor and user.must_change_password
    app.config["TOTP_REQUIRED"] = False
    plain = app.test_cli_runner().invoke(args=["users", "create", "otherclerk", "--role", "registrar"])
    assert plain.exit_code == 0 and "otpauth://" not in plain.output


def test_admin_reset_of_the_second_factor_ends_sessions_and_destroys_the_secret(app, client, auth, people):
    from complaints.models import DataKeyRecord

    secret = enrol(app, people["inspector"])
    _sign_in_with_code(client, auth, "inspector", code(secret))
    assert client.get("/").status_code == 200
    admin_client = app.test_client()
    from tests.conftest import Auth

    admin = Auth(admin_client)
    admin.login("admin")
    response = admin.post(f"/admin/users/{people['inspector'].id}/second-factor", {},
                          form_url=f"/admin/users/{people['inspector'].id}")
    assert response.status_code == 302
    assert client.get("/").status_code == 302  # the inspector's session ended
    with app.app_context():
        user = db.session.get(User, people["inspector"].id)
        assert user.totp_secret_ct is None and not user.has_second_factor
        assert db.session.get(DataKeyRecord, ("users", str(user.id))) is None
        assert not list(db.session.scalars(select(RecoveryCode)))
        assert audit_rows(action="user.second_factor_reset")[0]["actor_id"] == people["admin"].id
    assert auth.login("inspector").headers["Location"] == "/"  # password only again (not required here)


def test_regenerating_recovery_codes_needs_a_recent_sign_in(app, client, auth, people):
    from tests.factors import age_sessions

    secret, codes = enrol_with_codes(app, people["inspector"])
    _sign_in_with_code(client, auth, "inspector", code(secret))
    age_sessions(app, people["inspector"].id)
    response = auth.post("/account/recovery-codes", {}, form_url="/account/security")
    assert response.status_code == 302 and "/account/confirm" in response.headers["Location"]
    with app.app_context():
        assert audit_rows(action="auth.reauth_required")
    confirm = auth.post("/account/confirm?next=/account/security",
                        {"password": PASSWORD, "code": code(secret, 1)}, form_url="/account/confirm")
    assert confirm.status_code == 302
    fresh = auth.post("/account/recovery-codes", {}, form_url="/account/security")
    new_codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)


def test_a_forced_set_up_comes_before_a_forced_password_change_without_loops(app, client, auth, people):
    from sqlalchemy import update

    from tests.factors import age_sessions

    auth.login("inspector")
    with app.app_context():
        db.session.execute(update(User).where(User.id == people["inspector"].id).values(must_change_password=True))
        db.session.commit()
    app.config["TOTP_REQUIRED"] = True
    assert client.get("/cases").headers["Location"].endswith("/account/second-factor")
    age_sessions(app, people["inspector"].id)
    to_confirm = client.get("/account/second-factor")  # binding a phone needs a recent sign-in
    assert "/account/confirm" in to_confirm.headers["Location"]
    confirm = client.get(to_confirm.headers["Location"])
    assert confirm.status_code == 200
    auth.post(to_confirm.headers["Location"], {"password": PASSWORD}, form_url="/account/confirm")
    page = client.get("/account/second-factor").get_data(as_text=True)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    auth.post("/account/second-factor", {"code": pyotp.TOTP(secret).now()})
    assert client.get("/cases").headers["Location"].endswith("/account/password")
