"""Uploading and downloading a case's attachments (the files themselves are never stored in plaintext)."""

from __future__ import annotations

import io
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints.services import attachments
from complaints.services.errors import Invalid

bp = Blueprint("attachments", __name__)


def reveal_window() -> timedelta:
    """How long after revealing a complainant the files that name them open (the re-authentication window)."""
    return timedelta(minutes=current_app.config["REAUTH_MINUTES"])


@bp.post("/cases/<case_id>/attachments")
def upload(case_id: str):
    storage = request.files.get("file")
    if storage is None or not storage.filename:
        flash(_("กรุณาเลือกไฟล์ที่จะแนบ"), "error")
        return redirect(url_for("cases.show", case_id=case_id, _anchor="attachments"))
    data = storage.stream.read(attachments.MAX_BYTES + 1)
    try:
        attachments.add_attachment(current_user, case_id, storage.filename, data,
                                   identifies_complainant=not request.form.get("no_identity"))
    except Invalid as exc:
        flash(exc.errors.get("file", ""), "error")
    else:
        flash(_("แนบไฟล์แล้ว"), "success")
    return redirect(url_for("cases.show", case_id=case_id, _anchor="attachments"))


@bp.get("/cases/<case_id>/attachments/<attachment_id>")
def download(case_id: str, attachment_id: str):
    found = attachments.open_attachment(current_user, case_id, attachment_id, reveal_window())
    response = send_file(io.BytesIO(found.content), mimetype=found.mimetype, as_attachment=True,
                         download_name=found.name, max_age=0, etag=False, last_modified=None)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
