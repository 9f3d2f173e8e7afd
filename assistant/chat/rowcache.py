"""Client rows kept in the store (``client_row_cache``), so a new process reads them instead of reassessing the book.

A persisted row is a cache, never a fact: it is outside the ledger's chain, reads never add
ledger entries, and any row that cannot be shown current is rebuilt from the stored facts.
A row is served only when all of these hold, else it is rebuilt and written again:

* ``as_of`` is the assessment date asked for (see ``assistant.chat.board`` on why the date is
  part of the key);
* ``key`` is ``row_key()`` now: the format version, a digest of the code that builds rows
  (every ``.py`` and ``.yaml`` under ``assistant/`` and ``extractors/``: new code, new rows) and
  the warning rules file and the bank's trained model in use;
* ``format`` is ``FORMAT`` (the payload's layout; a row of another version is never unpickled);
* the ledger still holds entry ``seq`` with hash ``ledger_hash`` (a restored or replaced
  database rebuilds), ``seq`` is not past the ledger's head, and no ledger entry after ``seq``
  touches the client's inputs (``board.changes_since``; an entry that cannot be traced to a
  client rebuilds every row);
* the payload unpickles, through an unpickler that admits only classes of ``assistant``,
  ``extractors``, ``datetime``, ``decimal`` and plain containers, into a row of that client at
  that date.

Payloads are the row pickled (exact: ``Decimal``, dates, enums and provenance come back as
they were) in parts (``board.PARTS``), each compressed with zlib: loading 1,000 rows decodes each
head at once and a part only when something reads it (the dashboard reads ``book``, alerts
``signals``, a ranking by a ratio ``detail``), since unpickling whole rows (about 30 kB each,
mostly the figures with their provenance) cost several milliseconds a row.

Beside the payload each row keeps its summary as columns (``assistant.chat.rowsummary``:
grade, class, counts of alerts by severity and of covenant breaches, exposure), written in
the same INSERT; ``summaries`` reads them through the very checks ``load`` applies, without
the payload, so a list of the book fetches and unpickles only the rows it shows. The row's
alerts are kept the same way, as compact JSON (``alert_lists``): the book's alerts are listed
without unpickling a row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import pickle
import zlib
from pathlib import Path
from typing import Any

FORMAT = 3  #: the payload's layout; bump it whenever ``ClientRow`` or what it holds changes shape
_CHUNK = 500  #: client ids per ``IN (…)`` query

log = logging.getLogger(__name__)
_code_digest: str | None = None


def code_digest() -> str:
    """sha256 of the source that builds a row (every .py and .yaml under assistant/ and extractors/), once per process."""
    global _code_digest
    if _code_digest is None:
        root = Path(__file__).resolve().parents[2]
        h = hashlib.sha256()
        for package in ("assistant", "extractors"):
            for path in sorted((root / package).rglob("*")):
                if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
                    h.update(str(path.relative_to(root)).encode())
                    h.update(path.read_bytes())
        _code_digest = h.hexdigest()
    return _code_digest


def row_key(rules_key: tuple) -> str:
    """What a persisted row must have been computed with to be served now (see the module docstring)."""
    return hashlib.sha256(repr((FORMAT, code_digest(), rules_key)).encode()).hexdigest()


# ---------------------------------------------------------------- payloads

_STDLIB = frozenset({"datetime", "decimal", "collections"})
_BUILTINS = frozenset({"set", "frozenset", "list", "dict", "tuple", "bytearray", "complex", "object"})


class _RowUnpickler(pickle.Unpickler):
    """Only classes of our own packages, dates, decimals and containers: a damaged or planted payload cannot run code."""

    def find_class(self, module: str, name: str) -> Any:
        if "." in name:
            raise pickle.UnpicklingError(f"refused {module}.{name}")
        if module == "builtins" and name in _BUILTINS:
            return super().find_class(module, name)
        if module in _STDLIB or module.split(".")[0] in ("assistant", "extractors"):
            found = super().find_class(module, name)
            if isinstance(found, type) and (module in _STDLIB or found.__module__ == module):
                return found
        raise pickle.UnpicklingError(f"refused {module}.{name}")


def dumps(row: Any) -> bytes:
    """A built row as {part: its fields pickled and compressed} (``board.PARTS``; the head holds the other fields)."""
    import dataclasses

    from assistant.chat.board import PART_OF, PARTS

    fields = {f.name: getattr(row, f.name) for f in dataclasses.fields(row)}
    parts = {"head": {k: v for k, v in fields.items() if k not in PART_OF},
             **{part: {k: fields[k] for k in names} for part, names in PARTS.items()}}
    return pickle.dumps({k: zlib.compress(pickle.dumps(v, protocol=5), 1) for k, v in parts.items()}, protocol=5)


def loads(payload: bytes) -> Any:
    """A row from ``dumps``: its head decoded now, each other part when first read (``ClientRow.__getattr__``)."""
    import dataclasses

    from assistant.chat.board import PART_OF, PARTS, ClientRow

    parts = _RowUnpickler(io.BytesIO(payload)).load()
    if not isinstance(parts, dict) or set(parts) != {"head", *PARTS} or not all(isinstance(v, bytes) for v in parts.values()):
        raise pickle.UnpicklingError("not a client row")
    head = loads_part(parts.pop("head"))
    if set(head) != {f.name for f in dataclasses.fields(ClientRow)} - set(PART_OF):
        raise pickle.UnpicklingError("a client row of another shape")
    row = ClientRow.__new__(ClientRow)
    row.__dict__.update(head)
    row.__dict__["_parts"] = parts
    return row


def loads_part(data: bytes) -> dict:
    got = _RowUnpickler(io.BytesIO(zlib.decompress(data))).load()
    if not isinstance(got, dict):
        raise pickle.UnpicklingError("not a part of a client row")
    return got


# ---------------------------------------------------------------- the table


def _current(s: Any, ids: list[int], as_of: dt.date, key: str, head: int, columns: list, scan: bool = False) -> dict[int, tuple]:
    """client id → ``columns`` of its persisted row, for the rows of ``ids`` that are current (module docstring; the
    payload's own checks are the caller's). ``scan``: read the date's rows and keep those of ``ids`` (for many ids)."""
    from sqlalchemy import select

    from assistant.chat.board import changes_since
    from assistant.store.schema import ClientRowCache as C
    from assistant.store.schema import LedgerRow

    found: list[tuple] = []  # (client_id, seq, ledger_hash, *columns)
    query = select(C.client_id, C.seq, C.ledger_hash, *columns).where(C.as_of == as_of, C.key == key, C.format == FORMAT,
                                                                      C.seq <= head)
    if scan:  # one query over the date's rows, kept by id here: cheaper than thousands of bound ids
        wanted = set(ids)
        found = [r for r in s.execute(query) if r[0] in wanted]
    for i in range(0, 0 if scan else len(ids), _CHUNK):
        found += list(s.execute(query.where(C.client_id.in_(ids[i:i + _CHUNK]))))
    if not found:
        return {}
    seqs = sorted({r[1] for r in found})
    hashes: dict[int, str] = {}
    for i in range(0, len(seqs), _CHUNK):
        hashes.update(s.execute(select(LedgerRow.seq, LedgerRow.hash).where(LedgerRow.seq.in_(seqs[i:i + _CHUNK]))).all())
    found = [r for r in found if hashes.get(r[1], "") == r[2]]
    if not found:
        return {}
    changed = changes_since(s, min(r[1] for r in found))
    if changed is None:
        return {}  # a change the cache cannot trace to one client: nothing persisted can be shown current
    return {r[0]: tuple(r[3:]) for r in found if changed.get(r[0], 0) <= r[1]}


