"""The case list, one case, entering and editing cases, the CSV export."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints import access, exports
from complaints.clock import today_bangkok
from complaints.extensions import db
from complaints.forms import CaseForm, options
from complaints.services import attachments, audit_reader, cases, reference, reports, search, users
from complaints.services.errors import Invalid
from complaints.thai import parse_fiscal_years
from complaints.vocabulary import CLASSIFICATIONS, label
from complaints.web import attachments as attachment_views

bp = Blueprint("cases", __name__)

EXPORT_COLUMNS = ["case_id", "register_no", "fiscal_year", "received_date", "kind", "classification",
                  "agency_code", "agency_name", "category_code", "category_name", "status", "outcome"]


def _filters() -> cases.CaseFilters:
    """The filters, from the query string or, for a search (POST), from the form."""
    args = request.form if request.method == "POST" else request.args
    years = parse_fiscal_years(args.get("fiscal_year")) or []
    older = args.get("older_than", "")
    assigned = args.get("assigned", "")
    return cases.CaseFilters(
        agency=args.get("agency") or None,
        zone=args.get("zone") or None,
        fiscal_year=years[0] if years else None,
        fiscal_year_to=years[-1] if len(years) > 1 else None,
        category=args.get("category") or None,
        status=args.get("status") or None,
        kind=args.get("kind") or None,
        outcome=args.get("outcome") or None,
        older_than=int(older) if older.isdigit() else None,
        assigned_inspector_id=current_user.id if assigned == "me" else None,
        unassigned=assigned == "none",
    )


def _scope_choices():
    return reference.sort_agencies(db.session.scalars(access.agencies_in_scope(current_user)))


def _search_text() -> str:
    """Search words travel only in a POST body: never in a URL, a log line or a link."""
    return (request.form.get("q") or "").strip() if request.method == "POST" else ""


@bp.route("/cases", methods=["GET", "POST"])
def index():
    filters = _filters()
    if request.method == "POST" and not _search_text():
        kept = {name: value for name, value in request.form.items()
                if value and name not in ("csrf_token", "q", "page")}
        return redirect(url_for("cases.index", **kept))  # filters alone stay linkable (GET)
    page_no = (request.form if request.method == "POST" else request.args).get("page", "1")
    page_no = int(page_no) if page_no.isdigit() else 1
    query, search_error = _search_text(), None
    page = None
    if query:
        try:
            page = search.search_cases(current_user, filters, query, page_no, current_app.config["PAGE_SIZE"])
        except Invalid as exc:
            search_error = exc.errors.get("q")
    if page is None:
        page = cases.list_cases(current_user, filters, page_no, current_app.config["PAGE_SIZE"])
    return render_template(
        "cases/index.html", page=page, filters=filters, agencies=_scope_choices(),
        zones=reference.zones(), categories=reference.categories(active_only=False),
        years=reports.years_with_cases(current_user), query=query, search_error=search_error,
    )


@bp.route("/cases.csv", methods=["GET", "POST"])
def export_csv():
    query = _search_text()
    try:
        rows = search.export_search(current_user, _filters(), query) if query else \
            cases.export_cases(current_user, _filters())
    except Invalid as exc:
        flash(exc.errors.get("q", ""), "error")
        return redirect(url_for("cases.index"))
    body = exports.csv_bytes(EXPORT_COLUMNS, ([
        case.id, case.register_no, case.fiscal_year, case.received_date.isoformat(), case.kind,
        case.classification, case.agency_code, case.agency.display_th, case.category_code,
        case.category.name_th, case.status, case.outcome or "",
    ] for case in rows))
    return Response(body, mimetype=exports.CSV_MIMETYPE,
                    headers={"Content-Disposition": "attachment; filename=cases.csv"})


@bp.get("/cases/<case_id>")
def show(case_id: str):
    view = cases.view_case(current_user, case_id)
    files = attachments.list_attachments(current_user, view.case, attachment_views.reveal_window())
    return render_template("cases/show.html", view=view, can_edit=access.can_edit_case(current_user, view.case),
                           files=files,
                           viewers=audit_reader.case_viewers(current_user, view.case))


def _prepare(form: CaseForm) -> CaseForm:
    form.classification.choices = options((c, label(CLASSIFICATIONS, c))
                                          for c in access.classifications_for_entry(current_user))
    form.agency_code.choices = options([("", "—")] + [(a.code, a.display_th) for a in _scope_choices()])
    form.category_code.choices = options([("", "—")] + [(c.code, c.name_th) for c in reference.categories()])
    form.assigned_inspector_id.choices = options([("", "—")] + [(str(u.id), u.display_name)
                                                                for u in users.list_inspectors()])
    return form


def _input(form: CaseForm) -> cases.CaseInput:
    data = {name: form[name].data for name in (
        "register_no", "received_date", "kind", "classification", "urgency", "channel", "agency_code",
        "category_code", "status", "closed_date", "anonymous", "subject", "details", "complainant_name",
        "complainant_contact", "complainant_id_no", "persons_concerned", "conclusion")}
    data["outcome"] = form.outcome.data or None
    inspector = form.assigned_inspector_id.data
    data["assigned_inspector_id"] = int(inspector) if inspector and inspector.isdigit() else None
    return cases.CaseInput(**data)


def _show_errors(form: CaseForm, exc: Invalid) -> None:
    for name, message in exc.errors.items():
        if name in form:
            form[name].errors = list(form[name].errors) + [message]
        else:
            form.form_errors.append(message)


@bp.route("/cases/new", methods=["GET", "POST"])
def new():
    form = _prepare(CaseForm())
    if request.method == "GET":
        form.received_date.data = today_bangkok()  # most cases are keyed in on the day they arrive
    if form.validate_on_submit():
        try:
            case = cases.create_case(current_user, _input(form))
        except Invalid as exc:
            _show_errors(form, exc)
        else:
            flash(_("บันทึกเรื่องเลขทะเบียนรับ %(no)s แล้ว", no=case.register_no), "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None)


@bp.route("/cases/<case_id>/edit", methods=["GET", "POST"])
def edit(case_id: str):
    if request.method == "POST":
        form = _prepare(CaseForm())
        if form.validate_on_submit():
            try:
                case = cases.update_case(current_user, case_id, _input(form))
            except Invalid as exc:
                _show_errors(form, exc)
            else:
                flash(_("บันทึกการแก้ไขแล้ว"), "success")
                return redirect(url_for("cases.show", case_id=case.id))
        case = access.get_visible_case(current_user, case_id)
        if case is None:
            cases.view_case(current_user, case_id, purpose="edit")  # audits the denial and raises
    else:
        view = cases.view_case(current_user, case_id, purpose="edit")
        case = view.case
        values = cases.case_input_from(view)
        if values.get("assigned_inspector_id") is not None:
            values["assigned_inspector_id"] = str(values["assigned_inspector_id"])
        form = _prepare(CaseForm(data=values))
    return render_template("cases/form.html", form=form, case=case)

