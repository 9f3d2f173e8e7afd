"""figures read by OCR: the recogniser's confidence, the cell's own box, and why a person must look

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-06

Nullable columns: figures read from a text layer (and every figure stored before this revision)
keep them empty, and the ledger leaves empty late columns out of a figure's digest, so the
chain of an older database still verifies.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('figures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('flag', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cell_x0', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('cell_top', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('cell_x1', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('cell_bottom', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('figures', schema=None) as batch_op:
        for name in ('cell_bottom', 'cell_x1', 'cell_top', 'cell_x0', 'flag', 'confidence'):
            batch_op.drop_column(name)
