"""client_row_cache: each row's summary (grade, class, counts of alerts and breaches, exposure) as columns

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Lists of the book (dashboard, alerts, the portfolio page and questions) read these columns and
unpickle only the rows they show (``assistant.chat.rowsummary``). The table is a cache: its
rows are deleted here (every one is rebuilt, with its summary, on the next read), so no
column needs a backfill. Downgrading drops the columns and, again, the cached rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_INT = ("category_level", "overdue_days", "days_past_due", "alerts", "alerts_high", "alerts_medium", "alerts_low",
        "high_confirmed", "alerts_other", "high_rules", "covenants", "breaches", "passed", "thin", "untestable", "flagged",
        "due_items")
_COLUMNS = [sa.Column('name', sa.String(length=200), nullable=False),
            sa.Column('industry', sa.String(length=200), nullable=False),
            sa.Column('officer', sa.String(length=200), nullable=True),
            sa.Column('has_figures', sa.Boolean(), nullable=False),
            sa.Column('grade', sa.String(length=4), nullable=False),
            sa.Column('category', sa.String(length=16), nullable=False),
            sa.Column('book_category', sa.String(length=16), nullable=False),
            *[sa.Column(n, sa.Integer(), nullable=False) for n in _INT],
            sa.Column('last_statement', sa.Date(), nullable=True),
            sa.Column('exposure', sa.Text(), nullable=False),
            sa.Column('outstanding', sa.Text(), nullable=False)]


def upgrade() -> None:
    op.execute("DELETE FROM client_row_cache")  # a cache: rebuilt with its summary on the next read
    with op.batch_alter_table('client_row_cache') as batch:
        for column in _COLUMNS:
            batch.add_column(column)


def downgrade() -> None:
    op.execute("DELETE FROM client_row_cache")
    with op.batch_alter_table('client_row_cache') as batch:
        for column in reversed(_COLUMNS):
            batch.drop_column(column.name)
