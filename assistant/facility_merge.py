"""A facility read from an import file meets the stored one: the file changes only what it gives.

``merge_facility`` is the import's one write of a facility (``assistant.portfolio_io``):

* **attributes** — a new facility takes the file's values and the defaults; a stored one changes
  only the attributes the file gives (a CSV/Excel cell with a value, a YAML/JSON key). An empty
  cell keeps the stored value: a file of balances alone leaves maturity, rate and reporting days.
* **child records** (``covenants``, ``schedule``, ``securities``) — a kind the file gives for the
  facility (rows of that table naming it; the key in YAML/JSON, even an empty list), or that
  ``complete`` names for every facility of the file (``loanwatch facility import --replace KIND``),
  is merged by each record's natural key (``KEYS``: a covenant's metric, operator and frequency; an
  instalment's due date; a security's kind, description and provider). A matched record keeps its id
  (and any pending app edit of it) and is changed only as below; a new one is added. A kind the file
  does not give is left exactly as stored.
* **what decides a stored record's tests** (``STANDING``, by target in ``exposure_edit.IMPORTED``): a
  facility's drawdown and maturity dates and reporting, annual-reporting and inspection days (when
  statements, audited accounts and visits are owed: the late-reporting, site-visit and matured-unpaid
  warnings); an instalment's principal, interest, paid date and amount (the ``dscr`` covenant's debt
  service; days past due, hence the overdue warnings and the five-category floor); a security's
  value, currency and valuation date (coverage, the stale-valuation warning). The import never writes
  a change of them to a stored record: one pending exposure change per record (``E<id>``,
  ``exposure_edit.propose_fields``) states every deciding column old → new (a column the file leaves
  out: as stored), its reason names what it can move, and a confirmation is refused when the record
  changed meanwhile. Whichever way it moves a test, it changes the client's standing. A **new**
  facility, instalment or security takes the file's values directly: it adds an obligation (an
  instalment that can fall overdue, more debt service) or a security, and hides nothing stored — an
  overdue instalment stays overdue until its payment or its removal is confirmed. The balances
  (``drawn``, ``outstanding``), limit, currency, rate and text attributes are applied directly.
* **a covenant's terms** (``TERMS``: metric, operator, threshold, frequency, grace days — what
  decides its test) are never rewritten by the import: a stored covenant the file gives other terms
  for (the same key with another threshold or grace period; or, when the file's covenant matches
  no stored key, the one unmatched stored covenant of the same metric — another operator or
  frequency; a frequency or grace period the file leaves out stays as stored) keeps its terms, and the new ones are proposed as a pending exposure change
  (``E<id>``, ``exposure_edit.propose_terms``) with the old and new values, whichever way they move
  the test: a looser threshold can turn a breach into a pass, a stricter one a pass into a breach,
  and either changes the client's standing. Proposing the same terms again while pending adds none.
  Its ``description`` is applied directly (it decides nothing).
* **a new covenant** for a stored facility (a metric the facility has no unmatched covenant for) is
  added directly: it only adds a test — it can raise a breach, never hide one — and it is recorded
  under the importer's name (ledger ``facility.update``). A covenant of another metric replacing
  one is therefore added, and the old one proposed for removal, so the old test stands until a
  second person confirms its removal.
* **removals** — a stored record of a given kind that the file does not list is *not* deleted: it
  is proposed for removal as a pending exposure change (``E<id>``, ``exposure_edit.propose_removal``,
  by the importer) that counts nowhere until a second person confirms it (``loanwatch exposure
  confirm``; ``assistant.makerchecker``), because a covenant, an instalment or a security gone
  changes the client's standing. Proposing the same removal again while one is pending adds none.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import ledger
from assistant.store.schema import Client, CovenantRow, FacilityRow, RepaymentRow, SecurityRow

#: child kind → (the stored model, the exposure-change target, its natural key, the fields a file row may update)
KINDS: dict[str, tuple[type, str, tuple[str, ...], tuple[str, ...]]] = {
    "covenants": (CovenantRow, "covenant", ("metric", "operator", "frequency"), ("description",)),
    "schedule": (RepaymentRow, "repayment", ("due",), ()),  # principal, interest, payment: proposed (``STANDING``)
    "securities": (SecurityRow, "security", ("kind", "description", "provider"), ()),  # value, currency, valuation date: proposed
}
ATTRIBUTES = ("amount", "currency", "drawn", "outstanding", "drawdown_date", "maturity_date", "rate", "collateral", "guarantors",
              "reporting_days", "annual_reporting_days", "inspection_days")
#: a covenant's terms: what decides its test (``assistant.analytics.covenants``); an import proposes, never writes, a change of them
TERMS = ("metric", "operator", "threshold", "frequency", "grace_days")
#: what else decides a test, by column (``exposure_edit.IMPORTED`` lists them by target): on a stored facility, instalment
#: or security an import proposes, never writes, a change of them, and the pending change's reason names what it can move
STANDING: dict[str, str] = {
    "drawdown_date": "the late-reporting and site-visit warnings (nothing is owed before the drawdown)",
    "maturity_date": "the matured-with-unpaid-balance warning (calendar)",
    "reporting_days": "the late-reporting warning (statements_late) and the statement and covenant-test dates",
    "annual_reporting_days": "the audited-annual-statements due date (calendar warning)",
    "inspection_days": "the site-visit-overdue warning",
    "principal": "the dscr covenant (debt service due) and days past due (an instalment paid short is overdue)",
    "interest": "the dscr covenant (debt service due) and days past due (an instalment paid short is overdue)",
    "paid_on": "days past due: the repayment_overdue warnings and the five-category floor",
    "paid_amount": "days past due: the repayment_overdue warnings and the five-category floor",
    "value": "the collateral coverage",
    "currency": "the collateral coverage (a value in another currency is not counted)",
    "valuation_date": "the stale-valuation warning",
}


@dataclass
class Merged:
    """What one facility's merge did."""

    facility: FacilityRow
    added: bool
    removals: list[int] = field(default_factory=list)  # ids of the exposure changes proposed (E<id>)
    changes: list[int] = field(default_factory=list)  # ids of the covenant-term changes proposed (E<id>)
    edits: list[int] = field(default_factory=list)  # ids of the changes proposed to a stored facility's, instalment's, security's STANDING


