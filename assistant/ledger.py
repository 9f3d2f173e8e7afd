"""The audit ledger: an append-only, hash-chained record of everything the store changes.

Each entry's ``hash`` is the sha256 of the canonical JSON of
``{seq, ts, actor, action, entity, entity_id, payload_digest, prev_hash}``; ``prev_hash``
is the previous entry's hash (64 zeros for the first). ``payload_digest`` is the sha256 of
the recorded row's stored content (a statement's digest covers its figures; a facility's,
its covenants and repayment schedule), so ``verify()`` finds both a tampered chain and
records edited, inserted or deleted directly in the database.

Appends must run inside ``Store.transaction()``, which holds the write lock: the chain
cannot fork, and an entry commits together with the rows it describes.

Coverage: every table that grants power or holds facts is a recorded entity, and every row of
the ``_COVERED`` entities must be in the ledger — users (their role, password hash, active flag
and assignments), sessions, facilities (with covenants and repayments), index state, statement
reviews and the rest. A user's and a facility's entry also keep the digest of each of their rows
in ``detail``, so a changed covenant or assignment is named, not just its parent.

Events — a login, a denied access, an export — are entries of entities that are not tables
(``login``, ``access``, ``export``): their particulars are in ``detail``, and they never stand for a
row's state (an event cannot launder a row edited behind the ledger's back).

Anchoring: with ``LOANWATCH_ANCHOR_FILE`` set (a file outside LOANWATCH_HOME), every committed
transaction that appended entries adds its new head (``seq hash ts``) to that file, and ``verify``
checks each anchored entry is still in the chain — deleting the tail (rows and their entries
together) is found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event, func, insert, select
from sqlalchemy.orm import Session

from assistant.chain import GENESIS, anchor_path, canonical_json, entry_hash, sha, write_anchor
from assistant.store import schema as t

#: entity name → (table, child tables whose rows are part of its content, child FK column)
_ENTITIES: dict[str, tuple[Table, tuple[tuple[Table, str], ...]]] = {
    "client": (t.Client.__table__, ()),
    "facility": (
        t.FacilityRow.__table__,
        ((t.CovenantRow.__table__, "facility_id"), (t.RepaymentRow.__table__, "facility_id"),
         (t.SecurityRow.__table__, "facility_id")),
    ),
    "document": (t.DocumentRow.__table__, ()),
    "statement": (t.StatementRow.__table__, ((t.FigureRow.__table__, "statement_id"),)),
    "figure": (t.FigureRow.__table__, ()),
    "note": (t.NoteRow.__table__, ()),
    "correction": (t.CorrectionRow.__table__, ()),
    "alert": (t.AlertRow.__table__, ()),
    "memo": (t.MemoRow.__table__, ()),
    "covenant_result": (t.CovenantResultRow.__table__, ()),
    "statement_review": (t.StatementReviewRow.__table__, ()),
    "change_review": (t.ChangeReviewRow.__table__, ()),
    "decision": (t.DecisionRow.__table__, ()),
    "exposure_change": (t.ExposureChangeRow.__table__, ()),
    # a user's content covers its assignments: creation, role/password resets and assignments are recorded
    "user": (t.UserRow.__table__, ((t.AssignmentRow.__table__, "user_id"),)),
    "session": (t.AuthSessionRow.__table__, ()),
    "index_state": (t.IndexStateRow.__table__, ()),  # keyed by document_id
    "watch_event": (t.WatchEventRow.__table__, ()),
    # a warning item's content covers its history (acknowledged, assigned, commented, resolved)
    "warning_item": (t.WarningItemRow.__table__, ((t.WarningEventRow.__table__, "item_id"),)),
}
#: entities whose every row must be covered by a ledger entry (figures are covered by their statement)
_COVERED = ("client", "facility", "document", "statement", "note", "correction", "alert", "memo", "covenant_result",
            "statement_review", "change_review", "decision", "exposure_change", "user", "session", "index_state", "watch_event", "warning_item")
#: entities whose entries keep each child row's digest in ``detail`` (to name the row that changed)
_NAMED_CHILDREN = ("facility", "user")
#: a child table's rows named in problems: table → singular
_CHILD_NAMES = {"covenants": "covenant", "repayments": "repayment", "assignments": "assignment", "figures": "figure",
                "securities": "security", "warning_events": "warning event"}
#: columns left out of a row's recorded content (they move on every read)
_VOLATILE = {"auth_sessions": frozenset({"last_seen_at"})}
#: columns added to a recorded table after rows were recorded (revision 0009) → their default: a row at
#: the default digests as before the column existed, so upgraded databases still verify
_LATER_COLUMNS: dict[str, dict[str, Any]] = {"facilities": {"annual_reporting_days": 120, "inspection_days": 90}}
#: figure columns added by revision 0008 (OCR confidence and cell box): left out of a digest while empty
_LATE_COLUMNS = frozenset({"confidence", "flag", "cell_x0", "cell_top", "cell_x1", "cell_bottom"})
#: child tables added after rows were recorded: left out of a digest while empty, for the same reason
_LATER_CHILDREN = frozenset({"securities"})


@dataclass(frozen=True)
class Problem:
    """One disagreement between the ledger and the database."""

    where: str  # "ledger #12" or "statement 7"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _row_dict(row: Any, table: Table) -> dict[str, Any]:
    skip = _VOLATILE.get(table.name, frozenset())
    later = _LATER_COLUMNS.get(table.name, {})
    return {k: (repr(v) if isinstance(v, float) else v) for k, v in row._mapping.items()
            if k not in skip and not (k in later and v == later[k]) and not (v is None and k in _LATE_COLUMNS)}


def _pk(table: Table):  # noqa: ANN202 - a Column
    (col,) = table.primary_key.columns
    return col


def content_digest(session: Session, entity: str, entity_id: int) -> str | None:
    """sha256 of the stored row (and its children), or None when the row does not exist."""
    table, children = _ENTITIES[entity]
    row = session.execute(select(table).where(_pk(table) == entity_id)).first()
    if row is None:
        return None
    content: dict[str, Any] = {"row": _row_dict(row, table)}
    for child, fk in children:
        rows = session.execute(select(child).where(child.c[fk] == entity_id).order_by(_pk(child))).all()
        if rows or child.name not in _LATER_CHILDREN:
            content[child.name] = [_row_dict(r, child) for r in rows]
    return sha(canonical_json(content))


def _row_digests(session: Session, entity: str, entity_id: int) -> dict[str, dict[str, str]]:
    """{table: {row id: digest}} of an entity's own row and each of its children's rows."""
    table, children = _ENTITIES[entity]
    out: dict[str, dict[str, str]] = {}
    row = session.execute(select(table).where(_pk(table) == entity_id)).first()
    out[table.name] = {} if row is None else {str(entity_id): sha(canonical_json(_row_dict(row, table)))[:32]}
    for child, fk in children:
        rows = session.execute(select(child).where(child.c[fk] == entity_id).order_by(_pk(child))).all()
        pk = _pk(child).name
        out[child.name] = {str(r._mapping[pk]): sha(canonical_json(_row_dict(r, child)))[:32] for r in rows}
    return out


def append(session: Session, *, actor: str, action: str, entity: str, entity_id: int | None = None,
           payload_digest: str | None = None, detail: dict[str, Any] | None = None) -> t.LedgerRow:
    """Add one entry; the digest of a named row is taken from what is stored now.

    ``detail`` (JSON-able) is kept with the entry and covered by its hash: an event's particulars.
    """
    if entity in _ENTITIES and entity_id is not None and payload_digest is None and action != "delete":
        session.flush()
        payload_digest = content_digest(session, entity, entity_id)
        if entity in _NAMED_CHILDREN:
            detail = {**(detail or {}), "row_digests": _row_digests(session, entity, entity_id)}
    text = canonical_json(detail) if detail is not None else None
    last = session.execute(select(t.LedgerRow.seq, t.LedgerRow.hash).order_by(t.LedgerRow.seq.desc()).limit(1)).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    values = dict(seq=seq, ts=ts, actor=actor, action=action, entity=entity, entity_id=entity_id,
                  payload_digest=payload_digest, prev_hash=prev,
                  hash=entry_hash(seq=seq, ts=ts, actor=actor, action=action, entity=entity, entity_id=entity_id,
                                  payload_digest=payload_digest, prev_hash=prev, detail=text))
    if text is not None:  # left out, not NULL: a database not yet migrated past 0007 can still append
        values["detail"] = text
    session.execute(insert(t.LedgerRow.__table__).values(**values))
    entry = t.LedgerRow(**values)  # a detached copy for the caller
    _anchor_on_commit(session, entry)
    return entry


def event_entry(session: Session, *, actor: str, action: str, entity: str, entity_id: int | None = None,
                **detail: Any) -> t.LedgerRow:
    """Record an event (a login, a denied access, an export): not a row's state, its particulars in ``detail``."""
    if entity in _ENTITIES:
        raise ValueError(f"{entity!r} is a table: record its rows with record(), events under another name")
    return append(session, actor=printable(actor), action=action, entity=entity, entity_id=entity_id,
                  detail={k: v for k, v in detail.items() if v is not None} or None)


