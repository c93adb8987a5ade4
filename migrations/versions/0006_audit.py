"""audit head record, signed checkpoints, an index on the time of entries

Revision ID: 0006_audit
Revises: 0005_reports
Create Date: 2026-11-23

``audit_head`` records where the chain ends (moved by every append), ``audit_checkpoints`` holds
the Ed25519-signed checkpoints. Checkpoints are append-only like the entries; the head may be moved
but not deleted. Entries written before this revision are adopted by ``complaints init``.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_audit'
down_revision = '0005_reports'
branch_labels = None
depends_on = None

APPEND_ONLY = {
    "sqlite": [
        """CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
           BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END""",
        """CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
           BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END""",
        """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
           BEGIN SELECT RAISE(ABORT, 'audit_head cannot be deleted'); END""",
    ],
    "postgresql": [
        """CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN RAISE EXCEPTION '% refuses %', TG_TABLE_NAME, TG_OP; END $$""",
        """CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE ON audit_checkpoints
           FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
        """CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
           FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
        """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
           FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
        """CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
           FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS audit_head_no_delete",
        "DROP TRIGGER IF EXISTS audit_checkpoints_no_delete",
        "DROP TRIGGER IF EXISTS audit_checkpoints_no_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head",
        "DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_head",
        "DROP TRIGGER IF EXISTS audit_checkpoints_no_truncate ON audit_checkpoints",
        "DROP TRIGGER IF EXISTS audit_checkpoints_no_change ON audit_checkpoints",
        "DROP FUNCTION IF EXISTS audit_refuse_change()",
    ],
}


def upgrade():
    op.create_table('audit_checkpoints',
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_checkpoints'))
    )
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('head_mac', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('checkpoint_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('checkpoint_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    # A plain CREATE INDEX: a batch operation could rebuild audit_events and lose its triggers.
    op.create_index('ix_audit_events_occurred', 'audit_events', ['occurred_at'], unique=False)
    for statement in APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP_APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index('ix_audit_events_occurred', table_name='audit_events')
    op.drop_table('audit_head')
    op.drop_table('audit_checkpoints')
