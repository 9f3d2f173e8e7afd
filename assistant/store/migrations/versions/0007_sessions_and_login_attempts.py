"""sessions, login attempts, ledger details

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-06

``auth_sessions`` holds the app's and the command line's logins (token sha256 only);
``login_attempts`` feeds the failed-login throttle; ``ledger.detail`` keeps an event's
particulars and, for users and facilities, the digest of each of their rows. The detail takes
part in an entry's hash only when it is set, so existing chains verify unchanged.

``index_state`` rows are now recorded in the ledger: the rows that exist when this revision
runs are recorded once, as ``index_state.adopt`` by ``migration 0007``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('auth_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_auth_sessions_user_id'), ['user_id'], unique=False)
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_attempts_name'), ['name'], unique=False)
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.Text(), nullable=True))
        batch_op.create_index('ix_ledger_entity_entity_id', ['entity', 'entity_id'], unique=False)
    _adopt_index_state()


def _adopt_index_state() -> None:
    """Record the index_state rows already there (they were derived data before this revision)."""
    from sqlalchemy.orm import Session

    from assistant import ledger

    session = Session(bind=op.get_bind())
    ids = [r for (r,) in session.execute(sa.text("SELECT document_id FROM index_state ORDER BY document_id"))]
    for doc_id in ids:
        ledger.append(session, actor="migration 0007", action="index_state.adopt", entity="index_state", entity_id=doc_id)
    session.flush()


def downgrade() -> None:
    with op.batch_alter_table('ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entity_entity_id')
        batch_op.drop_column('detail')
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_attempts_name'))
    op.drop_table('login_attempts')
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_auth_sessions_user_id'))
    op.drop_table('auth_sessions')
