"""The bank's book: exposure and repayment per facility, and the portfolio views built on them.

Pure functions of snapshots and assessments (no database access); ``assistant.book`` loads
them. Steps: ``facility_exposure`` (limit, drawn, outstanding, undrawn, days past due, next
instalment, collateral and guarantees) → ``client_book`` (one client: its facilities, grade,
suggested class, signals) → ``aggregate`` (exposure by grade, by five-category class, by
industry with its share, and the grade × industry heat map).

Exposure is what is owed: ``outstanding`` when the facility states it, else ``drawn``, else
the principal still scheduled on the repayment plan, else the ``limit``; each facility says
which (``basis``) so a figure read from the limit is never taken for a balance. Amounts are
never converted between currencies (no exchange rate is kept): every total is per currency.
A valuation older than ``STALE_VALUATION_DAYS`` is flagged, not dropped.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.domain import ClientSnapshot, Facility, Security

STALE_VALUATION_DAYS = 365
GRADES = ("A", "B", "C", "D", "E", "NR")
CATEGORIES = ("正常", "关注", "次级", "可疑", "损失")
_ZERO = Decimal(0)


@dataclass
class Instalment:
    due: dt.date
    principal: Decimal
    interest: Decimal
    paid_on: dt.date | None
    paid_amount: Decimal | None
    state: str  # paid | paid_late | short | overdue | due (not yet due)
    days_past_due: int = 0


@dataclass
class FacilityExposure:
    client_id: int
    client: str
    facility: str
    currency: str
    limit: Decimal
    drawn: Decimal | None
    outstanding: Decimal | None
    exposure: Decimal
    basis: str  # outstanding | drawn | schedule | limit
    undrawn: Decimal | None
    days_past_due: int
    overdue_amount: Decimal
    next_due: dt.date | None
    next_amount: Decimal | None
    maturity: dt.date | None
    collateral_value: Decimal
    guarantee_value: Decimal
    coverage: Decimal | None  # collateral value / exposure
    instalments: list[Instalment] = field(default_factory=list)
    securities: list[Security] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # stale or missing valuations, a currency mismatch …


def instalments(fac: Facility, as_of: dt.date) -> list[Instalment]:
    """Each instalment with its state on ``as_of`` (a payment after ``as_of`` is unpaid on that day)."""
    out: list[Instalment] = []
    for p in fac.schedule:
        owed = p.principal + p.interest
        paid = p.paid_on is not None and p.paid_on <= as_of
        short = paid and p.paid_amount is not None and p.paid_amount < owed
        days = (as_of - p.due).days
        if paid and not short:
            state = "paid_late" if p.paid_on > p.due else "paid"  # type: ignore[operator]
        elif days > 0:
            state = "short" if short else "overdue"
        else:
            state = "due"
        out.append(Instalment(p.due, p.principal, p.interest, p.paid_on, p.paid_amount, state,
                              days if state in ("short", "overdue") else 0))
    return out


@dataclass(frozen=True)
class Owed:
    """What the borrower owes on one facility at a date, and how it is known."""

    amount: Decimal
    basis: str  # outstanding | schedule | drawn | limit
    repaid: Decimal = _ZERO  # principal the schedule shows repaid by the date
    paid_instalments: int = 0
    warning: str = ""


def owed(fac: Facility, as_of: dt.date) -> Owed:
    """The one definition of a facility's exposure (the book, the dashboard, ``alerts`` and answers use it).

    The bank's recorded ``outstanding`` balance first; else the ``drawn`` amount less the principal
    the repayment schedule shows repaid by ``as_of``; else the principal still scheduled; else the
    ``limit`` (said, never taken for a balance). A schedule that disagrees with the recorded
    balance is said too: the officer reconciles it, the book keeps the bank's figure.
    """
    repaid, count = _ZERO, 0
    for p in fac.schedule:
        if p.paid_on is None or p.paid_on > as_of:
            continue
        part = p.principal if p.paid_amount is None else min(p.principal, max(_ZERO, p.paid_amount - p.interest))
        repaid += part
        count += part > 0
    drawn = fac.drawn
    if fac.outstanding is not None:
        warning = ""
        if fac.schedule and drawn is not None and max(_ZERO, drawn - repaid) != fac.outstanding:
            warning = (f"recorded outstanding {fac.outstanding:,} differs from drawn less the principal the schedule shows repaid "
                       f"({max(_ZERO, drawn - repaid):,}): the recorded balance is used")
        return Owed(fac.outstanding, "outstanding", repaid, count, warning)
    if drawn is not None:
        if fac.schedule:
            return Owed(max(_ZERO, drawn - repaid), "schedule", repaid, count,
                        "no outstanding balance given: exposure is the drawn amount less the principal repaid on the schedule")
        return Owed(drawn, "drawn")
    if fac.schedule:
        left = sum((p.principal for p in fac.schedule if p.paid_on is None or p.paid_on > as_of), _ZERO)
        return Owed(left, "schedule", repaid, count, "no outstanding balance given: exposure is the principal still scheduled")
    return Owed(fac.amount, "limit", warning="no outstanding, drawn amount or schedule given: exposure is the limit")


def valuation_problems(fac: Facility, as_of: dt.date) -> list[tuple[Security, str]]:
    """Each security whose value cannot be counted as given, with why: ``currency`` (not the facility's: never
    converted), ``no_value``, and for collateral ``no_date`` or ``stale`` (valued more than STALE_VALUATION_DAYS ago)."""
    out: list[tuple[Security, str]] = []
    for s in fac.securities:
        if s.currency != fac.currency and s.value is not None:
            out.append((s, "currency"))
        if s.value is None:
            out.append((s, "no_value"))
        elif s.kind == "collateral" and s.valuation_date is None:
            out.append((s, "no_date"))
        elif s.kind == "collateral" and (as_of - s.valuation_date).days > STALE_VALUATION_DAYS:  # type: ignore[operator]
            out.append((s, "stale"))
    return out


def facility_exposure(client_id: int, client: str, fac: Facility, as_of: dt.date) -> FacilityExposure:
    rows = instalments(fac, as_of)
    warnings: list[str] = []
    due = owed(fac, as_of)
    exposure, basis = due.amount, due.basis
    if due.warning:
        warnings.append(due.warning)
    late = [r for r in rows if r.state in ("overdue", "short")]
    overdue_amount = sum((r.principal + r.interest - ((r.paid_amount or _ZERO) if r.state == "short" else _ZERO)
                          for r in late), _ZERO)
    upcoming = [r for r in rows if r.state == "due"]
    collateral = [s for s in fac.securities if s.kind == "collateral"]
    guarantees = [s for s in fac.securities if s.kind == "guarantee"]
    for s, problem in valuation_problems(fac, as_of):
        label = s.description or s.provider or s.kind
        warnings.append({
            "currency": f"{label}: valued in {s.currency}, the facility is in {fac.currency} (not converted, not counted)",
            "no_value": f"{label}: no value given",
            "no_date": f"{label}: no valuation date",
            "stale": f"{label}: valued {s.valuation_date.isoformat() if s.valuation_date else ''}, more than a year ago",
        }[problem])

    def total(items: list[Security]) -> Decimal:
        return sum((s.value for s in items if s.value is not None and s.currency == fac.currency), _ZERO)

    coll = total(collateral)
    return FacilityExposure(
        client_id=client_id, client=client, facility=fac.name, currency=fac.currency, limit=fac.amount,
        drawn=fac.drawn, outstanding=fac.outstanding, exposure=exposure, basis=basis,
        undrawn=(fac.amount - fac.drawn) if fac.drawn is not None else None,
        days_past_due=max((r.days_past_due for r in late), default=0), overdue_amount=overdue_amount,
        next_due=upcoming[0].due if upcoming else None,
        next_amount=(upcoming[0].principal + upcoming[0].interest) if upcoming else None,
        maturity=fac.maturity_date, collateral_value=coll, guarantee_value=total(guarantees),
        coverage=(coll / exposure) if exposure and collateral else None,
        instalments=rows, securities=list(fac.securities), warnings=warnings,
    )


def exposures(snapshot: ClientSnapshot, as_of: dt.date | None = None) -> list[FacilityExposure]:
    day = as_of or snapshot.as_of or dt.date.today()
    return [facility_exposure(snapshot.client.id, snapshot.client.name, f, day) for f in snapshot.facilities]


# ---------------------------------------------------------------- one client, then the portfolio


@dataclass
class ClientBook:
    client_id: int
    client: str
    industry: str
    officer: str | None
    period: str | None
    grade: str  # A–E or NR
    category: str  # suggested five-category class
    facilities: list[FacilityExposure]
    breaches: list[str] = field(default_factory=list)  # "facility: metric op threshold (value)"
    thin: list[str] = field(default_factory=list)
    high_alerts: list[str] = field(default_factory=list)  # rule ids (confirmed figures only)
    alerts: list[dict] = field(default_factory=list)  # {rule, severity, message_zh, message_en, period}

    @property
    def days_past_due(self) -> int:
        return max((f.days_past_due for f in self.facilities), default=0)

    def exposure(self, currency: str = "CNY") -> Decimal:
        return sum((f.exposure for f in self.facilities if f.currency == currency), _ZERO)

    @property
    def currencies(self) -> list[str]:
        return sorted({f.currency for f in self.facilities})


def client_book(snapshot: ClientSnapshot, assessment=None) -> ClientBook:  # noqa: ANN001 - analytics.Assessment | None
    """One client's book line; without an assessment (no figures yet) grade NR and class from overdue days only."""
    from assistant.analytics.warnings import overdue_floor

    facs = exposures(snapshot)
    if assessment is None:
        dpd = max((f.days_past_due for f in facs), default=0)
        return ClientBook(snapshot.client.id, snapshot.client.name, snapshot.client.industry, snapshot.client.officer,
                          None, "NR", overdue_floor(dpd), facs)
    a = assessment
    fmt = lambda r: f"{r.facility}: {r.covenant.metric} {r.operator} {r.threshold} ({r.value:.3f})"  # noqa: E731
    return ClientBook(
        snapshot.client.id, snapshot.client.name, snapshot.client.industry, snapshot.client.officer, a.span.label,
        a.grade.letter, a.classification.category, facs,
        breaches=[fmt(r) for r in a.covenants if r.status == "breach"],
        thin=[fmt(r) for r in a.covenants if r.thin],
        high_alerts=sorted({x.rule for x in a.alerts if x.severity == "high" and not x.unconfirmed}),
        alerts=[{"rule": x.rule, "severity": x.severity, "message_zh": x.message_zh, "message_en": x.message_en,
                 "period": x.span.label, "unconfirmed": x.unconfirmed} for x in a.alerts],
    )


