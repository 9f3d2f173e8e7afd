"""Maker/checker: a change one person makes counts only once a second person confirms it.

Three kinds of change go through it:

* a **correction** of a figure (``repo.set_figure``, the maker's step);
* a **decision**: the final 五级分类 (``classification``) or rating (``grade``) of a client for a
  period, decided by a person against the system's suggestion, with a justification;
* an **exposure** edit made in the app (a facility's drawn or outstanding balance, an instalment's
  payment, a security's value): ``assistant.exposure_edit`` records it and writes it into the
  facility when it is confirmed.

The states::

    made ──confirm (another user, reviewer/admin)──▶ confirmed   (it now counts)
      │
      └───reject (another user, reviewer/admin, a reason)──▶ rejected  (it never counts)

A change with no ``ChangeReviewRow`` is *pending*: shown everywhere with its maker, never
used in covenant tests, grades, warnings, answers or memos. The maker cannot confirm their
own change; a checker reviews each change once. Every step is one ledger entry with its
actor (``figure.correct``/``figure.confirm``/``figure.reject``, ``classification.decide``/
``grade.decide``, ``decision.confirm``/``decision.reject``, ``exposure.edit``/``exposure.confirm``/
``exposure.reject``, and the confirmed exposure edit's ``facility.update`` by the checker).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import ledger
from assistant.access import User, visible_client_ids
from assistant.actor import require_right
from assistant.domain import Span
from assistant.errors import AccessDeniedError, ConfigError, NotFoundError
from assistant.store.db import Store
from assistant.store.schema import ChangeReviewRow, Client, CorrectionRow, DecisionRow, ExposureChangeRow

OUTCOMES = {"confirm": "confirmed", "reject": "rejected"}
_PREFIX = {"correction": "C", "decision": "K", "exposure": "E"}
_MODELS = {"correction": CorrectionRow, "decision": DecisionRow, "exposure": ExposureChangeRow}
#: entity → (the checker's right, the ledger action prefix)
_CHECK = {"correction": ("figure.confirm", "figure"), "decision": ("decision.confirm", "decision"),
          "exposure": ("exposure.confirm", "exposure")}
KINDS = ("classification", "grade")
#: every kind of change this path reviews (``assistant.awaiting`` lists the pending ones of each)
ENTITIES: tuple[str, ...] = tuple(_MODELS)
#: entity → the right its checker needs
CHECKER_RIGHTS: dict[str, str] = {entity: right for entity, (right, _) in _CHECK.items()}


@dataclass
class Change:
    """One maker's change and where it stands, as the CLI and the app list it."""

    entity: str  # correction | decision | exposure
    id: int
    client: str
    client_id: int
    what: str  # "revenue 2026Q3" or "classification 2026Q3"
    old: str | None
    new: str
    by: str
    reason: str
    status: str  # pending | confirmed | rejected
    reviewed_by: str | None = None
    review_reason: str | None = None
    suggested: str | None = None

    @property
    def ref(self) -> str:
        return f"{_PREFIX[self.entity]}{self.id}"

    def to_json(self) -> dict:
        return {"ref": self.ref, "entity": self.entity, "id": self.id, "client": self.client, "client_id": self.client_id,
                "what": self.what, "old": self.old, "new": self.new, "by": self.by, "reason": self.reason,
                "status": self.status, "reviewed_by": self.reviewed_by, "review_reason": self.review_reason,
                **({"suggested": self.suggested} if self.entity == "decision" else {})}


def _text(value: Decimal | None) -> str:
    return "null" if value is None else str(value)


# ---------------------------------------------------------------- listing


