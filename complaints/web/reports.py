"""Reports: the top 3 per agency, the summary of one agency (page, CSV, XLSX, PDF), the zones.

Each view asks the reports service (which counts only what the viewer may count and writes the audit
entry) and renders; exports add the file format and their own audit entry.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote, quote_plus

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from complaints import exports, pdf
from complaints.clock import today_bangkok
from complaints.services import reports
from complaints.services.cases import OVERDUE_DAYS
from complaints.services.reports import tables
from complaints.thai import parse_fiscal_years
from complaints.web import report_charts

bp = Blueprint("reports", __name__, url_prefix="/reports")


class Refused(Exception):
    """A request this blueprint answers with an error page that says in Thai what went wrong."""

    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@bp.errorhandler(Refused)
def _refused(exc: Refused):
    return render_template("errors/error.html", status=exc.status, title=exc.title, message=exc.message), exc.status


# -- request arguments ---------------------------------------------------------------------------

def _years(*, strict: bool = False) -> list[int]:
    """Fiscal years from ``?fiscal_year=2564`` or a range ``?fiscal_year=2563-2565``; empty means all.

    A page shows every year and says so when the text is not a year; an export refuses (400), so that
    nobody takes home a file of other years than they asked for.
    """
    raw = request.args.get("fiscal_year")
    years = parse_fiscal_years(raw)
    if years is None:
        if strict:
            raise Refused(400, _("ปีงบประมาณไม่ถูกต้อง"), _("ใช้รูปแบบ 2564 หรือ 2563-2565 แล้วลองอีกครั้ง"))
        flash(_("ปีงบประมาณ “%(v)s” ไม่ถูกต้อง จึงแสดงทุกปี (ใช้รูปแบบ 2564 หรือ 2563-2565)", v=raw[:20]), "error")
        return []
    return years


def _small_counts() -> reports.SmallCounts:
    """Hidden small counts when the export is meant for outside the division (``?suppress=1``)."""
    if request.args.get("suppress") in ("1", "on", "true"):
        return reports.SmallCounts(current_app.config["SMALL_COUNT_THRESHOLD"])
    return reports.OFF


@lru_cache(maxsize=4096)
def _query_part(name: str, value: str) -> str:
    return f"{quote_plus(name)}={quote_plus(value)}"


def case_link(**fixed):
    """A function giving the URL of the case list filtered by ``fixed`` plus its own arguments.

    Report pages carry a thousand such links; building the query string here (from cached pieces)
    is many times faster than ``url_for`` for each one.
    """
    base = url_for("cases.index")

    def link(**extra) -> str:
        args = {k: v for k, v in {**fixed, **extra}.items() if v not in (None, "")}
        if not args:
            return base
        return base + "?" + "&".join(_query_part(k, str(v)) for k, v in args.items())
    return link


def _page_context(years: list[int]) -> dict:
    return {
        "years": years,
        "years_arg": reports.year_label(years),
        "available_years": reports.years_with_cases(current_user),
        "threshold": current_app.config["SMALL_COUNT_THRESHOLD"],
        "charts": report_charts,
        "overdue_days": OVERDUE_DAYS,
    }


def _download(body: bytes, mimetype: str, ascii_name: str, name: str | None = None) -> Response:
    disposition = f'attachment; filename="{ascii_name}"'
    if name and name != ascii_name:
        disposition += f"; filename*=UTF-8''{quote(name)}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _export(table: exports.Table, fmt: str, report: str, years: list[int], small: reports.SmallCounts,
            ascii_stem: str, thai_stem: str, **details) -> Response:
    if fmt == "xlsx":
        body = exports.to_xlsx(table, data_sheet=_("ข้อมูล"), notes_sheet=_("คำอธิบาย"), key_title=_("รหัสคอลัมน์"),
                               column_title=_("คอลัมน์"))
        mimetype = exports.XLSX_MIMETYPE
    else:
        body, mimetype = exports.to_csv(table), exports.CSV_MIMETYPE
    reports.record_export(current_user, report, years, len(table.rows), fmt, suppressed=small.active,
                          threshold=small.threshold if small.active else None, **details)
    return _download(body, mimetype, f"{ascii_stem}.{fmt}", f"{thai_stem}.{fmt}")


def _stem(years: list[int]) -> str:
    return reports.year_label(years) or "all"


# -- the top 3 -----------------------------------------------------------------------------------

@bp.get("/top3")
def top3():
    years = _years()
    results = reports.top3(current_user, years)
    reports.record_view(current_user, "top3", years, agencies=len(results))
    return render_template("reports/top3.html", results=results, link=case_link(), **_page_context(years))


def _top3_export(fmt: str) -> Response:
    years, small = _years(strict=True), _small_counts()
    table = tables.top3_table(reports.top3(current_user, years), years, small, current_user, today_bangkok())
    return _export(table, fmt, "top3", years, small, f"top3-{_stem(years)}",
                   f"{_('สามอันดับ')}-{reports.year_label(years) or _('ทุกปี')}")


@bp.get("/top3.csv")
def top3_csv():
    return _top3_export("csv")


@bp.get("/top3.xlsx")
def top3_xlsx():
    return _top3_export("xlsx")


# -- one agency ----------------------------------------------------------------------------------

@bp.get("/agency")
def agencies():
    """Every agency in scope with its numbers; ``?code=`` (the picker) goes to that agency's summary."""
    if code := request.args.get("code"):
        return redirect(url_for("reports.agency", code=code, fiscal_year=request.args.get("fiscal_year") or None))
    years = _years()
    lines = reports.agency_lines(current_user, years)
    reports.record_view(current_user, "agencies", years, agencies=len(lines))
    return render_template("reports/agencies.html", lines=lines, link=case_link(), **_page_context(years))


