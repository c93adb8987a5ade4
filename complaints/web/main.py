"""Home page, language switch and the locally served Thai font."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_from_directory, session, url_for
from flask_login import current_user

from complaints import access
from complaints.forms import ActionForm
from complaints.services import dashboard
from complaints.web import report_charts
from complaints.web.reports import case_link

bp = Blueprint("main", __name__)

FONT_FILES = {"Sarabun-Regular.ttf", "Sarabun-Bold.ttf", "Sarabun-Italic.ttf", "Sarabun-SemiBold.ttf"}


@bp.get("/")
def home():
    page = dashboard.home(current_user)
    return render_template("main/home.html", summary=page.summary, page=page, charts=report_charts,
                           link=case_link())


@bp.get("/fonts/<name>")
def font(name: str):
    """Sarabun (SIL Open Font License) from the installed ``fontpkg-sarabun`` package: no CDN."""
    if name not in FONT_FILES:
        abort(404)
    import fontpkg_sarabun

    response = send_from_directory(fontpkg_sarabun.ROOT / "files", name, max_age=86400 * 30)
    response.headers["Cache-Control"] = "public, max-age=2592000"
    return response


@bp.post("/language")
def set_language():
    form = ActionForm()
    if form.validate_on_submit() and request.form.get("lang") in ("th", "en"):
        session["lang"] = request.form["lang"]
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("main.home") if access.can(current_user, access.SIGNED_IN) else url_for("auth.login")
    return redirect(target)
