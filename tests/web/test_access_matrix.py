"""The policy table, tested: every role and role combination gets exactly the union of its roles'
capabilities, on every endpoint, through the real gate."""

from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import pytest

from complaints import access
from complaints.extensions import db
from complaints.vocabulary import ROLES
from tests.conftest import audit_rows, csrf_token, make_user

DUMMY_ARGS = {"case_id": "00000000-0000-0000-0000-000000000000", "user_id": 999999, "name": "nothing.ttf",
              "filename": "css/app.css", "code": "nothing", "round_id": 999999}
SKIP = {"auth.logout"}  # would end the session in the middle of the walk; covered in test_security


def _fake_user(roles) -> SimpleNamespace:
    return SimpleNamespace(roles=frozenset(roles), is_authenticated=True, is_active=True)


def test_every_declared_capability_is_in_the_policy_table():
    unknown = {cap for cap in access.ENDPOINTS.values() if cap not in access.PERMISSIONS} - {
        access.PUBLIC, access.SIGNED_IN}
    assert unknown == set()
    assert all(roles <= set(ROLES) for roles in access.PERMISSIONS.values())


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_several_roles_get_exactly_the_union_of_their_capabilities(size):
    for roles in itertools.combinations(sorted(ROLES), size):
        union = set().union(*({cap for cap, holders in access.PERMISSIONS.items() if role in holders}
                              for role in roles))
        assert access.capabilities(_fake_user(roles)) == union, roles


def test_nobody_signed_out_or_disabled_holds_anything():
    assert access.capabilities(None) == frozenset()
    disabled = SimpleNamespace(roles=frozenset(ROLES), is_authenticated=True, is_active=False)
    assert access.capabilities(disabled) == frozenset()
    assert not access.can(disabled, access.SIGNED_IN)


def _walk(app):
    """(endpoint, method, url) for every route, with placeholder arguments."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in SKIP:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        try:
            url = rule.build({name: DUMMY_ARGS.get(name, "nothing") for name in rule.arguments})[1]
        except Exception:  # an int argument this walk does not know: any number will do
            url = rule.build({name: DUMMY_ARGS.get(name, 999999) for name in rule.arguments})[1]
        yield rule.endpoint, method, url


def _allowed(roles, endpoint) -> bool:
    capability = access.ENDPOINTS[endpoint]
    if capability == access.PUBLIC:
        return True
    if not roles:
        return False
    return capability == access.SIGNED_IN or bool(set(roles) & access.PERMISSIONS[capability])


ROLE_SETS = [(), *[(r,) for r in sorted(ROLES)], ("auditor", "inspector"), ("inspector", "registrar"),
             tuple(sorted(ROLES))]


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(r) or "signed-out")
def test_role_endpoint_matrix_through_the_gate(app, client, auth, roles):
    if roles:
        with app.app_context():
            make_user("probe", list(roles), agencies=["1004"])
        assert auth.login("probe").status_code == 302
    token = csrf_token(client, "/login") if not roles else csrf_token(client, "/account/security")
    for endpoint, method, url in _walk(app):
        with app.app_context():
            denials_before = len(audit_rows(action="access.denied"))
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
        with app.app_context():
            denials = audit_rows(action="access.denied")[denials_before:]
            db.session.remove()
        assert response.status_code < 500, f"{roles} at {endpoint}: {response.status_code}"
        refused_by_gate = [d for d in denials if re.search(f'"endpoint":"{re.escape(endpoint)}"', d["details"])]
        if _allowed(roles, endpoint):
            assert not refused_by_gate, f"{roles} refused {endpoint}"
            assert response.status_code != 401, endpoint
            if not roles:
                assert response.status_code != 403, endpoint
        elif roles:
            assert response.status_code == 403, f"{roles} reached {endpoint}: {response.status_code}"
            assert refused_by_gate, f"no audit entry for {roles} refused at {endpoint}"
        else:
            assert response.status_code in (302, 401), f"signed out reached {endpoint}"
            if response.status_code == 302:
                assert "/login" in response.headers["Location"]


def test_every_export_needs_a_recent_sign_in(app):
    exports = {rule.endpoint for rule in app.url_map.iter_rules()
               if rule.rule.endswith((".csv", ".xlsx", ".pdf"))}
    assert exports, "expected at least the case list export"
    missing = sorted(exports - access.RECENT_AUTH_ENDPOINTS)
    assert missing == [], f"exports without re-authentication (add them to access.RECENT_AUTH_ENDPOINTS): {missing}"
    assert set(access.ENDPOINTS) >= access.RECENT_AUTH_ENDPOINTS
