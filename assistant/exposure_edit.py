"""Exposure data edited in the app: a maker's pending change, applied only when a second person confirms it.

What can be edited (``FIELDS``: target → column → kind):

* a facility's ``drawn`` and ``outstanding`` balances;
* an instalment's ``paid_on`` (empty: unpaid) and ``paid_amount`` — its days past due follow from
  these and its due date (``analytics.book.instalments``), so they are never typed;
* a collateral's or guarantee's ``value`` and ``valuation_date``.

Each changes a client's standing (exposure, days past due, coverage, the suggested class), so
the project's four-eyes rule holds as for figure corrections (``assistant.makerchecker``):

    propose (any user who may reach the client)  →  exposure_change row, ledger ``exposure.edit`` by the maker
    review(store, "E<id>", checker, "confirm")    →  change_review row, ledger ``exposure.confirm`` by the checker,
                                                     and the facility rewritten, ledger ``facility.update`` by the checker
    review(…, "reject", reason)                   →  change_review row, ledger ``exposure.reject``; nothing applied

Until confirmed, nothing reads the change but the lists of pending changes. A confirmation is
refused when the values it would replace are no longer the ones the maker saw (a file import
or another confirmed edit came in between, or the instalment was re-imported): the checker
rejects it and the maker edits again. The bank's bulk path, ``loanwatch facility import``,
stays a checker's single step (``facility.import``) for what it adds, the balances and what decides
no test; a covenant,
instalment or security it would *remove* (the file no longer lists it) is proposed here instead
(``propose_removal``: target ``covenant``, ``repayment`` or ``security``, one field ``removal``
holding what is removed), pending like any edit, and deleted only when a second person confirms it.
Likewise a covenant whose terms the file changes (``propose_terms``: target ``covenant``, its
fields ``metric``, ``operator``, ``threshold``, ``frequency`` and ``grace_days``, each old → new,
the unchanged ones too, so that a confirmation checks the whole test is still the one the maker
saw): the stored terms stay in force until a second person confirms the new ones. The same holds for what
decides the tests of a stored facility, instalment or security (``IMPORTED``; ``propose_fields``):
a facility's drawdown and maturity dates and reporting, annual-reporting and inspection days; an
instalment's principal, interest, paid date and amount; a security's value, currency and valuation
date — one pending change per record, its deciding columns each old → new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import ledger
from assistant.access import User, require_client
from assistant.actor import require_right
from assistant.errors import ConfigError, NotFoundError
from assistant.store.db import Store
from assistant.store.schema import CovenantRow, ExposureChangeRow, FacilityRow, RepaymentRow, SecurityRow, canonical_decimal

#: target → column → "money" | "date"
FIELDS: dict[str, dict[str, str]] = {
    "facility": {"drawn": "money", "outstanding": "money"},
    "repayment": {"paid_on": "date", "paid_amount": "money"},
    "security": {"value": "money", "valuation_date": "date"},
}
#: what an import proposes, never writes, on a stored record (``facility_merge``): target → column → kind. Each decides a
#: test: reporting, annual-reporting and inspection days and the drawdown date when statements and visits are owed (the
#: late-reporting and site-visit warnings, the calendar), the maturity the matured-and-unpaid warning; an instalment's
#: principal, interest and payment its days past due (the overdue warnings, the five-category floor) and the ``dscr``
#: covenant's debt service; a security's value, currency and valuation date the collateral coverage and the stale-valuation warning
IMPORTED: dict[str, dict[str, str]] = {
    "facility": {"drawdown_date": "date", "maturity_date": "date", "reporting_days": "days", "annual_reporting_days": "days",
                 "inspection_days": "days"},
    "repayment": {"principal": "money", "interest": "money", "paid_on": "date", "paid_amount": "money"},
    "security": {"value": "money", "currency": "text", "valuation_date": "date"},
}
_MODELS = {"facility": FacilityRow, "repayment": RepaymentRow, "security": SecurityRow, "covenant": CovenantRow}
#: the one field of a removal (``propose_removal``): {"old": what the row was, "new": null}
REMOVAL = "removal"
_COLLECTION = {"covenant": "covenants", "repayment": "schedule", "security": "securities"}
#: a covenant's terms as ``propose_terms`` records them: column → the type its text parses to
TERMS: dict[str, type] = {"metric": str, "operator": str, "threshold": Decimal, "frequency": str, "grace_days": int}
#: column → (Chinese, English) as forms and lists print it
LABELS: dict[str, tuple[str, str]] = {
    "drawn": ("已提款", "drawn"), "outstanding": ("未偿余额", "outstanding"),
    "paid_on": ("实际还款日（空=未还）", "paid on (empty: unpaid)"), "paid_amount": ("实还金额", "amount paid"),
    "value": ("评估价值", "value"), "valuation_date": ("评估日", "valuation date"),
}


@dataclass
class Target:
    """One editable row of a client's exposure data, as the form offers it."""

    key: str  # "facility:3", "repayment:12", "security:5"
    facility: str
    label: str  # what a person reads: "流动资金贷款 · 还款 2026-07-31 本金 10,000,000"
    values: dict[str, str | None]  # column → current value as text


