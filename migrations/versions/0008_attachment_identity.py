"""Attachments that name the complainant are masked like the identity fields

Revision ID: 0008_attachment_identity
Revises: 0007_search
Create Date: 2026-11-24

Every existing attachment is taken to name the complainant (the safe reading).
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_attachment_identity'
down_revision = '0007_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('identifies_complainant', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_column('identifies_complainant')
