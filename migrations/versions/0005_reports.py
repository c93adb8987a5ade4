"""reports: an index that covers every report query

Summaries count cases by agency, fiscal year, topic, status, outcome and kind, within the viewer's
clearance, and look at receipt and closing dates. With all of these in one index the database reads
the index alone instead of the wide rows that hold the ciphertext (at 100,000 cases: a scan of a few
megabytes rather than of the whole table).

Revision ID: 0005_reports
Revises: 0004_survey
Create Date: 2026-11-23
"""
from alembic import op


revision = "0005_reports"
down_revision = "0004_survey"
branch_labels = None
depends_on = None

COLUMNS = ["agency_code", "fiscal_year", "category_code", "status", "classification", "outcome", "kind",
           "received_date", "closed_date", "assigned_inspector_id"]


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_report", COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_report")
