"""Internal records shared by the store, analytics, chat and memos.

The store builds a ``ClientSnapshot`` (everything known about one client); analytics,
chat and memos read it. Every ``Fact`` knows where it came from: a document and page, an
officer's correction, or a formula over other facts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import total_ordering
from typing import Iterable, Literal

Source = Literal["extracted", "corrected", "derived"]


@total_ordering
@dataclass(frozen=True)
class Span:
    """A point in time (``start`` None: balance-sheet date) or a flow span ``start..end``.

    Spans sort by end date, a point before the flows ending that day, longer flows first.
    """

    end: dt.date
    start: dt.date | None = None

    def _sort_key(self) -> tuple[dt.date, int, dt.date]:
        return (self.end, 0 if self.start is None else 1, self.start or dt.date.min)

    def __lt__(self, other: "Span") -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return self._sort_key() < other._sort_key()

    @property
    def is_point(self) -> bool:
        return self.start is None

    @property
    def months(self) -> int:
        """Whole months covered (0 for a point); 52/53-week years count as 12."""
        if self.start is None:
            return 0
        days = (self.end - self.start).days + 1
        return max(1, round(days / 30.44))

    @property
    def label(self) -> str:
        """2026Q3 (a quarter), 2026H1/H2, 2026 9M (year to date), FY2026, or 2026-09-30 (a point)."""
        if self.start is None:
            return self.end.isoformat()
        m, y = self.months, self.end.year
        if m == 3:
            return f"{y}Q{(self.end.month - 1) // 3 + 1}"
        if m == 12:
            return f"FY{y}" if (self.end.month, self.end.day) != (12, 31) else f"{y}"
        if m == 6 and self.end.month == 6:
            return f"{y}H1"
        if m == 6 and self.end.month == 12:
            return f"{y}H2"
        return f"{y} {m}M"

    def same_span_last_year(self) -> "Span":
        return Span(_shift_year(self.end, -1), None if self.start is None else _shift_year(self.start, -1))

    def previous_quarter(self) -> "Span":
        """The quarter (or quarter-end point) before this one."""
        end = _quarter_end_before(self.end)
        if self.start is None:
            return Span(end)
        return Span(end, _quarter_start(end))


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _quarter_start(end: dt.date) -> dt.date:
    return dt.date(end.year, ((end.month - 1) // 3) * 3 + 1, 1)


def _quarter_end_before(d: dt.date) -> dt.date:
    return _quarter_start(d) - dt.timedelta(days=1)


def quarter_span(year: int, quarter: int) -> Span:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return Span(end, start)


@dataclass
class Fact:
    """One figure for one span, with its provenance."""

    key: str
    value: Decimal | None
    span: Span
    document: str | None = None  # document file name
    document_id: int | None = None
    page: int | None = None
    label: str = ""  # printed label (or the formula's name for a derived fact)
    source: Source = "extracted"
    original: Decimal | None = None  # the extracted value when an officer corrected it
    formula: str | None = None  # for derived facts, e.g. "9M − H1"
    inputs: tuple["Fact", ...] = ()
    scope: str = "consolidated"
    restated: bool = False  # a later report printed a different comparative
    previous: Decimal | None = None  # the value reported before the restatement
    currency: str | None = None  # ISO code of the statement it was read from (value stays in base units)
    flagged: str | None = None  # why its statement is flagged for review (None: clean or confirmed)
    pending: tuple["PendingCorrection", ...] = ()  # corrections awaiting a checker: shown, never used
    corrected_by: str | None = None  # maker of the confirmed correction in ``value``
    confirmed_by: str | None = None  # its checker

    @property
    def unconfirmed(self) -> str | None:
        """Why this figure is not confirmed yet, or None when it may decide anything.

        The rule (one for every consumer): a figure read from a statement flagged for review
        (the extractor warned about it) is *unconfirmed* until an officer confirms that
        statement (``loanwatch review confirm``) or a confirmed correction replaces the figure
        (``figures set``, then ``figures confirm`` by a second person; a pending one changes nothing). A
        figure derived from others (Q3 = 9M − H1) is unconfirmed when any input is. Unconfirmed
        figures are shown, always with this reason, but never decide: covenant tests on them
        report ``unconfirmed`` instead of pass/breach, warnings they raise are marked and not
        counted, and the grade does not score them.
        """
        if self.source == "corrected":
            return None
        if self.flagged:
            return self.flagged
        return next((i.unconfirmed for i in self.inputs if i.unconfirmed), None)


@dataclass(frozen=True)
class PendingCorrection:
    """A correction that no second person has confirmed yet: visible everywhere, deciding nothing."""

    id: int
    key: str
    span: Span
    scope: str
    value: Decimal | None
    old_value: Decimal | None
    by: str
    reason: str
    at: dt.datetime | None = None

    @property
    def note(self) -> str:
        shown = "null" if self.value is None else f"{self.value:,}"
        return f"pending correction to {shown} by {self.by}, not yet confirmed"

    @property
    def note_zh(self) -> str:
        shown = "空值" if self.value is None else f"{self.value:,}"
        return f"{self.by}提交更正为{shown}，待复核确认，尚未生效"

    def to_json(self) -> dict:
        return {"correction": self.id, "key": self.key, "period": self.span.label, "scope": self.scope,
                "value": None if self.value is None else str(self.value),
                "old_value": None if self.old_value is None else str(self.old_value),
                "by": self.by, "reason": self.reason, "status": "pending", "note": self.note}


def unconfirmed_reasons(facts: Iterable[Fact]) -> list[str]:
    """The distinct reasons why any of ``facts`` is unconfirmed (empty: all may decide)."""
    out: list[str] = []
    for f in facts:
        why = f.unconfirmed
        if why and why not in out:
            out.append(why)
    return out


@dataclass
class FactSet:
    """All facts of one client, keyed by (key, span)."""

    facts: dict[tuple[str, Span], Fact] = field(default_factory=dict)

    def add(self, fact: Fact) -> None:
        self.facts[(fact.key, fact.span)] = fact

    def get(self, key: str, span: Span) -> Fact | None:
        return self.facts.get((key, span))

    def value(self, key: str, span: Span) -> Decimal | None:
        fact = self.get(key, span)
        return None if fact is None else fact.value

    def spans(self, *, points: bool | None = None, months: int | None = None) -> list[Span]:
        out = {s for (_, s) in self.facts}
        if points is not None:
            out = {s for s in out if s.is_point == points}
        if months is not None:
            out = {s for s in out if s.months == months}
        return sorted(out)

    def __iter__(self) -> Iterable[Fact]:
        return iter(self.facts.values())

    def __len__(self) -> int:
        return len(self.facts)


@dataclass
class Covenant:
    metric: str  # a ratio key of FIGURES.md (current_ratio, debt_to_assets, dscr, …) or a figure key
    operator: Literal[">=", ">", "<=", "<"]
    threshold: Decimal
    frequency: Literal["quarterly", "semiannual", "annual"] = "quarterly"
    grace_days: int = 0
    id: int | None = None
    description: str = ""


@dataclass
class Repayment:
    due: dt.date
    principal: Decimal
    interest: Decimal
    paid_on: dt.date | None = None  # None: not (yet) paid
    paid_amount: Decimal | None = None


@dataclass
class Security:
    """Collateral pledged (抵押/质押物) or a guarantee given (保证) for a facility."""

    kind: Literal["collateral", "guarantee"]
    description: str = ""
    provider: str = ""  # the collateral's owner or the guarantor
    value: Decimal | None = None  # appraised value (collateral) or the amount guaranteed; None: not valued
    currency: str = "CNY"
    valuation_date: dt.date | None = None


@dataclass
class Facility:
    name: str
    amount: Decimal
    currency: str = "CNY"
    drawn: Decimal | None = None
    outstanding: Decimal | None = None
    drawdown_date: dt.date | None = None
    maturity_date: dt.date | None = None
    rate: Decimal | None = None  # annual rate as a fraction, 0.045 = 4.5 %
    collateral: str = ""
    guarantors: str = ""
    covenants: list[Covenant] = field(default_factory=list)
    schedule: list[Repayment] = field(default_factory=list)
    reporting_days: int = 45  # statements due this many days after period end
    reporting_frequency: Literal["quarterly", "semiannual", "annual"] = "quarterly"  # periods reported
    id: int | None = None
    # later terms, kept out of repr: memo digests (``memo.builder.input_digest``) of older memos stay as they were
    annual_reporting_days: int = field(default=120, repr=False)  # audited annual statements due this many days after the year end
    inspection_days: int = field(default=90, repr=False)  # a site visit at least this often
    securities: list[Security] = field(default_factory=list, repr=False)


@dataclass
class InspectionNote:
    """A site visit, parsed from the officer's note (full text kept for retrieval)."""

    visit_date: dt.date | None
    inspector: str | None = None
    site: str | None = None
    progress_actual: Decimal | None = None  # percent
    progress_planned: Decimal | None = None  # percent
    cost_spent: Decimal | None = None  # base units
    cost_budget: Decimal | None = None
    operating_status: str | None = None  # normal | reduced | stopped | unknown
    problems: list[str] = field(default_factory=list)
    text: str = ""
    document: str | None = None
    document_id: int | None = None
    page: int | None = None


