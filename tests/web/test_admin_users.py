"""Administration pages: every change is audited and takes effect on the user's next request, live
sessions included; nobody but an admin can make one, and not without a CSRF token."""

from __future__ import annotations

import json
import re

import pytest

from complaints.extensions import db
from complaints.models import User
from tests.conftest import PASSWORD, Auth, audit_rows, new_case


@pytest.fixture
def admin(app, people):
    session = Auth(app.test_client())
    assert session.login("admin").status_code == 302
    return session


def _form(user: User | None = None, **changes) -> dict:
    data = {"display_name": "ผู้ใช้ ทดสอบ", "roles": ["inspector"], "clearance": "unclassified",
            "agencies": [], "zones": []}
    if user is not None:
        data.update(display_name=user.display_name, roles=sorted(user.roles), clearance=user.clearance,
                    agencies=sorted(user.agency_codes), zones=sorted(user.zone_codes))
        if user.all_agencies:
            data["all_agencies"] = "y"
    data.update(changes)
    return data


def _user(app, person) -> User:
    with app.app_context():
        user = db.session.get(User, person.id)
        _ = user.roles, user.agency_codes, user.zone_codes
        db.session.expunge(user)
        return user


def test_admin_creates_a_user_who_must_change_the_temporary_password(app, admin, people):
    page = admin.client.get("/admin/users/new")
    assert page.status_code == 200 and "กลุ่มเขตกรุงเทพใต้" in page.get_data(as_text=True)
    response = admin.post("/admin/users/new", _form(username="Somchai.K", display_name="นายสมชาย ขยัน",
                                                    roles=["inspector", "auditor"], clearance="secret",
                                                    zones=["south"], agencies=["1004"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    password = re.search(r'<code class="secret">([^<]+)</code>', html).group(1)
    with app.app_context():
        user = db.session.scalars(db.select(User).where(User.username == "somchai.k")).one()
        assert user.roles == {"inspector", "auditor"} and user.clearance == "secret"
        assert user.zone_codes == {"south"} and user.agency_codes == {"1004"} and user.must_change_password
        entry = audit_rows(action="user.create")[-1]
        assert entry["actor_id"] == people["admin"].id and password not in entry["details"]
    newcomer = Auth(app.test_client())
    assert newcomer.login("somchai.k", password).status_code == 302
    assert newcomer.client.get("/cases").headers["Location"].endswith("/account/password")


def test_invalid_input_keeps_what_was_typed_and_explains_in_thai(app, admin):
    response = admin.post("/admin/users/new", _form(username="ab", roles=[], display_name="นายพิมพ์ ไว้"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "ชื่อผู้ใช้ต้องเป็น" in html and "ต้องระบุบทบาท" in html
    assert "นายพิมพ์ ไว้" in html
    with app.app_context():
        assert len(audit_rows(action="user.create")) == 5  # only the people fixture


def test_a_role_change_applies_to_a_live_session_at_once(app, client, auth, admin, people):
    auth.login("inspector")
    assert client.get("/cases").status_code == 200
    inspector = _user(app, people["inspector"])
    response = admin.post(f"/admin/users/{inspector.id}", _form(inspector, roles=["auditor"]))
    assert response.status_code == 302
    assert client.get("/cases").status_code == 403
    assert client.get("/audit").status_code == 200
    with app.app_context():
        [entry] = audit_rows(action="user.update")
        assert json.loads(entry["details"])["changes"]["roles"] == [["inspector"], ["auditor"]]
        assert entry["actor_id"] == people["admin"].id and entry["object_id"] == str(inspector.id)


def test_clearance_and_scope_changes_apply_to_a_live_session_at_once(app, client, auth, admin, people):
    secret_here = new_case(app, people["registrar"], agency_code="1004", classification="secret")
    elsewhere = new_case(app, people["registrar"], agency_code="1001")
    auth.login("inspector")
    assert client.get(f"/cases/{secret_here}").status_code == 404
    assert client.get(f"/cases/{elsewhere}").status_code == 404
    inspector = _user(app, people["inspector"])
    admin.post(f"/admin/users/{inspector.id}", _form(inspector, clearance="secret", zones=["central"]))
    assert client.get(f"/cases/{secret_here}").status_code == 200
    assert client.get(f"/cases/{elsewhere}").status_code == 200  # 1001 Phra Nakhon is in กรุงเทพกลาง
    inspector = _user(app, people["inspector"])
    admin.post(f"/admin/users/{inspector.id}", _form(inspector, clearance="unclassified", zones=[]))
    assert client.get(f"/cases/{secret_here}").status_code == 404
    assert client.get(f"/cases/{elsewhere}").status_code == 404
    with app.app_context():
        changes = [json.loads(r["details"])["changes"] for r in audit_rows(action="user.update")]
        assert changes[0]["clearance"] == ["confidential", "secret"] and changes[0]["zones"] == [[], ["central"]]
        assert changes[1]["clearance"] == ["secret", "unclassified"]


def test_disabling_ends_a_live_session_and_enabling_does_not_revive_it(app, client, auth, admin, people):
    auth.login("inspector")
    assert client.get("/").status_code == 200
    user_id = people["inspector"].id
    assert admin.post(f"/admin/users/{user_id}/disable", {}, form_url=f"/admin/users/{user_id}").status_code == 302
    assert client.get("/").status_code == 302
    assert "ไม่ถูกต้อง" in auth.login("inspector").get_data(as_text=True)
    admin.post(f"/admin/users/{user_id}/enable", {}, form_url=f"/admin/users/{user_id}")
    assert client.get("/").status_code == 302  # the old session stays ended
    assert auth.login("inspector").status_code == 302
    with app.app_context():
        assert [r["action"] for r in audit_rows(object_type="user", object_id=str(user_id))][-2:] == [
            "user.disable", "user.enable"]


def test_password_reset_ends_sessions_unlocks_and_forces_a_change(app, client, auth, admin, people):
    auth.login("inspector")
    for _ in range(5):
        Auth(app.test_client()).login("inspector", "a wrong password for sure")
    user_id = people["inspector"].id
    response = admin.post(f"/admin/users/{user_id}/password", {}, form_url=f"/admin/users/{user_id}")
    temporary = re.search(r'<code class="secret">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert client.get("/").status_code == 302
    assert "ไม่ถูกต้อง" in auth.login("inspector", PASSWORD).get_data(as_text=True)
    assert auth.login("inspector", temporary).status_code == 302
    assert client.get("/").headers["Location"].endswith("/account/password")
    with app.app_context():
        assert audit_rows(action="user.password_reset")[0]["actor_id"] == people["admin"].id


def test_unlock_lifts_a_lockout(app, admin, people):
    locked = Auth(app.test_client())
    for _ in range(5):
        locked.login("inspector", "a wrong password for sure")
    assert "ระงับชั่วคราว" in locked.login("inspector").get_data(as_text=True)
    user_id = people["inspector"].id
    assert "ล็อกชั่วคราว" in admin.client.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{user_id}/unlock", {}, form_url=f"/admin/users/{user_id}")
    assert locked.login("inspector").status_code == 302
    with app.app_context():
        assert audit_rows(action="user.unlock")


def test_admins_cannot_lock_themselves_out_or_grant_themselves_access(app, admin, people):
    me = _user(app, people["admin"])
    admin.post(f"/admin/users/{me.id}/disable", {}, form_url=f"/admin/users/{me.id}")
    for change in ({"roles": ["auditor"]}, {"roles": ["admin", "registrar"]}, {"all_agencies": "y"},
                   {"clearance": "top_secret" if me.clearance != "top_secret" else "secret"}):
        response = admin.post(f"/admin/users/{me.id}", _form(me, **change))
        assert "ไม่สามารถเปลี่ยนบทบาท ชั้นความลับ หรือขอบเขตของตนเอง" in response.get_data(as_text=True)
    assert admin.client.get("/admin/users").status_code == 200
    with app.app_context():
        user = db.session.get(User, me.id)
        assert user.active and user.roles == {"admin"}
        assert not audit_rows(action="user.disable") and not audit_rows(action="user.update")


@pytest.mark.parametrize("role", ["registrar", "inspector", "executive", "auditor"])
def test_only_admins_change_accounts(app, client, auth, people, role):
    auth.login(role)
    target = people["inspector"].id if role != "inspector" else people["registrar"].id
    attempts = [("get", "/admin/users"), ("get", f"/admin/users/{target}"), ("post", f"/admin/users/{target}/disable"),
                ("post", f"/admin/users/{target}/password"), ("post", "/admin/users/new")]
    for method, url in attempts:
        if method == "get":
            response = client.get(url)
        else:
            response = auth.post(url, {"display_name": "x", "roles": ["admin"], "username": "mallory"},
                                 form_url="/account/security")
        assert response.status_code == 403, url
    with app.app_context():
        denied = audit_rows(action="access.denied", actor_id=people[role].id)
        assert len(denied) == len(attempts)
        assert db.session.get(User, target).active
        assert len(audit_rows(action="user.create")) == 5 and not audit_rows(action="user.password_reset")


def test_an_admin_change_without_csrf_token_is_refused_and_audited(app, admin, people):
    user_id = people["inspector"].id
    response = admin.client.post(f"/admin/users/{user_id}/disable")
    assert response.status_code == 400
    response = admin.client.post(f"/admin/users/{user_id}", data=_form(roles=["admin"]))
    assert response.status_code == 400
    with app.app_context():
        assert len(audit_rows(action="csrf.rejected")) == 2
        user = db.session.get(User, user_id)
        assert user.active and user.roles == {"inspector"}


def test_an_unknown_user_is_not_found(admin):
    assert admin.client.get("/admin/users/987654").status_code == 404
