"""The book across clients, read from the store: what the dashboard, watch list and calendar use.

``portfolio_books(store, user=…)`` loads the snapshots of the clients ``user`` may see in
one query per table, assesses each at its latest period and returns one
``analytics.book.ClientBook`` per client (a client with no figures yet gets grade NR and a
class from its overdue days alone).
"""

from __future__ import annotations

import datetime as dt

from assistant.analytics.book import ClientBook, client_book
from assistant.errors import NotFoundError
from assistant.store.db import Store


def visible_ids(store: Store, user=None) -> list[int]:  # noqa: ANN001 - access.User | None
    """Client ids ``user`` may see (every client without a user), in name order."""
    from sqlalchemy import select

    from assistant import access
    from assistant.store.schema import Client

    with store.session() as s:
        ids = [i for (i,) in s.execute(select(Client.id).order_by(Client.name))]
    if user is None:
        return ids
    allowed = access.visible_client_ids(store, user)
    return [i for i in ids if i in allowed]


def portfolio_books(store: Store, *, user=None, as_of: dt.date | None = None,  # noqa: ANN001 - access.User | None
                    client_ids: list[int] | None = None) -> list[ClientBook]:
    return load_book(store, user=user, as_of=as_of, client_ids=client_ids)[0]


def load_book(store: Store, *, user=None, as_of: dt.date | None = None,  # noqa: ANN001 - access.User | None
              client_ids: list[int] | None = None) -> tuple[list[ClientBook], dict]:
    """The book lines and the snapshots they were built from (id → snapshot), for callers that need both."""
    from assistant.analytics import assess, load_rules
    from assistant.status import monitoring_span
    from assistant.store.snapshot import load_snapshots

    ids = visible_ids(store, user) if client_ids is None else client_ids
    rules = load_rules()
    snaps = load_snapshots(store, ids, as_of=as_of)
    out: list[ClientBook] = []
    for cid in ids:
        snap = snaps[cid]
        try:
            span = monitoring_span(snap)
        except NotFoundError:
            out.append(client_book(snap))
            continue
        out.append(client_book(snap, assess(snap, span, rules=rules)))
    return out, snaps


def acting_user(store: Store, name: str | None):  # noqa: ANN201 - access.User
    """The user a command acts as (``--as USER``): a user of this home, else ``NotFoundError`` naming the fix."""
    from assistant import access

    if not name or not name.strip():
        raise NotFoundError("no acting user given", hint="pass --as USER (one of `loanwatch user list`)")
    return access.get_user(store, name.strip())


def client_for(store: Store, user, ref: str | int):  # noqa: ANN001, ANN201 - access.User → schema.Client
    """The client ``ref`` when ``user`` may reach it (the same error for another officer's client and none)."""
    from assistant import access

    return access.require_client(store, user, ref)


def officer_ids(store: Store, officer: str) -> list[int]:
    """Clients an officer is in charge of: a user's visible clients (officers) or the clients naming them."""
    from sqlalchemy import select

    from assistant import access
    from assistant.store.schema import Client

    try:
        user = access.get_user(store, officer)
    except NotFoundError:
        user = None
    with store.session() as s:
        rows = list(s.execute(select(Client.id, Client.officer)))
    names = {officer} | ({user.display_name} if user is not None and user.display_name else set())
    mine = {cid for cid, name in rows if (name or "") in names}
    if user is not None and not user.sees_everything:
        mine |= set(access.visible_client_ids(store, user))
    return sorted(mine)


def portfolio_calendar(store: Store, *, user=None, officer: str | None = None, as_of: dt.date | None = None,  # noqa: ANN001
                       horizon: int = 90) -> list:
    """Calendar items of the clients ``user`` may see (only ``officer``'s with it), by date."""
    from assistant.calendar import client_calendar
    from assistant.store.snapshot import load_snapshots

    ids = visible_ids(store, user)
    if officer:
        keep = set(officer_ids(store, officer))
        ids = [i for i in ids if i in keep]
    snaps = load_snapshots(store, ids, as_of=as_of)
    items = [i for cid in ids for i in client_calendar(snaps[cid], horizon=horizon)]
    return sorted(items, key=lambda i: (i.date, i.client, i.facility))