def load(s: Any, ids: list[int], as_of: dt.date, key: str, head: int) -> dict[int, Any]:
    """The persisted rows of ``ids`` that are current (module docstring); the rest are left to rebuild."""
    from assistant.store.schema import ClientRowCache as C

    out: dict[int, Any] = {}
    for cid, (payload,) in _current(s, ids, as_of, key, head, [C.payload]).items():
        try:
            row = loads(payload)
        except Exception as exc:  # noqa: BLE001 - any unreadable payload is rebuilt, never served
            log.warning("client row %s unreadable (%s): rebuilt", cid, exc)
            continue
        if getattr(row, "client_id", None) != cid or getattr(row, "as_of", None) != as_of:
            continue
        out[cid] = row
    return out


def summaries(s: Any, ids: list[int], as_of: dt.date, key: str, head: int) -> dict[int, Any]:
    """client id → ``rowsummary.Summary`` of each persisted row of ``ids`` that is current, read without its payload."""
    from assistant.chat.rowsummary import COLUMNS, Summary
    from assistant.store.schema import ClientRowCache as C

    got = _current(s, ids, as_of, key, head, [getattr(C, c) for c in COLUMNS], scan=len(ids) > _CHUNK)
    return {cid: Summary(cid, *cols) for cid, cols in got.items()}


def alert_lists(s: Any, ids: list[int], as_of: dt.date, key: str, head: int) -> dict[int, list[dict]]:
    """client id → its alerts (``rowsummary.alert_list``) of each persisted row of ``ids`` that is current, from the JSON
    column written with the row (no payload read); a row whose column does not parse is left to the caller."""
    import json

    from assistant.store.schema import ClientRowCache as C

    out: dict[int, list[dict]] = {}
    for cid, (text,) in _current(s, ids, as_of, key, head, [C.alerts_json], scan=len(ids) > _CHUNK).items():
        try:
            got = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(got, list) and all(isinstance(a, dict) for a in got):
            out[cid] = got
    return out


def save(store: Any, rows: dict[int, tuple[bytes, Any, str]], as_of: dt.date, key: str, seq: int, ledger_hash: str) -> bool:
    """Write ``rows`` (client id → (``dumps`` of its row, its ``rowsummary.Summary``, its ``rowsummary.alerts_json``)) in
    one transaction; False when the store refused (the rows are still served).

    Each client keeps its row for today and for at most one other date: writing a row replaces
    the client's row at that date and every row at a date other than today.
    """
    from sqlalchemy import delete, insert, or_
    from sqlalchemy.exc import SQLAlchemyError

    from assistant import config
    from assistant.chat.rowsummary import values as summary_values
    from assistant.store.schema import ClientRowCache as C

    if not rows:
        return True
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    values = [{"client_id": cid, "as_of": as_of, "key": key, "format": FORMAT, "seq": seq, "ledger_hash": ledger_hash,
               "payload": payload, "built_at": now, **summary_values(summary), "alerts_json": alerts}
              for cid, (payload, summary, alerts) in rows.items()]
    today = config.today()
    try:
        with store.session() as s, s.begin():  # no write lock and no ledger entry: a cache row is not a fact
            # a client keeps today's row and at most one other date's (an --as-of read), never a pile of old dates
            s.execute(delete(C).where(C.client_id.in_(list(rows)), or_(C.as_of == as_of, C.as_of != today)))
            s.execute(insert(C), values)
    except SQLAlchemyError as exc:  # a read-only database, or another process wrote the same rows first
        log.warning("client rows not persisted (%s)", type(exc).__name__)
        return False
    return True


def clear(store: Any) -> None:
    """Delete every persisted row (they are rebuilt on the next read)."""
    from sqlalchemy import delete

    from assistant.store.schema import ClientRowCache as C

    with store.session() as s, s.begin():
        s.execute(delete(C))
