"""survey: the pool where new responses wait, encrypted, to be released in shuffled batches

Revision ID: 0004_survey
Revises: 0003_import
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_survey'
down_revision = '0003_import'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('survey_pending_responses',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('payload_ct', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'], name=op.f('fk_survey_pending_responses_round_id_survey_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_pending_responses')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('survey_pending_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_pending_responses_round_id'), ['round_id'], unique=False)


def downgrade():
    # Responses still waiting in the pool cannot be put anywhere else without breaking their
    # anonymity; a downgrade drops them (a round's released responses are untouched).
    with op.batch_alter_table('survey_pending_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_pending_responses_round_id'))

    op.drop_table('survey_pending_responses')
