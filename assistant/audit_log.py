"""The audit page's rows: ledger entries filtered by user, client, action and date, and their CSV/Excel exports.

``entries(store, viewer, Filter(...))`` gives the rows the page shows; ``write_csv`` and
``write_xlsx`` write exactly those rows (the export is recorded in the ledger as
``export.audit`` by :func:`export`). Each entry is tied to its client through the row it
records (a statement through its document, a covenant result through its facility …) or, for
events, the client it names. Reviewers and admins see every entry; an officer sees the entries
of the clients they may reach and their own.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.access import User, visible_client_ids
from assistant.errors import ConfigError
from assistant.store import schema as t
from assistant.store.db import Store

COLUMNS = ("seq", "time (UTC)", "user", "action", "entity", "entity id", "client", "detail", "hash")
_CLIENT_EVENTS = ("access", "export")  # event entities whose entity_id is a client id


@dataclass(frozen=True)
class Filter:
    user: str = ""  # the actor, exactly
    client: int | None = None  # a client id
    action: str = ""  # an action, or its family ("login" matches login.ok, login.fail …)
    since: dt.date | None = None  # inclusive, UTC
    until: dt.date | None = None  # inclusive, UTC


@dataclass(frozen=True)
class Entry:
    seq: int
    ts: str
    actor: str
    action: str
    entity: str
    entity_id: int | None
    client: str
    detail: str
    hash: str

    def cells(self) -> list:
        return [self.seq, self.ts[:19].replace("T", " "), self.actor, self.action, self.entity,
                "" if self.entity_id is None else self.entity_id, self.client, self.detail, self.hash]


def parse_day(text: str | None, what: str) -> dt.date | None:
    """A YYYY-MM-DD from a form field (empty: none); a wrong spelling names the field."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ConfigError(f"{what} {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-11-10") from exc


def _owners(s: Session) -> dict[str, dict[int, int]]:
    """entity → {entity id → client id} for every recorded entity that belongs to a client."""
    def pairs(q) -> dict[int, int]:  # noqa: ANN001
        return {a: b for a, b in s.execute(q).all()}

    docs = pairs(select(t.DocumentRow.id, t.DocumentRow.client_id))
    facilities = pairs(select(t.FacilityRow.id, t.FacilityRow.client_id))
    covenants = {c: facilities.get(f) for c, f in s.execute(select(t.CovenantRow.id, t.CovenantRow.facility_id)).all()}
    return {
        "client": {c: c for (c,) in s.execute(select(t.Client.id)).all()},
        "facility": facilities,
        "document": docs,
        "statement": {st: docs.get(d) for st, d in s.execute(select(t.StatementRow.id, t.StatementRow.document_id)).all()},
        "note": pairs(select(t.NoteRow.id, t.NoteRow.client_id)),
        "correction": pairs(select(t.CorrectionRow.id, t.CorrectionRow.client_id)),
        "alert": pairs(select(t.AlertRow.id, t.AlertRow.client_id)),
        "memo": pairs(select(t.MemoRow.id, t.MemoRow.client_id)),
        "covenant_result": {r: covenants.get(c) for r, c in
                            s.execute(select(t.CovenantResultRow.id, t.CovenantResultRow.covenant_id)).all()},
        "statement_review": pairs(select(t.StatementReviewRow.id, t.StatementReviewRow.client_id)),
        "index_state": {d: docs.get(d) for (d,) in s.execute(select(t.IndexStateRow.document_id)).all()},
    }


def _detail(text: str | None) -> str:
    if not text:
        return ""
    data = json.loads(text)
    data.pop("row_digests", None)  # for verify, not for people
    return ", ".join(f"{k}={v}" for k, v in sorted(data.items()))


def entries(store: Store, viewer: User, flt: Filter = Filter(), *, limit: int = 2000) -> list[Entry]:
    """The ledger entries ``viewer`` may see that match ``flt``, newest first (at most ``limit``)."""
    visible = visible_client_ids(store, viewer)
    if flt.client is not None and flt.client not in visible:
        from assistant.access import require_client

        require_client(store, viewer, flt.client)  # raises AccessDeniedError (recorded by the caller)
    with store.session() as s:
        owners = _owners(s)
        names = dict(s.execute(select(t.Client.id, t.Client.name)).all())
        q = select(t.LedgerRow).order_by(t.LedgerRow.seq.desc())
        if flt.user:
            q = q.where(t.LedgerRow.actor == flt.user)
        if flt.action:
            q = q.where((t.LedgerRow.action == flt.action) | t.LedgerRow.action.startswith(flt.action.rstrip(".") + "."))
        if flt.since:
            q = q.where(t.LedgerRow.ts >= flt.since.isoformat())
        if flt.until:
            q = q.where(t.LedgerRow.ts < (flt.until + dt.timedelta(days=1)).isoformat())
        out: list[Entry] = []
        for e in s.execute(q.execution_options(yield_per=500)).scalars():
            if e.entity in _CLIENT_EVENTS:
                client = e.entity_id
            else:
                client = owners.get(e.entity, {}).get(e.entity_id) if e.entity_id is not None else None
            if flt.client is not None and client != flt.client:
                continue
            if not viewer.sees_everything and client not in visible and e.actor != viewer.name:
                continue
            out.append(Entry(e.seq, e.ts, e.actor, e.action, e.entity, e.entity_id, names.get(client, ""),
                             _detail(e.detail), e.hash[:16]))
            if len(out) >= limit:
                break
    return out


def actions(store: Store) -> list[str]:
    """The actions the ledger holds (for the page's filter)."""
    with store.session() as s:
        return sorted(a for (a,) in s.execute(select(t.LedgerRow.action).distinct()))


def write_csv(rows: list[Entry], path: Path) -> Path:
    """The rows as UTF-8 CSV with a BOM (Excel opens Chinese text right)."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow([_cell(c) for c in r.cells()])
    return path


def write_xlsx(rows: list[Entry], path: Path) -> Path:
    """The rows as an Excel workbook (one sheet, a header row, frozen)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "audit"
    ws.append(list(COLUMNS))
    for r in rows:
        ws.append([_cell(c) for c in r.cells()])
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


def _cell(value):  # noqa: ANN001, ANN202
    """Text that a spreadsheet would run as a formula gets a leading apostrophe (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export(store: Store, viewer: User, flt: Filter, fmt: str, folder: Path) -> Path:
    """Write the filtered rows to ``folder`` as ``audit.csv`` or ``audit.xlsx`` and record the export."""
    from assistant import ledger

    if fmt not in ("csv", "xlsx"):
        raise ConfigError(f"unknown export format {fmt!r}", hint="use csv or xlsx")
    rows = entries(store, viewer, flt)
    path = Path(folder) / f"audit.{fmt}"
    (write_csv if fmt == "csv" else write_xlsx)(rows, path)
    with store.transaction() as s:
        ledger.event_entry(s, actor=viewer.name, action="export.audit", entity="export", entity_id=flt.client,
                           format=fmt, rows=len(rows), user=flt.user or None, action_filter=flt.action or None,
                           since=flt.since.isoformat() if flt.since else None,
                           until=flt.until.isoformat() if flt.until else None)
    return path


def record_export(store: Store, actor: str, action: str, client: int | str | None, **detail) -> None:  # noqa: ANN003
    """Record an export or a download (``export.memo``, ``download.memo`` …) of one client's data, or of none."""
    from assistant import ledger
    from assistant.store.repo import get_client

    with store.transaction() as s:
        client_id = get_client(s, client).id if isinstance(client, str) else client
        ledger.event_entry(s, actor=actor, action=action, entity="export", entity_id=client_id, **detail)


__all__ = ["COLUMNS", "Entry", "Filter", "actions", "entries", "export", "parse_day", "record_export", "write_csv", "write_xlsx"]