def given_kinds(f, complete: frozenset[str] | set[str]) -> set[str]:  # noqa: ANN001 - portfolio_io.FacilityIn
    """The child kinds the file states for this facility: those it sets, and those ``complete`` names."""
    return {k for k in KINDS if k in f.model_fields_set or k in complete}


def merge_facility(s: Session, client: Client, f, *, complete: frozenset[str] | set[str] = frozenset(),  # noqa: ANN001
                   source: str, actor: str) -> Merged:
    """Create the facility or change what the file gives of it (see the module); ledger ``facility.add|update``."""
    from assistant.exposure_edit import IMPORTED, propose_fields, propose_removal, propose_terms, term_text, value_text

    row = s.execute(select(FacilityRow).where(FacilityRow.client_id == client.id, FacilityRow.name == f.name)).scalar_one_or_none()
    added = row is None
    if added:
        row = FacilityRow(client_id=client.id, name=f.name)
        s.add(row)
    for attr in ATTRIBUTES:
        if added or (attr in f.model_fields_set and attr not in IMPORTED["facility"]):
            setattr(row, attr, getattr(f, attr))
    proposals: list[tuple[str, object]] = []
    terms: list[tuple[CovenantRow, object]] = []  # (a stored covenant, the file's covenant matched to it)
    edits: list[tuple[str, object, object]] = [] if added else [("facility", row, f)]  # (target, a stored record, the file's)
    for kind in given_kinds(f, complete) if not added else set(KINDS):
        model, target, key, values = KINDS[kind]
        stored: dict[tuple, list] = defaultdict(list)
        for r in getattr(row, kind):
            stored[tuple(getattr(r, k) for k in key)].append(r)
        new = []
        for item in getattr(f, kind):
            waiting = stored.get(tuple(getattr(item, k) for k in key))
            if waiting:
                r = waiting.pop(0)
                _update(r, item, values)
                if kind == "covenants":
                    terms.append((r, item))
                else:
                    edits.append((target, r, item))
            else:
                new.append(item)
        if kind == "covenants":
            new = _pair_by_metric(stored, new, terms)
        getattr(row, kind).extend(model(**item.model_dump()) for item in new)
        proposals += [(target, r) for rows in stored.values() for r in rows]
    s.flush()
    ledger.record(s, row, action="facility.add" if added else "facility.update", actor=actor)
    merged = Merged(row, added)
    for r, item in terms:
        old = {t: term_text(getattr(r, t)) for t in TERMS}
        given = {t: getattr(item if t in item.model_fields_set else r, t) for t in TERMS}  # a term it leaves out: as stored
        new_terms = {t: term_text(v) for t, v in given.items()}
        if old != new_terms:
            fields = {t: {"old": old[t], "new": new_terms[t]} for t in TERMS}
            reason = f"changed in {source} (facility import): {direction(old, new_terms)}"
            if (c := propose_terms(s, row, r, fields, reason=reason, by=actor)) is not None:
                merged.changes.append(c.id)
    for target, r, item in edits:
        old = {c: value_text(getattr(r, c)) for c in IMPORTED[target]}
        new = {c: value_text(getattr(item if c in item.model_fields_set else r, c)) for c in IMPORTED[target]}  # left out: as stored
        if old != new:
            moved = dict.fromkeys(STANDING[c] for c in IMPORTED[target] if old[c] != new[c])
            reason = f"changed in {source} (facility import): can move {'; '.join(moved)}"
            fields = {c: {"old": old[c], "new": new[c]} for c in IMPORTED[target]}
            if (c := propose_fields(s, row, target, r, fields, reason=reason, by=actor)) is not None:
                merged.edits.append(c.id)
    merged.removals = [c.id for target, r in proposals
                       if (c := propose_removal(s, row, target, r, reason=f"not listed in {source} (facility import)", by=actor)) is not None]
    return merged