def printable(text: str, limit: int = 100) -> str:
    """A name typed by someone (a failed login's user name) made safe to keep: printable, bounded."""
    clean = "".join(ch if ch.isprintable() else "\ufffd" for ch in str(text))
    return clean[:limit]


def is_recorded(session: Session, entity: str, entity_id: int) -> bool:
    """True when the row's stored content is what the ledger last recorded for it (not inserted or edited behind it)."""
    entry = session.execute(
        select(t.LedgerRow.payload_digest, t.LedgerRow.action)
        .where(t.LedgerRow.entity == entity, t.LedgerRow.entity_id == entity_id)
        .order_by(t.LedgerRow.seq.desc()).limit(1)).first()
    if entry is None or entry.action == "delete":
        return False
    return entry.payload_digest == content_digest(session, entity, entity_id)


# ---------------------------------------------------------------- anchoring


def _anchor_on_commit(session: Session, entry: t.LedgerRow) -> None:
    if anchor_path() is None:
        return
    if "ledger_anchor" not in session.info:
        event.listen(session, "after_commit", _write_anchor)
        event.listen(session, "after_rollback", _forget_anchor)
    session.info["ledger_anchor"] = (entry.seq, entry.hash, entry.ts)


def _forget_anchor(session: Session) -> None:
    session.info.pop("ledger_anchor", None)


