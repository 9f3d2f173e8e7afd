"""exposure edits made in the app, pending until a second person confirms them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

A new table only (``exposure_changes``); the checker's step is a ``change_reviews`` row with
entity ``exposure``, so nothing stored before changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exposure_changes',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('client_id', sa.Integer(), nullable=False),
                    sa.Column('facility_id', sa.Integer(), nullable=False),
                    sa.Column('target', sa.String(length=20), nullable=False),
                    sa.Column('target_id', sa.Integer(), nullable=False),
                    sa.Column('fields', sa.JSON(), nullable=False),
                    sa.Column('reason', sa.Text(), nullable=False),
                    sa.Column('by', sa.String(length=100), nullable=False),
                    sa.Column('at', sa.DateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['client_id'], ['clients.id']),
                    sa.ForeignKeyConstraint(['facility_id'], ['facilities.id']),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('exposure_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exposure_changes_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exposure_changes_facility_id'), ['facility_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('exposure_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exposure_changes_facility_id'))
        batch_op.drop_index(batch_op.f('ix_exposure_changes_client_id'))
    op.drop_table('exposure_changes')
