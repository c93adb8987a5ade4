"""The complainant's identity: masked for inspectors and executives, revealed only with a written
reason after a recent sign-in, on that response only, with an audit entry whose reason is encrypted."""

from __future__ import annotations

import base64
import json

import pytest

from tests.conftest import PASSWORD, Auth, audit_rows, make_user, new_case
from tests.factors import age_sessions, code, enrol

NAME, CONTACT, ID_NO = "นางสาวผู้ร้อง ลับเฉพาะ", "081-555-0199", "3100700998877"
REASON = "ต้องโทรสอบถามข้อเท็จจริงเพิ่มเติมจากผู้ร้องเรื่องจุดที่ถนนชำรุด"


def _case(app, people, **overrides) -> str:
    values = dict(complainant_name=NAME, complainant_contact=CONTACT, complainant_id_no=ID_NO,
                  agency_code="1004")
    values.update(overrides)
    return new_case(app, people["registrar"], **values)


@pytest.mark.parametrize("role", ["inspector", "executive"])
def test_identity_is_masked_until_revealed_with_a_reason(app, client, auth, people, role):
    case_id = _case(app, people)
    auth.login(role)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert NAME not in page and ID_NO not in page and f"/cases/{case_id}/identity" in page
    form = client.get(f"/cases/{case_id}/identity").get_data(as_text=True)
    assert NAME not in form and "เหตุผล" in form
    revealed = auth.post(f"/cases/{case_id}/identity", {"reason": REASON})
    html = revealed.get_data(as_text=True)
    assert revealed.status_code == 200 and NAME in html and CONTACT in html and ID_NO in html
    assert revealed.headers["Cache-Control"] == "no-store"
    # on that response only: the case page stays masked afterwards
    assert NAME not in client.get(f"/cases/{case_id}").get_data(as_text=True)
    with app.app_context():
        [entry] = audit_rows(action="identity.reveal", outcome="ok")
        assert entry["actor_id"] == people[role].id and entry["object_id"] == case_id
        assert REASON not in entry["details"] and NAME not in entry["details"]
        details = json.loads(entry["details"])
        assert base64.b64decode(details["reason_ct"])  # the reason is there, as ciphertext


def test_a_reveal_without_a_reason_shows_nothing(app, client, auth, people):
    case_id = _case(app, people)
    auth.login("inspector")
    for reason in ("", "ดูหน่อย"):
        response = auth.post(f"/cases/{case_id}/identity", {"reason": reason})
        assert response.status_code == 200 and NAME not in response.get_data(as_text=True)
        assert "เหตุผล" in response.get_data(as_text=True)
    with app.app_context():
        assert not audit_rows(action="identity.reveal", outcome="ok")


def test_a_stale_sign_in_must_type_the_password_again(app, client, auth, people):
    case_id = _case(app, people)
    auth.login("inspector")
    age_sessions(app, people["inspector"].id)
    form = client.get(f"/cases/{case_id}/identity").get_data(as_text=True)
    assert 'name="password"' in form
    refused = auth.post(f"/cases/{case_id}/identity", {"reason": REASON})
    assert NAME not in refused.get_data(as_text=True)
    assert REASON in refused.get_data(as_text=True)  # what was typed is kept
    wrong = auth.post(f"/cases/{case_id}/identity", {"reason": REASON, "password": "not my password at all"})
    assert NAME not in wrong.get_data(as_text=True) and "รหัสผ่านไม่ถูกต้อง" in wrong.get_data(as_text=True)
    with app.app_context():
        denied = audit_rows(action="identity.reveal", outcome="denied")
        assert json.loads(denied[0]["details"])["reason"] == "reauth_required"
        assert json.loads(audit_rows(action="auth.reauth", outcome="failed")[0]["details"])["reason"] == "bad_password"
    right = auth.post(f"/cases/{case_id}/identity", {"reason": REASON, "password": PASSWORD})
    assert NAME in right.get_data(as_text=True)
    with app.app_context():
        assert audit_rows(action="auth.reauth", outcome="ok") and audit_rows(action="identity.reveal", outcome="ok")


