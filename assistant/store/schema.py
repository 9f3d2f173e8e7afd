"""The portfolio store's tables (SQLAlchemy 2 ORM).

Money is ``Decimal`` end to end: ``Money`` stores it as text on SQLite (whose NUMERIC is a
float underneath) and as ``NUMERIC(38, 10)`` elsewhere, and always hands back a normalised
``Decimal`` so that ``183042372622.53`` reads back as exactly that on every backend.

Every figure keeps its provenance: document, page, bounding box, printed label and text,
statement kind and scope, the column's span, unit and currency.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import Numeric, TypeDecorator

from assistant.store.values import canonical_decimal


class Money(TypeDecorator):
    """An exact decimal: text on SQLite, NUMERIC(38, 10) on PostgreSQL and others."""

    impl = String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(38, 10, asdecimal=True))

    def process_bind_param(self, value: Any, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, int or str, never float")
        value = canonical_decimal(Decimal(value))
        return format(value, "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect):
        return None if value is None else canonical_decimal(Decimal(str(value)))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


class Base(DeclarativeBase):
    pass


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    aliases: Mapped[list] = mapped_column(JSON, default=list)
    industry: Mapped[str] = mapped_column(String(100), default="")
    officer: Mapped[str | None] = mapped_column(String(100))  # a name or user id
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    facilities: Mapped[list["FacilityRow"]] = relationship(back_populates="client", order_by="FacilityRow.id")


class FacilityRow(Base):
    __tablename__ = "facilities"
    __table_args__ = (UniqueConstraint("client_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    drawn: Mapped[Decimal | None] = mapped_column(Money)
    outstanding: Mapped[Decimal | None] = mapped_column(Money)
    drawdown_date: Mapped[dt.date | None] = mapped_column(Date)
    maturity_date: Mapped[dt.date | None] = mapped_column(Date)
    rate: Mapped[Decimal | None] = mapped_column(Money)
    collateral: Mapped[str] = mapped_column(Text, default="")
    guarantors: Mapped[str] = mapped_column(Text, default="")
    reporting_days: Mapped[int] = mapped_column(Integer, default=45)
    annual_reporting_days: Mapped[int] = mapped_column(Integer, default=120)  # audited annual statements due
    inspection_days: Mapped[int] = mapped_column(Integer, default=90)  # a site visit at least this often

    client: Mapped[Client] = relationship(back_populates="facilities")
    covenants: Mapped[list["CovenantRow"]] = relationship(
        back_populates="facility", cascade="all, delete-orphan", order_by="CovenantRow.id"
    )
    schedule: Mapped[list["RepaymentRow"]] = relationship(
        back_populates="facility", cascade="all, delete-orphan",
        order_by="[RepaymentRow.due, RepaymentRow.id]",  # one order for instalments due the same day (assistant.store.lite reads the same)
    )
    securities: Mapped[list["SecurityRow"]] = relationship(
        back_populates="facility", cascade="all, delete-orphan", order_by="SecurityRow.id"
    )


class CovenantRow(Base):
    __tablename__ = "covenants"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    metric: Mapped[str] = mapped_column(String(100))
    operator: Mapped[str] = mapped_column(String(2))
    threshold: Mapped[Decimal] = mapped_column(Money)
    frequency: Mapped[str] = mapped_column(String(20), default="quarterly")
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")

    facility: Mapped[FacilityRow] = relationship(back_populates="covenants")


class RepaymentRow(Base):
    __tablename__ = "repayments"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    due: Mapped[dt.date] = mapped_column(Date)
    principal: Mapped[Decimal] = mapped_column(Money)
    interest: Mapped[Decimal] = mapped_column(Money)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(Money)

    facility: Mapped[FacilityRow] = relationship(back_populates="schedule")


class SecurityRow(Base):
    """Collateral pledged or a guarantee given for a facility, with its value and valuation date."""

    __tablename__ = "securities"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # collateral | guarantee
    description: Mapped[str] = mapped_column(Text, default="")
    provider: Mapped[str] = mapped_column(String(300), default="")  # owner of the collateral / the guarantor
    value: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    valuation_date: Mapped[dt.date | None] = mapped_column(Date)

    facility: Mapped[FacilityRow] = relationship(back_populates="securities")


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("client_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # statement | filing | inspection
    name: Mapped[str] = mapped_column(String(300))
    pages: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[dt.date] = mapped_column(Date)
    stored_path: Mapped[str] = mapped_column(String(400))  # relative to LOANWATCH_HOME
    company: Mapped[str | None] = mapped_column(String(300))  # the name printed in the document
    period_end: Mapped[dt.date | None] = mapped_column(Date)  # latest column end, for statements
    warnings: Mapped[list] = mapped_column(JSON, default=list)


class StatementRow(Base):
    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    unit: Mapped[int] = mapped_column(Integer, default=1)
    pages: Mapped[list] = mapped_column(JSON, default=list)
    title: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[list] = mapped_column(JSON, default=list)  # [{period_start, period_end, label}]
    warnings: Mapped[list] = mapped_column(JSON, default=list)


class FigureRow(Base):
    """One printed cell: a line item's value in one column, with its provenance."""

    __tablename__ = "figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(80), index=True)  # None: a row with no canonical key
    label: Mapped[str] = mapped_column(Text)
    printed: Mapped[str | None] = mapped_column(Text)  # the cell text as printed
    value: Mapped[Decimal | None] = mapped_column(Money)  # None: empty cell or a dash
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    column_label: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(20))
    unit: Mapped[int] = mapped_column(Integer, default=1)
    currency: Mapped[str] = mapped_column(String(3))
    page: Mapped[int] = mapped_column(Integer)
    x0: Mapped[float | None] = mapped_column(Float)
    top: Mapped[float | None] = mapped_column(Float)
    x1: Mapped[float | None] = mapped_column(Float)
    bottom: Mapped[float | None] = mapped_column(Float)
    row_index: Mapped[int] = mapped_column(Integer)
    col_index: Mapped[int] = mapped_column(Integer)
    # read by OCR (None for a text layer): the recogniser's confidence, the cell's own box, why a person must look
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    flag: Mapped[str | None] = mapped_column(Text, nullable=True)
    cell_x0: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell_top: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell_x1: Mapped[float | None] = mapped_column(Float, nullable=True)
    cell_bottom: Mapped[float | None] = mapped_column(Float, nullable=True)


