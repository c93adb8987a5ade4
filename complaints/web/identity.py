"""Revealing a complainant's identity (with a reason, after a recent sign-in) and, for auditors, the
list of reveals with their reasons."""

from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from complaints.forms import RevealForm
from complaints.services import identity, sessions, sign_in
from complaints.services.errors import Invalid, ReauthRequired
from complaints.web.auth import failure_message, policy, sign_out_locked
from complaints.web.gate import reauth_window

bp = Blueprint("identity", __name__)


@bp.route("/cases/<case_id>/identity", methods=["GET", "POST"])
def reveal(case_id: str):
    user = current_user._get_current_object()
    case = identity.target(user, case_id)  # out of scope: 404, audited
    form = RevealForm()
    values = None
    needs_reauth = not sessions.is_recent(g.get("user_session"), reauth_window())
    status = 200
    if form.validate_on_submit():
        proceed = True
        if needs_reauth and form.password.data:
            result = sign_in.reauthenticate(user, g.user_session, form.password.data or "", form.code.data or "",
                                            request.remote_addr, policy())
            if result.reason == sign_in.LOCKED:
                return sign_out_locked()
            if result.user is None:
                proceed = False
                form.password.errors = [failure_message(result.reason)]
                status = 429 if result.reason == sign_in.RATE_LIMITED else 200
            else:
                needs_reauth = False
        if proceed:
            try:
                values = identity.reveal(user, case.id, form.reason.data, session=g.get("user_session"),
                                         max_age=reauth_window())
            except ReauthRequired:
                needs_reauth = True
                form.password.errors = [_("กรุณากรอกรหัสผ่านเพื่อยืนยันตัวตนก่อนเปิดดู")]
            except Invalid as exc:
                for name, message in exc.errors.items():
                    (form[name].errors if name in form else form.form_errors).append(message)
    return render_template("identity/reveal.html", case=case, form=form, values=values,
                           needs_reauth=needs_reauth, needs_code=user.has_second_factor), status


@bp.get("/audit/reveals")
def reveal_log():
    return render_template("identity/reveal_log.html", entries=identity.reveal_log(current_user))
