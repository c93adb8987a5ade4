"""Summaries over the plaintext metadata, always within the viewer's scope and clearance.

- ``scope``: what every report counts (``access.case_condition(viewer, "report.read")``), the years,
  the audit entries of views and exports;
- ``top3``: the three most frequent topics per agency;
- ``agency``: the problem summary of one agency, and the list of agencies with their numbers;
- ``zones``: the six zones side by side and the districts x topics table;
- ``small_counts``: hiding small counts in exports meant for outside the division;
- ``tables``: the reports as tables for CSV and XLSX.
"""

from complaints.services.reports.agency import (
    NO_OUTCOME,
    AgencyLine,
    AgencySummary,
    Count,
    agency_lines,
    agency_summary,
)
from complaints.services.reports.scope import (
    record_export,
    record_view,
    year_label,
    years_with_cases,
)
from complaints.services.reports.small_counts import OFF, SmallCounts
from complaints.services.reports.top3 import TOP_N, AgencyTop, TopicCount, rank_topics, top3
from complaints.services.reports.zones import HEAT_LEVELS, ZonesReport, zones_report

__all__ = [
    "HEAT_LEVELS", "NO_OUTCOME", "OFF", "TOP_N", "AgencyLine", "AgencySummary", "AgencyTop", "Count",
    "SmallCounts", "TopicCount", "ZonesReport", "agency_lines", "agency_summary", "rank_topics",
    "record_export", "record_view", "top3", "year_label", "years_with_cases", "zones_report",
]
