"""Sign-in (password, then the second factor), sign-out, password change and re-authentication.

Between the password and the second factor nothing is signed in: the (signed) cookie session only
remembers, for five minutes, whose password was right. The server-side session starts when every
step has passed, with a new id.
"""

from __future__ import annotations

import time

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from complaints.forms import ActionForm, CodeForm, LoginForm, PasswordChangeForm, ReauthForm
from complaints.models import User
from complaints.services import audit_trail, second_factor, sessions, sign_in, users
from complaints.services.errors import Invalid
from complaints.web.account import enrolment_page

bp = Blueprint("auth", __name__)

PENDING_SECONDS = 300  # time allowed between the password and the second factor


def policy() -> sign_in.Policy:
    return sign_in.Policy.from_config(current_app.config)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.home")


def failure_message(reason: str) -> str:
    """What a person is told when a sign-in step fails (Thai source text)."""
    if reason == sign_in.LOCKED:
        return _("บัญชีถูกระงับชั่วคราวเพราะใส่รหัสผ่านหรือรหัสยืนยันผิดหลายครั้ง กรุณารอสักครู่แล้วลองใหม่")
    if reason == sign_in.RATE_LIMITED:
        return _("มีการเข้าสู่ระบบไม่สำเร็จจากเครื่องนี้หลายครั้งเกินไป กรุณารอประมาณ %(n)s นาทีแล้วลองใหม่",
                 n=current_app.config["SIGN_IN_FAILURE_WINDOW_MINUTES"])
    if reason == sign_in.REPLAYED_CODE:
        return _("รหัสนี้ถูกใช้ไปแล้ว กรุณารอรหัสชุดถัดไปจากแอปแล้วกรอกใหม่")
    if reason == sign_in.BAD_CODE:
        return _("รหัสยืนยันไม่ถูกต้อง กรุณากรอกรหัส 6 หลักล่าสุดจากแอป หรือรหัสกู้คืน")
    if reason == "bad_password":
        return _("รหัสผ่านไม่ถูกต้อง")
    return _("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")


def _fresh_cookie_session() -> None:
    """Nothing of an earlier session carries over, except the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def start_session(user: User) -> None:
    """Every sign-in step has passed: a new server-side session for this browser."""
    _fresh_cookie_session()
    session["sid"] = sessions.start(user, request.remote_addr)
    login_user(user)


def _begin_pending(user: User, next_url: str | None) -> None:
    _fresh_cookie_session()
    session["pending"] = {"uid": user.id, "at": int(time.time()), "next": _safe_next(next_url)}


def _pending() -> tuple[User | None, str]:
    """The user whose password was just right (and where they were going), while that is recent."""
    data = session.get("pending")
    if not isinstance(data, dict) or time.time() - int(data.get("at", 0)) > PENDING_SECONDS:
        session.pop("pending", None)
        return None, ""
    user = users.get_user(int(data.get("uid", 0)))
    if user is None or not user.active:
        session.pop("pending", None)
        return None, ""
    return user, _safe_next(data.get("next"))


def _expired():
    flash(_("หมดเวลายืนยันตัวตน กรุณาเข้าสู่ระบบใหม่"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = sign_in.check_password(form.username.data, form.password.data, request.remote_addr, policy())
        if result.user is not None:
            if result.next_step:
                _begin_pending(result.user, request.args.get("next"))
                target = "auth.login_code" if result.next_step == sign_in.NEED_CODE else "auth.login_enrol"
                return redirect(url_for(target))
            start_session(result.user)
            return redirect(_safe_next(request.args.get("next")))
        form.form_errors.append(failure_message(result.reason))
        status = 429 if result.reason == sign_in.RATE_LIMITED else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    user, next_url = _pending()
    if user is None or not user.has_second_factor:
        return _expired()
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        code = form.code.data or ""
        result = sign_in.check_second_factor(user, code, request.remote_addr, policy())
        if result.user is not None:
            start_session(user)
            if not second_factor.looks_like_totp(code):
                flash(_("ใช้รหัสกู้คืนแล้ว เหลืออีก %(n)s รหัส หากโทรศัพท์หายให้แจ้งผู้ดูแลระบบ",
                        n=second_factor.recovery_codes_left(user)), "info")
            return redirect(next_url)
        if result.reason in (sign_in.LOCKED, sign_in.DISABLED):
            session.pop("pending", None)
            flash(failure_message(result.reason), "error")
            return redirect(url_for("auth.login"))
        form.code.errors = [failure_message(result.reason)]
        status = 429 if result.reason == sign_in.RATE_LIMITED else 200
    return render_template("auth/login_code.html", form=form, user=user), status


@bp.route("/login/second-factor", methods=["GET", "POST"])
def login_enrol():
    """First sign-in where the second factor is required but not set up yet: set it up now."""
    user, next_url = _pending()
    if user is None or user.has_second_factor:
        return _expired()
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, form.code.data or "")
        except Invalid as exc:
            form.code.errors = list(exc.errors.values())
        else:
            sign_in.finish(user, method="totp_enrolment")
            start_session(user)
            return render_template("account/recovery_codes.html", codes=codes, next_url=next_url)
    return enrolment_page(user, form, url_for("auth.login_enrol"))


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
                start_session(current_user._get_current_object())
                flash(_("เปลี่ยนรหัสผ่านเรียบร้อยแล้ว"), "success")
                return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


def sign_out_locked():
    """Re-authentication locked the account: this session is over too."""
    logout_user()
    session.clear()
    flash(failure_message(sign_in.LOCKED), "error")
    return redirect(url_for("auth.login"))


@bp.route("/account/confirm", methods=["GET", "POST"])
def reauth():
    """Prove again who is at the keyboard, then go on to where the user was going."""
    user = current_user._get_current_object()
    form = ReauthForm()
    status = 200
    if form.validate_on_submit():
        result = sign_in.reauthenticate(user, g.user_session, form.password.data or "", form.code.data or "",
                                        request.remote_addr, policy())
        if result.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        if result.reason == sign_in.LOCKED:
            return sign_out_locked()
        form.form_errors.append(failure_message(result.reason))
        status = 429 if result.reason == sign_in.RATE_LIMITED else 200
    return render_template("auth/reauth.html", form=form, needs_code=user.has_second_factor,
                           minutes=current_app.config["REAUTH_MINUTES"]), status
