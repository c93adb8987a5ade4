"""The user's own account security: the second factor (enrolment by QR code) and recovery codes."""

from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints.forms import ActionForm, CodeForm
from complaints.models import User
from complaints.services import second_factor
from complaints.services.errors import Invalid

bp = Blueprint("account", __name__, url_prefix="/account")


def qr_data_uri(text: str) -> str:
    """A QR code as an SVG data: URI, drawn here (no outside service sees the secret)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def enrolment_page(user: User, form: CodeForm, action: str):
    secret = second_factor.pending_secret(user)
    uri = second_factor.provisioning_uri(user, secret, current_app.config["TOTP_ISSUER"])
    return render_template("account/enrol.html", form=form, qr=qr_data_uri(uri), secret=_grouped(secret),
                           action=action, required=current_app.config["TOTP_REQUIRED"])


@bp.get("/security")
def security():
    user = current_user._get_current_object()
    return render_template("account/security.html", user=user, form=ActionForm(),
                           codes_left=second_factor.recovery_codes_left(user) if user.has_second_factor else 0,
                           required=current_app.config["TOTP_REQUIRED"])


@bp.route("/second-factor", methods=["GET", "POST"])
def enrol():
    user = current_user._get_current_object()
    if user.has_second_factor:
        flash(_("บัญชีนี้ตั้งค่ารหัสยืนยันตัวตนสองชั้นไว้แล้ว"), "info")
        return redirect(url_for("account.security"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            codes = second_factor.confirm_enrolment(user, form.code.data or "")
        except Invalid as exc:
            form.code.errors = list(exc.errors.values())
        else:
            return render_template("account/recovery_codes.html", codes=codes,
                                   next_url=url_for("account.security"))
    return enrolment_page(user, form, url_for("account.enrol"))


@bp.post("/recovery-codes")
def recovery_codes():
    """A new set of recovery codes (the old ones stop working). Needs a recent sign-in (gate)."""
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.security"))
    try:
        codes = second_factor.regenerate_recovery_codes(current_user._get_current_object())
    except Invalid as exc:
        for message in exc.errors.values():
            flash(message, "error")
        return redirect(url_for("account.security"))
    return render_template("account/recovery_codes.html", codes=codes, next_url=url_for("account.security"))