@dataclass
class BookTotals:
    """Exposure sums in one currency (no conversion)."""

    currency: str
    total: Decimal
    clients: int
    by_grade: dict[str, Decimal]
    by_category: dict[str, Decimal]
    by_industry: dict[str, Decimal]
    heat: dict[tuple[str, str], Decimal]  # (grade, industry) → exposure
    counts_by_grade: dict[str, int]
    counts_by_category: dict[str, int]

    def share(self, amount: Decimal) -> Decimal | None:
        return amount / self.total if self.total else None

    @property
    def industries(self) -> list[str]:
        return sorted(self.by_industry, key=lambda k: (-self.by_industry[k], k))


def aggregate(books: list[ClientBook], currency: str = "CNY") -> BookTotals:
    by_grade: dict[str, Decimal] = {g: _ZERO for g in GRADES}
    by_category: dict[str, Decimal] = {c: _ZERO for c in CATEGORIES}
    by_industry: dict[str, Decimal] = defaultdict(lambda: _ZERO)
    heat: dict[tuple[str, str], Decimal] = defaultdict(lambda: _ZERO)
    n_grade: dict[str, int] = {g: 0 for g in GRADES}
    n_cat: dict[str, int] = {c: 0 for c in CATEGORIES}
    clients = 0
    for b in books:
        if currency not in b.currencies:
            continue
        amount = b.exposure(currency)
        industry = b.industry or "—"
        clients += 1
        by_grade[b.grade] = by_grade.get(b.grade, _ZERO) + amount
        by_category[b.category] = by_category.get(b.category, _ZERO) + amount
        by_industry[industry] += amount
        heat[(b.grade, industry)] += amount
        n_grade[b.grade] = n_grade.get(b.grade, 0) + 1
        n_cat[b.category] = n_cat.get(b.category, 0) + 1
    return BookTotals(currency, sum(by_industry.values(), _ZERO), clients, by_grade, by_category, dict(by_industry),
                      dict(heat), n_grade, n_cat)


def currencies(books: list[ClientBook]) -> list[str]:
    """The currencies of the book, CNY first."""
    found = {c for b in books for c in b.currencies}
    return sorted(found, key=lambda c: (c != "CNY", c))