def _text(value) -> str | None:  # noqa: ANN001
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def term_text(value) -> str:  # noqa: ANN001
    """A covenant term as a change records it: one spelling per number (``0.60`` → ``0.6``), never an exponent."""
    return format(canonical_decimal(value), "f") if isinstance(value, Decimal) else str(value)


def value_text(value) -> str | None:  # noqa: ANN001
    """A stored or proposed value as a change records it (and a confirmation compares it): numbers as ``term_text``."""
    return term_text(value) if isinstance(value, Decimal) else _text(value)


def parse(column: str, kind: str, text: str | None) -> Decimal | dt.date | int | str | None:
    """A typed value from the form's text: money as an exact Decimal (commas allowed, ≥ 0), dates ISO, days a whole
    number ≥ 0, text as given; empty → None."""
    text = (text or "").strip().replace(",", "").replace("，", "")
    if not text:
        return None
    if kind == "text":
        return text
    if kind == "days":
        if not text.isdigit():
            raise ConfigError(f"{column}: {text!r} is not a number of days", hint="write a whole number, e.g. 30")
        return int(text)
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ConfigError(f"{column}: {text!r} is not a date", hint="write it as YYYY-MM-DD, e.g. 2026-08-05") from None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ConfigError(f"{column}: {text!r} is not an amount", hint="write digits, e.g. 50000000 or 50,000,000") from None
    if not value.is_finite() or value < 0:
        raise ConfigError(f"{column}: {text} is not an amount owed or paid", hint="give a non-negative amount")
    return value


def targets(store: Store, user: User, client: str | int) -> list[Target]:
    """Every editable row of the client's facilities (facility balances, instalments, securities) with its current values."""
    row = require_client(store, user, client)
    out: list[Target] = []
    with store.session() as s:
        for f in s.execute(select(FacilityRow).where(FacilityRow.client_id == row.id).order_by(FacilityRow.id)).scalars():
            out.append(Target(f"facility:{f.id}", f.name, f"{f.name} · 余额 balances ({f.currency})",
                              {c: _text(getattr(f, c)) for c in FIELDS["facility"]}))
            for r in f.schedule:
                state = f"已还 paid {r.paid_on.isoformat()}" if r.paid_on else "未还 unpaid"
                out.append(Target(f"repayment:{r.id}", f.name,
                                  f"{f.name} · 还款 instalment {r.due.isoformat()} 本金 {r.principal:,} · {state}",
                                  {c: _text(getattr(r, c)) for c in FIELDS["repayment"]}))
            for x in f.securities:
                what = x.description or x.provider or x.kind
                out.append(Target(f"security:{x.id}", f.name,
                                  f"{f.name} · {'押品 collateral' if x.kind == 'collateral' else '保证 guarantee'} {what}",
                                  {c: _text(getattr(x, c)) for c in FIELDS["security"]}))
    return out


def _parse_key(key: str) -> tuple[str, int]:
    target, _, ident = (key or "").partition(":")
    if target not in FIELDS or not ident.isdigit():
        raise ConfigError(f"{key!r} names no facility, instalment or security", hint="choose the row to edit from the list")
    return target, int(ident)


def _facility_of(s: Session, target: str, row) -> FacilityRow:  # noqa: ANN001 - FacilityRow | RepaymentRow | SecurityRow
    return row if target == "facility" else s.get(FacilityRow, row.facility_id)


