"""Statements flagged for review, and the officer's confirmation that releases their figures.

A statement is *flagged for review* when the extractor put warnings on it (unit not printed
where expected, columns without periods, a failed identity, missing core keys, cells that
are not numbers …): the warnings are stored with it at ingest, and until an officer confirms
it every figure read from it is unconfirmed (``Fact.unconfirmed``) — shown, never deciding.

``flagged(store)`` lists what awaits review; ``confirm(store, ref, by=…, reason=…)``
confirms one statement (``S12``) or every flagged statement of a document (``D5``, ``5`` or
its file name). The confirmer must be a user of this home who may reach the client, and not
the person who ingested the document (four eyes: the maker of the upload does not check it);
both names are stored with the confirmation, which is recorded in the hash-chained ledger.
A confirmed correction of a figure (``figures set`` by one user, ``figures confirm`` by
another: ``assistant.makerchecker``) also releases that one figure.

``flagged_figures(store, ref)`` lists the figures of a flagged statement (or document) that were
flagged one by one (read by OCR: low confidence, a failed identity, a subtotal ≠ its rows), each
with its confidence and cell box; ``cell_image(store, figure_id)`` cuts that cell out of the
stored page, so the officer sees what was read beside the value.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from sqlalchemy import select

from assistant import ledger
from assistant.errors import AccessDeniedError, ConfigError, NotFoundError
from assistant.store.db import Store
from assistant.store.schema import Client, DocumentRow, FigureRow, StatementReviewRow, StatementRow
from assistant.store.snapshot import flagged_statements

_STATEMENT_REF = re.compile(r"^[Ss](\d+)$")
_DOCUMENT_REF = re.compile(r"^[Dd]?(\d+)$")


@dataclass
class Flagged:
    """One statement awaiting review, as the CLI and the app list it."""

    statement_id: int
    document_id: int
    document: str
    client: str
    client_id: int
    kind: str
    scope: str
    pages: list[int]
    warnings: list[str]
    uploaded_by: str | None

    def to_json(self) -> dict:
        return {"ref": f"S{self.statement_id}", **asdict(self)}


def flagged(store: Store, *, client_ids: frozenset[int] | set[int] | None = None) -> list[Flagged]:
    """Every statement flagged for review (of ``client_ids`` when given), by client and statement."""
    with store.session() as s:
        q = select(Client.id, Client.name).order_by(Client.name)
        clients = [(cid, name) for cid, name in s.execute(q) if client_ids is None or cid in client_ids]
        by_client = flagged_statements(s, [cid for cid, _ in clients]) if clients else {}
    return [Flagged(f.statement_id, f.document_id, f.document, name, cid, f.kind, f.scope, f.pages, f.warnings,
                    f.uploaded_by)
            for cid, name in clients for f in by_client.get(cid, [])]


def confirm(store: Store, ref: str | int, *, by: str, reason: str,
            client_ids: frozenset[int] | None = None) -> list[StatementReviewRow]:
    """Confirm the flagged statement ``S<id>``, or every flagged statement of document ``D<id>``/``<id>``/name.

    ``by`` must name a user of this home who may reach the client (``assistant.access``) and
    must not be the document's uploader. ``client_ids`` further limits the reachable clients
    (the app passes the logged-in user's). Returns the confirmations stored (ledger: one
    ``statement_review`` entry each, actor ``by``).
    """
    from assistant.access import get_user, visible_client_ids

    if not reason.strip():
        raise ConfigError("a confirmation needs a reason", hint="say what you checked, e.g. --reason \"unit checked on p.3: 元\"")
    user = get_user(store, by)  # NotFoundError names `loanwatch user add`
    reachable = visible_client_ids(store, user)
    if client_ids is not None:
        reachable = reachable & client_ids
    with store.transaction() as s:
        rows = _statements(s, str(ref))
        if not rows or rows[0][1].client_id not in reachable:
            raise AccessDeniedError(f"no statement or document {ref!r} among the clients {user.name} may reach")
        waiting = flagged_statements(s, [rows[0][1].client_id]).get(rows[0][1].client_id, [])
        pending = {f.statement_id: f for f in waiting}
        todo = [(st, doc) for st, doc in rows if st.id in pending]
        if not todo:
            what = f"statement S{rows[0][0].id}" if len(rows) == 1 and _STATEMENT_REF.match(str(ref)) else rows[0][1].name
            raise ConfigError(f"{what}: nothing flagged for review (no warnings, or already confirmed)",
                              hint="`loanwatch review list` shows what awaits review")
        out = []
        for st, doc in todo:
            uploader = pending[st.id].uploaded_by
            if uploader is not None and uploader == user.name:
                raise AccessDeniedError(f"{doc.name} was ingested by {user.name}: a second person must confirm it",
                                        hint="ask a reviewer or another officer of this client")
            row = StatementReviewRow(statement_id=st.id, document_id=doc.id, client_id=doc.client_id,
                                     warnings=list(st.warnings), uploaded_by=uploader, confirmed_by=user.name,
                                     reason=reason.strip())
            s.add(row)
            s.flush()
            ledger.record(s, row, action="statement.confirm", actor=user.name)
            out.append(row)
        return out


@dataclass
class FlaggedFigure:
    """One figure flagged on its own, with what the officer needs to check it against the page."""

    figure_id: int
    statement_id: int
    document: str
    page: int
    label: str
    column: str
    printed: str | None
    value: str | None
    confidence: float | None
    flag: str
    bbox: tuple[float, float, float, float] | None  # the cell, in points (top-left origin)


def flagged_figures(store: Store, ref: str | int, *, client_ids: frozenset[int] | set[int] | None = None) -> list[FlaggedFigure]:
    """The individually flagged figures of statement ``S<id>`` or of document ``D<id>``/name, in page order."""
    with store.session() as s:
        rows = _statements(s, str(ref))
        if rows and client_ids is not None and rows[0][1].client_id not in client_ids:
            raise AccessDeniedError(f"no statement or document {ref!r} among your clients")
        ids = [st.id for st, _ in rows]
        names = {st.id: doc.name for st, doc in rows}
        figs = s.execute(select(FigureRow).where(FigureRow.statement_id.in_(ids or [-1]), FigureRow.flag.is_not(None))
                         .order_by(FigureRow.page, FigureRow.top, FigureRow.col_index)).scalars()
        out = []
        for f in figs:
            box = (f.cell_x0, f.cell_top, f.cell_x1, f.cell_bottom)
            out.append(FlaggedFigure(f.id, f.statement_id, names[f.statement_id], f.page, f.label, f.column_label,
                                     f.printed, None if f.value is None else str(f.value), f.confidence, f.flag,
                                     None if None in box else box))
        return out


def cell_image(store: Store, figure_id: int, *, client_ids: frozenset[int] | set[int] | None = None,
               dpi: float = 200.0) -> bytes:
    """PNG of a figure's cell cut from the stored page (its row when the cell has no box of its own)."""
    from pathlib import Path

    from extractors.render import render_cell_png

    with store.session() as s:
        f = s.get(FigureRow, figure_id)
        if f is None:
            raise NotFoundError(f"no figure {figure_id}")
        if client_ids is not None and f.client_id not in client_ids:
            raise AccessDeniedError(f"figure {figure_id} is not among your clients' figures")
        doc = s.get(DocumentRow, f.document_id)
        box = (f.cell_x0, f.cell_top, f.cell_x1, f.cell_bottom)
        if None in box:
            box = (f.x0, f.top, f.x1, f.bottom)
        page, stored = f.page, doc.stored_path
    return render_cell_png(Path(store.home) / stored, page, box, dpi=dpi)


