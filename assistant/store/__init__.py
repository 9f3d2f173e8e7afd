"""The portfolio store: clients, facilities, documents, figures, notes, corrections, alerts, memos.

``open_store()`` gives the database named by settings, migrated to head on first use;
``Store.transaction()`` is the one way to write. ``load_snapshot`` / ``load_snapshots`` build what analytics read.
"""

from assistant.store.db import Store, close_stores, init_db, open_store
from assistant.store.snapshot import load_snapshot, load_snapshots

__all__ = ["Store", "close_stores", "init_db", "load_snapshot", "load_snapshots", "open_store"]
