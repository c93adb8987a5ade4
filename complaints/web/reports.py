"""Reports: the three most frequent topics per agency."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request
from flask_login import current_user

from complaints.services import reports

bp = Blueprint("reports", __name__, url_prefix="/reports")

TOP3_COLUMNS = ["fiscal_year", "agency_code", "agency_name", "rank", "category_code", "category_name", "count"]


def _years() -> list[int]:
    """Fiscal years from ``?fiscal_year=2564`` or a range ``?fiscal_year=2563-2565``; empty means all."""
    raw = (request.args.get("fiscal_year") or "").strip()
    if "-" in raw:
        start, _, end = raw.partition("-")
        if start.isdigit() and end.isdigit() and int(start) <= int(end) <= int(start) + 20:
            return list(range(int(start), int(end) + 1))
    return [int(raw)] if raw.isdigit() else []


def _year_label(years: list[int]) -> str:
    if not years:
        return "all"
    return str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"


@bp.get("/top3")
def top3():
    years = _years()
    return render_template("reports/top3.html", results=reports.top3(current_user, years), years=years,
                           year_label=_year_label(years), available_years=reports.years_with_cases(current_user))


@bp.get("/top3.csv")
def top3_csv():
    years = _years()
    results = reports.top3(current_user, years)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(TOP3_COLUMNS)
    rows = 0
    for item in results:
        for topic in item.topics:
            writer.writerow([_year_label(years), item.agency.code, item.agency.display_th, topic.rank,
                             topic.category.code, topic.category.name_th, topic.count])
            rows += 1
    reports.record_export(current_user, "top3", years, rows, "csv")
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename=top3-{_year_label(years)}.csv"})
