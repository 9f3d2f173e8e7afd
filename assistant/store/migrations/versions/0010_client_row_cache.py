"""client_row_cache: each client's assessed row as last built, so a restart does not reassess the book

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06

A cache, not a fact: outside the ledger's chain, rebuilt from the stored facts whenever it is
missing, outdated or unreadable (``assistant.chat.board``). Downgrading drops it and loses nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_row_cache',
                    sa.Column('client_id', sa.Integer(), nullable=False),
                    sa.Column('as_of', sa.Date(), nullable=False),
                    sa.Column('key', sa.String(length=64), nullable=False),
                    sa.Column('format', sa.Integer(), nullable=False),
                    sa.Column('seq', sa.Integer(), nullable=False),
                    sa.Column('ledger_hash', sa.String(length=64), nullable=False),
                    sa.Column('payload', sa.LargeBinary(), nullable=False),
                    sa.Column('built_at', sa.DateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('client_id', 'as_of'))


def downgrade() -> None:
    op.drop_table('client_row_cache')
