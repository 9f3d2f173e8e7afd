"""A facility read from an import file meets the stored one: the file changes only what it gives.

``merge_facility`` is the import's one write of a facility (``assistant.portfolio_io``):

* **attributes** — a new facility takes the file's values and the defaults; a stored one changes
  only the attributes the file gives (a CSV/Excel cell with a value, a YAML/JSON key). An empty
  cell keeps the stored value: a file of balances alone leaves maturity, rate and reporting days.
* **child records** (``covenants``, ``schedule``, ``securities``) — a kind the file gives for the
  facility (rows of that table naming it; the key in YAML/JSON, even an empty list), or that
  ``complete`` names for every facility of the file (``loanwatch facility import --replace KIND``),
  is merged by each record's natural key (``KEYS``: a covenant's metric, operator and frequency; an
  instalment's due date; a security's kind, description and provider). A matched record is updated
  in place with the values the file gives (its id, and any pending app edit of it, stay); a new one
  is added. A kind the file does not give is left exactly as stored.
* **removals** — a stored record of a given kind that the file does not list is *not* deleted: it
  is proposed for removal as a pending exposure change (``E<id>``, ``exposure_edit.propose_removal``,
  by the importer) that counts nowhere until a second person confirms it (``loanwatch exposure
  confirm``; ``assistant.makerchecker``), because a covenant, an instalment or a security gone
  changes the client's standing. Proposing the same removal again while one is pending adds none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import ledger
from assistant.store.schema import Client, CovenantRow, FacilityRow, RepaymentRow, SecurityRow

#: child kind → (the stored model, the exposure-change target, its natural key, the fields a file row may update)
KINDS: dict[str, tuple[type, str, tuple[str, ...], tuple[str, ...]]] = {
    "covenants": (CovenantRow, "covenant", ("metric", "operator", "frequency"), ("threshold", "grace_days", "description")),
    "schedule": (RepaymentRow, "repayment", ("due",), ("principal", "interest", "paid_on", "paid_amount")),
    "securities": (SecurityRow, "security", ("kind", "description", "provider"), ("value", "currency", "valuation_date")),
}
ATTRIBUTES = ("amount", "currency", "drawn", "outstanding", "drawdown_date", "maturity_date", "rate", "collateral", "guarantors",
              "reporting_days", "annual_reporting_days", "inspection_days")


@dataclass
class Merged:
    """What one facility's merge did."""

    facility: FacilityRow
    added: bool
    removals: list[int] = field(default_factory=list)  # ids of the exposure changes proposed (E<id>)


def given_kinds(f, complete: frozenset[str] | set[str]) -> set[str]:  # noqa: ANN001 - portfolio_io.FacilityIn
    """The child kinds the file states for this facility: those it sets, and those ``complete`` names."""
    return {k for k in KINDS if k in f.model_fields_set or k in complete}


def merge_facility(s: Session, client: Client, f, *, complete: frozenset[str] | set[str] = frozenset(),  # noqa: ANN001
                   source: str, actor: str) -> Merged:
    """Create the facility or change what the file gives of it (see the module); ledger ``facility.add|update``."""
    from assistant.exposure_edit import propose_removal

    row = s.execute(select(FacilityRow).where(FacilityRow.client_id == client.id, FacilityRow.name == f.name)).scalar_one_or_none()
    added = row is None
    if added:
        row = FacilityRow(client_id=client.id, name=f.name)
        s.add(row)
    for attr in ATTRIBUTES:
        if added or attr in f.model_fields_set:
            setattr(row, attr, getattr(f, attr))
    proposals: list[tuple[str, object]] = []
    for kind in given_kinds(f, complete) if not added else set(KINDS):
        model, target, key, values = KINDS[kind]
        stored: dict[tuple, list] = defaultdict(list)
        for r in getattr(row, kind):
            stored[tuple(getattr(r, k) for k in key)].append(r)
        for item in getattr(f, kind):
            data = item.model_dump()
            waiting = stored.get(tuple(data[k] for k in key))
            if waiting:
                r = waiting.pop(0)
                for name in values:
                    if name in item.model_fields_set:
                        setattr(r, name, data[name])
            else:
                getattr(row, kind).append(model(**data))
        proposals += [(target, r) for rows in stored.values() for r in rows]
    s.flush()
    ledger.record(s, row, action="facility.add" if added else "facility.update", actor=actor)
    ids = [c.id for target, r in proposals
           if (c := propose_removal(s, row, target, r, reason=f"not listed in {source} (facility import)", by=actor)) is not None]
    return Merged(row, added, ids)


__all__ = ["ATTRIBUTES", "KINDS", "Merged", "given_kinds", "merge_facility"]
