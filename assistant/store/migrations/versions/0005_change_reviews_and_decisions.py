"""maker/checker: reviews of corrections and decisions; classification and grade decisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

A correction is pending until a ``change_reviews`` row confirms it. Corrections stored
before this revision have no such row, so they read as pending at once (nobody but their
maker ever looked at them): no data migration, and the recorded correction rows are not
altered (their ledger digests stay valid).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('change_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('entity', 'entity_id')
    )
    with op.batch_alter_table('change_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_reviews_client_id'), ['client_id'], unique=False)
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('suggested', sa.String(length=20), nullable=True),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('justification', sa.Text(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_client_id'), ['client_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_client_id'))
    op.drop_table('decisions')
    with op.batch_alter_table('change_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_reviews_client_id'))
    op.drop_table('change_reviews')
