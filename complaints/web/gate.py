"""The sign-in gate, session checks, the single commit per request and the security headers."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints import access
from complaints.extensions import db, login_manager
from complaints.models import User
from complaints.services import audit_trail, sessions

# Endpoints that a user who must change their password may still reach.
PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "main.font", "main.set_language"}
# Endpoints that a user who must set up the second factor (production) may still reach.
SECOND_FACTOR_SETUP_ALLOWED = {"account.enrol", "auth.reauth", "auth.logout", "static", "main.font",
                               "main.set_language"}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def bind_audit_origin(request_id: str, ip: str | None):
    return audit_trail.bind_origin(request_id, ip)


def reauth_window() -> timedelta:
    return timedelta(minutes=current_app.config["REAUTH_MINUTES"])


def _same_site_referrer() -> str | None:
    """The path of the page a form was posted from, when it is one of ours."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc and referrer.netloc != request.host:
        return None
    if not referrer.path.startswith("/") or referrer.path.startswith("//"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _require_recent_sign_in(endpoint: str):
    """Send a user whose sign-in is too old through the re-authentication page (audited)."""
    if sessions.is_recent(g.get("user_session"), reauth_window()):
        return None
    audit_trail.record(current_user, "auth.reauth_required", outcome="denied", endpoint=endpoint,
                       method=request.method)
    if request.method == "GET":
        target = request.full_path.rstrip("?")
    else:
        flash(_("ยังไม่ได้ดำเนินการ กรุณายืนยันตัวตนอีกครั้ง แล้วสั่งงานเดิมอีกครั้ง"), "info")
        target = _same_site_referrer() or url_for("main.home")
    return redirect(url_for("auth.reauth", next=target))


def _session_limits() -> dict:
    return {
        "idle": timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"]),
        "absolute": timedelta(hours=current_app.config["SESSION_ABSOLUTE_HOURS"]),
    }


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The user of this request, only while their server-side session is alive and they are active."""
    record = sessions.resolve(session.get("sid"), **_session_limits())
    if record is None or str(record.user_id) != str(user_id):
        return None
    user = db.session.get(User, record.user_id)
    if user is None or not user.active:
        return None
    g.user_session = record
    return user


def install(app: Flask) -> None:
    login_manager.session_protection = None  # sessions are checked against the database instead
    login_manager.login_view = "auth.login"

    @app.before_request
    def _gate():
        endpoint = request.endpoint
        if endpoint is None:
            return None  # no route: the 404 handler answers
        capability = access.endpoint_capability(endpoint)
        if capability is None:
            current_app.logger.error("endpoint %s has no declared permission; refused", endpoint)
            abort(403)
        if capability == access.PUBLIC:
            return None
        if not current_user.is_authenticated:
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            abort(401)
        if current_app.config["TOTP_REQUIRED"] and not current_user.has_second_factor:
            if endpoint not in SECOND_FACTOR_SETUP_ALLOWED:  # first the second factor, then the password
                return redirect(url_for("account.enrol"))
        elif current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ALLOWED:
            return redirect(url_for("auth.change_password"))
        if not access.can(current_user, capability):
            audit_trail.record(current_user, "access.denied", outcome="denied", endpoint=endpoint,
                               method=request.method)
            abort(403)
        if access.needs_recent_auth(endpoint):
            return _require_recent_sign_in(endpoint)
        return None

    @app.after_request
    def _finish(response):
        response = _commit(response)
        _headers(response)
        return response

    @app.teardown_request
    def _reset(_exc):
        token = g.pop("audit_origin", None)
        if token is not None:
            audit_trail.reset_origin(token)


def _commit(response):
    """Commit the request's work once. If that fails, the prepared response is discarded."""
    if g.get("rollback"):
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("commit failed; response withheld")
        return current_app.response_class(
            "ระบบบันทึกข้อมูลไม่สำเร็จ จึงไม่แสดงข้อมูล กรุณาลองใหม่อีกครั้ง", status=500,
            mimetype="text/plain",
        )
    return response


def _headers(response) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # same-origin, not no-referrer: Flask-WTF's strict CSRF check on HTTPS (production) refuses a POST
    # without a same-site Referer, and no-referrer would make every form fail there. Other sites
    # still learn nothing.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["COMPLAINTS_ENV"] == "production":
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint not in ("static", "main.font"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