def _write_anchor(session: Session) -> None:
    """After the commit: append ``seq hash ts`` to the anchor file (``chain.write_anchor``)."""
    head = session.info.pop("ledger_anchor", None)
    if head is not None:
        write_anchor(*head)


def read_anchors(path: Path) -> list[tuple[int, str]]:
    """(seq, hash) of each line of an anchor file (``seq hash [ts]``); malformed lines are skipped by the caller's check."""
    out = []
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].isdigit() and len(parts[1]) == 64:
            out.append((int(parts[0]), parts[1]))
    return out


def _verify_anchors(session: Session, path: Path) -> list[Problem]:
    hashes = dict(session.execute(select(t.LedgerRow.seq, t.LedgerRow.hash)).all())
    if not path.is_file():
        return [Problem("anchor", f"{path} is missing although the ledger holds {len(hashes)} entries")] if hashes else []
    problems = []
    for seq, digest in read_anchors(path):
        if seq not in hashes:
            problems.append(Problem(f"ledger #{seq}", f"is anchored in {path.name} but missing from the ledger "
                                                      "(entries at its tail were deleted)"))
        elif hashes[seq] != digest:
            problems.append(Problem(f"ledger #{seq}", f"differs from its anchor in {path.name} (the chain was rewritten)"))
    return problems


def record(session: Session, row: Any, *, action: str, actor: str) -> t.LedgerRow:
    """Append an entry for an ORM row of a recorded entity (flushes it first)."""
    session.flush()
    return append(session, actor=actor, action=action, entity=_entity_of(row), entity_id=row.id)


def _entity_of(row: Any) -> str:
    for name, (table, _) in _ENTITIES.items():
        if row.__table__ is table:
            return name
    raise TypeError(f"{type(row).__name__} is not a recorded entity")


def head(session: Session) -> t.LedgerRow | None:
    """The newest entry (its hash anchors the whole history), or None for an empty ledger."""
    return session.execute(select(t.LedgerRow).order_by(t.LedgerRow.seq.desc()).limit(1)).scalar_one_or_none()


def head_line(session: Session) -> str:
    """The head as one line for a document's footer (an approved memo): ``ledger #N sha256:HASH``.

    Printed copies of approved memos then carry the chain's state at approval, a second anchor the
    bank keeps outside the system; ``audit verify`` cannot read paper, but a person can compare.
    """
    top = head(session)
    return f"ledger #{top.seq} sha256:{top.hash}" if top is not None else f"ledger #0 sha256:{GENESIS}"


def count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(t.LedgerRow)).scalar_one()


_FROM_SETTINGS: Any = object()