@bp.get("/agency/<code>")
def agency(code: str):
    years = _years()
    summary = reports.agency_summary(current_user, code, years)
    return render_template("reports/agency.html", summary=summary,
                           link=case_link(agency=summary.agency.code, fiscal_year=reports.year_label(years)),
                           **_page_context(years))


def _agency_export(code: str, fmt: str) -> Response:
    years, small = _years(strict=True), _small_counts()
    summary = reports.agency_summary(current_user, code, years, audit=False)
    table = tables.agency_table(summary, small, current_user, today_bangkok())
    return _export(table, fmt, "agency", years, small, f"agency-{summary.agency.code}-{_stem(years)}",
                   _pdf_stem(summary), agency=summary.agency.code)


def _pdf_stem(summary: reports.AgencySummary) -> str:
    """``สรุปปัญหา-เขตบางรัก-2565``: what the file is, of which agency, for which fiscal year(s)."""
    return f"{_('สรุปปัญหา')}-{summary.agency.short_th}-{reports.year_label(summary.years) or _('ทุกปี')}"


@bp.get("/agency/<code>.csv")
def agency_csv(code: str):
    return _agency_export(code, "csv")


@bp.get("/agency/<code>.xlsx")
def agency_xlsx(code: str):
    return _agency_export(code, "xlsx")


@bp.get("/agency/<code>.pdf")
def agency_pdf(code: str):
    years, small = _years(strict=True), _small_counts()
    summary = reports.agency_summary(current_user, code, years, audit=False)
    html = render_template("reports/agency_print.html", summary=summary, small=small, printed_on=today_bangkok(),
                           years_arg=reports.year_label(years), charts=report_charts)
    try:
        body = pdf.render(html)
    except pdf.PdfUnavailable:
        current_app.logger.exception("PDF rendering is not available")
        raise Refused(503, _("สร้างไฟล์ PDF ไม่ได้"), _("ระบบสร้างไฟล์ PDF ไม่ได้ในขณะนี้ กรุณาแจ้งผู้ดูแลระบบ")) from None
    reports.record_export(current_user, "agency", years, 1, "pdf", agency=summary.agency.code,
                          suppressed=small.active, threshold=small.threshold if small.active else None)
    return _download(body, "application/pdf", f"summary-{summary.agency.code}-{_stem(years)}.pdf",
                     f"{_pdf_stem(summary)}.pdf")


# -- the zones -----------------------------------------------------------------------------------

@bp.get("/zones")
def zones():
    years = _years()
    report = reports.zones_report(current_user, years)
    return render_template("reports/zones.html", report=report,
                           link=case_link(fiscal_year=reports.year_label(years)), **_page_context(years))


def _zones_export(fmt: str) -> Response:
    years, small = _years(strict=True), _small_counts()
    report = reports.zones_report(current_user, years, audit=False)
    table = tables.zones_table(report, small, current_user, today_bangkok())
    return _export(table, fmt, "zones", years, small, f"zones-{_stem(years)}",
                   f"{_('กลุ่มเขต')}-{reports.year_label(years) or _('ทุกปี')}")


@bp.get("/zones.csv")
def zones_csv():
    return _zones_export("csv")


@bp.get("/zones.xlsx")
def zones_xlsx():
    return _zones_export("xlsx")
