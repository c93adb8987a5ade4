"""access control: second factor enrolment, recovery codes, per-address rate limits

Revision ID: 0002_access
Revises: 0001_initial
Create Date: 2026-11-23

``users.totp_enrolled_at`` marks a TOTP secret as in use (until then it is an enrolment waiting for its
first code); ``recovery_codes`` holds keyed hashes of single-use recovery codes; ``rate_limit_counters``
holds per-minute counters that every worker process shares.
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_access'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_counters',
    sa.Column('bucket', sa.String(length=30), nullable=False),
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('minute', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('bucket', 'subject', 'minute', name=op.f('pk_rate_limit_counters'))
    )
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('user_id', 'code_hash', name='uq_recovery_codes_user_id')
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_enrolled_at', sa.DateTime(), nullable=True))


def downgrade():
    # Not batch mode: on SQLite that copies and drops ``users``, which the foreign keys of every table
    # referring to users refuse while they hold rows. SQLite 3.35+ drops a plain column in place.
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE users DROP COLUMN totp_enrolled_at')
    else:
        op.drop_column('users', 'totp_enrolled_at')

    op.drop_table('recovery_codes')
    op.drop_table('rate_limit_counters')
