"""initial schema with the integrity rules the database enforces

Tables from the models, then by hand: btree_gist, CHECK constraints, the exclusion constraints
(no overlapping occupancy of an item; one farmer per section at a time), the append-only ledger
and frozen-settlement triggers, and the partial unique indexes (one charge per booking, one
credit per care log).

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 23:41:52.955986
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute('CREATE EXTENSION IF NOT EXISTS btree_gist')
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_login_attempts_address'), 'login_attempts', ['address'], unique=False)
    op.create_index(op.f('ix_login_attempts_email'), 'login_attempts', ['email'], unique=False)
    op.create_table('municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('iban', sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
    sa.Column('bic', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('creditor_id', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
    sa.Column('datev_consultant_number', sa.Integer(), nullable=False),
    sa.Column('datev_client_number', sa.Integer(), nullable=False),
    sa.Column('datev_receivable_account', sa.Integer(), nullable=False),
    sa.Column('datev_revenue_account', sa.Integer(), nullable=False),
    sa.Column('datev_revenue_account_reduced', sa.Integer(), nullable=False),
    sa.Column('datev_revenue_account_exempt', sa.Integer(), nullable=False),
    sa.Column('datev_expense_account', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('rate_cents', sa.Integer(), nullable=False),
    sa.Column('operator_rate_cents', sa.Integer(), nullable=True),
    sa.Column('vat_percent', sa.Numeric(precision=5, scale=2), server_default=sa.text('0'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('calendar_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('calendar_token')
    )
    op.create_index(op.f('ix_items_municipality_id'), 'items', ['municipality_id'], unique=False)
    op.create_table('sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('length_m', sa.Integer(), nullable=False),
    sa.Column('task', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('rate_cents', sa.Integer(), nullable=False),
    sa.Column('planned_passes', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('geometry', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_sections_municipality_id'), 'sections', ['municipality_id'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('iban', sqlmodel.sql.sqltypes.AutoString(length=34), nullable=True),
    sa.Column('bic', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=True),
    sa.Column('mandate_reference', sqlmodel.sql.sqltypes.AutoString(length=35), nullable=True),
    sa.Column('mandate_date', sa.DateTime(timezone=True), nullable=True),
    sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('calendar_token', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('calendar_token'),
    sa.UniqueConstraint('email')
    )
    op.create_index(op.f('ix_users_municipality_id'), 'users', ['municipality_id'], unique=False)
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('farmer_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['farmer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_assignments_farmer_id'), 'assignments', ['farmer_id'], unique=False)
    op.create_index(op.f('ix_assignments_section_id'), 'assignments', ['section_id'], unique=False)
    op.create_table('blocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_blocks_item_id'), 'blocks', ['item_id'], unique=False)
    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('farmer_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('with_operator', sa.Boolean(), nullable=False),
    sa.Column('expected_quantity', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('estimated_cents', sa.Integer(), nullable=True),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('operator_hours', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('charge_cents', sa.Integer(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['farmer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_bookings_farmer_id'), 'bookings', ['farmer_id'], unique=False)
    op.create_index(op.f('ix_bookings_item_id'), 'bookings', ['item_id'], unique=False)
    op.create_index(op.f('ix_bookings_status'), 'bookings', ['status'], unique=False)
    op.create_table('care_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('farmer_id', sa.Integer(), nullable=False),
    sa.Column('performed_on', sa.Date(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('credit_cents', sa.Integer(), nullable=False),
    sa.Column('photo_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('photo_content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('reject_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['farmer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['section_id'], ['sections.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_care_logs_farmer_id'), 'care_logs', ['farmer_id'], unique=False)
    op.create_index(op.f('ix_care_logs_section_id'), 'care_logs', ['section_id'], unique=False)
    op.create_index(op.f('ix_care_logs_status'), 'care_logs', ['status'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('recipient_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_outbox_recipient_id'), 'outbox', ['recipient_id'], unique=False)
    op.create_table('settlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('cutoff', sa.Date(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.Column('farmer_count', sa.Integer(), nullable=False),
    sa.Column('total_charges_cents', sa.Integer(), nullable=False),
    sa.Column('total_credits_cents', sa.Integer(), nullable=False),
    sa.Column('total_net_cents', sa.Integer(), nullable=False),
    sa.Column('run_by', sa.Integer(), nullable=True),
    sa.Column('run_by_label', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ),
    sa.ForeignKeyConstraint(['run_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('municipality_id', 'month', name='uq_settlements_municipality_month')
    )
    op.create_index(op.f('ix_settlements_municipality_id'), 'settlements', ['municipality_id'], unique=False)
    op.create_table('booking_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_booking_events_booking_id'), 'booking_events', ['booking_id'], unique=False)
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('farmer_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('net_cents', sa.Integer(), nullable=False),
    sa.Column('vat_cents', sa.Integer(), nullable=False),
    sa.Column('vat_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('rate_cents', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('care_log_id', sa.Integer(), nullable=True),
    sa.Column('reverses_entry_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ),
    sa.ForeignKeyConstraint(['care_log_id'], ['care_logs.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['farmer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ),
    sa.ForeignKeyConstraint(['reverses_entry_id'], ['ledger_entries.id'], ),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_ledger_entries_booking_id'), 'ledger_entries', ['booking_id'], unique=False)
    op.create_index(op.f('ix_ledger_entries_care_log_id'), 'ledger_entries', ['care_log_id'], unique=False)
    op.create_index(op.f('ix_ledger_entries_farmer_id'), 'ledger_entries', ['farmer_id'], unique=False)
    op.create_index(op.f('ix_ledger_entries_municipality_id'), 'ledger_entries', ['municipality_id'], unique=False)
    op.create_index(op.f('ix_ledger_entries_settlement_id'), 'ledger_entries', ['settlement_id'], unique=False)
    op.create_index(op.f('ix_ledger_entries_value_date'), 'ledger_entries', ['value_date'], unique=False)
    op.create_table('occupancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('block_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['block_id'], ['blocks.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_occupancies_block_id'), 'occupancies', ['block_id'], unique=False)
    op.create_index(op.f('ix_occupancies_booking_id'), 'occupancies', ['booking_id'], unique=False)
    op.create_index(op.f('ix_occupancies_item_id'), 'occupancies', ['item_id'], unique=False)
    op.create_table('settlement_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('settlement_id', sa.Integer(), nullable=False),
    sa.Column('farmer_id', sa.Integer(), nullable=False),
    sa.Column('charges_cents', sa.Integer(), nullable=False),
    sa.Column('credits_cents', sa.Integer(), nullable=False),
    sa.Column('net_cents', sa.Integer(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['farmer_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('settlement_id', 'farmer_id', name='uq_settlement_lines_farmer')
    )
    op.create_index(op.f('ix_settlement_lines_farmer_id'), 'settlement_lines', ['farmer_id'], unique=False)
    op.create_index(op.f('ix_settlement_lines_settlement_id'), 'settlement_lines', ['settlement_id'], unique=False)
    op.create_table('settlement_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settlement_id', sa.Integer(), nullable=True),
    sa.Column('entries', sa.Integer(), nullable=True),
    sa.Column('created', sa.Boolean(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], ),
    sa.ForeignKeyConstraint(['settlement_id'], ['settlements.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_settlement_runs_municipality_id'), 'settlement_runs', ['municipality_id'], unique=False)
    for statement in INTEGRITY_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in INTEGRITY_DOWN:
        op.execute(statement)
    op.drop_index(op.f('ix_settlement_runs_municipality_id'), table_name='settlement_runs')
    op.drop_table('settlement_runs')
    op.drop_index(op.f('ix_settlement_lines_settlement_id'), table_name='settlement_lines')
    op.drop_index(op.f('ix_settlement_lines_farmer_id'), table_name='settlement_lines')
    op.drop_table('settlement_lines')
    op.drop_index(op.f('ix_occupancies_item_id'), table_name='occupancies')
    op.drop_index(op.f('ix_occupancies_booking_id'), table_name='occupancies')
    op.drop_index(op.f('ix_occupancies_block_id'), table_name='occupancies')
    op.drop_table('occupancies')
    op.drop_index(op.f('ix_ledger_entries_value_date'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_settlement_id'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_municipality_id'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_farmer_id'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_care_log_id'), table_name='ledger_entries')
    op.drop_index(op.f('ix_ledger_entries_booking_id'), table_name='ledger_entries')
    op.drop_table('ledger_entries')
    op.drop_index(op.f('ix_booking_events_booking_id'), table_name='booking_events')
    op.drop_table('booking_events')
    op.drop_index(op.f('ix_settlements_municipality_id'), table_name='settlements')
    op.drop_table('settlements')
    op.drop_index(op.f('ix_outbox_recipient_id'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_care_logs_status'), table_name='care_logs')
    op.drop_index(op.f('ix_care_logs_section_id'), table_name='care_logs')
    op.drop_index(op.f('ix_care_logs_farmer_id'), table_name='care_logs')
    op.drop_table('care_logs')
    op.drop_index(op.f('ix_bookings_status'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_item_id'), table_name='bookings')
    op.drop_index(op.f('ix_bookings_farmer_id'), table_name='bookings')
    op.drop_table('bookings')
    op.drop_index(op.f('ix_blocks_item_id'), table_name='blocks')
    op.drop_table('blocks')
    op.drop_index(op.f('ix_assignments_section_id'), table_name='assignments')
    op.drop_index(op.f('ix_assignments_farmer_id'), table_name='assignments')
    op.drop_table('assignments')
    op.drop_index(op.f('ix_api_tokens_user_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
    op.drop_index(op.f('ix_users_municipality_id'), table_name='users')
    op.drop_table('users')
    op.drop_index(op.f('ix_sections_municipality_id'), table_name='sections')
    op.drop_table('sections')
    op.drop_index(op.f('ix_items_municipality_id'), table_name='items')
    op.drop_table('items')
    op.drop_table('municipalities')
    op.drop_index(op.f('ix_login_attempts_email'), table_name='login_attempts')
    op.drop_index(op.f('ix_login_attempts_address'), table_name='login_attempts')
    op.drop_table('login_attempts')
    op.execute('DROP EXTENSION IF EXISTS btree_gist')


INTEGRITY_UP = [
    # --- checks -----------------------------------------------------------------------------
    "ALTER TABLE users ADD CONSTRAINT ck_users_role CHECK (role IN ('admin','yard_head','finance','farmer'))",
    "ALTER TABLE users ADD CONSTRAINT ck_users_bound_roles CHECK "
    "(role NOT IN ('yard_head','finance') OR municipality_id IS NOT NULL)",
    "ALTER TABLE items ADD CONSTRAINT ck_items_kind CHECK (kind IN ('machine','service'))",
    "ALTER TABLE items ADD CONSTRAINT ck_items_unit CHECK (unit IN ('hour','day','hectare','km','flat'))",
    "ALTER TABLE items ADD CONSTRAINT ck_items_rates CHECK "
    "(rate_cents >= 0 AND (operator_rate_cents IS NULL OR operator_rate_cents >= 0))",
    "ALTER TABLE items ADD CONSTRAINT ck_items_vat CHECK (vat_percent >= 0 AND vat_percent <= 100)",
    "ALTER TABLE bookings ADD CONSTRAINT ck_bookings_period CHECK (end_at > start_at)",
    "ALTER TABLE bookings ADD CONSTRAINT ck_bookings_status CHECK "
    "(status IN ('requested','approved','rejected','cancelled','completed'))",
    "ALTER TABLE blocks ADD CONSTRAINT ck_blocks_period CHECK (end_at > start_at)",
    "ALTER TABLE occupancies ADD CONSTRAINT ck_occupancies_source CHECK "
    "((booking_id IS NULL) <> (block_id IS NULL))",
    "ALTER TABLE occupancies ADD CONSTRAINT ck_occupancies_period CHECK (end_at > start_at)",
    "CREATE UNIQUE INDEX uq_occupancies_booking ON occupancies (booking_id) WHERE booking_id IS NOT NULL",
    "CREATE UNIQUE INDEX uq_occupancies_block ON occupancies (block_id) WHERE block_id IS NOT NULL",
    # The guarantee against double booking: approved/completed bookings and blocks of one item never overlap.
    "ALTER TABLE occupancies ADD CONSTRAINT ex_occupancies_no_overlap EXCLUDE USING gist "
    "(item_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)",
    "ALTER TABLE sections ADD CONSTRAINT ck_sections_kind CHECK (kind IN ('road','path'))",
    "ALTER TABLE sections ADD CONSTRAINT ck_sections_task CHECK "
    "(task IN ('verge_mowing','hedge_cutting','ditch_clearing','winter_service','other'))",
    "ALTER TABLE sections ADD CONSTRAINT ck_sections_unit CHECK (unit IN ('metre','hour','flat'))",
    "ALTER TABLE sections ADD CONSTRAINT ck_sections_numbers CHECK (length_m > 0 AND rate_cents >= 0)",
    "ALTER TABLE assignments ADD CONSTRAINT ck_assignments_period CHECK "
    "(valid_to IS NULL OR valid_to >= valid_from)",
    # One farmer per section (and so per task) at a time; valid_to is inclusive, null is open-ended.
    "ALTER TABLE assignments ADD CONSTRAINT ex_assignments_no_overlap EXCLUDE USING gist "
    "(section_id WITH =, daterange(valid_from, valid_to, '[]') WITH &&)",
    "ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_quantity CHECK (quantity > 0)",
    "ALTER TABLE care_logs ADD CONSTRAINT ck_care_logs_status CHECK "
    "(status IN ('reported','confirmed','rejected'))",
    "ALTER TABLE ledger_entries ADD CONSTRAINT ck_ledger_kind CHECK "
    "(kind IN ('charge','credit','reversal','adjustment'))",
    "ALTER TABLE ledger_entries ADD CONSTRAINT ck_ledger_signs CHECK "
    "((kind <> 'charge' OR amount_cents >= 0) AND (kind <> 'credit' OR amount_cents <= 0) "
    "AND (kind NOT IN ('adjustment','reversal') OR amount_cents <> 0) "
    "AND amount_cents = net_cents + vat_cents)",
    "CREATE UNIQUE INDEX uq_ledger_charge_per_booking ON ledger_entries (booking_id) WHERE kind = 'charge'",
    "CREATE UNIQUE INDEX uq_ledger_credit_per_care_log ON ledger_entries (care_log_id) WHERE kind = 'credit'",
    "CREATE INDEX ix_ledger_unsettled ON ledger_entries (municipality_id, value_date) "
    "WHERE settlement_id IS NULL",
    "CREATE INDEX ix_ledger_account ON ledger_entries (farmer_id, municipality_id, value_date)",
    "CREATE INDEX ix_bookings_item_period ON bookings (item_id, start_at)",
    "CREATE INDEX ix_outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL",
    # --- append-only ledger: no DELETE ever; UPDATE only to attach an unsettled entry to its settlement ---
    r"""
    CREATE FUNCTION mn_ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'ledger entries are append-only (entry %)', OLD.id
                USING ERRCODE = '55000', HINT = 'post a reversal instead';
        END IF;
        IF OLD.settlement_id IS NOT NULL THEN
            RAISE EXCEPTION 'ledger entry % is settled and cannot change', OLD.id
                USING ERRCODE = '55000', HINT = 'post a reversal in an open month';
        END IF;
        IF NEW.id <> OLD.id OR NEW.farmer_id <> OLD.farmer_id OR NEW.municipality_id <> OLD.municipality_id
           OR NEW.value_date <> OLD.value_date OR NEW.kind <> OLD.kind
           OR NEW.amount_cents <> OLD.amount_cents OR NEW.net_cents <> OLD.net_cents
           OR NEW.vat_cents <> OLD.vat_cents OR NEW.vat_percent <> OLD.vat_percent
           OR NEW.quantity IS DISTINCT FROM OLD.quantity OR NEW.rate_cents IS DISTINCT FROM OLD.rate_cents
           OR NEW.text <> OLD.text OR NEW.reason IS DISTINCT FROM OLD.reason
           OR NEW.booking_id IS DISTINCT FROM OLD.booking_id
           OR NEW.care_log_id IS DISTINCT FROM OLD.care_log_id
           OR NEW.reverses_entry_id IS DISTINCT FROM OLD.reverses_entry_id
           OR NEW.created_at <> OLD.created_at THEN
            RAISE EXCEPTION 'ledger entry % is append-only: only its settlement may be set', OLD.id
                USING ERRCODE = '55000';
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER tg_ledger_guard BEFORE UPDATE OR DELETE ON ledger_entries "
    "FOR EACH ROW EXECUTE FUNCTION mn_ledger_guard()",
    "CREATE TRIGGER tg_ledger_no_truncate BEFORE TRUNCATE ON ledger_entries "
    "FOR EACH STATEMENT EXECUTE FUNCTION mn_refuse_truncate()",
    # --- settlements are frozen: the writing transaction may fill in the totals once, then never again ---
    r"""
    CREATE FUNCTION mn_settlement_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' OR OLD.frozen THEN
            RAISE EXCEPTION 'settlement % is frozen', OLD.id USING ERRCODE = '55000';
        END IF;
        IF NEW.id <> OLD.id OR NEW.municipality_id <> OLD.municipality_id OR NEW.month <> OLD.month THEN
            RAISE EXCEPTION 'settlement % cannot change its key', OLD.id USING ERRCODE = '55000';
        END IF;
        RETURN NEW;
    END $$
    """,
    "CREATE TRIGGER tg_settlement_guard BEFORE UPDATE OR DELETE ON settlements "
    "FOR EACH ROW EXECUTE FUNCTION mn_settlement_guard()",
    r"""
    CREATE FUNCTION mn_settlement_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'settlement lines are frozen (line %)', OLD.id USING ERRCODE = '55000';
    END $$
    """,
    "CREATE TRIGGER tg_settlement_line_guard BEFORE UPDATE OR DELETE ON settlement_lines "
    "FOR EACH ROW EXECUTE FUNCTION mn_settlement_line_guard()",
]

