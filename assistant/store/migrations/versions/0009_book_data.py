"""book: securities, statement deadlines, watch list, warnings as work

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-06

Facilities gain per-facility deadlines (audited annual statements, site visits; existing rows
get the defaults 120 and 90 days) and their collateral and guarantees with values and
valuation dates (``securities``). The watch list is a history of events per client
(``watch_events``); warnings handled as work are ``warning_items`` with their history
(``warning_events``). The ledger's digests of facilities made before this revision are
unchanged (see ``assistant.ledger``: later columns at their defaults and empty later
child tables are left out of a digest).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from assistant.store.schema import Money

revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('warning_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('assignee', sa.String(length=100), nullable=True),
    sa.Column('action_taken', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('client_id', 'period', 'rule', 'message')
    )
    with op.batch_alter_table('warning_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_items_client_id'), ['client_id'], unique=False)

    op.create_table('watch_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=100), nullable=True),
    sa.Column('next_review', sa.Date(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('watch_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_watch_events_client_id'), ['client_id'], unique=False)

    op.create_table('securities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('facility_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('provider', sa.String(length=300), nullable=False),
    sa.Column('value', Money(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valuation_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('securities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_securities_facility_id'), ['facility_id'], unique=False)

    op.create_table('warning_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['warning_items.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('warning_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warning_events_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('annual_reporting_days', sa.Integer(), nullable=False, server_default='120'))
        batch_op.add_column(sa.Column('inspection_days', sa.Integer(), nullable=False, server_default='90'))



def downgrade() -> None:
    with op.batch_alter_table('facilities', schema=None) as batch_op:
        batch_op.drop_column('inspection_days')
        batch_op.drop_column('annual_reporting_days')

    with op.batch_alter_table('warning_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_events_item_id'))

    op.drop_table('warning_events')
    with op.batch_alter_table('securities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_securities_facility_id'))

    op.drop_table('securities')
    with op.batch_alter_table('watch_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_watch_events_client_id'))

    op.drop_table('watch_events')
    with op.batch_alter_table('warning_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warning_items_client_id'))

    op.drop_table('warning_items')
