"""Everything waiting for a second person (a checker), listed from one registry.

``SOURCES`` names each kind of item that counts only once someone other than its maker acts on
it, with the function that lists the pending ones:

* every entity of the maker/checker path (``assistant.makerchecker.ENTITIES``): figure
  corrections (``C<id>``), classification and grade decisions (``K<id>``), exposure edits, and imported changes and
  removals of facility terms, covenants, instalments and securities (``E<id>``) — taken from makerchecker's own table, so an entity added
  there is listed here without an edit;
* memo versions submitted for approval (``assistant.memo.workflow``; the approver must not have
  written them);
* statements flagged for review at ingest (``assistant.review``; the confirmer must not be the
  uploader).

Each source names its checker's right; ``tests/test_awaiting.py`` holds that every checker right in
``assistant.actor.RIGHTS`` (``*.confirm``, ``*.approve``) has a source, so a new kind of four-eyes
step fails the tests until it is listed here.

``awaiting(store, client_ids)`` lists them, ``counts(items)`` gives one number per kind (every
kind present, zeros included). ``loanwatch status`` and the app's dashboard both read this
module, so neither can leave a kind out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

from sqlalchemy import func, select

from assistant.store.db import Store


@dataclass(frozen=True)
class Awaiting:
    """One item a checker has to act on."""

    kind: str  # a key of SOURCES
    ref: str  # C12, K3, E5, M7 (the memo row), S40
    client_id: int
    client: str
    what: str
    by: str | None  # the maker (None where the store does not know)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Source:
    label_zh: str
    label_en: str
    how: str  # the command that acts on it
    right: str  # the checker's right (``assistant.actor.RIGHTS``): every such right has its source here
    items: Callable[[Store, set[int] | None], list[Awaiting]]


def _changes(entity: str) -> Callable[[Store, set[int] | None], list[Awaiting]]:
    def items(store: Store, client_ids: set[int] | None) -> list[Awaiting]:
        from assistant.makerchecker import changes

        return [Awaiting(entity, c.ref, c.client_id, c.client, c.what, c.by)
                for c in changes(store, client_ids=client_ids, entity=entity)]

    return items


def _memos(store: Store, client_ids: set[int] | None) -> list[Awaiting]:
    """The (client, period) memos whose latest version is ``submitted``."""
    from assistant.store.schema import Client, MemoRow

    latest = (select(MemoRow.client_id, MemoRow.period, func.max(MemoRow.version).label("v"))
              .group_by(MemoRow.client_id, MemoRow.period).subquery())
    q = (select(MemoRow.id, MemoRow.client_id, MemoRow.period, MemoRow.version, MemoRow.content, MemoRow.created_by, Client.name)
         .join(latest, (MemoRow.client_id == latest.c.client_id) & (MemoRow.period == latest.c.period)
               & (MemoRow.version == latest.c.v))
         .join(Client, Client.id == MemoRow.client_id).order_by(MemoRow.id))
    out = []
    with store.session() as s:
        for r in s.execute(q):
            if client_ids is not None and r.client_id not in client_ids:
                continue
            try:
                stage = json.loads(r.content).get("stage")
            except (json.JSONDecodeError, AttributeError):
                stage = None  # a plain-text memo: a draft (memo.versions.list_versions)
            if stage == "submitted":
                out.append(Awaiting("memo", f"M{r.id}", r.client_id, r.name, f"memo {r.period} v{r.version}", r.created_by))
    return out


def _statements(store: Store, client_ids: set[int] | None) -> list[Awaiting]:
    from assistant.review import flagged

    return [Awaiting("statement", f"S{f.statement_id}", f.client_id, f.client, f"{f.document} {f.kind}", f.uploaded_by)
            for f in flagged(store, client_ids=client_ids)]


def _sources() -> dict[str, Source]:
    from assistant.makerchecker import CHECKER_RIGHTS, ENTITIES

    labels = {"correction": ("待复核的更正", "figure corrections", "loanwatch figures confirm|reject C<id>"),
              "decision": ("待复核的分类/评级认定", "classification and grade decisions", "loanwatch classification|grade confirm|reject K<id>"),
              "exposure": ("待复核的敞口及授信条款修改", "exposure edits and imported changes to facility terms",
                           "loanwatch exposure confirm|reject E<id>")}
    out = {e: Source(*labels.get(e, (f"待复核的{e}", f"{e} changes", "loanwatch figures pending")), CHECKER_RIGHTS[e], _changes(e))
           for e in ENTITIES}
    out["memo"] = Source("待审批的报告", "memos submitted for approval", "loanwatch memo approve|return CLIENT --period P",
                         "memo.approve", _memos)
    out["statement"] = Source("待确认的报表", "statements flagged for review", "loanwatch review confirm S<id>", "statement.confirm",
                              _statements)
    return out


SOURCES: dict[str, Source] = {}


def sources() -> dict[str, Source]:
    """The registry (built on first use: nothing happens at import time)."""
    if not SOURCES:
        SOURCES.update(_sources())
    return SOURCES


def awaiting(store: Store, client_ids: Iterable[int] | None = None) -> list[Awaiting]:
    """Every item of every kind waiting for a checker (of ``client_ids`` when given), kind by kind."""
    ids = set(client_ids) if client_ids is not None else None
    return [item for source in sources().values() for item in source.items(store, ids)]


def counts(items: Iterable[Awaiting]) -> dict[str, int]:
    """kind → how many wait, every kind present."""
    out = dict.fromkeys(sources(), 0)
    for item in items:
        out[item.kind] += 1
    return out


def summary(items: list[Awaiting]) -> dict:
    """The JSON ``status`` and the app show: the total, the count per kind, and the items."""
    found = counts(items)
    labels = {k: f"{sources()[k].label_zh} {sources()[k].label_en}" for k in found}
    return {"total": len(items), "by_kind": found, "labels": labels, "items": [i.to_json() for i in items]}


__all__ = ["Awaiting", "Source", "awaiting", "counts", "sources", "summary"]
