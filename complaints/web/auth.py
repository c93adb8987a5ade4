"""Sign-in, sign-out and password change."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from complaints.forms import ActionForm, LoginForm, PasswordChangeForm
from complaints.services import audit_trail, sessions, users
from complaints.services.errors import Invalid

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = users.authenticate(form.username.data, form.password.data)
        if result.user is not None:
            lang = session.get("lang")
            session.clear()  # a new session at sign-in: nothing carries over
            if lang:
                session["lang"] = lang
            session["sid"] = sessions.start(result.user, request.remote_addr)
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.reason == "locked":
            form.form_errors.append(_("บัญชีถูกระงับชั่วคราวเพราะใส่รหัสผ่านผิดหลายครั้ง กรุณารอสักครู่แล้วลองใหม่"))
        else:
            form.form_errors.append(_("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        audit_trail.record(current_user, "auth.logout")
        sessions.revoke(session.get("sid"))
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if form.new.data != form.confirm.data:
            form.confirm.errors.append(_("รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน"))
        else:
            try:
                users.change_password(current_user, form.current.data, form.new.data)
            except Invalid as exc:
                for name, message in exc.errors.items():
                    getattr(form, name, form.new).errors.append(message)
            else:
                # Every session was revoked; start a fresh one for this browser.
                user = current_user._get_current_object()
                session.clear()
                session["sid"] = sessions.start(user, request.remote_addr)
                login_user(user)
                flash(_("เปลี่ยนรหัสผ่านเรียบร้อยแล้ว"), "success")
                return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
