"""The watch list (重点关注名单): clients under closer watch, why, until when, and who owns them.

A client's place on the list is a history of events (``watch_events``): ``enter`` (by a rule
or by an officer with a reason), ``update`` (new reason, owner or review date), ``review``
(the owner looked again; the next review date moves) and ``leave`` (always with a reason).
Every event is recorded in the ledger with its actor. The current list is each client's
latest event, where that is not ``leave``.

Rules (``RULES``) put a client on the list when its book line shows a weak grade (D or E),
a covenant breach, thin covenant headroom, days past due, or a high-severity warning.
``sync`` adds such clients (source ``rule``, owner the client's officer, first review in
``REVIEW_DAYS[...]`` days). A rule never takes a client off: the owner does, with a reason,
after checking — and a client that left comes back by rule only when its signals change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from assistant import ledger
from assistant.analytics.book import ClientBook
from assistant.errors import ConfigError
from assistant.store.db import Store
from assistant.store.repo import where_ids
from assistant.store.schema import Client, WatchEventRow

REVIEW_DAYS = {"high": 14, "medium": 30}  # first review after entering by rule, by the strongest signal
ACTIONS = ("enter", "update", "review", "leave")


@dataclass
class WatchEvent:
    id: int
    action: str
    source: str
    reason: str
    owner: str | None
    next_review: dt.date | None
    actor: str
    at: dt.datetime


@dataclass
class WatchEntry:
    client_id: int
    client: str
    source: str  # rule | officer (how it entered)
    reason: str  # the latest reason
    owner: str | None
    next_review: dt.date | None
    since: dt.datetime
    history: list[WatchEvent] = field(default_factory=list)

    def review_overdue(self, day: dt.date) -> bool:
        return self.next_review is not None and self.next_review < day


def rule_reasons(book: ClientBook) -> list[tuple[str, str]]:
    """(strength, reason) for each rule the client's book line meets; empty: no rule puts it on the list."""
    out: list[tuple[str, str]] = []
    if book.grade in ("D", "E"):
        out.append(("high", f"risk grade {book.grade}"))
    if book.breaches:
        out.append(("high", "covenant breach: " + "; ".join(book.breaches)))
    if book.days_past_due > 0:
        out.append(("high", f"{book.days_past_due} days past due"))
    if book.high_alerts:
        out.append(("high", "high-severity warning(s): " + ", ".join(book.high_alerts)))
    if book.thin:
        out.append(("medium", "thin covenant headroom: " + "; ".join(book.thin)))
    return out


def _events(s, client_ids: list[int] | None = None) -> dict[int, list[WatchEventRow]]:  # noqa: ANN001
    q, wanted = where_ids(select(WatchEventRow).order_by(WatchEventRow.id), WatchEventRow.client_id, client_ids)
    out: dict[int, list[WatchEventRow]] = {}
    for e in s.execute(q).scalars():
        if wanted is None or e.client_id in wanted:  # a whole book's ids are kept here, not bound one by one
            out.setdefault(e.client_id, []).append(e)
    return out


def _entry(client: Client, rows: list[WatchEventRow]) -> WatchEntry | None:
    if not rows or rows[-1].action == "leave":
        return None
    start = max(i for i, r in enumerate(rows) if r.action == "enter")
    current = rows[start:]
    last_with = lambda attr: next((getattr(r, attr) for r in reversed(current) if getattr(r, attr)), None)  # noqa: E731
    history = [WatchEvent(r.id, r.action, r.source, r.reason, r.owner, r.next_review, r.actor, r.at) for r in rows]
    return WatchEntry(client.id, client.name, current[0].source, last_with("reason") or "", last_with("owner"),
                      current[-1].next_review or last_with("next_review"), current[0].at, history)


def current(store: Store, client_ids: list[int] | None = None) -> list[WatchEntry]:
    """The clients on the list now (among ``client_ids``), next review first."""
    with store.session() as s:
        events = _events(s, client_ids)
        clients = {c.id: c for c in s.execute(where_ids(select(Client), Client.id, events)[0]).scalars()}
    entries = [e for cid, rows in events.items() if (e := _entry(clients[cid], rows)) is not None]
    return sorted(entries, key=lambda e: (e.next_review or dt.date.max, e.client))


def history(store: Store, client_id: int) -> list[WatchEvent]:
    with store.session() as s:
        rows = _events(s, [client_id]).get(client_id, [])
    return [WatchEvent(r.id, r.action, r.source, r.reason, r.owner, r.next_review, r.actor, r.at) for r in rows]