# TRUNCATE guard function must exist before the ledger trigger that uses it.
INTEGRITY_UP.insert(
    0,
    r"""
    CREATE FUNCTION mn_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF current_setting('mn.allow_truncate', true) = 'on' THEN
            RETURN NULL;  -- test and benchmark clean-up only, set per transaction
        END IF;
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = '55000';
    END $$
    """,
)
INTEGRITY_UP += [
    "CREATE TRIGGER tg_settlements_no_truncate BEFORE TRUNCATE ON settlements "
    "FOR EACH STATEMENT EXECUTE FUNCTION mn_refuse_truncate()",
    "CREATE TRIGGER tg_settlement_lines_no_truncate BEFORE TRUNCATE ON settlement_lines "
    "FOR EACH STATEMENT EXECUTE FUNCTION mn_refuse_truncate()",
]

INTEGRITY_DOWN = [
    "DROP TRIGGER IF EXISTS tg_ledger_guard ON ledger_entries",
    "DROP TRIGGER IF EXISTS tg_ledger_no_truncate ON ledger_entries",
    "DROP TRIGGER IF EXISTS tg_settlement_guard ON settlements",
    "DROP TRIGGER IF EXISTS tg_settlements_no_truncate ON settlements",
    "DROP TRIGGER IF EXISTS tg_settlement_line_guard ON settlement_lines",
    "DROP TRIGGER IF EXISTS tg_settlement_lines_no_truncate ON settlement_lines",
    "DROP FUNCTION IF EXISTS mn_ledger_guard()",
    "DROP FUNCTION IF EXISTS mn_settlement_guard()",
    "DROP FUNCTION IF EXISTS mn_settlement_line_guard()",
    "DROP FUNCTION IF EXISTS mn_refuse_truncate()",
]
