"""settings table: the exhibition settings become the portal's settings

Revision ID: 5e1d2c3b4a69
Revises: 4c2ae7ca0806
Create Date: 2026-12-02 03:40:00
"""
from __future__ import annotations

from alembic import op

revision = '5e1d2c3b4a69'
down_revision = '4c2ae7ca0806'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.rename_table('exhibition_settings', 'settings')


def downgrade() -> None:
    op.rename_table('settings', 'exhibition_settings')
