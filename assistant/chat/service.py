"""``ask(question)``: scope the caller, pick the engine, answer.

Scoping first: the caller sees the clients assigned to them (``officer`` = user; no user =
the single-user command line, every client), narrowed to ``--client`` when given. Every
lookup of either engine goes through a ``StoreSource`` built for exactly those client ids,
so a figure or chunk of another client cannot come back.

Engines: ``builtin`` (offline, no model) by default; ``llm`` when configured
(``LOANWATCH_ENGINE=llm``, or ``auto`` with ``OPENAI_API_KEY`` set): a tool-calling agent
whose tools are this engine's lookups over the same scoped source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection

from assistant.chat.answer import Answer
from assistant.chat.builtin import answer as builtin_answer
from assistant.chat.understand import ClientName, understand
from assistant.domain import ClientSnapshot
from assistant.errors import AccessDeniedError, ConfigError, NotFoundError


@dataclass
class StoreSource:
    """The store and the retrieval index, limited to ``client_ids``."""

    store: Any  # assistant.store.Store
    client_ids: frozenset[int]
    _clients: list[ClientName] | None = None
    _snapshots: dict[int, ClientSnapshot] = field(default_factory=dict)

    def clients(self) -> list[ClientName]:
        if self._clients is None:  # the four columns in ``list_clients`` order, not the clients: 10,000 of them per question
            from sqlalchemy import select

            from assistant.store.schema import Client

            with self.store.session() as s:
                rows = s.execute(select(Client.id, Client.name, Client.aliases, Client.industry).order_by(Client.name))
                self._clients = [ClientName(i, n, tuple(a or ()), ind or "") for i, n, a, ind in rows if i in self.client_ids]
        return self._clients

    def snapshot(self, client_id: int) -> ClientSnapshot:
        if client_id not in self.client_ids:  # defence in depth: the engine only asks for visible ids
            raise NotFoundError(f"no client with id {client_id} among the clients you can see")
        if client_id not in self._snapshots:
            from assistant.store import load_snapshot

            self._snapshots[client_id] = load_snapshot(self.store, client_id)
        return self._snapshots[client_id]

    def search(self, query: str, client_ids: Collection[int], k: int = 5) -> list[Any]:
        ids = [i for i in client_ids if i in self.client_ids]
        if not ids:
            return []
        try:
            from assistant.retrieval import search
        except ImportError:  # retrieval not installed in this build
            return []
        return [h for h in search(query, client_ids=ids, k=k) if h.client_id in self.client_ids]


def visible_client_ids(store: Any, user: Any = None) -> frozenset[int]:
    """The clients ``user`` (an ``access.User`` or a name) may see; every client when user is None.

    A registered user sees what their role and assignments allow; a name that is not a
    registered user sees only the clients whose ``officer`` field names it.
    """
    from assistant import access
    from assistant.errors import NotFoundError

    if isinstance(user, access.User):
        return access.visible_client_ids(store, user)
    if user is not None:
        try:
            account = access.get_user(store, user)
        except NotFoundError:
            account = None
        if account is not None:
            return access.visible_client_ids(store, account)
    from sqlalchemy import select

    from assistant.store.schema import Client

    with store.session() as s:
        rows = s.execute(select(Client.id, Client.officer)).all()
    return frozenset(i for i, officer in rows if user is None or officer == user)


def scoped_source(*, user: Any = None, client: str | None = None, store: Any = None,
                  client_ids: Collection[int] | None = None) -> StoreSource:
    """The source for one caller; ``client`` (name, alias or id) narrows it to one visible client.

    ``user`` is an ``access.User`` or a name; with ``client_ids`` too, the caller sees their
    intersection. An ``access.User`` asking for a client it may not reach gets AccessDeniedError.
    """
    from assistant import access
    from assistant.store import open_store
    from assistant.store.repo import get_client

    store = store or open_store()
    if client_ids is None:
        ids = visible_client_ids(store, user)
    else:
        ids = frozenset(client_ids) if user is None else frozenset(client_ids) & visible_client_ids(store, user)
    if client is not None and isinstance(user, access.User):
        row = access.require_client(store, user, client)
        if row.id not in ids:
            raise AccessDeniedError(f"no client {client!r} among the clients assigned to {user.name}")
        return StoreSource(store, frozenset({row.id}))
    if client is not None:
        try:
            with store.session() as s:
                row = get_client(s, client)
        except NotFoundError:
            row = None
        if row is None or row.id not in ids:
            raise NotFoundError(f"no client named {client!r} among the clients you can see")
        ids = frozenset({row.id})
    return StoreSource(store, ids)


def choose_engine(engine: str | None = None) -> str:
    from assistant.config import get_settings

    settings = get_settings()
    wanted = engine or settings.engine
    if wanted not in ("auto", "builtin", "llm"):
        raise ConfigError(f"unknown engine {wanted!r}", hint="use auto, builtin or llm (LOANWATCH_ENGINE)")
    if wanted == "auto":
        return "llm" if settings.llm_configured else "builtin"
    return wanted


def ask(question: str, *, user: Any = None, client: str | None = None, engine: str | None = None,
        client_ids: Collection[int] | None = None, store: Any = None) -> Answer:
    """Answer ``question`` from the clients the caller may see (``user``: an ``access.User`` or a name)."""
    question = question.strip()
    if not question:
        raise ConfigError("the question is empty", hint="ask about a client's figures, covenants or documents")
    source = scoped_source(user=user, client=client, store=store, client_ids=client_ids)
    if choose_engine(engine) == "llm":
        from assistant.chat.agent import ask_llm

        return ask_llm(question, source)
    return answer_with(question, source)


def answer_with(question: str, source: Any) -> Answer:
    """The built-in engine over any source (``StoreSource`` or ``SnapshotSource``)."""
    return builtin_answer(understand(question, source.clients()), source)


def portfolio(kind: str, *, metric: str | None = None, clients: Collection[str] = (), n: int | None = None,
              low: bool = False, group_by: str | None = None, lang: str = "en", user: Any = None, store: Any = None) -> Answer:
    """``loanwatch portfolio KIND``: a portfolio answer without a question to parse (same engine, same scoping)."""
    from assistant.chat.builtin import answer as builtin_answer
    from assistant.chat.portfolio_query import direct, metric_key, named_clients

    source = scoped_source(user=user, store=store)
    visible = source.clients()
    named = []
    for ref in clients:
        found = named_clients(ref, visible)
        if not found:
            raise NotFoundError(f"no client named {ref!r} among the clients you can see")
        named.append(found[0])
    key = metric_key(metric) if metric else None
    if kind == "compare" and len(named) < 2:
        raise ConfigError("compare needs two or more clients", hint="loanwatch portfolio compare 华信光伏 江华高速")
    if kind == "trend" and (len(named) != 1 or key is None):
        raise ConfigError("trend needs one client and a metric", hint="loanwatch portfolio trend 鼎盛化纤 --metric dscr")
    if kind == "rank" and key is None:
        raise ConfigError("rank needs a metric", hint="loanwatch portfolio rank --metric current_ratio")
    parsed = direct(kind, lang=lang, metric=key, clients=named, n=n, order="low" if low else "high" if kind in ("rank", "exposure") else None,
                    group_by=group_by)
    return builtin_answer(parsed, source)
