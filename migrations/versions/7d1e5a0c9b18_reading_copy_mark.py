"""reading copy invisible mark

Revision ID: 7d1e5a0c9b18
Revises: e14a7c3b9d21
Create Date: 2026-12-02 03:40:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '7d1e5a0c9b18'
down_revision = 'e14a7c3b9d21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reading_copies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stamp_archive', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('mark_version', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reading_copies', schema=None) as batch_op:
        batch_op.drop_column('mark_version')
        batch_op.drop_column('stamp_archive')
