"""Read a SQLite store with the standard library only, for a command's cold start (issue 14).

Importing SQLAlchemy, its ORM and our 27 mapped tables costs a fresh process about 0.45 s before
it reads one row. A figure question, a memo draft and ``client list`` need none of it:
:func:`open_lite` opens the settings' SQLite file with ``sqlite3`` and :meth:`LiteStore.snapshot`
hands the client's rows to the same ``assistant.store.build`` that ``load_snapshot`` uses, so the
reading rules exist once.

It writes one thing: a new memo draft and its ledger entry (:meth:`LiteStore.add_memo` inside
:meth:`LiteStore.writing`), as ``repo.add_memo`` and ``ledger.append`` do — under the same
``BEGIN IMMEDIATE`` write lock, hashed by the same ``assistant.chain`` functions, its digest taken
from the row as stored, and refused (the store's code then writes it) if the memos table has a
column this module does not know. ``tests/test_lite.py`` checks the entry with ``audit verify``.

What keeps it exact:

* **Only a store this code knows.** :func:`open_lite` returns None (the caller opens the store as
  usual) unless the database URL names an existing SQLite file whose ``alembic_version`` is
  ``SCHEMA_HEAD``: a database another version wrote, PostgreSQL or a URL with options are read
  by SQLAlchemy.
* **Declared columns.** Every column read is listed in :data:`COLUMNS` with its kind (money as
  exact ``Decimal`` text, dates, JSON…); ``tests/test_lite.py`` checks each kind against the
  SQLAlchemy schema, and each snapshot against ``load_snapshot``'s.
* **One read transaction**: ``PRAGMA query_only`` (off only inside :meth:`LiteStore.writing`) and one
  ``BEGIN`` … ``COMMIT`` around all the reads of a snapshot, so it sees one state of the database.
* **Same order.** Every query orders as its ORM counterpart does (id, instalments by due date
  then id, ledger entries by sequence).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import unicodedata
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import quote

from assistant.safety import MAX_NAME
from assistant.store.revision import SCHEMA_HEAD
from assistant.store.values import canonical_decimal


def _money(value: Any) -> Decimal | None:
    return None if value is None else canonical_decimal(Decimal(str(value)))  # as schema.Money reads it


def _date(value: Any) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _datetime(value: Any) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _json(value: Any) -> Any:
    return None if value is None else json.loads(value)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


#: a kind's name → how a stored value becomes what SQLAlchemy would hand back
KINDS: dict[str, Callable[[Any], Any]] = {"int": _int, "text": _text, "money": _money, "date": _date,
                                          "datetime": _datetime, "json": _json}

#: table → column → kind, for every column this module reads (checked against the schema by tests)
COLUMNS: dict[str, dict[str, str]] = {
    "clients": {"id": "int", "name": "text", "aliases": "json", "industry": "text", "officer": "text"},
    "documents": {"id": "int", "client_id": "int", "kind": "text", "name": "text", "pages": "int", "received": "date",
                  "period_end": "date", "warnings": "json"},
    "figures": {"key": "text", "scope": "text", "period_start": "date", "period_end": "date", "document_id": "int",
                "value": "money", "page": "int", "label": "text", "currency": "text", "statement_id": "int",
                "client_id": "int"},
    "statements": {"id": "int", "document_id": "int", "kind": "text", "scope": "text", "pages": "json", "warnings": "json"},
    "statement_reviews": {"statement_id": "int"},
    "ledger": {"entity_id": "int", "actor": "text"},
    "corrections": {"id": "int", "client_id": "int", "key": "text", "scope": "text", "period_start": "date",
                    "period_end": "date", "old_value": "money", "new_value": "money", "reason": "text", "by": "text",
                    "at": "datetime"},
    "change_reviews": {"entity_id": "int", "outcome": "text", "by": "text"},
    "facilities": {"id": "int", "client_id": "int", "name": "text", "amount": "money", "currency": "text", "drawn": "money",
                   "outstanding": "money", "drawdown_date": "date", "maturity_date": "date", "rate": "money",
                   "collateral": "text", "guarantors": "text", "reporting_days": "int", "annual_reporting_days": "int",
                   "inspection_days": "int"},
    "covenants": {"id": "int", "facility_id": "int", "metric": "text", "operator": "text", "threshold": "money",
                  "frequency": "text", "grace_days": "int", "description": "text"},
    "repayments": {"id": "int", "facility_id": "int", "due": "date", "principal": "money", "interest": "money",
                   "paid_on": "date", "paid_amount": "money"},
    "securities": {"id": "int", "facility_id": "int", "kind": "text", "description": "text", "provider": "text",
                   "value": "money", "currency": "text", "valuation_date": "date"},
    "inspection_notes": {"id": "int", "document_id": "int", "client_id": "int", "visit_date": "date", "inspector": "text",
                         "site": "text", "progress_actual": "money", "progress_planned": "money", "cost_spent": "money",
                         "cost_budget": "money", "operating_status": "text", "problems": "json", "text": "text"},
    "warning_items": {"id": "int", "client_id": "int", "period": "text", "rule": "text", "severity": "text",
                      "message": "text", "status": "text", "assignee": "text", "action_taken": "text"},
    "warning_events": {"id": "int", "item_id": "int", "action": "text", "actor": "text", "text": "text", "at": "datetime"},
    # every column (a new draft's ledger digest covers the whole row): a column this map lacks stops the write
    "memos": {"id": "int", "client_id": "int", "period": "text", "version": "int", "format": "text", "content": "text",
              "created_by": "text", "created_at": "datetime"},
}


def sqlite_path(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL; None for anything else (options, memory, other databases)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix):]
    if not rest or rest == ":memory:" or any(c in rest for c in "?%#"):
        return None  # options or escapes: SQLAlchemy's parsing decides those
    return Path(rest)


def open_lite(url: str | None = None) -> "LiteStore | None":
    """The settings' store read with ``sqlite3``, or None when SQLAlchemy must read it (see the module)."""
    if url is None:
        from assistant.config import get_settings

        url = get_settings().database_url
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(path.absolute().as_posix())}?mode=rw", uri=True, timeout=30, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only = ON")
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        revision = None
    if revision is None or revision[0] != SCHEMA_HEAD:
        conn.close()
        return None
    return LiteStore(conn)