def _update(r, item, values: tuple[str, ...]) -> None:  # noqa: ANN001 - a stored child row, the file's record of it
    for name in values:
        if name in item.model_fields_set:
            setattr(r, name, getattr(item, name))


def _pair_by_metric(stored: dict[tuple, list], new: list, terms: list) -> list:
    """Match a file covenant that no stored key took to the one unmatched stored covenant of its metric (its operator or
    frequency changed); what is left is new. Ambiguous (several of one metric on either side): nothing is paired."""
    left = [r for rows in stored.values() for r in rows]
    out = []
    for item in new:
        mine = [r for r in left if r.metric == item.metric]
        if len(mine) == 1 and sum(1 for i in new if i.metric == item.metric) == 1:
            (r,) = mine
            stored[(r.metric, r.operator, r.frequency)].remove(r)
            left.remove(r)
            _update(r, item, ("description",))
            terms.append((r, item))
        else:
            out.append(item)
    return out


_SIDE = {"<=": "<", "<": "<", ">=": ">", ">": ">"}


def direction(old: dict[str, str], new: dict[str, str]) -> str:
    """Which way new covenant terms move its test, as the pending change's reason says: "loosens the test …",
    "tightens the test …" or "changes the test" (another metric, frequency or side, or moves that disagree)."""
    if old["metric"] != new["metric"] or old["frequency"] != new["frequency"] or _SIDE[old["operator"]] != _SIDE[new["operator"]]:
        return "changes the test"
    upper = _SIDE[old["operator"]] == "<"  # the value must stay below the threshold
    a, b = Decimal(old["threshold"]), Decimal(new["threshold"])
    looser = [((b > a) if upper else (b < a)) if a != b else None,
              (new["operator"] in ("<=", ">=")) if old["operator"] != new["operator"] else None,
              (int(new["grace_days"]) > int(old["grace_days"])) if old["grace_days"] != new["grace_days"] else None]
    moves = [m for m in looser if m is not None]
    if moves and all(moves):
        return "loosens the test (a breach may become a pass)"
    if moves and not any(moves):
        return "tightens the test (a pass may become a breach)"
    return "changes the test"


__all__ = ["ATTRIBUTES", "KINDS", "STANDING", "TERMS", "Merged", "direction", "given_kinds", "merge_facility"]
