"""reading-room visits and digitisation on demand

Revision ID: e14a7c3b9d21
Revises: c0b1e5a13f00
Create Date: 2026-12-02 03:28:45.411553
"""
from __future__ import annotations

import datetime

from alembic import op
import sqlalchemy as sa


revision = 'e14a7c3b9d21'
down_revision = 'c0b1e5a13f00'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reading_room_hours',
    sa.Column('weekday', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('morning_opens', sa.Time(), nullable=True),
    sa.Column('morning_closes', sa.Time(), nullable=True),
    sa.Column('afternoon_opens', sa.Time(), nullable=True),
    sa.Column('afternoon_closes', sa.Time(), nullable=True),
    sa.PrimaryKeyConstraint('weekday', name=op.f('pk_reading_room_hours'))
    )
    op.create_table('reading_room_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('max_files_per_visit', sa.Integer(), nullable=False),
    sa.Column('visits_per_week', sa.Integer(), nullable=False),
    sa.Column('change_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('booking_days_ahead', sa.Integer(), nullable=False),
    sa.Column('digitise_working_days', sa.Integer(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_room_settings'))
    )
    op.create_table('reading_room_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reading_room_closures_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reading_room_closures')),
    sa.UniqueConstraint('day', name=op.f('uq_reading_room_closures_day'))
    )
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=True),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('session', sa.String(length=10), nullable=False),
    sa.Column('seat_no', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('booked_at', sa.DateTime(), nullable=False),
    sa.Column('checked_in_at', sa.DateTime(), nullable=True),
    sa.Column('checked_in_by_id', sa.Integer(), nullable=True),
    sa.Column('id_document_seen', sa.String(length=60), nullable=True),
    sa.Column('checked_out_at', sa.DateTime(), nullable=True),
    sa.Column('checked_out_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checked_in_by_id'], ['users.id'], name=op.f('fk_visits_checked_in_by_id_users')),
    sa.ForeignKeyConstraint(['checked_out_by_id'], ['users.id'], name=op.f('fk_visits_checked_out_by_id_users')),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_visits_reader_id_users')),
    sa.ForeignKeyConstraint(['request_id'], ['access_requests.id'], name=op.f('fk_visits_request_id_access_requests'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits')),
    sa.UniqueConstraint('code', name=op.f('uq_visits_code')),
    sa.UniqueConstraint('day', 'session', 'seat_no', name='uq_visits_day_session_seat')
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_reader_id'), ['reader_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_request_id'), ['request_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_status'), ['status'], unique=False)

    op.create_table('digitisation_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['record_files.id'], name=op.f('fk_digitisation_requests_file_id_record_files')),
    sa.ForeignKeyConstraint(['item_id'], ['request_items.id'], name=op.f('fk_digitisation_requests_item_id_request_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_digitisation_requests_reader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digitisation_requests')),
    sa.UniqueConstraint('item_id', name=op.f('uq_digitisation_requests_item_id'))
    )
    with op.batch_alter_table('digitisation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digitisation_requests_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_digitisation_requests_status'), ['status'], unique=False)

    op.create_table('visit_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('handed_at', sa.DateTime(), nullable=True),
    sa.Column('handed_by_id', sa.Integer(), nullable=True),
    sa.Column('returned_at', sa.DateTime(), nullable=True),
    sa.Column('returned_by_id', sa.Integer(), nullable=True),
    sa.Column('out_file_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['file_id'], ['record_files.id'], name=op.f('fk_visit_files_file_id_record_files')),
    sa.ForeignKeyConstraint(['handed_by_id'], ['users.id'], name=op.f('fk_visit_files_handed_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['request_items.id'], name=op.f('fk_visit_files_item_id_request_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['returned_by_id'], ['users.id'], name=op.f('fk_visit_files_returned_by_id_users')),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_files_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_files')),
    sa.UniqueConstraint('item_id', name=op.f('uq_visit_files_item_id')),
    sa.UniqueConstraint('out_file_id', name=op.f('uq_visit_files_out_file_id'))
    )
    with op.batch_alter_table('visit_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visit_files_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visit_files_visit_id'), ['visit_id'], unique=False)

    with op.batch_alter_table('request_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('use', sa.String(length=12), server_default='online', nullable=False))

    # The reading room's starting calendar (staff change it in the browser): 8 seats, at most
    # 10 files per visit, 2 visits per reader per week, changes until 24 hours before, bookings
    # up to 30 days ahead, digitisation within 15 working days; Monday to Friday 7:30–11:30 and 13:30–16:30.
    settings = sa.table('reading_room_settings', sa.column('id', sa.Integer), sa.column('seats', sa.Integer),
                        sa.column('max_files_per_visit', sa.Integer), sa.column('visits_per_week', sa.Integer),
                        sa.column('change_cutoff_hours', sa.Integer), sa.column('booking_days_ahead', sa.Integer),
                        sa.column('digitise_working_days', sa.Integer), sa.column('address', sa.Text),
                        sa.column('updated_at', sa.DateTime))
    op.bulk_insert(settings, [{
        'id': 1, 'seats': 8, 'max_files_per_visit': 10, 'visits_per_week': 2, 'change_cutoff_hours': 24,
        'booking_days_ahead': 30, 'digitise_working_days': 15,
        'address': 'Phòng đọc, Lưu trữ lịch sử tỉnh Đồng Nai, số 2 đường Nguyễn Văn Trị, phường Trấn Biên, tỉnh Đồng Nai',
        'updated_at': datetime.datetime(2026, 12, 1),
    }])
    hours = sa.table('reading_room_hours', sa.column('weekday', sa.Integer), sa.column('morning_opens', sa.Time),
                     sa.column('morning_closes', sa.Time), sa.column('afternoon_opens', sa.Time),
                     sa.column('afternoon_closes', sa.Time))
    day = (datetime.time(7, 30), datetime.time(11, 30), datetime.time(13, 30), datetime.time(16, 30))
    op.bulk_insert(hours, [dict(zip(('weekday', 'morning_opens', 'morning_closes', 'afternoon_opens',
                                     'afternoon_closes'), (weekday, *(day if weekday < 5 else (None,) * 4))))
                           for weekday in range(7)])



def downgrade() -> None:
    with op.batch_alter_table('request_items', schema=None) as batch_op:
        batch_op.drop_column('use')

    with op.batch_alter_table('visit_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visit_files_visit_id'))
        batch_op.drop_index(batch_op.f('ix_visit_files_file_id'))

    op.drop_table('visit_files')
    with op.batch_alter_table('digitisation_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digitisation_requests_status'))
        batch_op.drop_index(batch_op.f('ix_digitisation_requests_file_id'))

    op.drop_table('digitisation_requests')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_status'))
        batch_op.drop_index(batch_op.f('ix_visits_request_id'))
        batch_op.drop_index(batch_op.f('ix_visits_reader_id'))
        batch_op.drop_index(batch_op.f('ix_visits_day'))

    op.drop_table('visits')
    op.drop_table('reading_room_closures')
    op.drop_table('reading_room_settings')
    op.drop_table('reading_room_hours')