def _statements(s, ref: str) -> list[tuple[StatementRow, DocumentRow]]:  # noqa: ANN001 - a Session
    """The statement ``S<id>``, or the statements of a document by id or file name."""
    ref = ref.strip()
    m = _STATEMENT_REF.match(ref)
    if m:
        st = s.get(StatementRow, int(m.group(1)))
        return [] if st is None else [(st, s.get(DocumentRow, st.document_id))]
    m = _DOCUMENT_REF.match(ref)
    doc = s.get(DocumentRow, int(m.group(1))) if m else None
    if doc is None:
        docs = list(s.execute(select(DocumentRow).where(DocumentRow.name == ref).order_by(DocumentRow.id)).scalars())
        if len(docs) > 1:
            raise ConfigError(f"{len(docs)} documents are named {ref!r}", hint="give the document id, e.g. D12")
        doc = docs[0] if docs else None
    if doc is None:
        raise NotFoundError(f"no statement or document {ref!r}",
                            hint="give S<statement id> or D<document id> as `loanwatch review list` shows them")
    sts = s.execute(select(StatementRow).where(StatementRow.document_id == doc.id).order_by(StatementRow.id)).scalars()
    return [(st, doc) for st in sts]


__all__ = ["Flagged", "FlaggedFigure", "cell_image", "confirm", "flagged", "flagged_figures"]
