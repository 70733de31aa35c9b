"""notifications, exhibition visits, reading access address

Revision ID: e16a7b3c9d01
Revises: 5e1a7c0d2b94
Create Date: 2026-12-02 03:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'e16a7b3c9d01'
down_revision = '5e1a7c0d2b94'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('link', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    )
    op.create_index('ix_notifications_user_read', 'notifications', ['user_id', 'read_at'], unique=False)
    op.create_table(
        'exhibition_visits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('exhibition_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['exhibition_id'], ['exhibitions.id'],
                                name=op.f('fk_exhibition_visits_exhibition_id_exhibitions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exhibition_visits')),
        sa.UniqueConstraint('exhibition_id', 'day', name='uq_exhibition_visits_exhibition_day'),
    )
    with op.batch_alter_table('reading_accesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True))
        batch_op.create_index('ix_reading_accesses_file_at', ['file_id', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('reading_accesses', schema=None) as batch_op:
        batch_op.drop_index('ix_reading_accesses_file_at')
        batch_op.drop_column('address')
    op.drop_table('exhibition_visits')
    op.drop_index('ix_notifications_user_read', table_name='notifications')
    op.drop_table('notifications')
