"""The auditor's tools: the filtered log and its CSV export, verification, checkpoints, alerts."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

import audit
from complaints import exports
from complaints.clock import to_bangkok, today_bangkok
from complaints.forms import ActionForm
from complaints.services import audit_alerts, audit_integrity, audit_reader
from complaints.thai import DateParseError, format_date, parse_date
from complaints.web import audit_labels

bp = Blueprint("audit_log", __name__)

EXPORT_COLUMNS = ["seq", "occurred_at_bangkok", "actor_id", "actor_username", "actor_name", "action", "action_th",
                  "outcome", "object_type", "object_id", "object_label", "request_id", "ip", "details", "mac"]
CASE_ID = re.compile(r"^[0-9a-fA-F-]{8,36}$")
ALERT_DAYS = 7  # the alert list's default period, ending today
ALERT_MAX_DAYS = 366


@bp.app_template_filter("audit_time")
def _audit_time(value) -> str:
    """Bangkok time with seconds, in the Buddhist era: 15 ม.ค. 2564 14:03:27."""
    if not value:
        return ""
    moment = to_bangkok(value) if value.tzinfo is None else value
    return f"{format_date(moment, 'short')} {moment:%H:%M:%S}"


@bp.app_context_processor
def _labels():
    return {"audit_labels": audit_labels}


def _date(name: str, label: str, errors: dict[str, str]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return parse_date(raw)
    except DateParseError as exc:
        errors[name] = f"{label}: {exc}"
        return None


def _filters() -> tuple[audit_reader.AuditFilters, dict[str, str]]:
    args, errors = request.args, {}
    user = args.get("user", "")
    case_id = (args.get("case") or "").strip().lower()
    if case_id and not CASE_ID.match(case_id):
        errors["case"] = _("รหัสเรื่องต้องเป็นตัวเลขและอักษร a-f อย่างน้อย 8 ตัว (คัดลอกจากคอลัมน์ “วัตถุ”)")
        case_id = ""
    outcome = args.get("outcome") or None
    filters = audit_reader.AuditFilters(
        actor_id=int(user) if user.isdigit() else None,
        case_id=case_id or None,
        action=(args.get("action") or None),
        outcome=outcome if outcome in audit_reader.OUTCOMES else None,
        date_from=_date("date_from", _("ตั้งแต่วันที่"), errors),
        date_to=_date("date_to", _("ถึงวันที่"), errors),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["date_to"] = _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น")
        filters.date_to = None
    return filters, errors


@bp.get("/audit")
def index():
    filters, errors = _filters()
    page_no = request.args.get("page", "1")
    page = audit_reader.entries(current_user, filters, page=int(page_no) if page_no.isdigit() else 1)
    return render_template(
        "audit_log/index.html", page=page, errors=errors, actions=audit_reader.actions(),
        users=audit_reader.users_for_filter(), outcomes=audit_reader.OUTCOMES,
        last=audit_integrity.last_verification(), checkpoint=audit_integrity.latest_checkpoint(),
        missing_triggers=audit_integrity.missing_triggers(), form=ActionForm(),
    )


@bp.get("/audit.csv")
def export_csv():
    filters, errors = _filters()
    if errors:  # never export more than was asked for: back to the page, which shows what is wrong
        flash(_("ยังส่งออกไม่ได้ เพราะตัวกรองบางช่องไม่ถูกต้อง"), "error")
        return redirect(url_for("audit_log.index", **request.args.to_dict()))
    export = audit_reader.export(current_user, filters)
    body = exports.csv_bytes(EXPORT_COLUMNS, ([
        row["seq"], to_bangkok(row["occurred_at"]).isoformat(timespec="seconds"), row["actor_id"], row["username"],
        row["display_name"] or row["actor_name"], row["action"], audit_labels.action_label(row["action"]),
        row["outcome"], row["object_type"], row["object_id"], row["object_label"], row["request_id"], row["ip"],
        row["details"], row["mac"]] for row in export.rows))
    stamp = today_bangkok().strftime("%Y%m%d")
    return Response(body, mimetype=exports.CSV_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename=audit-{stamp}.csv"})


@bp.post("/audit/verify")
def verify():
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("แบบฟอร์มหมดอายุ กรุณาลองใหม่"), "error")
        return redirect(url_for("audit_log.index"))
    external = None
    upload = request.files.get("checkpoint")
    if upload is not None and upload.filename:
        try:
            external = audit_integrity.read_checkpoint_file(upload.read(64 * 1024))
        except audit.CheckpointFileError:
            flash(_("ไฟล์ที่เลือกไม่ใช่ไฟล์จุดตรวจสอบของระบบนี้ จึงยังไม่ได้ตรวจสอบ"), "error")
            return redirect(url_for("audit_log.index") + "#verification")
    result = audit_integrity.verify(external)
    audit_integrity.record_verification(current_user, result, audit_integrity.missing_triggers())
    if result.ok:
        flash(_("บันทึกการเข้าถึงครบถ้วนและไม่ถูกแก้ไข (%(n)s รายการ)", n=f"{result.entries:,}"), "success")
    else:
        flash(_("พบความผิดปกติของบันทึก เริ่มที่รายการที่ #%(seq)s", seq=result.bad_seq or "-"), "error")
    return redirect(url_for("audit_log.index") + "#verification")


@bp.post("/audit/checkpoint.json")
def checkpoint():
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("แบบฟอร์มหมดอายุ กรุณาลองใหม่"), "error")
        return redirect(url_for("audit_log.index"))
    signed = audit_integrity.export_checkpoint(current_user, "download")
    return Response(signed.to_file_json(), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=audit-checkpoint-{signed.seq}.json"})


@bp.get("/audit/alerts")
def alerts():
    errors: dict[str, str] = {}
    today = today_bangkok()
    date_to = _date("date_to", _("ถึงวันที่"), errors) or today
    date_from = _date("date_from", _("ตั้งแต่วันที่"), errors) or date_to - timedelta(days=ALERT_DAYS - 1)
    if date_from > date_to:
        errors["date_to"] = _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น")
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days >= ALERT_MAX_DAYS:
        errors["date_from"] = _("ดูได้ครั้งละไม่เกิน %(n)s วัน จึงแสดงเฉพาะ %(n)s วันล่าสุดของช่วงที่เลือก",
                                n=ALERT_MAX_DAYS)
        date_from = date_to - timedelta(days=ALERT_MAX_DAYS - 1)
    settings = audit_alerts.AlertSettings.from_config(current_app.config)
    found = audit_alerts.unusual_access(current_user, date_from, date_to, settings)
    return render_template("audit_log/alerts.html", alerts=found, settings=settings, errors=errors,
                           date_from=date_from, date_to=date_to)