def verify(session: Session, *, home: Path | None = None, anchor: Path | None = _FROM_SETTINGS) -> list[Problem]:
    """Recompute the chain and re-hash every recorded row; an empty list means all agree.

    With ``home`` (LOANWATCH_HOME), also re-hash each document's stored copy against its sha256.
    ``anchor`` (default ``LOANWATCH_ANCHOR_FILE``; None: none) is checked against the chain.
    """
    problems = _verify_chain(session)
    latest: dict[tuple[str, int], t.LedgerRow] = {}
    for entry in session.execute(select(t.LedgerRow).order_by(t.LedgerRow.seq)).scalars():
        if entry.entity in _ENTITIES and entry.entity_id is not None:
            latest[(entry.entity, entry.entity_id)] = entry
    for (entity, entity_id), entry in sorted(latest.items(), key=lambda kv: kv[1].seq):
        digest = content_digest(session, entity, entity_id)
        where = f"{entity} {entity_id}"
        if entry.action == "delete":
            if digest is not None:
                problems.append(Problem(where, f"exists although ledger #{entry.seq} recorded its deletion"))
        elif digest is None:
            problems.append(Problem(where, f"was deleted from the database (last recorded at ledger #{entry.seq})"))
        elif digest != entry.payload_digest:
            problems.extend(_changed(session, entity, entity_id, entry))
    for entity in _COVERED:
        table = _ENTITIES[entity][0]
        for (row_id,) in session.execute(select(_pk(table)).order_by(_pk(table))):
            if (entity, row_id) not in latest:
                problems.append(Problem(f"{entity} {row_id}", "is not in the ledger (inserted directly in the database)"))
    if home is not None:
        problems.extend(_verify_files(session, home))
    if anchor is _FROM_SETTINGS:
        anchor = anchor_path()
    if anchor is not None:
        problems.extend(_verify_anchors(session, anchor))
    return problems


def _changed(session: Session, entity: str, entity_id: int, entry: t.LedgerRow) -> list[Problem]:
    """The rows of a changed entity that differ from what ``entry`` recorded (the entity itself when it cannot tell)."""
    since = f"since ledger #{entry.seq} ({entry.action})"
    recorded = (json.loads(entry.detail) if entry.detail else {}).get("row_digests")
    if entity not in _NAMED_CHILDREN or not isinstance(recorded, dict):
        return [Problem(f"{entity} {entity_id}", f"was changed in the database {since}")]
    now = _row_digests(session, entity, entity_id)
    problems = []
    own = _ENTITIES[entity][0].name
    for table, rows in now.items():
        before = recorded.get(table, {})
        for row_id in sorted(set(before) | set(rows), key=int):
            if table == own:
                where = f"{entity} {entity_id}"
            else:
                where = f"{_CHILD_NAMES.get(table, table)} {row_id} ({entity} {entity_id})"
            if row_id not in rows:
                problems.append(Problem(where, f"was deleted from the database {since}"))
            elif row_id not in before:
                problems.append(Problem(where, f"is not in the ledger (inserted directly in the database) {since}"))
            elif before[row_id] != rows[row_id]:
                problems.append(Problem(where, f"was changed in the database {since}"))
    return problems or [Problem(f"{entity} {entity_id}", f"was changed in the database {since}")]


def _verify_files(session: Session, home: Path) -> list[Problem]:
    problems = []
    docs = session.execute(select(t.DocumentRow.id, t.DocumentRow.sha256, t.DocumentRow.stored_path)
                           .order_by(t.DocumentRow.id)).all()
    for doc_id, stored_sha, rel in docs:
        path = home / rel
        if not path.is_file():
            problems.append(Problem(f"document {doc_id}", f"its stored copy {rel} is missing"))
            continue
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != stored_sha:
            problems.append(Problem(f"document {doc_id}", f"its stored copy {rel} was altered (sha256 differs)"))
    return problems


def _verify_chain(session: Session) -> list[Problem]:
    problems: list[Problem] = []
    prev_hash, expected_seq = GENESIS, 1
    for e in session.execute(select(t.LedgerRow).order_by(t.LedgerRow.seq)).scalars():
        where = f"ledger #{e.seq}"
        if e.seq != expected_seq:
            missing = f"#{expected_seq}" if e.seq == expected_seq + 1 else f"#{expected_seq}–#{e.seq - 1}"
            problems.append(Problem(where, f"entries {missing} are missing (deleted from the ledger)"))
        if e.prev_hash != prev_hash:
            problems.append(Problem(where, "does not link to the entry before it (an entry was removed, inserted or edited)"))
        recomputed = entry_hash(seq=e.seq, ts=e.ts, actor=e.actor, action=e.action, entity=e.entity,
                                entity_id=e.entity_id, payload_digest=e.payload_digest, prev_hash=e.prev_hash,
                                detail=e.detail)
        if recomputed != e.hash:
            problems.append(Problem(where, f"was edited: its content no longer matches its hash ({e.action} {e.entity} {e.entity_id})"))
        prev_hash, expected_seq = e.hash, e.seq + 1
    return problems
