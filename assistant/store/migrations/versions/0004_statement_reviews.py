"""statement reviews: officers' confirmations of statements flagged for review

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06

A statement is flagged for review when it carries extraction warnings (already stored in
``statements.warnings``) and has no confirmation here, so databases made before this
revision need no data migration: their warned statements read as flagged at once.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('statement_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.JSON(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=True),
    sa.Column('confirmed_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('statement_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statement_reviews_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_reviews_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_statement_reviews_statement_id'), ['statement_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('statement_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statement_reviews_statement_id'))
        batch_op.drop_index(batch_op.f('ix_statement_reviews_document_id'))
        batch_op.drop_index(batch_op.f('ix_statement_reviews_client_id'))
    op.drop_table('statement_reviews')
