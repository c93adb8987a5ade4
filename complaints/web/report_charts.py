"""The charts of the report pages and the printed summary, drawn by ``complaints.charts``.

``link`` turns case-list filter arguments into the URL of the matching case list (``None`` for print:
a PDF carries no links into the system); ``small`` hides small counts in exports for outside readers.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from markupsafe import Markup

from complaints import charts
from complaints.services.reports import OFF, AgencySummary, AgencyTop, SmallCounts, TopicCount, ZonesReport

Link = Callable[..., str] | None


def _bar(text: str, count: int, small: SmallCounts, href: str | None, highlight: bool = False) -> charts.Bar:
    if small.hides(count):
        return charts.Bar(text, 0, href=None, text=small.mark, highlight=highlight)
    return charts.Bar(text, count, href=href, highlight=highlight)


def top3(item: AgencyTop, link: Link, years_arg: str) -> Markup:
    """Rank, topic and count; a tie is written beside the count."""
    bars = [charts.Bar(f"{t.rank}. {t.category.name_th}", t.count,
                       href=link(agency=item.agency.code, category=t.category.code, fiscal_year=years_arg)
                       if link else None,
                       text=f"{t.count:,} ({_('เท่ากัน')})" if t.tied else None)
            for t in item.topics]
    return charts.bar_chart(bars, title=_("3 อันดับหัวข้อที่ถูกร้องเรียนมากที่สุดของ %(a)s", a=item.agency.short_th),
                            width=340, font_size=12, bar_height=16, gap=6, max_label_share=0.5)


def topics(summary: AgencySummary, link: Link, small: SmallCounts = OFF, limit: int | None = None) -> Markup:
    items = summary.by_category[:limit] if limit else summary.by_category
    bars = [_bar(c.category.name_th, c.count, small, link(**c.filters) if link else None) for c in items]
    return charts.bar_chart(bars, title=_("จำนวนเรื่องแยกตามประเภทเรื่อง"), width=500)


def trend(summary: AgencySummary, link: Link, small: SmallCounts = OFF) -> Markup:
    bars = [_bar(_("ปี %(y)s", y=c.code), c.count, small, link(**c.filters) if link else None, c.highlight)
            for c in summary.by_year]
    return charts.column_chart(bars, title=_("จำนวนเรื่องแยกตามปีงบประมาณ"), width=max(240, 110 * len(bars)),
                               height=190)


def zones(report: ZonesReport, link: Link, years_arg: str) -> Markup:
    bars = [_bar(z.zone.name_th, z.total, OFF, link(zone=z.zone.code, fiscal_year=years_arg) if link else None)
            for z in report.zones]
    return charts.column_chart(bars, title=_("จำนวนเรื่องแยกตามกลุ่มเขต"), width=max(300, 130 * len(bars)),
                               height=210)


def top_topics(topics: list[TopicCount], link: Link, title: str, **fixed) -> Markup:
    """The most frequent topics of a scope (the whole city, say), each bar opening its case list."""
    bars = [charts.Bar(t.category.name_th, t.count, href=link(category=t.category.code, **fixed) if link else None)
            for t in topics]
    return charts.bar_chart(bars, title=title, width=520)