class NoteRow(Base):
    __tablename__ = "inspection_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    visit_date: Mapped[dt.date | None] = mapped_column(Date)
    inspector: Mapped[str | None] = mapped_column(String(100))
    site: Mapped[str | None] = mapped_column(Text)
    progress_actual: Mapped[Decimal | None] = mapped_column(Money)
    progress_planned: Mapped[Decimal | None] = mapped_column(Money)
    cost_spent: Mapped[Decimal | None] = mapped_column(Money)
    cost_budget: Mapped[Decimal | None] = mapped_column(Money)
    operating_status: Mapped[str | None] = mapped_column(String(20))
    problems: Mapped[list] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")


class CorrectionRow(Base):
    """An officer's correction of one figure; the extracted value stays in ``figures``."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    key: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(20), default="consolidated")
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    old_value: Mapped[Decimal | None] = mapped_column(Money)
    new_value: Mapped[Decimal | None] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AlertRow(Base):
    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list] = mapped_column(JSON, default=list)  # [{document, page}]
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class CovenantResultRow(Base):
    __tablename__ = "covenant_results"
    __table_args__ = (UniqueConstraint("covenant_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    covenant_id: Mapped[int] = mapped_column(ForeignKey("covenants.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(20))  # pass | breach | unknown
    headroom: Mapped[Decimal | None] = mapped_column(Money)
    tested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class MemoRow(Base):
    __tablename__ = "memos"
    __table_args__ = (UniqueConstraint("client_id", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(10), default="md")
    content: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class LedgerRow(Base):
    """One link of the hash chain; ``seq`` is unique so concurrent appends cannot fork it."""

    __tablename__ = "ledger"
    __table_args__ = (Index("ix_ledger_entity_entity_id", "entity", "entity_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer)
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # canonical JSON: an event's particulars (a login, a denied access, an export) or, for a user or a
    # facility, the digest of each of its rows (so ``verify`` names the covenant or assignment that changed)
    detail: Mapped[str | None] = mapped_column(Text)


class IndexStateRow(Base):
    """Which documents the retrieval index holds (recorded in the ledger: it decides what search can find)."""

    __tablename__ = "index_state"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    indexed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class UserRow(Base):
    """A person who logs in to the app; the password is kept only as a salted scrypt hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # officer | reviewer | admin
    password_hash: Mapped[str] = mapped_column(String(300))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AssignmentRow(Base):
    """An officer in charge of a client."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("user_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)


class StatementReviewRow(Base):
    """An officer's confirmation of a statement flagged for review (its warnings read and accepted).

    A statement is *flagged* when it carries extraction warnings (``StatementRow.warnings``,
    stored with it at ingest) and has no row here; its figures are unconfirmed until then.
    Both people are kept: who ingested the document and who confirmed it.
    """

    __tablename__ = "statement_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"), unique=True, index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    warnings: Mapped[list] = mapped_column(JSON, default=list)  # what the confirmer accepted
    uploaded_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class ChangeReviewRow(Base):
    """A checker's decision on a maker's change: a figure correction or a classification/grade decision.

    The maker's row (``corrections``, ``decisions``) never changes; this row says whether a
    second person confirmed or rejected it. No row: the change is *pending* and decides nothing.
    """

    __tablename__ = "change_reviews"
    __table_args__ = (UniqueConstraint("entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))  # correction | decision
    entity_id: Mapped[int] = mapped_column(Integer)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))  # confirmed | rejected
    by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class DecisionRow(Base):
    """A person's final 五级分类 (``classification``) or rating (``grade``) for a client and period.

    The system's suggestion is kept beside the decided value; the decision counts once a
    second person confirms it (``ChangeReviewRow``).
    """

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # classification | grade
    suggested: Mapped[str | None] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(20))
    justification: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class AuthSessionRow(Base):
    """A login: the app's cookie or a ``loanwatch login`` token, kept only as its sha256.

    Recorded in the ledger when opened and when revoked (``last_seen_at`` alone is left out of the
    recorded content: it moves with every request). Valid while not revoked, the user is active
    and recorded, and neither the idle nor the absolute limit has passed.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10))  # app | cli
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)  # the absolute limit
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(40))