def test_a_stale_sign_in_with_a_second_factor_needs_the_code_too(app, client, auth, people):
    case_id = _case(app, people)
    secret = enrol(app, people["inspector"])
    auth.login("inspector")
    auth.post("/login/code", {"code": code(secret)})
    age_sessions(app, people["inspector"].id)
    no_code = auth.post(f"/cases/{case_id}/identity", {"reason": REASON, "password": PASSWORD})
    assert NAME not in no_code.get_data(as_text=True)
    ok = auth.post(f"/cases/{case_id}/identity", {"reason": REASON, "password": PASSWORD, "code": code(secret, 1)})
    assert NAME in ok.get_data(as_text=True)


def test_registrars_see_identity_without_asking_and_cannot_use_the_reveal(app, client, auth, people):
    case_id = _case(app, people)
    auth.login("registrar")
    assert NAME in client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert client.get(f"/cases/{case_id}/identity").status_code == 403
    with app.app_context():
        assert audit_rows(action="access.denied", actor_id=people["registrar"].id)


@pytest.mark.parametrize("where", ["agency", "clearance"])
def test_no_reveal_outside_scope_or_clearance(app, client, auth, people, where):
    overrides = {"agency_code": "1001"} if where == "agency" else {"classification": "secret"}
    case_id = _case(app, people, **overrides)
    auth.login("inspector")  # Bang Rak (1004), cleared to ลับ
    assert client.get(f"/cases/{case_id}/identity").status_code == 404
    response = auth.post(f"/cases/{case_id}/identity", {"reason": REASON}, form_url="/account/security")
    assert response.status_code == 404 and NAME not in response.get_data(as_text=True)
    with app.app_context():
        denied = audit_rows(action="identity.reveal", object_id=case_id)
        assert len(denied) == 2 and {d["outcome"] for d in denied} == {"denied"}


def test_auditors_read_the_reasons_and_that_is_audited(app, client, auth, people):
    case_id = _case(app, people)
    auth.login("inspector")
    auth.post(f"/cases/{case_id}/identity", {"reason": REASON})
    auditor = Auth(app.test_client())
    auditor.login("auditor")
    page = auditor.client.get("/audit/reveals")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and REASON in html and NAME not in html
    assert client.get("/audit/reveals").status_code == 403  # not for inspectors
    with app.app_context():
        assert audit_rows(action="audit.reveal_reasons", actor_id=people["auditor"].id)


def test_a_reason_moved_to_another_case_does_not_decrypt(app, client, auth, people):
    from complaints.services import identity

    first, second = _case(app, people), _case(app, people)
    auth.login("inspector")
    auth.post(f"/cases/{first}/identity", {"reason": REASON})
    with app.app_context():
        details = json.loads(audit_rows(action="identity.reveal", outcome="ok")[0]["details"])
        from complaints.crypto import DecryptionError
        from complaints.services import vault

        key = vault.load_data_key("cases", second)
        with pytest.raises(DecryptionError):
            key.decrypt(base64.b64decode(details["reason_ct"]), table=identity.REASON_TABLE,
                        column=identity.REASON_COLUMN, row_id=f"{second}/{details['reveal_id']}")


def test_anonymous_complaints_have_nothing_to_reveal(app, client, auth, people):
    case_id = _case(app, people, anonymous=True)
    auth.login("inspector")
    page = client.get(f"/cases/{case_id}/identity").get_data(as_text=True)
    assert "ไม่ประสงค์ออกนาม" in page and 'name="reason"' not in page
    auth.post(f"/cases/{case_id}/identity", {"reason": REASON})
    with app.app_context():
        assert not audit_rows(action="identity.reveal", outcome="ok")


def test_a_registrar_who_is_also_an_inspector_sees_identity_directly(app, client, auth, people):
    case_id = _case(app, people)
    with app.app_context():
        make_user("both", ["registrar", "inspector"], agencies=["1004"])
    auth.login("both")
    assert NAME in client.get(f"/cases/{case_id}").get_data(as_text=True)
