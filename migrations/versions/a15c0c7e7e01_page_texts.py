"""page texts (OCR)

Revision ID: a15c0c7e7e01
Revises: 7d1e5a0c9b18
Create Date: 2026-12-02 15:00:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'a15c0c7e7e01'
down_revision = '7d1e5a0c9b18'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'page_texts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('file_id', sa.Integer(), nullable=False),
        sa.Column('page_no', sa.Integer(), nullable=False),
        sa.Column('scan_sha256', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('words', sa.JSON(), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('dpi', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('corrected_by_id', sa.Integer(), nullable=True),
        sa.Column('corrected_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['file_id'], ['record_files.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['corrected_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('file_id', 'page_no', name='uq_page_texts_file_page'),
    )
    with op.batch_alter_table('page_texts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_page_texts_file_id'), ['file_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('page_texts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_page_texts_file_id'))
    op.drop_table('page_texts')
