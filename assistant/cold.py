"""Commands answered in a fresh process without SQLAlchemy (issue 14: a cold start ≤ 0.5 s).

``loanwatch ask``, ``loanwatch memo CLIENT --period P`` (Markdown on stdout) and ``loanwatch
client list`` try, in order: a running ``loanwatch warm`` (``assistant.warm``), then this module,
then the store opened as usual. Each function here returns None whenever it cannot give the
answer the usual path would give, and the command goes on to that path; it never answers
differently:

* the store must be one ``assistant.store.lite`` reads (a SQLite file at this code's schema
  revision), and the caller must not be logged in (a session token is checked by the store's
  code; the command line then acts as that user);
* ``ask``: the built-in engine only (``--client`` found as ``repo.get_client`` finds it), and
  only questions the built-in engine answers from snapshots alone (figures, ratios, covenants,
  status, a client's trend: "最近四个季度的资产负债率"); the other portfolio questions read the
  row cache, a document question the search index;
* ``memo``: the built-in engine only; the memo is composed from the snapshot and stored as a new
  draft with its ledger entry (``LiteStore.add_memo``) — or not at all when the latest stored
  version is this very draft (``versions.unchanged_draft``), as the usual path does. A memo whose
  latest version holds an officer's edits goes to the usual path, which carries them over.

``why`` keeps the reason the last call stepped aside, for tests and ``eval coldstart``
(``LOANWATCH_DEBUG=1`` prints it).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, TypeVar

T = TypeVar("T")

why: str = ""
_BY = "system"  # who drafts when nobody is logged in (the command line's ``by=actor or "system"``)
#: a locked or damaged file, a stored value that lite does not read as the store's code does
_UNREADABLE = (sqlite3.Error, ValueError, ArithmeticError)


class _Aside(Exception):
    """This command goes to the usual path (the message says why)."""


def _or_usual_path(fn: Callable[..., T]) -> Callable[..., T | None]:
    """``fn``'s result, or None with the reason kept in ``why`` (and printed with LOANWATCH_DEBUG) when it steps aside."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T | None:
        global why
        why = ""
        try:
            return fn(*args, **kwargs)
        except _Aside as exc:
            why = str(exc)
        except _UNREADABLE as exc:
            why = f"sqlite3: {type(exc).__name__}"
        if os.environ.get("LOANWATCH_DEBUG"):
            sys.stderr.write(f"loanwatch: the store is read the usual way ({why})\n")
        return None

    return wrapper


@contextmanager
def _lite_store() -> Iterator[Any]:
    """The store read with sqlite3 (closed after), or ``_Aside`` when the usual path must read it."""
    from assistant.errors import LoanwatchError
    from assistant.session_token import TOKEN_FILE, read_token
    from assistant.store.lite import open_lite
    from assistant.warm import home_dir

    try:
        if read_token(home_dir() / TOKEN_FILE) is not None:
            raise _Aside("logged in: the store checks the session")
        lite = open_lite()
    except LoanwatchError as exc:  # a bad setting or token file: the usual path says so
        raise _Aside(f"settings: {exc}") from exc
    if lite is None:
        raise _Aside("not a SQLite store at this schema revision")
    with lite:
        yield lite


def _client_id(lite: Any, ref: str) -> int:
    found = lite.client_id(ref)
    if found is None:
        raise _Aside("no stored client by that name or id: the store's code says so")
    return found


class LiteSource:
    """``ChatSource`` over a ``LiteStore``: every client (the command line's view) or ``only`` one; snapshots; no search."""

    def __init__(self, lite: Any, only: int | None = None) -> None:
        self.lite = lite
        self.only = only  # ``--client``: that client alone, as ``chat.service.scoped_source`` narrows it
        self._clients: list | None = None
        self._snapshots: dict[int, Any] = {}

    def clients(self) -> list:
        if self._clients is None:
            from assistant.chat.understand import ClientName

            self._clients = [ClientName(c.id, c.name, tuple(c.aliases or ()), c.industry or "") for c in self.lite.clients()
                             if self.only is None or c.id == self.only]
        return self._clients

    def snapshot(self, client_id: int) -> Any:
        if self.only is not None and client_id != self.only:
            raise _Aside("a client outside --client")  # the engine only asks for visible ids; the store's code says so
        if client_id not in self._snapshots:
            self._snapshots[client_id] = self.lite.snapshot(client_id)
        return self._snapshots[client_id]

    def search(self, query: str, client_ids: Any, k: int = 5) -> list:
        raise _Aside("the question needs the search index")


@_or_usual_path
def ask(question: str, *, client: str | None = None, engine: str | None = None) -> Any:
    """The built-in engine's ``Answer`` from the lite store, or None (see the module)."""
    from assistant.chat.builtin import answer
    from assistant.chat.service import choose_engine
    from assistant.chat.understand import understand

    if not question.strip():
        raise _Aside("empty question")
    if choose_engine(engine) != "builtin":
        raise _Aside("engine llm")
    with _lite_store() as lite:
        source = LiteSource(lite, _client_id(lite, client) if client is not None else None)
        parsed = understand(question.strip(), source.clients())
        if not (parsed.intent in ("figure", "status") or (parsed.intent == "portfolio" and parsed.portfolio is not None
                                                            and parsed.portfolio.kind == "trend")):
            raise _Aside(f"a {parsed.intent} question")  # the others read the row cache or the search index
        return answer(parsed, source)


@_or_usual_path
def memo(client: str, period: str, *, lang: str = "zh", as_of: dt.date | None = None, engine: str | None = None) -> str:
    """The Markdown draft of a memo, stored as ``workflow.draft_memo`` stores it (by ``system``), or None (see the module).

    Under the write lock it reads the memo's versions again and does what ``draft_memo`` does: nothing
    when this very draft is the latest version (``versions.unchanged_draft``), the stage check
    (``check_transition``), then the new version and its ledger entry. An officer's edited version on
    top needs their edits carried onto the new draft: the store's code does that."""
    from assistant.memo.render_md import render_markdown
    from assistant.memo.versions import MemoVersion, check_transition, unchanged_draft, version_of
    from assistant.memo.workflow import compose_memo, memo_engine

    if memo_engine(engine) != "builtin":
        raise _Aside("engine llm")
    with _lite_store() as lite:
        client_id = _client_id(lite, client)
        memo_ = compose_memo(lite.snapshot(client_id, as_of=as_of), period, lang=lang, engine="builtin")
        text = render_markdown(memo_)
        with lite.writing():
            stored = [version_of(v.version, v.content, v.created_by) for v in lite.memo_versions(client_id, memo_.period)]
            if unchanged_draft(stored, text, memo_, by=_BY) is not None:
                return text
            if stored and stored[-1].stage == "edited":
                raise _Aside("the officer's edits are to be carried onto the new draft")
            check_transition(stored[-1].stage if stored else None, "draft")
            lite.add_memo(client_id, memo_.period, MemoVersion(0, "draft", text, _BY, memo_, "").envelope(), by=_BY)
    return text


@_or_usual_path
def client_rows() -> list[dict]:
    """``client list --json``'s rows from the lite store, or None."""
    with _lite_store() as lite:
        return [{"id": c.id, "name": c.name, "aliases": list(c.aliases or ()), "industry": c.industry, "officer": c.officer}
                for c in lite.clients()]
