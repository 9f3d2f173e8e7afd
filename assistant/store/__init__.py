"""The portfolio store: clients, facilities, documents, figures, notes, corrections, alerts, memos.

``open_store()`` gives the database named by settings, migrated to head on first use;
``Store.transaction()`` is the one way to write. ``load_snapshot`` / ``load_snapshots`` build what analytics read
(loaded on first use: ``loanwatch client list`` needs no snapshot code, and a
command answered by ``assistant.store.lite`` never loads SQLAlchemy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant._lazy import lazy_exports

__getattr__ = lazy_exports(__name__, {"db": ("Store", "close_stores", "init_db", "open_store"),
                                      "snapshot": ("load_snapshot", "load_snapshots")})

if TYPE_CHECKING:
    from assistant.store.db import Store, close_stores, init_db, open_store
    from assistant.store.snapshot import load_snapshot, load_snapshots

__all__ = ["Store", "close_stores", "init_db", "load_snapshot", "load_snapshots", "open_store"]
