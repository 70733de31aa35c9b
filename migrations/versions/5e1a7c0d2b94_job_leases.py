"""job leases, outbox enqueue marks, worker heartbeats

Revision ID: 5e1a7c0d2b94
Revises: e11a5e55f0a1
Create Date: 2026-12-02 03:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '5e1a7c0d2b94'
down_revision = 'e11a5e55f0a1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enqueued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('run_after', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('started_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('worker', sa.String(length=80), nullable=True))
    # Rows from before: treat them as rung, so the sweeper decides by the usual rules.
    op.execute("UPDATE jobs SET enqueued_at = updated_at")
    op.create_table('worker_beats',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('beat_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_beats'))
    )


def downgrade() -> None:
    op.drop_table('worker_beats')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('worker')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('started_at')
        batch_op.drop_column('run_after')
        batch_op.drop_column('enqueued_at')