@dataclass
class DocumentInfo:
    id: int
    name: str
    kind: str  # statement | filing | inspection
    received: dt.date
    pages: int = 0
    period_end: dt.date | None = None
    warnings: list[str] = field(default_factory=list)  # the extractor's document-level warnings (a statement not found …)


@dataclass
class ClientProfile:
    id: int
    name: str
    aliases: list[str] = field(default_factory=list)
    industry: str = ""
    officer: str | None = None


@dataclass
class WorkItemInfo:
    """A warning handled as work (``assistant.workitems``), as the memo lists it."""

    ref: str  # W12
    period: str
    rule: str
    severity: str
    message: str
    status: str  # open | acknowledged | resolved
    assignee: str | None = None
    action_taken: str | None = None  # a key of assistant.workitems.ACTIONS
    resolution: str | None = None  # the resolving note
    resolved_by: str | None = None
    resolved_on: dt.date | None = None


@dataclass
class ClientSnapshot:
    """Everything the store knows about one client, as analytics, chat and memos read it."""

    client: ClientProfile
    facilities: list[Facility] = field(default_factory=list)
    facts: FactSet = field(default_factory=FactSet)
    notes: list[InspectionNote] = field(default_factory=list)
    documents: list[DocumentInfo] = field(default_factory=list)
    as_of: dt.date | None = None
    parent_facts: FactSet = field(default_factory=FactSet)  # the parent company's own statements (母公司)
    flagged: list[FlaggedStatement] = field(default_factory=list)  # statements awaiting an officer's review
    pending_corrections: list[PendingCorrection] = field(default_factory=list)  # awaiting a checker, not applied
    filings: list[InspectionNote] = field(default_factory=list)  # announcements' text (date in ``visit_date``)
    work_items: list[WorkItemInfo] = field(default_factory=list)  # warnings handled as work, oldest first


@dataclass
class FlaggedStatement:
    """A stored statement the extractor warned about, not yet confirmed by an officer."""

    statement_id: int
    document_id: int
    document: str
    kind: str  # balance_sheet | income_statement | cash_flow
    scope: str
    pages: list[int]
    warnings: list[str]
    uploaded_by: str | None = None

    @property
    def reason(self) -> str:
        """One line for a figure's marker: the document, the statement and its first warnings."""
        shown = "; ".join(self.warnings[:2]) + (f" (+{len(self.warnings) - 2} more)" if len(self.warnings) > 2 else "")
        return f"{self.document} {self.kind}: {shown}"
