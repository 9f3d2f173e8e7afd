"""Read a client's rows with SQLAlchemy and build its ``ClientSnapshot`` (``assistant.store.build``).

``load_snapshots`` builds many at once from one query per table (``_fetch``) — the
portfolio's alerts and page — and ``load_snapshot`` is the same for one client. The reading
rules (which report wins, scope, corrections, derived quarters) live in ``build``, shared
with the standard-library reader ``assistant.store.lite``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session, selectinload

from assistant.domain import ClientSnapshot, FlaggedStatement
from assistant.errors import NotFoundError
from assistant.store.build import Figure, Rows, build, flagged_from
from assistant.store.db import Store
from assistant.store.repo import get_client
from assistant.store.schema import (
    ChangeReviewRow,
    Client,
    CorrectionRow,
    DocumentRow,
    FacilityRow,
    FigureRow,
    LedgerRow,
    NoteRow,
    StatementReviewRow,
    StatementRow,
    WarningItemRow,
)

_BATCH = 500  # client ids per IN (...) list: well under every database's parameter limit


def load_snapshot(source: Session | Store, client: str | int | Client, *, as_of: dt.date | None = None) -> ClientSnapshot:
    """The client's snapshot from a session or a store (a client row, id, name or alias)."""
    if isinstance(source, Store):
        with source.session() as session:
            return load_snapshot(session, client, as_of=as_of)
    row = client if isinstance(client, Client) else get_client(source, client)
    return build(row, _fetch(source, [row.id]), as_of)


def load_snapshots(source: Session | Store, client_ids: Iterable[int], *,
                   as_of: dt.date | None = None) -> dict[int, ClientSnapshot]:
    """The snapshots of ``client_ids`` (id → snapshot), read with one query per table per batch.

    Exactly what ``load_snapshot`` gives for each id; an id that is not stored raises NotFoundError.
    """
    if isinstance(source, Store):
        with source.session() as session:
            return load_snapshots(session, client_ids, as_of=as_of)
    ids = list(dict.fromkeys(int(i) for i in client_ids))
    out: dict[int, ClientSnapshot] = {}
    for start in range(0, len(ids), _BATCH):
        batch = ids[start:start + _BATCH]
        rows = _fetch(source, batch)
        for cid in batch:
            if cid not in rows.clients:
                raise NotFoundError(f"no client with id {cid}")
            out[cid] = build(rows.clients[cid], rows, as_of)
    return out


def _fetch(session: Session, ids: list[int]) -> Rows:
    out = Rows()
    out.clients = {c.id: c for c in session.execute(select(Client).where(Client.id.in_(ids))).scalars()}
    for d in session.execute(select(DocumentRow).where(DocumentRow.client_id.in_(ids)).order_by(DocumentRow.id)).scalars():
        out.documents[d.client_id].append(d)
    f = FigureRow.__table__.c  # table columns: a plain query, no ORM row loading (the bulk of the rows)
    for r in session.execute(
        select(f.key, f.scope, f.period_start, f.period_end, f.document_id, f.value, f.page, f.label, f.client_id,
               f.currency, f.statement_id)
        .where(f.client_id.in_(ids), f.key.is_not(None), f.period_end.is_not(None))
        .order_by(f.id)
    ):
        out.figures[r.client_id].append(Figure(*r[:8], r.currency, r.statement_id))  # plain tuples: cheaper than rows
    out.flagged = flagged_statements(session, ids)
    for c in session.execute(select(CorrectionRow).where(CorrectionRow.client_id.in_(ids))
                             .order_by(CorrectionRow.id)).scalars():
        out.corrections[c.client_id].append(c)
    for r in session.execute(select(ChangeReviewRow).where(ChangeReviewRow.client_id.in_(ids),
                                                           ChangeReviewRow.entity == "correction")).scalars():
        out.reviews[r.entity_id] = r
    for fac in session.execute(select(FacilityRow).where(FacilityRow.client_id.in_(ids))
                               .options(selectinload(FacilityRow.covenants), selectinload(FacilityRow.schedule),
                                        selectinload(FacilityRow.securities))
                               .order_by(FacilityRow.id)).scalars():
        out.facilities[fac.client_id].append(fac)
    for n in session.execute(select(NoteRow).where(NoteRow.client_id.in_(ids)).order_by(NoteRow.id)).scalars():
        out.notes[n.client_id].append(n)
    for w in session.execute(select(WarningItemRow).where(WarningItemRow.client_id.in_(ids))
                             .options(selectinload(WarningItemRow.events)).order_by(WarningItemRow.id)).scalars():
        out.work[w.client_id].append(w)
    return out


def flagged_statements(session: Session, client_ids: list[int]) -> dict[int, list[FlaggedStatement]]:
    """Client id → its statements that carry extraction warnings and no officer's confirmation."""
    st, d = StatementRow.__table__.c, DocumentRow.__table__.c
    confirmed = set(session.execute(select(StatementReviewRow.statement_id)
                                    .where(StatementReviewRow.client_id.in_(client_ids))).scalars())
    rows = [r for r in session.execute(
        select(st.id, st.document_id, st.kind, st.scope, st.pages, st.warnings, d.client_id, d.name)
        .join(DocumentRow.__table__, d.id == st.document_id)
        .where(d.client_id.in_(client_ids), cast(st.warnings, String) != "[]")  # most statements carry no warning: not loaded
        .order_by(st.id)) if r.warnings and r.id not in confirmed]
    uploaders = dict(session.execute(
        select(LedgerRow.entity_id, LedgerRow.actor).where(
            LedgerRow.entity == "document", LedgerRow.action == "document.ingest",
            LedgerRow.entity_id.in_({r.document_id for r in rows})).order_by(LedgerRow.seq)).all()) if rows else {}
    return flagged_from(rows, uploaders)
