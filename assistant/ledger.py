"""The audit ledger: an append-only, hash-chained record of everything the store changes.

Each entry's ``hash`` is the sha256 of the canonical JSON of
``{seq, ts, actor, action, entity, entity_id, payload_digest, prev_hash}``; ``prev_hash``
is the previous entry's hash (64 zeros for the first). ``payload_digest`` is the sha256 of
the recorded row's stored content (a statement's digest covers its figures; a facility's,
its covenants and repayment schedule), so ``verify()`` finds both a tampered chain and
records edited, inserted or deleted directly in the database.

Appends must run inside ``Store.transaction()``, which holds the write lock: the chain
cannot fork, and an entry commits together with the rows it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from assistant.store import schema as t

GENESIS = "0" * 64

#: entity name → (table, child tables whose rows are part of its content, child FK column)
_ENTITIES: dict[str, tuple[Table, tuple[tuple[Table, str], ...]]] = {
    "client": (t.Client.__table__, ()),
    "facility": (
        t.FacilityRow.__table__,
        ((t.CovenantRow.__table__, "facility_id"), (t.RepaymentRow.__table__, "facility_id")),
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
    # a user's content covers its assignments: creation, role/password resets and assignments are recorded
    "user": (t.UserRow.__table__, ((t.AssignmentRow.__table__, "user_id"),)),
}
#: entities whose every row must be covered by a ledger entry (figures are covered by their statement;
#: users are not listed: databases made before users were recorded hold unrecorded user rows)
_COVERED = ("client", "facility", "document", "statement", "note", "correction", "alert", "memo", "covenant_result",
            "statement_review")


@dataclass(frozen=True)
class Problem:
    """One disagreement between the ledger and the database."""

    where: str  # "ledger #12" or "statement 7"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_encode)


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in the ledger")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(*, seq: int, ts: str, actor: str, action: str, entity: str, entity_id: int | None,
               payload_digest: str | None, prev_hash: str) -> str:
    return _sha(canonical_json({
        "seq": seq, "ts": ts, "actor": actor, "action": action, "entity": entity,
        "entity_id": entity_id, "payload_digest": payload_digest, "prev_hash": prev_hash,
    }))


#: columns added after rows were first recorded: left out of a digest while empty, so older chains still verify
_LATE_COLUMNS = frozenset({"confidence", "flag", "cell_x0", "cell_top", "cell_x1", "cell_bottom"})


def _row_dict(row: Any) -> dict[str, Any]:
    return {k: (repr(v) if isinstance(v, float) else v) for k, v in row._mapping.items() if not (v is None and k in _LATE_COLUMNS)}


def content_digest(session: Session, entity: str, entity_id: int) -> str | None:
    """sha256 of the stored row (and its children), or None when the row does not exist."""
    table, children = _ENTITIES[entity]
    row = session.execute(select(table).where(table.c.id == entity_id)).first()
    if row is None:
        return None
    content: dict[str, Any] = {"row": _row_dict(row)}
    for child, fk in children:
        rows = session.execute(select(child).where(child.c[fk] == entity_id).order_by(child.c.id)).all()
        content[child.name] = [_row_dict(r) for r in rows]
    return _sha(canonical_json(content))


def append(session: Session, *, actor: str, action: str, entity: str, entity_id: int | None = None,
           payload_digest: str | None = None) -> t.LedgerRow:
    """Add one entry; the digest of a named row is taken from what is stored now."""
    if entity in _ENTITIES and entity_id is not None and payload_digest is None and action != "delete":
        session.flush()
        payload_digest = content_digest(session, entity, entity_id)
    last = session.execute(select(t.LedgerRow).order_by(t.LedgerRow.seq.desc()).limit(1)).scalar_one_or_none()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    entry = t.LedgerRow(seq=seq, ts=ts, actor=actor, action=action, entity=entity, entity_id=entity_id,
                        payload_digest=payload_digest, prev_hash=prev,
                        hash=entry_hash(seq=seq, ts=ts, actor=actor, action=action, entity=entity,
                                        entity_id=entity_id, payload_digest=payload_digest, prev_hash=prev))
    session.add(entry)
    session.flush()
    return entry


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


def count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(t.LedgerRow)).scalar_one()


def verify(session: Session, *, home: Path | None = None) -> list[Problem]:
    """Recompute the chain and re-hash every recorded row; an empty list means all agree.

    With ``home`` (LOANWATCH_HOME), also re-hash each document's stored copy against its sha256.
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
            problems.append(Problem(where, f"was changed in the database since ledger #{entry.seq} ({entry.action})"))
    for entity in _COVERED:
        table = _ENTITIES[entity][0]
        for (row_id,) in session.execute(select(table.c.id).order_by(table.c.id)):
            if (entity, row_id) not in latest:
                problems.append(Problem(f"{entity} {row_id}", "is not in the ledger (inserted directly in the database)"))
    if home is not None:
        problems.extend(_verify_files(session, home))
    return problems


def _verify_files(session: Session, home: Path) -> list[Problem]:
    problems = []
    docs = session.execute(select(t.DocumentRow.id, t.DocumentRow.sha256, t.DocumentRow.stored_path)
                           .order_by(t.DocumentRow.id)).all()
    for doc_id, sha, rel in docs:
        path = home / rel
        if not path.is_file():
            problems.append(Problem(f"document {doc_id}", f"its stored copy {rel} is missing"))
            continue
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        if h.hexdigest() != sha:
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
                                entity_id=e.entity_id, payload_digest=e.payload_digest, prev_hash=e.prev_hash)
        if recomputed != e.hash:
            problems.append(Problem(where, f"was edited: its content no longer matches its hash ({e.action} {e.entity} {e.entity_id})"))
        prev_hash, expected_seq = e.hash, e.seq + 1
    return problems
