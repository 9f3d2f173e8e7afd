"""Copy a generated book into another database, ``copies`` times over: 10,000 clients from the 1,000 generated.

Generating a client through the store's API takes about 0.6 s here (10,000 would take over
an hour and a half), so ``eval portfolio --pg`` copies the generated SQLite book instead:
copy ``k`` shifts every id (and every foreign key, and the ledger's ``seq`` and
``entity_id``) past the ones before it and renames its clients ``客户R{k}-NNNN``; copy 0
keeps the original names. The copies' ledger hashes are rewritten to stay unique, so the
copied ledger is NOT a verifiable chain — the book is for timing reads, nothing else.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

_ENTITY_TABLE = {"client": "clients", "document": "documents", "facility": "facilities", "figure": "figures",
                 "correction": "corrections", "note": "inspection_notes", "statement": "statements",
                 "statement_review": "statement_reviews", "change_review": "change_reviews", "decision": "decisions",
                 "watch_event": "watch_events", "warning_item": "warning_items", "alert": "alerts"}
_SKIP = {"client_row_cache", "auth_sessions", "login_attempts", "users", "assignments"}
_BATCH = 5000


def copy_book(src_url: str, dst_url: str, copies: int = 1, progress: bool = True) -> dict:
    """Copy every table of ``src_url`` into the (migrated, empty) store at ``dst_url`` ``copies`` times."""
    from sqlalchemy import func, select, text

    from assistant.store.db import Store, init_db
    from assistant.store.schema import Base

    src, dst = Store(src_url), Store(dst_url)
    init_db(dst)
    tables = [t for t in Base.metadata.sorted_tables if t.name not in _SKIP]
    started = time.perf_counter()
    with src.engine.connect() as conn:
        offsets: dict[str, int] = {}
        for t in tables:
            pk = list(t.primary_key.columns)
            if len(pk) == 1 and pk[0].type.python_type is int and not pk[0].foreign_keys:  # index_state's key is a document's
                offsets[t.name] = conn.execute(select(func.coalesce(func.max(pk[0]), 0))).scalar_one()
        counts: dict[str, int] = {}
        in_server = dst.dialect == "postgresql" and copies > 1  # copy 0 through Python, the others inside the server
        for k in range(1 if in_server else copies):
            for t in tables:
                rows = conn.execute(select(t)).mappings()
                batch: list[dict] = []
                for r in rows:
                    batch.append(_shift(t, dict(r), k, offsets))
                    if len(batch) >= _BATCH:
                        _insert(dst, t, batch)
                        counts[t.name] = counts.get(t.name, 0) + len(batch)
                        batch = []
                if batch:
                    _insert(dst, t, batch)
                    counts[t.name] = counts.get(t.name, 0) + len(batch)
            if progress:
                print(f"  copied {k + 1}/{copies} ({time.perf_counter() - started:.0f} s)", flush=True)
    if in_server:
        for k in range(1, copies):
            with dst.engine.begin() as c:
                for t in tables:
                    c.execute(text(_copy_sql(t, k, offsets)))
            if progress:
                print(f"  copied {k + 1}/{copies} in the server ({time.perf_counter() - started:.0f} s)", flush=True)
    if dst.dialect == "postgresql":
        with dst.engine.begin() as c:
            for t in tables:
                if t.name in offsets and "id" in t.columns and t.columns["id"].primary_key:
                    c.execute(text(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), "
                                   f"(SELECT coalesce(max(id), 1) FROM {t.name}))"))
            c.execute(text("ANALYZE"))
    src.dispose()
    dst.dispose()
    return {"copies": copies, "rows": counts, "seconds": round(time.perf_counter() - started, 1)}


def _copy_sql(table: Any, k: int, offsets: dict[str, int]) -> str:
    """``INSERT … SELECT`` of copy ``k`` from copy 0's rows (PostgreSQL), shifted and renamed as ``_shift`` does."""
    cols, exprs = [], []
    for col in table.columns:
        e = f'"{col.name}"'
        if col.primary_key and table.name in offsets:
            e = f"{e} + {k * offsets[table.name]}"
        for fk in col.foreign_keys:
            if fk.column.table.name in offsets:
                e = f"{e} + {k * offsets[fk.column.table.name]}"
        if table.name == "clients" and col.name == "name":
            e = f"replace(name, '客户', '客户R{k}-')"
        if table.name == "clients" and col.name == "aliases":
            e = f"replace(aliases::text, '客户', '客户R{k}-')::json"
        if table.name == "ledger" and col.name == "entity_id":
            cases = " ".join(f"WHEN '{ent}' THEN entity_id + {k * offsets[t]}" for ent, t in _ENTITY_TABLE.items() if t in offsets)
            e = f"CASE entity {cases} ELSE entity_id END"
        if table.name == "ledger" and col.name in ("hash", "prev_hash"):
            e = f"encode(sha256(convert_to('{k}:' || \"{col.name}\", 'UTF8')), 'hex')"
        cols.append(f'"{col.name}"')
        exprs.append(e)
    pk = list(table.primary_key.columns)
    if table.name in offsets:
        where = f' WHERE "{pk[0].name}" <= {offsets[table.name]}'
    else:  # keyed by a parent (index_state by its document): copy 0's rows are those of copy 0's parents
        fks = [(c.name, fk.column.table.name) for c in table.columns for fk in c.foreign_keys if fk.column.table.name in offsets]
        if not fks:
            return "SELECT 1"  # nothing to shift: a second copy would collide
        where = f' WHERE "{fks[0][0]}" <= {offsets[fks[0][1]]}'
    return f'INSERT INTO {table.name} ({", ".join(cols)}) SELECT {", ".join(exprs)} FROM {table.name}{where}'


def _insert(dst: Any, table: Any, rows: list[dict]) -> None:
    with dst.engine.begin() as c:
        c.execute(table.insert(), rows)


def _shift(table: Any, row: dict, k: int, offsets: dict[str, int]) -> dict:
    if k == 0:
        return row
    for col in table.columns:
        if row.get(col.name) is None:
            continue
        if col.primary_key and table.name in offsets:
            row[col.name] += k * offsets[table.name]
        for fk in col.foreign_keys:
            target = fk.column.table.name
            if target in offsets:
                row[col.name] += k * offsets[target]
    if table.name == "clients":
        row["name"] = row["name"].replace("客户", f"客户R{k}-")
        row["aliases"] = [a.replace("客户", f"客户R{k}-") for a in (row.get("aliases") or [])]
    if table.name == "ledger":
        target = _ENTITY_TABLE.get(row["entity"])
        if target in offsets and row.get("entity_id") is not None:
            row["entity_id"] += k * offsets[target]
        row["hash"] = hashlib.sha256(f"{k}:{row['hash']}".encode()).hexdigest()
        row["prev_hash"] = hashlib.sha256(f"{k}:{row['prev_hash']}".encode()).hexdigest()
    return row
