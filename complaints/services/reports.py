"""Summaries over the plaintext metadata, always within the viewer's scope and clearance."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from complaints import access
from complaints.extensions import db
from complaints.models import Agency, Case, Category, User
from complaints.services import audit_trail
from complaints.services.reference import sort_agencies

TOP_N = 3


@dataclass
class TopicCount:
    rank: int
    category: Category
    count: int
    tied: bool  # the same count as a neighbour; the order among equals is by the category list


@dataclass
class AgencyTop:
    agency: Agency
    total: int
    topics: list[TopicCount]
    tied_beyond: int  # topics left out of the top 3 with the same count as rank 3


def years_with_cases(actor: User) -> list[int]:
    return list(db.session.scalars(
        select(Case.fiscal_year).where(access.case_condition(actor, "report.read"))
        .distinct().order_by(Case.fiscal_year.desc())
    ))


def top3(actor: User, fiscal_years: list[int] | None = None, *, include_empty: bool = False) -> list[AgencyTop]:
    """Per agency in scope, the three most frequent topics. Ties are broken by the category order."""
    query = (
        select(Case.agency_code, Case.category_code, func.count())
        .where(access.case_condition(actor, "report.read"))
        .group_by(Case.agency_code, Case.category_code)
    )
    if fiscal_years:
        query = query.where(Case.fiscal_year.in_(fiscal_years))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for agency_code, category_code, count in db.session.execute(query):
        counts[agency_code][category_code] = count
    categories = {c.code: c for c in db.session.scalars(select(Category))}
    agencies = sort_agencies(db.session.scalars(access.agencies_in_scope(actor)))
    result = []
    for agency in agencies:
        per_topic = counts.get(agency.code, {})
        if not per_topic and not include_empty:
            continue
        ordered = sorted(per_topic.items(), key=lambda kv: (-kv[1], categories[kv[0]].sort_order, kv[0]))
        topics = []
        for index, (code, count) in enumerate(ordered[:TOP_N]):
            neighbours = [ordered[i][1] for i in (index - 1, index + 1) if 0 <= i < len(ordered)]
            topics.append(TopicCount(index + 1, categories[code], count, count in neighbours))
        cut = ordered[TOP_N - 1][1] if len(ordered) >= TOP_N else None
        tied_beyond = sum(1 for _, count in ordered[TOP_N:] if count == cut)
        result.append(AgencyTop(agency, sum(per_topic.values()), topics, tied_beyond))
    return result


def record_export(actor: User, report: str, fiscal_years: list[int] | None, rows: int, fmt: str) -> None:
    audit_trail.record(actor, "report.export", report=report, fiscal_years=fiscal_years or [], rows=rows,
                       format=fmt)