def propose(store: Store, user: User, client: str | int, key: str, values: dict[str, str | None], reason: str, *,
            client_ids: frozenset[int] | None = None) -> int:
    """The maker's step: record the edit of ``key``'s columns (``values``: column → text, empty for none) as pending.

    Returns the change's id (its reference is ``E<id>``). Refused when the row is not the
    client's, a column does not belong to the row, nothing changes, or no reason is given.
    """
    require_right(user, "exposure.edit")
    target, ident = _parse_key(key)
    if not values:
        raise ConfigError("nothing to change", hint="give a new value for at least one field")
    unknown = [c for c in values if c not in FIELDS[target]]
    if unknown:
        raise ConfigError(f"{', '.join(unknown)} cannot be edited on a {target}",
                          hint=f"a {target} has {', '.join(FIELDS[target])}")
    if not (reason or "").strip():
        raise ConfigError("an exposure edit needs a reason", hint="say where the new value comes from, e.g. \"核心系统 2026-11-09 余额\"")
    parsed = {c: parse(c, FIELDS[target][c], v) for c, v in values.items()}
    client_row = require_client(store, user, client)
    if client_ids is not None and client_row.id not in client_ids:
        raise NotFoundError(f"no client {client!r} among the clients {user.name} may reach")
    with store.transaction() as s:
        row = s.get(_MODELS[target], ident)
        facility = _facility_of(s, target, row) if row is not None else None
        if facility is None or facility.client_id != client_row.id:
            raise NotFoundError(f"{client_row.name} has no {target} {ident}", hint="choose the row to edit from the list")
        fields = {c: {"old": _text(getattr(row, c)), "new": _text(v)} for c, v in parsed.items()
                  if _text(getattr(row, c)) != _text(v)}
        if not fields:
            raise ConfigError("the new values are the stored ones: nothing to change", hint="type the value that differs")
        change = ExposureChangeRow(client_id=client_row.id, facility_id=facility.id, target=target, target_id=ident,
                                   fields=fields, reason=reason.strip(), by=user.name)
        s.add(change)
        s.flush()
        ledger.record(s, change, action="exposure.edit", actor=user.name)
        return change.id


def summary(target: str, row) -> str:  # noqa: ANN001 - CovenantRow | RepaymentRow | SecurityRow
    """A child row as a removal names it (and checks, when confirmed, that it is still the same)."""
    if target == "covenant":
        return f"covenant {row.metric} {row.operator} {row.threshold} ({row.frequency})"
    if target == "repayment":
        paid = f", paid {row.paid_on}" if row.paid_on else ""
        return f"instalment due {row.due} principal {row.principal} interest {row.interest}{paid}"
    what = row.description or row.provider
    return f"{row.kind} {what} value {'—' if row.value is None else row.value} {row.currency}"


def _pending(s: Session, target: str, row_id: int) -> list[ExposureChangeRow]:
    """The changes of one row that no checker has confirmed or rejected yet."""
    from assistant.store.schema import ChangeReviewRow

    reviewed = select(ChangeReviewRow.entity_id).where(ChangeReviewRow.entity == "exposure")
    return list(s.execute(select(ExposureChangeRow).where(
        ExposureChangeRow.target == target, ExposureChangeRow.target_id == row_id,
        ExposureChangeRow.id.not_in(reviewed))).scalars())


def _add(s: Session, facility: FacilityRow, target: str, row, fields: dict, *, reason: str, by: str) -> ExposureChangeRow:  # noqa: ANN001
    change = ExposureChangeRow(client_id=facility.client_id, facility_id=facility.id, target=target, target_id=row.id,
                               fields=fields, reason=reason, by=by)
    s.add(change)
    s.flush()
    ledger.record(s, change, action="exposure.edit", actor=by)
    return change


def propose_removal(s: Session, facility: FacilityRow, target: str, row, *, reason: str, by: str) -> ExposureChangeRow | None:  # noqa: ANN001
    """The maker's step of removing a covenant, instalment or security (inside the caller's transaction).

    None when a removal of that row is already pending (a file imported twice proposes it once).
    """
    if any(REMOVAL in c.fields for c in _pending(s, target, row.id)):
        return None
    return _add(s, facility, target, row, {REMOVAL: {"old": summary(target, row), "new": None}}, reason=reason, by=by)


def propose_terms(s: Session, facility: FacilityRow, row: CovenantRow, fields: dict[str, dict[str, str]], *, reason: str,
                  by: str) -> ExposureChangeRow | None:
    """The maker's step of changing a stored covenant's terms (inside the caller's transaction; ``fields``: every
    column of ``TERMS`` → {"old", "new"} as text). None when the same change is already pending (a file imported
    twice proposes it once); a pending change to other terms stays, and whichever is confirmed first refuses the other.
    """
    return propose_fields(s, facility, "covenant", row, fields, reason=reason, by=by)


