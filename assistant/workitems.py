"""Early warnings handled as work: acknowledge, assign, comment, resolve with the action taken.

A *warning item* is one alert (client, period, rule, message) that someone has to deal with.
``sync`` opens an item for each current alert that has none; the item then moves
``open → acknowledged → resolved`` (resolving needs the action taken and a note; an item can
be resolved straight from open). Assigning and commenting do not change the state. Every
step is a ``warning_events`` row, and the item with its whole history is recorded in the
ledger with the actor, so who did what and when cannot be rewritten.

Actions (``ACTIONS``) follow the seed article's levers: closer monitoring, extra reporting,
restructuring (e.g. a new repayment plan), more collateral or guarantees, exposure reduction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from assistant import ledger
from assistant.errors import ConfigError, NotFoundError
from assistant.store.db import Store
from assistant.store.repo import where_ids
from assistant.store.schema import Client, WarningEventRow, WarningItemRow

ACTIONS: dict[str, tuple[str, str]] = {
    "closer_monitoring": ("加强监控（提高检查频率）", "closer monitoring"),
    "extra_reporting": ("要求补充或加频报送资料", "extra reporting"),
    "restructuring": ("重组或调整还款计划", "restructuring"),
    "collateral": ("追加抵质押或保证", "more collateral or guarantees"),
    "exposure_reduction": ("压降或退出授信敞口", "exposure reduction"),
}
STATES = ("open", "acknowledged", "resolved")


@dataclass
class ItemEvent:
    action: str
    actor: str
    text: str
    at: dt.datetime


@dataclass
class WarningItem:
    id: int
    client_id: int
    client: str
    period: str
    rule: str
    severity: str
    message: str
    status: str
    assignee: str | None
    action_taken: str | None
    created_at: dt.datetime
    events: list[ItemEvent] = field(default_factory=list)

    @property
    def ref(self) -> str:
        return f"W{self.id}"

    @property
    def resolution(self) -> str | None:
        """The resolving note, when resolved."""
        return next((e.text for e in reversed(self.events) if e.action == "resolve"), None)

    def action_label(self, lang: str = "zh") -> str | None:
        if not self.action_taken:
            return None
        zh, en = ACTIONS[self.action_taken]
        return zh if lang == "zh" else en


def _item(row: WarningItemRow, name: str) -> WarningItem:
    return WarningItem(row.id, row.client_id, name, row.period, row.rule, row.severity, row.message, row.status,
                       row.assignee, row.action_taken, row.created_at,
                       [ItemEvent(e.action, e.actor, e.text, e.at) for e in row.events])


def parse_ref(ref: str | int) -> int:
    text = str(ref).strip().upper().lstrip("W")
    if not text.isdigit():
        raise ConfigError(f"{ref!r} is not a warning item", hint="use the W<number> shown by `loanwatch warning list`")
    return int(text)


def items(store: Store, *, client_ids: list[int] | None = None, status: str | None = None) -> list[WarningItem]:
    """Items (of ``client_ids``; in ``status``), open ones first, most severe first, newest first."""
    if status is not None and status not in STATES:
        raise ConfigError(f"unknown state {status!r}", hint=f"use one of {', '.join(STATES)}")
    with store.session() as s:
        q, wanted = where_ids(select(WarningItemRow).options(selectinload(WarningItemRow.events)), WarningItemRow.client_id,
                              client_ids)
        if status is not None:
            q = q.where(WarningItemRow.status == status)
        rows = [r for r in s.execute(q).scalars() if wanted is None or r.client_id in wanted]  # many ids: kept here
        names = dict(s.execute(where_ids(select(Client.id, Client.name), Client.id, {r.client_id for r in rows})[0]).all())
    rank = {"high": 0, "medium": 1, "low": 2}
    out = [_item(r, names[r.client_id]) for r in rows]
    out.sort(key=lambda i: (STATES.index(i.status) if i.status != "acknowledged" else 0, rank.get(i.severity, 9), -i.id))
    return out


def get(store: Store, ref: str | int) -> WarningItem:
    item_id = parse_ref(ref)
    with store.session() as s:
        row = s.get(WarningItemRow, item_id)
        if row is None:
            raise NotFoundError(f"no warning item W{item_id}", hint="see `loanwatch warning list`")
        name = s.get(Client, row.client_id).name
        return _item(row, name)


def sync(store: Store, alerts: list[dict], *, actor: str = "rules") -> list[int]:
    """Open an item for each alert (``status.alert_json`` dicts with ``client_id``) that has none; the new ids."""
    new: list[int] = []
    with store.transaction() as s:
        seen = {(c, p, r, m) for c, p, r, m in s.execute(
            select(WarningItemRow.client_id, WarningItemRow.period, WarningItemRow.rule, WarningItemRow.message))}
        for a in alerts:
            key = (a["client_id"], a["period"], a["rule"], a["message"])
            if key in seen:
                continue
            seen.add(key)
            row = WarningItemRow(client_id=a["client_id"], period=a["period"], rule=a["rule"], severity=a["severity"],
                                 message=a["message"], status="open")
            row.events = [WarningEventRow(action="open", actor=actor, text="")]
            s.add(row)
            s.flush()
            ledger.record(s, row, action="warning.open", actor=actor)
            new.append(row.id)
    return new


def _step(store: Store, ref: str | int, action: str, *, actor: str, text: str = "", allowed: set[str] | None = None,
          change: dict | None = None) -> WarningItem:
    item_id = parse_ref(ref)
    with store.transaction() as s:
        row = s.get(WarningItemRow, item_id)
        if row is None:
            raise NotFoundError(f"no warning item W{item_id}", hint="see `loanwatch warning list`")
        if allowed is not None and row.status not in allowed:
            raise ConfigError(f"W{item_id} is {row.status}: cannot {action} it",
                              hint="comment on it instead" if row.status == "resolved" else "see `loanwatch warning show`")
        for k, v in (change or {}).items():
            setattr(row, k, v)
        row.events.append(WarningEventRow(action=action, actor=actor, text=text))
        s.flush()
        ledger.record(s, row, action=f"warning.{action}", actor=actor)
    return get(store, item_id)


def acknowledge(store: Store, ref: str | int, *, actor: str, note: str = "") -> WarningItem:
    return _step(store, ref, "ack", actor=actor, text=note, allowed={"open"}, change={"status": "acknowledged"})


def assign(store: Store, ref: str | int, *, actor: str, to: str, note: str = "") -> WarningItem:
    if not to.strip():
        raise ConfigError("assign to whom?", hint="pass --to USER")
    return _step(store, ref, "assign", actor=actor, text=note or f"assigned to {to}", allowed={"open", "acknowledged"},
                 change={"assignee": to.strip()})


def comment(store: Store, ref: str | int, *, actor: str, text: str) -> WarningItem:
    if not text.strip():
        raise ConfigError("an empty comment", hint="pass the comment's text")
    return _step(store, ref, "comment", actor=actor, text=text.strip())


def resolve(store: Store, ref: str | int, *, actor: str, action: str, note: str) -> WarningItem:
    if action not in ACTIONS:
        raise ConfigError(f"unknown action {action!r}", hint=f"use one of {', '.join(ACTIONS)}")
    if not note.strip():
        raise ConfigError("resolving needs a note", hint="pass --note TEXT: what was done and agreed")
    return _step(store, ref, "resolve", actor=actor, text=note.strip(), allowed={"open", "acknowledged"},
                 change={"status": "resolved", "action_taken": action})


def alerts_of(books) -> list[dict]:  # noqa: ANN001 - list[analytics.book.ClientBook]
    """The current alerts of some book lines, as ``sync`` takes them (message in Chinese, as stored alerts are)."""
    return [{"client_id": b.client_id, "period": a["period"], "rule": a["rule"], "severity": a["severity"],
             "message": a["message_zh"]} for b in books for a in b.alerts]
