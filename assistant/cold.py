"""Commands answered in a fresh process without SQLAlchemy (issue 14: a cold start ≤ 0.5 s).

``loanwatch ask``, ``loanwatch memo CLIENT --period P`` (Markdown on stdout) and ``loanwatch
client list`` try, in order: a running ``loanwatch warm`` (``assistant.warm``), then this module,
then the store opened as usual. Each function here returns None whenever it cannot give the
answer the usual path would give, and the command goes on to that path; it never answers
differently:

* the store must be one ``assistant.store.lite`` reads (a SQLite file at this code's schema
  revision), and the caller must not be logged in (a session token is checked by the store's
  code; the command line then acts as that user);
* ``ask``: the built-in engine only, no ``--client`` (the store's name matching decides it), and
  only questions the built-in engine answers from one client's snapshot (figures, ratios,
  covenants, status); a portfolio or document question needs the row cache or the search index;
* ``memo``: the built-in engine only; the memo is composed from the snapshot and printed only when
  the latest stored version is this same draft by the same person (``versions.unchanged_draft``):
  the usual path would store nothing new either. Any other draft must be stored, through the
  store's code and its ledger.

``why`` keeps the reason the last call fell through, for tests and ``eval coldstart``.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from typing import Any

why: str = ""


def _pass(reason: str) -> None:
    global why
    why = reason
    if os.environ.get("LOANWATCH_DEBUG"):
        import sys

        sys.stderr.write(f"loanwatch: cold path not taken ({reason})\n")
    return None


def _logged_in() -> bool:
    from assistant.session_token import TOKEN_FILE, read_token
    from assistant.warm import home_dir

    return read_token(home_dir() / TOKEN_FILE) is not None


def _lite() -> Any:
    """The store read with sqlite3, or None (with the reason kept) when the usual path must read it."""
    from assistant.errors import LoanwatchError

    try:
        if _logged_in():
            return _pass("logged in: the store checks the session")
        from assistant.store.lite import open_lite

        lite = open_lite()
    except LoanwatchError as exc:  # a bad setting or token file: the usual path says so
        return _pass(f"settings: {exc}")
    return lite if lite is not None else _pass("not a SQLite store at this schema revision")


class LiteSource:
    """``ChatSource`` over a ``LiteStore``: every client (the command line's view), snapshots; no search."""

    def __init__(self, lite: Any) -> None:
        self.lite = lite
        self._clients: list | None = None
        self._snapshots: dict[int, Any] = {}

    def clients(self) -> list:
        if self._clients is None:
            from assistant.chat.understand import ClientName

            self._clients = [ClientName(c.id, c.name, tuple(c.aliases or ()), c.industry or "") for c in self.lite.clients()]
        return self._clients

    def snapshot(self, client_id: int) -> Any:
        if client_id not in self._snapshots:
            self._snapshots[client_id] = self.lite.snapshot(client_id)
        return self._snapshots[client_id]

    def search(self, query: str, client_ids: Any, k: int = 5) -> list:
        raise _NeedsStore("the question needs the search index")


class _NeedsStore(Exception):
    pass


_UNREADABLE = (sqlite3.Error, ValueError, ArithmeticError)  # a locked or damaged file, a stored value lite does not read as the store's code does


def ask(question: str, *, client: str | None = None, engine: str | None = None) -> Any:
    """The built-in engine's ``Answer`` from the lite store, or None (see the module)."""
    from assistant.chat.builtin import answer
    from assistant.chat.service import choose_engine
    from assistant.chat.understand import understand

    if client is not None:
        return _pass("--client: the store's name matching decides it")
    if not question.strip():
        return _pass("empty question")
    if choose_engine(engine) != "builtin":
        return _pass("engine llm")
    lite = _lite()
    if lite is None:
        return None
    with lite:
        source = LiteSource(lite)
        try:
            parsed = understand(question.strip(), source.clients())
            if parsed.intent not in ("figure", "status"):
                return _pass(f"a {parsed.intent} question")
            return answer(parsed, source)
        except _NeedsStore as exc:
            return _pass(str(exc))
        except _UNREADABLE as exc:  # locked past the timeout, or a value the store's code reads its own way
            return _pass(f"sqlite3: {type(exc).__name__}")


def memo(client: str, period: str, *, lang: str = "zh", as_of: dt.date | None = None, engine: str | None = None) -> str | None:
    """The Markdown of a memo whose identical draft is already stored, or None (see the module)."""
    from assistant.memo.render_md import render_markdown
    from assistant.memo.versions import unchanged_draft, version_of
    from assistant.memo.workflow import compose_memo, memo_engine

    if memo_engine(engine) != "builtin":
        return _pass("engine llm")
    lite = _lite()
    if lite is None:
        return None
    with lite:
        try:
            client_id = lite.client_id(client)
            if client_id is None:
                return _pass("no stored client by that name or id: the store's code says so")
            snapshot = lite.snapshot(client_id, as_of=as_of)
        except _UNREADABLE as exc:
            return _pass(f"sqlite3: {type(exc).__name__}")
        memo_ = compose_memo(snapshot, period, lang=lang, engine="builtin")
        try:
            stored = [version_of(v.version, v.content, v.created_by) for v in lite.memo_versions(client_id, memo_.period)]
        except _UNREADABLE as exc:
            return _pass(f"sqlite3: {type(exc).__name__}")
    text = render_markdown(memo_)
    if unchanged_draft(stored, text, memo_, by="system") is None:
        return _pass("a new draft to store")
    return text


def client_rows() -> list[dict] | None:
    """``client list --json``'s rows from the lite store, or None."""
    lite = _lite()
    if lite is None:
        return None
    with lite:
        try:
            rows = lite.clients()
        except _UNREADABLE as exc:
            return _pass(f"sqlite3: {type(exc).__name__}")
        return [{"id": c.id, "name": c.name, "aliases": list(c.aliases or ()), "industry": c.industry, "officer": c.officer}
                for c in rows]
