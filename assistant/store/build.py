"""Build a ``ClientSnapshot`` from a client's stored rows: the reading rules, with no database code.

Two readers hand rows to :func:`build`: ``assistant.store.snapshot`` (SQLAlchemy, every
database) and ``assistant.store.lite`` (the standard library's ``sqlite3``, read-only, for a
command's cold start, issue 14). Rows are anything with the ORM rows' attribute names, so both
readers go through the same steps.

Steps: flagged statements (extraction warnings and no officer's confirmation, read by the
reader) → ``_extracted_facts`` (latest report wins, restatements flagged, figures of a
flagged statement marked unconfirmed unless a clean report printed the same value) →
``_choose_scope`` (consolidated preferred, parent where only parent exists) →
``_apply_corrections`` (the latest *confirmed* correction's value used, extracted kept as
``original``; corrections no checker has confirmed yet ride along as ``Fact.pending`` and
``ClientSnapshot.pending_corrections``, deciding nothing) →
``derive_quarters`` (single quarters from year-to-date spans). The parent company's own
figures (scope ``parent``) are also kept whole in ``parent_facts`` for questions about 母公司.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, NamedTuple

from assistant import config
from assistant.domain import (
    ClientProfile,
    ClientSnapshot,
    Covenant,
    DocumentInfo,
    Facility,
    Fact,
    FactSet,
    FlaggedStatement,
    InspectionNote,
    PendingCorrection,
    Repayment,
    Security,
    Span,
    WorkItemInfo,
)
from assistant.periods import derive_quarters, is_restatement


class Figure(NamedTuple):
    """One figure row's columns that a snapshot reads (plain tuples: cheaper than ORM rows)."""

    key: str
    scope: str
    period_start: dt.date | None
    period_end: dt.date
    document_id: int
    value: Decimal | None
    page: int
    label: str
    currency: str | None
    statement_id: int | None = None


@dataclass
class Rows:
    """Everything stored about some clients, grouped by client id (each list in id order).

    Values are ORM rows or plain objects with the same attribute names (``assistant.store.lite``)."""

    clients: dict[int, Any] = field(default_factory=dict)
    documents: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    figures: dict[int, list[Figure]] = field(default_factory=lambda: defaultdict(list))
    corrections: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    reviews: dict[int, Any] = field(default_factory=dict)  # correction id → its checker's decision
    facilities: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    notes: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    flagged: dict[int, list[FlaggedStatement]] = field(default_factory=lambda: defaultdict(list))
    work: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))


def flagged_from(rows: Iterable[Any], uploaders: dict[int, str]) -> dict[int, list[FlaggedStatement]]:
    """Client id → ``FlaggedStatement`` of each statement row (id, document_id, name, kind, scope, pages,
    warnings, client_id) already known to carry warnings and no confirmation; ``uploaders``: document id → who ingested it."""
    out: dict[int, list[FlaggedStatement]] = defaultdict(list)
    for r in rows:
        out[r.client_id].append(FlaggedStatement(r.id, r.document_id, r.name, r.kind, r.scope, list(r.pages or []),
                                                 list(r.warnings), uploaders.get(r.document_id)))
    return out


