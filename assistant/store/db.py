"""Engine and sessions from settings; the schema is migrated to head on first use.

SQLite under ``LOANWATCH_HOME`` by default (WAL, a busy timeout, foreign keys on), or any
SQLAlchemy URL via ``LOANWATCH_DB_URL`` (``postgresql+psycopg://…``). Writes go through
``Store.transaction()``: one transaction that holds the write lock from its first statement
(``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL), so ledger appends are
serialised and a document's records commit all together or not at all.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.errors import StoreError
from assistant.store.revision import SCHEMA_HEAD

_MIGRATIONS = Path(__file__).with_name("migrations")
_WRITE_LOCK_KEY = 727_001  # pg_advisory_xact_lock key for the store's writers
_stores: dict[str, "Store"] = {}
_stores_lock = threading.Lock()


class Store:
    """A database: an engine plus read sessions and serialised write transactions."""

    def __init__(self, url: str, *, home: Path | None = None) -> None:
        self.url = url
        self.home = home
        self.engine = _make_engine(url)
        self.dialect = self.engine.dialect.name

    def session(self) -> Session:
        """A session for reading (``with store.session() as s: …``)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction holding the store's write lock; commits on success."""
        bind = self.engine.execution_options(loanwatch_immediate=True)
        session = Session(bind, expire_on_commit=False)
        try:
            if self.dialect == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK_KEY})
            else:
                session.connection()  # BEGIN IMMEDIATE now, not at the first write
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise StoreError(f"the database refused a write ({_first_line(exc.orig)})") from exc
        except DBAPIError as exc:  # a value the database will not take: say which kind, never the SQL or the data
            session.rollback()
            raise StoreError(f"the database refused a value ({type(exc.orig).__name__}: {_first_line(exc.orig)}); nothing was stored",
                             hint="remove NUL bytes or control characters, or shorten the text, and try again") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(orig: object, limit: int = 160) -> str:
    """The driver's message without the statement or parameters (first line, cut)."""
    line = (str(orig).strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[:limit] + "…"


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        immediate = conn.get_execution_options().get("loanwatch_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")




def schema_revision(store: Store) -> str | None:
    """The revision the database says it is at; None for a fresh database (no ``alembic_version`` yet)."""
    try:
        with store.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:
        return None


def init_db(store: Store) -> None:
    """Upgrade the database to the newest schema revision (a no-op when already there)."""
    if schema_revision(store) == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", store.url.replace("%", "%%"))
    try:  # under the write lock, so two processes opening a fresh database do not both migrate it
        with store.engine.execution_options(loanwatch_immediate=True).begin() as conn:
            if store.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _WRITE_LOCK_KEY})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot prepare the database at {_safe_url(store.url)} ({exc})") from exc


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def open_store(url: str | None = None) -> Store:
    """The store for ``url`` (default: from settings), migrated to head on first use."""
    from assistant.config import get_settings

    settings = get_settings()
    url = url or settings.database_url
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            store = Store(url, home=settings.home_dir)
            init_db(store)
            _stores[url] = store
        return store


def close_stores() -> None:
    """Dispose every open engine (tests switch homes between cases)."""
    with _stores_lock:
        for store in _stores.values():
            store.dispose()
        _stores.clear()
