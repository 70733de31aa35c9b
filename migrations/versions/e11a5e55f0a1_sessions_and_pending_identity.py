"""server-side login sessions; identity changes waiting for staff

Revision ID: e11a5e55f0a1
Revises: 5e1d2c3b4a69
Create Date: 2026-12-02 03:50:00.000000
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = 'e11a5e55f0a1'
down_revision = '5e1d2c3b4a69'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('reader_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_id_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('pending_id_number', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reader_profiles', schema=None) as batch_op:
        batch_op.drop_column('pending_id_number')
        batch_op.drop_column('pending_id_kind')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