def build(row: Any, rows: Rows, as_of: dt.date | None) -> ClientSnapshot:
    """Steps: extracted facts → scope → corrections → derived quarters, then the profile around them."""
    documents = rows.documents.get(row.id, [])
    flagged = rows.flagged.get(row.id, [])
    extracted = _extracted_facts(rows.figures.get(row.id, []), documents, {f.statement_id: f.reason for f in flagged})
    parent = FactSet()
    for fact in extracted:
        if fact.scope == "parent":
            parent.add(_copy(fact))
    facts = FactSet()
    for fact in _choose_scope(extracted):
        facts.add(fact)
    corrections = rows.corrections.get(row.id, [])
    pending = _apply_corrections(corrections, facts, rows.reviews)
    derive_quarters(facts)
    pending += [p for p in _apply_corrections([c for c in corrections if c.scope == "parent"], parent, rows.reviews)
                if p not in pending]
    derive_quarters(parent)
    for p in pending:  # a pending correction of a derived figure (Q3 = 9M − H1) shows on the derived fact too
        fact = (parent if p.scope == "parent" else facts).get(p.key, p.span)
        if fact is not None and p not in fact.pending:
            fact.pending = (*fact.pending, p)
    names = {d.id: d.name for d in documents}
    filing_ids = {d.id for d in documents if d.kind == "filing"}
    received = {d.id: d.received for d in documents}
    return ClientSnapshot(
        client=ClientProfile(id=row.id, name=row.name, aliases=list(row.aliases), industry=row.industry,
                             officer=row.officer),
        facilities=_facilities(rows.facilities.get(row.id, [])),
        facts=facts,
        notes=_notes([n for n in rows.notes.get(row.id, []) if n.document_id not in filing_ids], names),
        documents=[DocumentInfo(id=d.id, name=d.name, kind=d.kind, received=d.received, pages=d.pages,
                                period_end=d.period_end, warnings=list(d.warnings or [])) for d in documents],
        as_of=as_of or config.today(),
        parent_facts=parent,
        flagged=list(flagged),
        pending_corrections=sorted(pending, key=lambda p: p.id),
        work_items=[_work_item(w) for w in rows.work.get(row.id, [])],
        filings=_filings([n for n in rows.notes.get(row.id, []) if n.document_id in filing_ids], names, received),
    )


def _copy(fact: Fact) -> Fact:
    from dataclasses import replace

    return replace(fact)


def _extracted_facts(rows: list[Figure], documents: list[Any],
                     flagged: dict[int, str] | None = None) -> list[Fact]:
    """One fact per (key, scope, span): the latest report's value, earlier differing values kept.

    ``flagged``: statement id → why it is flagged for review. The fact is unconfirmed when its
    row comes from a flagged statement and no unflagged statement printed the same value for
    the same key, scope and span (a clean report's comparative corroborates it).
    """
    flagged = flagged or {}
    order = {d.id: (d.period_end or dt.date.min, d.id) for d in documents}
    names = {d.id: d.name for d in documents}
    groups: dict[tuple, dict[int, tuple]] = defaultdict(dict)
    for row in rows:
        groups[row[:4]].setdefault(row.document_id, row)  # first printed row of a document wins within it
    facts = []
    for (key, scope, start, end), by_doc in groups.items():
        ranked = sorted(by_doc.values(), key=lambda r: order[r.document_id]) if len(by_doc) > 1 else list(by_doc.values())
        latest = ranked[-1]
        earlier = [r.value for r in ranked[:-1] if r.value is not None]
        previous = earlier[-1] if earlier else None
        restated = is_restatement(previous, latest.value)
        why = flagged.get(latest.statement_id)
        if why and any(r.value == latest.value and r.statement_id not in flagged for r in by_doc.values()):
            why = None  # a clean report printed the same number
        facts.append(Fact(
            key=key, value=latest.value, span=Span(end, start), document=names[latest.document_id],
            document_id=latest.document_id, page=latest.page, label=latest.label, scope=scope,
            restated=restated, previous=previous if restated else None, currency=latest.currency or None,
            flagged=why,
        ))
    return facts


def _choose_scope(facts: list[Fact]) -> list[Fact]:
    consolidated_spans = {f.span for f in facts if f.scope == "consolidated"}
    return [f for f in facts if f.scope == "consolidated" or f.span not in consolidated_spans]