def _quoted(name: str) -> str:
    """A column name from COLUMNS as an SQL identifier ("by" is a keyword)."""
    return f'"{name}"'


class LiteStore:
    """Read-only queries over one SQLite connection (``with`` closes it)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> "LiteStore":
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------ queries

    def _select(self, table: str, where: str = "", params: Iterable[Any] = (), order: str = "id",
                columns: Iterable[str] | None = None) -> list[SimpleNamespace]:
        kinds = COLUMNS[table]
        names = list(columns or kinds)
        sql = f'SELECT {", ".join(_quoted(n) for n in names)} FROM "{table}"'
        if where:
            sql += f" WHERE {where}"
        if order:
            sql += f" ORDER BY {order}"
        convert = [KINDS[kinds[n]] for n in names]
        return [SimpleNamespace(**{n: f(v) for n, f, v in zip(names, convert, row)})
                for row in self.conn.execute(sql, tuple(params))]

    def clients(self) -> list[SimpleNamespace]:
        """Every client (id, name, aliases, industry, officer) by name, as ``repo.list_clients`` orders them."""
        return self._select("clients", order='"name"')

    def client_id(self, ref: str | int) -> int | None:
        """The client ``ref`` names, found as ``repo.get_client`` finds it (id, stored name, ``names.best_match``); None if none."""
        from assistant.store.names import best_match

        text = str(ref)
        if text.isdigit():
            row = self.conn.execute('SELECT "id" FROM "clients" WHERE "id" = ?', (int(text),)).fetchone()
            if row is not None:
                return row[0]
        name = unicodedata.normalize("NFKC", text).strip()
        if "\x00" in name or len(name) > 2 * MAX_NAME:  # repo.get_client refuses it with its own message
            return None
        row = self.conn.execute('SELECT "id" FROM "clients" WHERE "name" = ?', (name,)).fetchone()
        if row is not None:
            return row[0]
        found = best_match(name, self.clients())
        return found.id if found is not None else None

    def snapshot(self, client_id: int, *, as_of: dt.date | None = None) -> Any:
        """The client's ``ClientSnapshot``, exactly as ``assistant.store.load_snapshot`` builds it."""
        from assistant.errors import NotFoundError
        from assistant.store.build import build

        self.conn.execute("BEGIN")
        try:
            rows = self.rows([client_id])
        finally:
            self.conn.execute("COMMIT")
        if client_id not in rows.clients:
            raise NotFoundError(f"no client with id {client_id}")
        return build(rows.clients[client_id], rows, as_of)

    def rows(self, ids: list[int]) -> Any:
        """Everything ``build`` reads about ``ids`` (``assistant.store.build.Rows``)."""
        from assistant.store.build import Figure, Rows

        marks = ", ".join("?" * len(ids))
        of_clients = f'"client_id" IN ({marks})'
        out = Rows()
        out.clients = {c.id: c for c in self._select("clients", f'"id" IN ({marks})', ids)}
        for d in self._select("documents", of_clients, ids):
            out.documents[d.client_id].append(d)
        for f in self._select("figures", f'{of_clients} AND "key" IS NOT NULL AND "period_end" IS NOT NULL', ids):
            out.figures[f.client_id].append(Figure(f.key, f.scope, f.period_start, f.period_end, f.document_id, f.value,
                                                   f.page, f.label, f.currency, f.statement_id))
        out.flagged = self._flagged(ids)
        for c in self._select("corrections", of_clients, ids):
            out.corrections[c.client_id].append(c)
        for r in self._select("change_reviews", f"{of_clients} AND \"entity\" = 'correction'", ids, order=""):
            out.reviews[r.entity_id] = r
        facilities = self._select("facilities", of_clients, ids)
        children = self._children(("covenants", "id"), ("repayments", '"due", "id"'), ("securities", "id"),
                                  parents=[f.id for f in facilities], key="facility_id")
        for fac in facilities:
            fac.covenants, fac.schedule, fac.securities = (children[t].get(fac.id, []) for t in ("covenants", "repayments", "securities"))
            out.facilities[fac.client_id].append(fac)
        for n in self._select("inspection_notes", of_clients, ids):
            out.notes[n.client_id].append(n)
        items = self._select("warning_items", of_clients, ids)
        events = self._children(("warning_events", "id"), parents=[w.id for w in items], key="item_id")["warning_events"]
        for w in items:
            w.events = events.get(w.id, [])
            out.work[w.client_id].append(w)
        return out

    def _children(self, *tables: tuple[str, str], parents: list[int], key: str) -> dict[str, dict[int, list[SimpleNamespace]]]:
        out: dict[str, dict[int, list[SimpleNamespace]]] = {}
        for table, order in tables:
            grouped: dict[int, list[SimpleNamespace]] = defaultdict(list)
            if parents:
                for row in self._select(table, f'"{key}" IN ({", ".join("?" * len(parents))})', parents, order=order):
                    grouped[getattr(row, key)].append(row)
            out[table] = grouped
        return out

    def _flagged(self, ids: list[int]) -> dict:
        """``snapshot.flagged_statements`` over sqlite3: statements with warnings, no confirmation, their uploader."""
        from assistant.store.build import flagged_from

        marks = ", ".join("?" * len(ids))
        confirmed = {r.statement_id for r in self._select("statement_reviews", f'"client_id" IN ({marks})', ids, order="")}
        st = COLUMNS["statements"]
        cols = ", ".join(f'st."{n}"' for n in st)
        rows = [SimpleNamespace(**{n: KINDS[st[n]](v) for n, v in zip(st, r[:-2])}, client_id=r[-2], name=r[-1])
                for r in self.conn.execute(
                    f'SELECT {cols}, d."client_id", d."name" FROM "statements" st JOIN "documents" d ON d."id" = st."document_id" '
                    f'WHERE d."client_id" IN ({marks}) AND CAST(st."warnings" AS VARCHAR) != \'[]\' ORDER BY st."id"', tuple(ids))]
        rows = [r for r in rows if r.warnings and r.id not in confirmed]
        documents = sorted({r.document_id for r in rows})
        uploaders = {e.entity_id: e.actor for e in self._select(
            "ledger", f"\"entity\" = 'document' AND \"action\" = 'document.ingest' AND \"entity_id\" IN ({', '.join('?' * len(documents))})",
            documents, order='"seq"')} if documents else {}
        return flagged_from(rows, uploaders)

    def memo_versions(self, client_id: int, period: str) -> list[SimpleNamespace]:
        """The stored versions of a memo (version, content, created_by), oldest first."""
        return self._select("memos", '"client_id" = ? AND "period" = ?', (client_id, period), order='"version"',
                            columns=("version", "content", "created_by"))

    # ------------------------------------------------------------ the one write: a memo draft and its ledger entry

    @contextmanager
    def writing(self) -> Iterator["LiteStore"]:
        """One write transaction holding the database's write lock (``BEGIN IMMEDIATE``, as ``Store.transaction``);
        commits on success, then adds the new ledger head to the anchor file when one is configured."""
        from assistant.chain import write_anchor

        self.conn.execute("PRAGMA query_only = OFF")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.conn.execute("BEGIN IMMEDIATE")
        self._head: tuple[int, str, str] | None = None
        try:
            yield self
            self.conn.execute("COMMIT")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        finally:
            self.conn.execute("PRAGMA query_only = ON")
        if self._head is not None:
            write_anchor(*self._head)

    def add_memo(self, client_id: int, period: str, content: str, *, by: str) -> int:
        """Store the next version of a memo (format json) and its ``memo.save`` ledger entry, as ``repo.add_memo``
        does; inside :meth:`writing`. The new version's number."""
        (last,) = self.conn.execute('SELECT MAX("version") FROM "memos" WHERE "client_id" = ? AND "period" = ?',
                                    (client_id, period)).fetchone()
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)  # schema._now, stored as SQLAlchemy does
        cur = self.conn.execute('INSERT INTO "memos" ("client_id", "period", "version", "format", "content", "created_by", '
                                '"created_at") VALUES (?, ?, ?, ?, ?, ?, ?)',
                                (client_id, period, (last or 0) + 1, "json", content, by, now.strftime("%Y-%m-%d %H:%M:%S.%f")))
        self._append(actor=by, action="memo.save", entity="memo", entity_id=cur.lastrowid,
                     payload_digest=self._digest("memos", cur.lastrowid))
        return (last or 0) + 1

    def _digest(self, table: str, row_id: int) -> str:
        """``ledger.content_digest`` of a row without children: sha256 of its canonical JSON as SQLAlchemy reads it."""
        from assistant.chain import canonical_json, sha

        cur = self.conn.execute(f'SELECT * FROM "{table}" WHERE "id" = ?', (row_id,))
        names = [d[0] for d in cur.description]
        unknown = [n for n in names if n not in COLUMNS[table]]
        if unknown:  # a column added after this code: its digest would differ from the ledger's reading
            raise sqlite3.DatabaseError(f"{table} has columns this reader does not know: {', '.join(unknown)}")
        row = {n: KINDS[COLUMNS[table][n]](v) for n, v in zip(names, cur.fetchone())}
        return sha(canonical_json({"row": {k: repr(v) if isinstance(v, float) else v for k, v in row.items()}}))

    def _append(self, *, actor: str, action: str, entity: str, entity_id: int, payload_digest: str) -> None:
        """``ledger.append`` for an entry without ``detail``: the next link of the chain."""
        from assistant.chain import GENESIS, entry_hash

        last = self.conn.execute('SELECT "seq", "hash" FROM "ledger" ORDER BY "seq" DESC LIMIT 1').fetchone()
        seq, prev = (1, GENESIS) if last is None else (last[0] + 1, last[1])
        ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
        digest = entry_hash(seq=seq, ts=ts, actor=actor, action=action, entity=entity, entity_id=entity_id,
                            payload_digest=payload_digest, prev_hash=prev)
        self.conn.execute('INSERT INTO "ledger" ("seq", "ts", "actor", "action", "entity", "entity_id", "payload_digest", '
                          '"prev_hash", "hash") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
                          (seq, ts, actor, action, entity, entity_id, payload_digest, prev, digest))
        self._head = (seq, digest, ts)
