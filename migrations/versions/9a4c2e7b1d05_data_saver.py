"""data saver: a lighter file per reading copy, the reader's choice, the variant served

Revision ID: 9a4c2e7b1d05
Revises: a15c0c7e7e01
Create Date: 2026-12-02 15:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '9a4c2e7b1d05'
down_revision = 'a15c0c7e7e01'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_saver', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('reading_copies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('saver_path', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('saver_size_bytes', sa.Integer(), nullable=True))
    with op.batch_alter_table('reading_accesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant', sa.String(length=10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reading_accesses', schema=None) as batch_op:
        batch_op.drop_column('variant')
    with op.batch_alter_table('reading_copies', schema=None) as batch_op:
        batch_op.drop_column('saver_size_bytes')
        batch_op.drop_column('saver_path')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('data_saver')
