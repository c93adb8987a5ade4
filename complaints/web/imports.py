"""The import pages: upload, column mapping and preview, commit with progress, the Thai template."""

from __future__ import annotations

from collections import Counter

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from complaints import access, exports
from complaints.extensions import db
from complaints.services import importing, reference
from complaints.services.errors import Invalid
from complaints.services.importing import batches, mappings
from complaints.services.importing.fields import FIELD_BY_CODE
from complaints.services.importing.resolvers import value_key
from complaints.services.importing.template import build_template
from complaints.vocabulary import CHANNELS, CLASSIFICATIONS, KINDS, OUTCOMES, STATUSES, URGENCIES
from complaints.web import import_job

bp = Blueprint("imports", __name__)

PROBLEMS_SHOWN = 300
SAMPLE_ROWS = 10


@bp.get("/imports")
def index():
    batches.purge_stale()
    return render_template("imports/index.html", recent=batches.recent(current_user),
                           saved=mappings.list_mappings(current_user), file_name=batches.file_name)


@bp.post("/imports")
def upload():
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash(_("กรุณาเลือกไฟล์ .xlsx หรือ .csv"), "error")
        return redirect(url_for("imports.index"))
    mapping, mapping_name = None, None
    if (chosen := request.form.get("mapping_id", "")).isdigit():
        saved = mappings.get(current_user, int(chosen))
        mapping, mapping_name = importing.Mapping.from_dict(saved.mapping), saved.name
    try:
        batch = batches.create_batch(current_user, upload_file.filename, upload_file.read(), mapping, mapping_name)
    except Invalid as exc:
        flash(_("อ่านไฟล์ไม่ได้: %(reason)s", reason="; ".join(exc.errors.values())), "error")
        return redirect(url_for("imports.index"))
    return redirect(url_for("imports.show", batch_id=batch.id))


@bp.get("/imports/template")
def template():
    """The Thai template (XLSX). Reference lists only, no case data: not an export."""
    return Response(build_template(), mimetype=exports.XLSX_MIMETYPE,
                    headers={"Content-Disposition": "attachment; filename=import-template.xlsx"})


def _plan(batch):
    table, name = batches.open_batch(batch)
    plan = importing.build_plan(table, importing.Mapping.from_dict(batch.mapping),
                                importing.load_reference(current_user))
    return plan, name


def _value_rows(plan) -> list[dict]:
    """The values to map by hand: those in use already and those the import did not understand."""
    rows = []
    for field, chosen in plan.mapping.values.items():
        for key, code in chosen.items():
            rows.append({"field": field, "raw": key, "code": code, "count": None})
    for field, counter in plan.unknown_values.items():
        for raw, count in counter.most_common():
            if value_key(raw) not in plan.mapping.values.get(field, {}):
                rows.append({"field": field, "raw": raw, "code": "", "count": count})
    return rows


def _agencies_in_scope():
    return reference.sort_agencies(db.session.scalars(access.agencies_in_scope(current_user)))


def _value_choices() -> dict[str, list[tuple[str, str]]]:
    vocab = {"kind": KINDS, "classification": CLASSIFICATIONS, "urgency": URGENCIES, "channel": CHANNELS,
             "status": STATUSES, "outcome": OUTCOMES}
    choices = {field: [(code, str(text)) for code, text in v.items()] for field, v in vocab.items()}
    choices["agency"] = [(a.code, a.short_th) for a in _agencies_in_scope()]
    choices["category"] = [(c.code, c.name_th) for c in reference.categories()]
    return choices


@bp.get("/imports/<batch_id>")
def show(batch_id: str):
    batch = batches.get_batch(current_user, batch_id)
    context = {"batch": batch, "stalled": batches.is_stalled(batch), "name": batches.file_name(batch)}
    if batch.status in batches.OPEN:
        plan, name = _plan(batch)
        agencies = {a.code: a for a in _agencies_in_scope()}
        context.update(
            plan=plan, name=name, counts=plan.counts(), fields=importing.field_choices(),
            field_labels={code: f.label for code, f in FIELD_BY_CODE.items()},
            value_rows=_value_rows(plan), value_choices=_value_choices(), defaults=importing.DEFAULTS,
            errors=plan.problems_of("error")[:PROBLEMS_SHOWN], warnings=plan.problems_of("warning")[:PROBLEMS_SHOWN],
            infos=plan.problems_of("info")[:PROBLEMS_SHOWN], shown=PROBLEMS_SHOWN,
            problem_counts=Counter(p.severity for p in plan.problems), sample=plan.ready[:SAMPLE_ROWS],
            agencies=agencies, categories={c.code: c.name_th for c in reference.categories(active_only=False)},
            by_agency=sorted(plan.by_agency().items(), key=lambda item: -item[1]),
        )
    return render_template("imports/show.html", **context)


def _count(name: str, limit: int = 1000) -> int:
    value = request.form.get(name, "")
    return min(int(value), limit) if value.isdigit() else 0


