"""Reports as tables for export (CSV, XLSX), with small counts hidden when the export is meant for
outside the division. The CSV columns of the top-3 report are fixed by the design (section 5)."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from complaints.exports import Column, Table
from complaints.models import User
from complaints.services.reports.agency import AgencySummary
from complaints.services.reports.scope import year_label
from complaints.services.reports.small_counts import SmallCounts
from complaints.services.reports.top3 import AgencyTop
from complaints.services.reports.zones import ZonesReport
from complaints.thai import format_date
from complaints.vocabulary import KINDS, OUTCOMES, STATUSES, label

ALL_YEARS = "all"  # the fiscal_year column when a report covers every year


def _years_text(years: list[int]) -> str:
    return year_label(years) or _("ทุกปีงบประมาณ")


def _notes(title: str, years: list[int], small: SmallCounts, viewer: User, today: date) -> list[tuple[str, str]]:
    notes = [
        (_("รายงาน"), title),
        (_("ปีงบประมาณ"), _years_text(years)),
        (_("ขอบเขตข้อมูล"), _("เฉพาะเรื่องที่ผู้จัดทำมีสิทธิ์เห็น (หน่วยงานในความรับผิดชอบและชั้นความลับที่ได้รับอนุญาต)")),
        (_("จัดทำเมื่อ"), format_date(today, "long")),
        (_("จัดทำโดย"), viewer.display_name),
    ]
    if small.active:
        notes.append((_("การปกปิดจำนวนน้อย"),
                      _("จำนวนตั้งแต่ 1 ถึง %(k)s แสดงเป็น “%(mark)s” และปิดเพิ่มอีกหนึ่งช่องในกลุ่มเดียวกัน "
                        "เพื่อไม่ให้คำนวณย้อนกลับได้", k=small.threshold - 1, mark=small.mark)))
    else:
        notes.append((_("การปกปิดจำนวนน้อย"), _("ไม่ปกปิด (ใช้ภายในกองงานผู้ตรวจราชการเท่านั้น)")))
    return notes


def top3_table(results: list[AgencyTop], years: list[int], small: SmallCounts, viewer: User,
               today: date) -> Table:
    title = _("หัวข้อที่ถูกร้องเรียนมากที่สุด 3 อันดับ แยกตามหน่วยงาน")
    table = Table(title, [
        Column("fiscal_year", _("ปีงบประมาณ")), Column("agency_code", _("รหัสหน่วยงาน")),
        Column("agency_name", _("หน่วยงาน")), Column("rank", _("อันดับ")),
        Column("category_code", _("รหัสประเภทเรื่อง")), Column("category_name", _("ประเภทเรื่อง")),
        Column("count", _("จำนวนเรื่อง")),
    ], notes=_notes(title, years, small, viewer, today))
    for item in results:
        for topic in item.topics:
            table.rows.append([year_label(years) or ALL_YEARS, item.agency.code, item.agency.display_th, topic.rank,
                               topic.category.code, topic.category.name_th, small.show(topic.count)])
    return table


def agency_table(summary: AgencySummary, small: SmallCounts, viewer: User, today: date) -> Table:
    agency = summary.agency
    title = _("สรุปปัญหาเรื่องร้องเรียน %(agency)s", agency=agency.display_th)
    table = Table(title, [
        Column("fiscal_year", _("ปีงบประมาณ")), Column("agency_code", _("รหัสหน่วยงาน")),
        Column("agency_name", _("หน่วยงาน")), Column("measure", _("หัวข้อ")), Column("code", _("รหัส")),
        Column("label", _("รายการ")), Column("value", _("จำนวน")),
    ], notes=_notes(title, summary.years, small, viewer, today))
    year = year_label(summary.years) or ALL_YEARS

    def add(measure: str, code: str, text: str, value) -> None:
        table.rows.append([year, agency.code, agency.display_th, measure, code, text, value])

    add("total", "", _("เรื่องทั้งหมด"), small.show(summary.total))
    add("open", "", _("เรื่องที่ยังไม่ยุติ"), small.show(summary.open_count))
    add("overdue", str(summary.overdue_days),
        _("เรื่องที่ยังไม่ยุติและรับมาเกิน %(n)s วัน", n=summary.overdue_days), small.show(summary.overdue))
    median = summary.median_days
    add("median_days_to_close", "", _("มัธยฐานจำนวนวันตั้งแต่รับเรื่องถึงยุติเรื่อง"),
        "" if median is None else (small.mark if small.hides(summary.closed_with_date) else median))
    add("closed_with_date", "", _("จำนวนเรื่องที่ยุติแล้วและมีวันที่ยุติ"), small.show(summary.closed_with_date))
    sections = [
        ("category", [(c.code, c.category.name_th, c.count) for c in summary.by_category]),
        ("status", [(c.code, label(STATUSES, c.code), c.count) for c in summary.by_status]),
        ("outcome", [(c.code, label(OUTCOMES, c.code) if c.code in OUTCOMES else _("ยังไม่มีผลสรุป"), c.count)
                     for c in summary.by_outcome]),
        ("kind", [(c.code, label(KINDS, c.code), c.count) for c in summary.by_kind]),
    ]
    for measure, items in sections:
        for (code, text, _count), shown in zip(items, small.group([item[2] for item in items]), strict=True):
            add(measure, code, text, shown)
    trend = summary.by_year
    for item, shown in zip(trend, small.group([c.count for c in trend]), strict=True):
        table.rows.append([item.code, agency.code, agency.display_th, "fiscal_year", item.code,
                           _("ปีงบประมาณ %(y)s", y=item.code), shown])
    return table


def zones_table(report: ZonesReport, small: SmallCounts, viewer: User, today: date) -> Table:
    title = _("จำนวนเรื่องแยกตามสำนักงานเขตและประเภทเรื่อง")
    columns = [
        Column("fiscal_year", _("ปีงบประมาณ")), Column("zone_code", _("รหัสกลุ่มเขต")),
        Column("zone_name", _("กลุ่มเขต")), Column("agency_code", _("รหัสหน่วยงาน")),
        Column("agency_name", _("หน่วยงาน")), Column("total", _("รวม")),
    ] + [Column(c.code, c.name_th) for c in report.categories]
    table = Table(title, columns, notes=_notes(title, report.years, small, viewer, today))
    year = year_label(report.years) or ALL_YEARS
    for group in report.groups:
        for row in group.rows:
            cells = small.group([cell.count for cell in row.cells])
            table.rows.append([year, group.zone.code, group.zone.name_th, row.agency.code, row.agency.display_th,
                               small.show(row.total), *cells])
    return table
