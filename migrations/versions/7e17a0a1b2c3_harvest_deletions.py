"""harvest deletions: the trace OAI-PMH reports for files that left the public catalogue

Revision ID: 7e17a0a1b2c3
Revises: e16a7b3c9d01
Create Date: 2026-12-02 03:40:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '7e17a0a1b2c3'
down_revision = 'e16a7b3c9d01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'harvest_deletions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('file_code', sa.String(length=80), nullable=False),
        sa.Column('fonds_code', sa.String(length=40), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=True),
        sa.Column('deleted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['file_id'], ['record_files.id'], name=op.f('fk_harvest_deletions_file_id_record_files'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_harvest_deletions')),
        sa.UniqueConstraint('file_code', name=op.f('uq_harvest_deletions_file_code')),
    )
    with op.batch_alter_table('harvest_deletions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_harvest_deletions_deleted_at'), ['deleted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('harvest_deletions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_harvest_deletions_deleted_at'))
    op.drop_table('harvest_deletions')