def _mapping_from_form(batch) -> importing.Mapping:
    form = request.form
    mapping = importing.Mapping.from_dict(batch.mapping)
    for index in range(_count("column_count")):
        key = form.get(f"column-key-{index}")
        if key:
            chosen = form.get(f"column-{index}", "")
            mapping.columns[key] = chosen if chosen in FIELD_BY_CODE else ""
    for index in range(_count("value_count")):
        field, raw = form.get(f"value-field-{index}", ""), form.get(f"value-raw-{index}", "")
        code = form.get(f"value-{index}", "")
        chosen = mapping.values.setdefault(field, {})
        if code:
            chosen[value_key(raw)] = code
        else:
            chosen.pop(value_key(raw), None)
    for name in importing.DEFAULTS:
        if f"default-{name}" in form:
            mapping.defaults[name] = form.get(f"default-{name}", "")
    return mapping


@bp.post("/imports/<batch_id>")
def update_mapping(batch_id: str):
    batch = batches.get_batch(current_user, batch_id, "import.update")
    mapping = _mapping_from_form(batch)
    try:
        batches.save_mapping(current_user, batch, mapping)
        if request.form.get("action") == "save_named":
            saved = mappings.save(current_user, request.form.get("mapping_name", ""), mapping)
            batch.mapping_name = saved.name
            flash(_("บันทึกการจับคู่ชื่อ “%(name)s” แล้ว ใช้ซ้ำได้เมื่ออัปโหลดไฟล์ถัดไป", name=saved.name), "success")
        else:
            flash(_("ปรับการจับคู่แล้ว ตรวจสอบผลด้านล่าง"), "success")
    except Invalid as exc:
        flash("; ".join(exc.errors.values()), "error")
    return redirect(url_for("imports.show", batch_id=batch.id) + "#preview")


@bp.get("/imports/<batch_id>/problems.csv")
def problems_csv(batch_id: str):
    batch = batches.get_batch(current_user, batch_id)
    plan, _name = _plan(batch)
    labels = {"error": _("ข้อผิดพลาด"), "warning": _("ควรตรวจสอบ"), "info": _("ข้อมูล")}
    body = exports.csv_bytes([_("ระดับ"), _("แผ่นงาน"), _("แถว"), _("คอลัมน์"), _("ข้อความ")], (
        [labels[problem.severity], problem.sheet or "", problem.row or "", problem.column or "", problem.message]
        for problem in plan.problems))
    return Response(body, mimetype=exports.CSV_MIMETYPE,
                    headers={"Content-Disposition": "attachment; filename=import-problems.csv"})


@bp.post("/imports/<batch_id>/commit")
def commit(batch_id: str):
    batch = batches.get_batch(current_user, batch_id, "import.commit")
    skip_invalid = request.form.get("skip_invalid") == "1"
    if batch.status in batches.OPEN:
        plan, _name = _plan(batch)
        if not plan.may_commit(skip_invalid):
            flash(_("ยังนำเข้าไม่ได้: แก้ไขการจับคู่ หรือเลือกข้ามแถวที่มีข้อผิดพลาด"), "error")
            return redirect(url_for("imports.show", batch_id=batch.id))
    if not batches.queue(current_user, batch, skip_invalid):
        flash(_("การนำเข้านี้กำลังดำเนินการหรือเสร็จไปแล้ว"), "info")
        return redirect(url_for("imports.show", batch_id=batch_id))
    import_job.start(current_app._get_current_object(), batch_id, current_user.id, g.get("request_id"),
                     request.remote_addr)
    return redirect(url_for("imports.show", batch_id=batch_id))


@bp.get("/imports/<batch_id>/status")
def status(batch_id: str):
    batch = batches.get_batch(current_user, batch_id)
    total = batch.progress_total or 0
    return jsonify(status=batch.status, phase=batch.phase, done=batch.progress_done, total=total,
                   percent=round(100 * batch.progress_done / total) if total else 0,
                   stalled=batches.is_stalled(batch), message=batch.message,
                   finished=batch.status in ("done", "failed", "cancelled", "expired"), result=batch.result)


@bp.post("/imports/<batch_id>/cancel")
def cancel(batch_id: str):
    batch = batches.get_batch(current_user, batch_id, "import.cancel")
    try:
        batches.cancel(current_user, batch)
        flash(_("ยกเลิกแล้ว ไฟล์ที่อัปโหลดถูกลบจากระบบ"), "success")
    except Invalid as exc:
        flash("; ".join(exc.errors.values()), "error")
    return redirect(url_for("imports.index"))


@bp.post("/imports/mappings/<int:mapping_id>/delete")
def delete_mapping(mapping_id: int):
    mappings.delete(current_user, mapping_id)
    flash(_("ลบการจับคู่แล้ว"), "success")
    return redirect(url_for("imports.index"))
