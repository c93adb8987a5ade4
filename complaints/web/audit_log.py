"""The audit log for auditors: the latest entries, newest first."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from complaints.services import audit_reader

bp = Blueprint("audit_log", __name__, url_prefix="/audit")


@bp.get("")
def index():
    page_no = request.args.get("page", "1")
    page = audit_reader.entries(current_user, page=int(page_no) if page_no.isdigit() else 1,
                                action=request.args.get("action") or None)
    return render_template("audit_log/index.html", page=page, actions=audit_reader.actions())
