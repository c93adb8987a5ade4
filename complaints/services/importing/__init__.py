"""Importing the historical records (FY 2563-2565) from XLSX and CSV files.

    read_source (sources) -> detect_layout + assign_fields (layout, fields) -> build_plan (plan, rows,
    resolvers, agencies, topics) -> commit_plan (commit)

Uploads wait for their commit encrypted (batches); column mappings can be saved by name (mappings);
registrars start from a Thai template (template).
"""

from complaints.services.importing.commit import ImportConflict, Source, commit_plan
from complaints.services.importing.layout import DEFAULTS, Mapping, field_choices
from complaints.services.importing.plan import ImportPlan, build_plan, find_existing, load_reference
from complaints.services.importing.rows import PlannedRow, Problem
from complaints.services.importing.sources import SourceTable, UnreadableFile, read_source

__all__ = [
    "DEFAULTS",
    "ImportConflict",
    "ImportPlan",
    "Mapping",
    "PlannedRow",
    "Problem",
    "Source",
    "SourceTable",
    "UnreadableFile",
    "build_plan",
    "commit_plan",
    "field_choices",
    "find_existing",
    "load_reference",
    "read_source",
]