def changes(store: Store, *, client_ids: frozenset[int] | set[int] | None = None, status: str | None = "pending",
            entity: str | None = None) -> list[Change]:
    """Corrections and decisions (of ``client_ids``), newest first; ``status`` None lists every state."""
    with store.session() as s:
        names = dict(s.execute(select(Client.id, Client.name)).all())
        reviews = {(r.entity, r.entity_id): r for r in s.execute(select(ChangeReviewRow)).scalars()}
        out: list[Change] = []
        if entity in (None, "correction"):
            for c in s.execute(select(CorrectionRow).order_by(CorrectionRow.id.desc())).scalars():
                r = reviews.get(("correction", c.id))
                scope = "" if (c.scope or "consolidated") == "consolidated" else f" ({c.scope})"
                out.append(Change("correction", c.id, names[c.client_id], c.client_id,
                                  f"{c.key} {Span(c.period_end, c.period_start).label}{scope}", _text(c.old_value),
                                  _text(c.new_value), c.by, c.reason, r.outcome if r else "pending",
                                  r.by if r else None, r.reason if r else None))
        if entity in (None, "decision"):
            for d in s.execute(select(DecisionRow).order_by(DecisionRow.id.desc())).scalars():
                r = reviews.get(("decision", d.id))
                out.append(Change("decision", d.id, names[d.client_id], d.client_id, f"{d.kind} {d.period}", d.suggested,
                                  d.value, d.by, d.justification, r.outcome if r else "pending", r.by if r else None,
                                  r.reason if r else None, suggested=d.suggested))
        if entity in (None, "exposure"):
            from assistant.exposure_edit import describe, values_text

            for e in s.execute(select(ExposureChangeRow).order_by(ExposureChangeRow.id.desc())).scalars():
                r = reviews.get(("exposure", e.id))
                out.append(Change("exposure", e.id, names[e.client_id], e.client_id, describe(s, e), values_text(e.fields, "old"),
                                  values_text(e.fields, "new"), e.by, e.reason, r.outcome if r else "pending",
                                  r.by if r else None, r.reason if r else None))
    return [c for c in out if (client_ids is None or c.client_id in client_ids) and (status is None or c.status == status)]


# ---------------------------------------------------------------- the checker's step


def review(store: Store, ref: str, user: User, action: str, reason: str = "", *,
           client_ids: frozenset[int] | None = None) -> Change:
    """``action`` (confirm | reject) the change ``ref`` (``C<id>`` a correction, ``K<id>`` a decision, ``E<id>`` an
    exposure edit; a bare id: a correction). Confirming an exposure edit writes it into the facility.

    Refused (``AccessDeniedError``) for a user without the checker's right, for the maker
    themself, and for a change outside the clients the user may reach (``client_ids`` further
    limits them: the app passes the logged-in user's). A rejection needs a reason.
    """
    if action not in OUTCOMES:
        raise ConfigError(f"unknown action {action!r}", hint="confirm or reject")
    entity, change_id = _parse_ref(ref)
    right, prefix = _CHECK[entity]
    require_right(user, right)
    if action == "reject" and not reason.strip():
        raise ConfigError("a rejection needs a reason", hint="say what is wrong, e.g. --reason \"p.4 prints 1.2亿, not 1.5亿\"")
    reachable = visible_client_ids(store, user)
    if client_ids is not None:
        reachable = reachable & client_ids
    with store.transaction() as s:
        row = s.get(_MODELS[entity], change_id)
        if row is None or row.client_id not in reachable:
            raise NotFoundError(f"no {entity} {ref!r} among the clients {user.name} may reach",
                                hint="`loanwatch figures pending` lists what awaits a checker")
        if row.by == user.name:
            raise AccessDeniedError(f"{entity} {ref} was made by {user.name}: a second person must {action} it",
                                    hint="ask a reviewer who did not make it")
        done = s.execute(select(ChangeReviewRow).where(ChangeReviewRow.entity == entity,
                                                       ChangeReviewRow.entity_id == row.id)).scalar_one_or_none()
        if done is not None:
            raise ConfigError(f"{entity} {ref} was already {done.outcome} by {done.by}",
                              hint="make a new correction or decision to change it again")
        if action == "confirm" and entity != "exposure":  # an exposure edit checks the values it replaces (apply)
            _refuse_superseded(s, entity, row)
        review_row = ChangeReviewRow(entity=entity, entity_id=row.id, client_id=row.client_id, outcome=OUTCOMES[action],
                                     by=user.name, reason=reason.strip())
        s.add(review_row)
        s.flush()
        ledger.record(s, review_row, action=f"{prefix}.{action}", actor=user.name)
        if entity == "exposure" and action == "confirm":
            from assistant.exposure_edit import apply

            apply(s, row, actor=user.name)
    (out,) = [c for c in changes(store, status=None, entity=entity) if c.id == change_id]
    return out


def _parse_ref(ref: str | int) -> tuple[str, int]:
    text = str(ref).strip().upper()
    entity = {"K": "decision", "E": "exposure"}.get(text[:1], "correction")
    digits = text[1:] if text[:1] in ("C", "K", "E") else text
    if not digits.isdigit():
        raise ConfigError(f"{ref!r} is not a correction, decision or exposure edit reference",
                          hint="give C<id> (a correction), K<id> (a decision) or E<id> (an exposure edit) as the pending lists show them")
    return entity, int(digits)