class LoginAttemptRow(Base):
    """One login attempt by name (known or not): the throttle counts the failures since the last success."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(10))  # ok | fail | locked | reset
    source: Mapped[str] = mapped_column(String(10))  # app | cli


class WatchEventRow(Base):
    """One step of a client's watch-list history: enter, update, review or leave (with a reason)."""

    __tablename__ = "watch_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # enter | update | review | leave
    source: Mapped[str] = mapped_column(String(20))  # rule | officer
    reason: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(100))
    next_review: Mapped[dt.date | None] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class WarningItemRow(Base):
    """An early warning handled as work: acknowledged, assigned, commented and resolved with the action taken."""

    __tablename__ = "warning_items"
    __table_args__ = (UniqueConstraint("client_id", "period", "rule", "message"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    period: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | acknowledged | resolved
    assignee: Mapped[str | None] = mapped_column(String(100))
    action_taken: Mapped[str | None] = mapped_column(String(40))  # see assistant.workitems.ACTIONS
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    events: Mapped[list["WarningEventRow"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="WarningEventRow.id"
    )


class WarningEventRow(Base):
    """One step of a warning item's history (who did what, when, and what they wrote)."""

    __tablename__ = "warning_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("warning_items.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # open | ack | assign | comment | resolve
    actor: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)

    item: Mapped[WarningItemRow] = relationship(back_populates="events")


class ExposureChangeRow(Base):
    """A maker's edit of a facility's exposure data in the app, pending until a second person confirms it.

    ``target`` is the row edited — the facility itself (``drawn``, ``outstanding``), one of its
    instalments (``repayment``: ``paid_on``, ``paid_amount``) or one of its securities
    (``security``: ``value``, ``valuation_date``) — and ``fields`` maps each edited column to
    ``{"old": text, "new": text}`` (null for an empty value). The row never changes; the
    checker's ``ChangeReviewRow`` (entity ``exposure``) says whether it was confirmed, and a
    confirmation writes the new values into the facility (see ``assistant.exposure_edit``).
    """

    __tablename__ = "exposure_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), index=True)
    target: Mapped[str] = mapped_column(String(20))  # facility | repayment | security
    target_id: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class ClientRowCache(Base):
    """One client's assessed row (``assistant.chat.board``) as it was last built: a cache, not a fact.

    Not in the ledger's chain and never written from a ledger entry: a missing, damaged or
    outdated row is rebuilt from the facts, so deleting every row loses nothing. ``seq`` and
    ``ledger_hash`` are the ledger entry the row reflects, ``as_of`` the assessment date, ``key``
    the rules, trained model and code it was computed with, ``format`` the layout of ``payload``.
    """

    __tablename__ = "client_row_cache"

    client_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # no foreign key: a cache never blocks a write
    as_of: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    format: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    ledger_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    built_at: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    # the row's summary (``assistant.chat.rowsummary``), written with the payload in one INSERT: lists read these
    name: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(200))
    officer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    has_figures: Mapped[bool] = mapped_column(Boolean)
    grade: Mapped[str] = mapped_column(String(4))
    category: Mapped[str] = mapped_column(String(16))
    category_level: Mapped[int] = mapped_column(Integer)
    book_category: Mapped[str] = mapped_column(String(16))
    overdue_days: Mapped[int] = mapped_column(Integer)
    days_past_due: Mapped[int] = mapped_column(Integer)
    alerts: Mapped[int] = mapped_column(Integer)
    alerts_high: Mapped[int] = mapped_column(Integer)
    alerts_medium: Mapped[int] = mapped_column(Integer)
    alerts_low: Mapped[int] = mapped_column(Integer)
    high_confirmed: Mapped[int] = mapped_column(Integer)
    alerts_other: Mapped[int] = mapped_column(Integer)
    high_rules: Mapped[int] = mapped_column(Integer)
    covenants: Mapped[int] = mapped_column(Integer)
    breaches: Mapped[int] = mapped_column(Integer)
    passed: Mapped[int] = mapped_column(Integer)
    thin: Mapped[int] = mapped_column(Integer)
    untestable: Mapped[int] = mapped_column(Integer)
    flagged: Mapped[int] = mapped_column(Integer)
    last_statement: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_items: Mapped[int] = mapped_column(Integer)
    exposure: Mapped[str] = mapped_column(Text)
    outstanding: Mapped[str] = mapped_column(Text)
    # the row's alerts as ``status.alert_json`` lists them (compact JSON, "[]" for none): ``alerts`` reads these, no payload
    alerts_json: Mapped[str] = mapped_column(Text)
