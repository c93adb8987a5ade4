"""The three most frequent topics of each agency in the viewer's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from complaints import access
from complaints.extensions import db
from complaints.models import Agency, Category, User
from complaints.services.reference import sort_agencies
from complaints.services.reports.scope import CaseCounts

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


def categories_by_code() -> dict[str, Category]:
    return {c.code: c for c in db.session.scalars(select(Category))}


def rank_topics(per_topic: dict[str, int], categories: dict[str, Category],
                limit: int = TOP_N) -> tuple[list[TopicCount], int]:
    """The ``limit`` most frequent topics, ties broken by the category order (then the code), and how
    many topics beyond the cut have the same count as the last one shown."""
    ordered = sorted(((code, n) for code, n in per_topic.items() if n > 0),
                     key=lambda kv: (-kv[1], categories[kv[0]].sort_order, kv[0]))
    topics = []
    for index, (code, count) in enumerate(ordered[:limit]):
        neighbours = [ordered[i][1] for i in (index - 1, index + 1) if 0 <= i < len(ordered)]
        topics.append(TopicCount(index + 1, categories[code], count, count in neighbours))
    cut = ordered[limit - 1][1] if len(ordered) >= limit else None
    tied_beyond = sum(1 for _, count in ordered[limit:] if count == cut)
    return topics, tied_beyond


def top3(actor: User, fiscal_years: list[int] | None = None, *, include_empty: bool = False,
         counts: CaseCounts | None = None) -> list[AgencyTop]:
    """Per agency in scope, the three most frequent topics. Ties are broken by the category order.
    ``counts`` (of every year, or of ``fiscal_years``) saves the query when the caller has them."""
    counts = (counts or CaseCounts.of(actor, fiscal_years)).within(fiscal_years)
    per_agency: dict[str, dict[str, int]] = defaultdict(dict)
    for (agency_code, category_code), n in counts.by("agency", "category").items():
        per_agency[agency_code][category_code] = n
    categories = categories_by_code()
    agencies = sort_agencies(db.session.scalars(access.agencies_in_scope(actor)))
    result = []
    for agency in agencies:
        per_topic = per_agency.get(agency.code, {})
        if not per_topic and not include_empty:
            continue
        topics, tied_beyond = rank_topics(per_topic, categories)
        result.append(AgencyTop(agency, sum(per_topic.values()), topics, tied_beyond))
    return result