def _add(s, client_id: int, action: str, *, source: str, reason: str, owner: str | None,  # noqa: ANN001
         next_review: dt.date | None, actor: str) -> WatchEventRow:
    row = WatchEventRow(client_id=client_id, action=action, source=source, reason=reason, owner=owner,
                        next_review=next_review, actor=actor)
    s.add(row)
    s.flush()
    ledger.record(s, row, action=f"watch.{action}", actor=actor)
    return row


def _on_list(s, client_id: int) -> bool:  # noqa: ANN001
    last = s.execute(select(WatchEventRow.action).where(WatchEventRow.client_id == client_id)
                     .order_by(WatchEventRow.id.desc()).limit(1)).scalar_one_or_none()
    return last is not None and last != "leave"


def add(store: Store, client_id: int, *, reason: str, actor: str, owner: str | None = None,
        next_review: dt.date | None = None, today: dt.date | None = None) -> WatchEntry:
    """An officer puts a client on the list (or, when it is on already, updates its reason, owner or review date)."""
    from assistant.config import today as clock

    if not reason.strip():
        raise ConfigError("a watch-list entry needs a reason", hint="pass --reason TEXT: why the client needs closer watch")
    day = today or clock()
    with store.transaction() as s:
        action = "update" if _on_list(s, client_id) else "enter"
        _add(s, client_id, action, source="officer", reason=reason.strip(), owner=owner or actor,
             next_review=next_review or day + dt.timedelta(days=REVIEW_DAYS["medium"]), actor=actor)
    return next(e for e in current(store, [client_id]))


def review(store: Store, client_id: int, *, note: str, actor: str, next_review: dt.date) -> WatchEntry:
    """The owner reviewed the client: what they found, and the next review date."""
    if not note.strip():
        raise ConfigError("a review needs a note", hint="pass --note TEXT: what the review found")
    with store.transaction() as s:
        if not _on_list(s, client_id):
            raise ConfigError("the client is not on the watch list", hint="add it first: loanwatch watch add CLIENT --reason TEXT")
        _add(s, client_id, "review", source="officer", reason=note.strip(), owner=None, next_review=next_review, actor=actor)
    return next(e for e in current(store, [client_id]))


def remove(store: Store, client_id: int, *, reason: str, actor: str) -> WatchEvent:
    """Take a client off the list; the reason is required and kept in its history."""
    if not reason.strip():
        raise ConfigError("leaving the watch list needs a reason", hint="pass --reason TEXT: what changed")
    with store.transaction() as s:
        if not _on_list(s, client_id):
            raise ConfigError("the client is not on the watch list", hint="see `loanwatch watch list`")
        row = _add(s, client_id, "leave", source="officer", reason=reason.strip(), owner=None, next_review=None, actor=actor)
    return WatchEvent(row.id, row.action, row.source, row.reason, row.owner, row.next_review, row.actor, row.at)


def sync(store: Store, books: list[ClientBook], *, actor: str = "rules", today: dt.date | None = None) -> list[int]:
    """Put on the list every client a rule names that is not on it; the ids added.

    A client an officer took off comes back only when its reasons differ from those it had
    when it left (a new signal), so a reviewed and cleared client is not re-added every run.
    """
    from assistant.config import today as clock

    day = today or clock()
    added: list[int] = []
    with store.transaction() as s:
        events = _events(s, [b.client_id for b in books])
        for b in books:
            reasons = rule_reasons(b)
            if not reasons:
                continue
            rows = events.get(b.client_id, [])
            if rows and rows[-1].action != "leave":
                continue
            text = "; ".join(r for _, r in reasons)
            if rows and _signals(_last_rule_reason(rows)) == _signals(text):
                continue  # left with these very signals: the officer's decision stands
            strength = "high" if any(k == "high" for k, _ in reasons) else "medium"
            _add(s, b.client_id, "enter", source="rule", reason=text, owner=b.officer,
                 next_review=day + dt.timedelta(days=REVIEW_DAYS[strength]), actor=actor)
            added.append(b.client_id)
    return added


def _last_rule_reason(rows: list[WatchEventRow]) -> str:
    return next((r.reason for r in reversed(rows) if r.action == "enter" and r.source == "rule"), "")


def _signals(reason: str) -> set[str]:
    """The kinds of signal in a rule reason (numbers aside: 40 → 41 days past due is the same signal)."""
    return {part.split(":")[0].strip().lstrip("0123456789 ") for part in reason.split(";") if part.strip()}
