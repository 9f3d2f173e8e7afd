"""client_row_cache: each row's alerts as compact JSON beside its summary

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

``loanwatch alerts`` over the whole book reads the alerts of the clients that have some from
this column instead of unpickling their rows (``assistant.chat.rowsummary.alerts_json``). The
table is a cache: its rows are deleted here (each is rebuilt, with the column, on the next
read), so the column needs no backfill. Downgrading drops the column and, again, the rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM client_row_cache")  # a cache: rebuilt with its alerts on the next read
    with op.batch_alter_table('client_row_cache') as batch:
        batch.add_column(sa.Column('alerts_json', sa.Text(), nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM client_row_cache")
    with op.batch_alter_table('client_row_cache') as batch:
        batch.drop_column('alerts_json')