def _apply_corrections(rows: list[Any], facts: FactSet,
                       reviews: dict[int, Any] | None = None) -> list[PendingCorrection]:
    """Apply each figure's latest confirmed correction; return the pending ones (attached to their facts).

    A correction counts once a second person confirmed it (``reviews``: correction id → the
    checker's row). Unreviewed corrections newer than the confirmed one are *pending*: kept on
    the fact (``Fact.pending``) and returned, never used. Rejected ones are dropped.
    """
    reviews = reviews or {}
    groups: dict[tuple[str, Span], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row.key, Span(row.period_end, row.period_start))].append(row)
    out: list[PendingCorrection] = []
    for (key, span), group in groups.items():
        confirmed = [c for c in group if (r := reviews.get(c.id)) is not None and r.outcome == "confirmed"]
        row = confirmed[-1] if confirmed else None
        waiting = [PendingCorrection(c.id, key, span, c.scope or "consolidated", c.new_value, c.old_value, c.by, c.reason, c.at)
                   for c in group if c.id not in reviews and (row is None or c.id > row.id)]
        out.extend(waiting)
        extracted = facts.get(key, span)
        scope = (row.scope if row is not None else group[-1].scope) or "consolidated"
        if extracted is not None and extracted.scope != scope:
            continue  # a correction of the parent's figure does not change the consolidated one (or back)
        if extracted is not None:
            extracted.pending = tuple(waiting)
        if row is None:
            continue
        checker = reviews[row.id].by
        if extracted is not None and extracted.source == "extracted":
            extracted.original = extracted.value
            extracted.value = row.new_value
            extracted.source = "corrected"
            extracted.label = extracted.label or key
            extracted.corrected_by, extracted.confirmed_by = row.by, checker
            continue
        facts.add(Fact(key=key, value=row.new_value, span=span, label=f"corrected by {row.by}, confirmed by {checker}",
                       source="corrected", original=None, scope=row.scope, pending=tuple(waiting),
                       corrected_by=row.by, confirmed_by=checker))
    return out


def _facilities(rows: list[Any]) -> list[Facility]:
    return [
        Facility(
            name=f.name, amount=f.amount, currency=f.currency, drawn=f.drawn, outstanding=f.outstanding,
            drawdown_date=f.drawdown_date, maturity_date=f.maturity_date, rate=f.rate, collateral=f.collateral,
            guarantors=f.guarantors, reporting_days=f.reporting_days, id=f.id,
            annual_reporting_days=f.annual_reporting_days, inspection_days=f.inspection_days,
            securities=[Security(kind=x.kind, description=x.description, provider=x.provider, value=x.value,  # type: ignore[arg-type]
                                 currency=x.currency, valuation_date=x.valuation_date) for x in f.securities],
            covenants=[Covenant(metric=c.metric, operator=c.operator, threshold=c.threshold,
                                frequency=c.frequency, grace_days=c.grace_days, id=c.id,
                                description=c.description) for c in f.covenants],
            schedule=[Repayment(due=r.due, principal=r.principal, interest=r.interest, paid_on=r.paid_on,
                                paid_amount=r.paid_amount) for r in f.schedule],
        )
        for f in rows
    ]


def _notes(rows: list[Any], names: dict[int, str]) -> list[InspectionNote]:
    return [
        InspectionNote(
            visit_date=n.visit_date, inspector=n.inspector, site=n.site, progress_actual=n.progress_actual,
            progress_planned=n.progress_planned, cost_spent=n.cost_spent, cost_budget=n.cost_budget,
            operating_status=n.operating_status, problems=list(n.problems), text=n.text,
            document=names.get(n.document_id), document_id=n.document_id, page=1,
        )
        for n in rows
    ]


def _filings(rows: list[Any], names: dict[int, str], received: dict[int, dt.date]) -> list[InspectionNote]:
    """Announcements' text, dated by the date they print or else the day they were received."""
    out = _notes(rows, names)
    for note, row in zip(out, rows):
        note.visit_date = note.visit_date or received.get(row.document_id)
    return out


def _work_item(row: Any) -> WorkItemInfo:
    done = next((e for e in reversed(row.events) if e.action == "resolve"), None) if row.status == "resolved" else None
    return WorkItemInfo(f"W{row.id}", row.period, row.rule, row.severity, row.message, row.status, row.assignee,
                        row.action_taken, done.text if done else None, done.actor if done else None,
                        done.at.date() if done else None)