def propose_fields(s: Session, facility: FacilityRow, target: str, row, fields: dict[str, dict[str, str | None]], *,  # noqa: ANN001
                   reason: str, by: str) -> ExposureChangeRow | None:
    """The maker's step of an import's change to a stored record (inside the caller's transaction): ``fields`` states
    every column that decides its tests (``TERMS`` of a covenant, ``IMPORTED[target]`` otherwise) → {"old", "new"} as
    ``value_text``, the unchanged ones too, so that a confirmation checks the whole record is still what the maker saw.
    None when the same change is already pending (a file imported twice proposes it once).
    """
    columns = TERMS if target == "covenant" else IMPORTED[target]
    if set(fields) != set(columns):
        raise ConfigError(f"a {target} change states all of {', '.join(columns)}", hint="this is a bug in the caller")
    if any(c.fields == fields for c in _pending(s, target, row.id)):
        return None
    return _add(s, facility, target, row, fields, reason=reason, by=by)


def describe(s: Session, change: ExposureChangeRow) -> str:
    """What the change edits, as lists print it: "流动资金贷款 instalment 2026-07-31 paid_on"."""
    facility = s.get(FacilityRow, change.facility_id)
    name = facility.name if facility is not None else f"facility {change.facility_id}"
    if REMOVAL in change.fields:
        return f"{name}: remove {change.fields[REMOVAL]['old']}"
    columns = ", ".join(c for c, v in change.fields.items() if v["old"] != v["new"])
    if change.target == "facility":
        return f"{name} {columns}"
    row = s.get(_MODELS[change.target], change.target_id)
    if row is None:
        return f"{name} {change.target} {change.target_id} (no longer stored) {columns}"
    if change.target == "covenant":
        return f"{name}: change {summary('covenant', row)}: {columns}"
    what = row.due.isoformat() if change.target == "repayment" else (row.description or row.provider or row.kind)
    return f"{name} {'instalment' if change.target == 'repayment' else row.kind} {what} {columns}"


def values_text(fields: dict, side: str) -> str:
    """One side (old | new) of the changed fields, as lists print it (fields that stay the same are left out)."""
    return "; ".join(f"{c}={'—' if v[side] is None else v[side]}" for c, v in fields.items() if v["old"] != v["new"])


def apply(s: Session, change: ExposureChangeRow, *, actor: str) -> FacilityRow:
    """The checker's confirmation takes effect: write the new values, recorded as ``facility.update`` by ``actor``.

    Runs inside the review's transaction. ``ConfigError`` when a value to replace is no longer
    the one the maker saw, or the row is gone (the facility was re-imported since).
    """
    row = s.get(_MODELS[change.target], change.target_id)
    facility = _facility_of(s, change.target, row) if row is not None else None
    if facility is None or facility.id != change.facility_id:
        raise ConfigError(f"exposure change E{change.id} edits a {change.target} that is no longer stored (re-imported since)",
                          hint="reject it; the maker edits the row as it is now")
    if REMOVAL in change.fields:  # a removal an import proposed: the row must still be what it named
        if summary(change.target, row) != change.fields[REMOVAL]["old"]:
            raise ConfigError(f"exposure change E{change.id}: the {change.target} is now {summary(change.target, row)}, "
                              f"not {change.fields[REMOVAL]['old']} as proposed", hint="reject it; import or edit again")
        getattr(facility, _COLLECTION[change.target]).remove(row)  # delete-orphan: the row goes
        s.flush()
        ledger.record(s, facility, action="facility.update", actor=actor)
        return facility
    for column, v in change.fields.items():
        now = value_text(getattr(row, column))
        if now != v["old"]:
            raise ConfigError(f"exposure change E{change.id}: {column} is now {now or '—'}, not {v['old'] or '—'} as the maker saw it",
                              hint="reject it; the maker edits the value as it is now")
    for column, v in change.fields.items():
        if change.target == "covenant":  # its terms, stated whole: the checker confirmed this test
            setattr(row, column, TERMS[column](v["new"]))
        else:
            setattr(row, column, parse(column, FIELDS[change.target].get(column) or IMPORTED[change.target][column], v["new"]))
    s.flush()
    ledger.record(s, facility, action="facility.update", actor=actor)
    return facility


__all__ = ["FIELDS", "IMPORTED", "LABELS", "REMOVAL", "TERMS", "Target", "apply", "describe", "parse", "propose", "propose_fields",
           "propose_removal", "propose_terms", "summary", "targets", "term_text", "value_text", "values_text"]