def _refuse_superseded(s: Session, entity: str, row) -> None:  # noqa: ANN001 - CorrectionRow | DecisionRow
    """A later change of the same figure (or decision) already confirmed makes this one moot."""
    if entity == "correction":
        model, same = CorrectionRow, (CorrectionRow.client_id == row.client_id, CorrectionRow.key == row.key,
                                      CorrectionRow.scope == row.scope, CorrectionRow.period_end == row.period_end,
                                      CorrectionRow.period_start.is_(None) if row.period_start is None
                                      else CorrectionRow.period_start == row.period_start)
    else:
        model, same = DecisionRow, (DecisionRow.client_id == row.client_id, DecisionRow.kind == row.kind,
                                    DecisionRow.period == row.period)
    later = select(model.id).where(*same, model.id > row.id)
    if s.execute(select(ChangeReviewRow.id).where(ChangeReviewRow.entity == entity, ChangeReviewRow.outcome == "confirmed",
                                                  ChangeReviewRow.entity_id.in_(later)).limit(1)).first():
        raise ConfigError(f"{entity} {row.id} is superseded by a later confirmed one", hint="reject it instead")


# ---------------------------------------------------------------- decisions (classification, grade)


def decide(store: Store, client: str | int, period: str, kind: str, value: str, justification: str, user: User, *,
           suggested: str | None, client_ids: frozenset[int] | None = None) -> Change:
    """The maker's decision of the final classification or grade for ``period`` (pending until confirmed)."""
    from assistant.access import require_client
    from assistant.analytics.classification import CATEGORIES, ENGLISH
    from assistant.analytics.scorecard import LETTERS

    require_right(user, "decision.make")
    if kind not in KINDS:
        raise ConfigError(f"unknown decision {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    value = value.strip()
    if kind == "classification":
        by_english = {v: k for k, v in ENGLISH.items()}
        value = by_english.get(value.lower(), value)
        if value not in CATEGORIES:
            raise ConfigError(f"{value!r} is not a five-category classification", hint=f"use one of {', '.join(CATEGORIES)}")
    else:
        value = value.upper()
        if value not in LETTERS:
            raise ConfigError(f"{value!r} is not a grade", hint=f"use one of {', '.join(LETTERS)}")
    if not justification.strip():
        raise ConfigError("a decision needs a justification", hint="say why, e.g. --reason \"breach cured by the guarantor's deposit\"")
    row = require_client(store, user, client)
    if client_ids is not None and row.id not in client_ids:
        raise AccessDeniedError(f"no client {client!r} among the clients assigned to {user.name}")
    with store.transaction() as s:
        d = DecisionRow(client_id=row.id, period=period, kind=kind, suggested=suggested, value=value,
                        justification=justification.strip(), by=user.name)
        s.add(d)
        s.flush()
        ledger.record(s, d, action=f"{kind}.decide", actor=user.name)
        change_id = d.id
    (out,) = [c for c in changes(store, status=None, entity="decision") if c.id == change_id]
    return out


def decisions(source: Session | Store, client_id: int, period: str) -> dict[str, dict]:
    """kind → the latest confirmed decision and the newer pending ones, for a client and period.

    ``{"classification": {"value": "关注", "by": …, "confirmed_by": …, "justification": …,
    "suggested": …, "pending": [{…}]}}``; a kind nobody decided is absent.
    """
    if isinstance(source, Store):
        with source.session() as s:
            return decisions(s, client_id, period)
    rows = list(source.execute(select(DecisionRow).where(DecisionRow.client_id == client_id, DecisionRow.period == period)
                               .order_by(DecisionRow.id)).scalars())
    if not rows:
        return {}
    reviews = {r.entity_id: r for r in source.execute(select(ChangeReviewRow).where(
        ChangeReviewRow.entity == "decision", ChangeReviewRow.entity_id.in_([d.id for d in rows]))).scalars()}
    out: dict[str, dict] = {}
    for kind in KINDS:
        mine = [d for d in rows if d.kind == kind]
        confirmed = [d for d in mine if d.id in reviews and reviews[d.id].outcome == "confirmed"]
        top = confirmed[-1] if confirmed else None
        pending = [{"ref": f"K{d.id}", "value": d.value, "by": d.by, "justification": d.justification,
                    "suggested": d.suggested, "status": "pending",
                    "note": f"pending {kind} decision {d.value} by {d.by}, not yet confirmed"}
                   for d in mine if d.id not in reviews and (top is None or d.id > top.id)]
        if top is None and not pending:
            continue
        out[kind] = {"value": top.value if top else None, "suggested": top.suggested if top else None,
                     "by": top.by if top else None, "confirmed_by": reviews[top.id].by if top else None,
                     "justification": top.justification if top else None, "ref": f"K{top.id}" if top else None,
                     "status": "confirmed" if top else "pending", "pending": pending}
    return out


__all__ = ["CHECKER_RIGHTS", "ENTITIES", "Change", "KINDS", "changes", "decide", "decisions", "review"]
