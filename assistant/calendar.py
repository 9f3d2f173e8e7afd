"""Calendar and ticklers: what each facility owes the bank, and what the bank owes itself, by date.

``client_calendar(snapshot, as_of)`` lists, per facility:

============  =====================================================================  ==========================
kind          date                                                                   done when
============  =====================================================================  ==========================
statement     each quarter end + ``reporting_days`` (quarterly statements)           a statement for that
                                                                                     period end was received
annual        each year end + ``annual_reporting_days`` (audited annual statements)  a statement for that year
                                                                                     end was received (audit
                                                                                     status is not read: the
                                                                                     item says so)
covenant      each test period end (by the covenant's frequency) + reporting_days    figures for that period
              (the day the figures to test it are due)                               are stored
inspection    the last site visit + ``inspection_days`` (from drawdown if none)      a later visit
instalment    each scheduled due date                                                paid in full (late: shown)
maturity      the maturity date                                                      —
============  =====================================================================  ==========================

Each item's ``state`` on ``as_of``: ``done``, ``late`` (done after its date), ``overdue`` (its
date passed, not done), ``due`` (within the coming week), ``upcoming``. An overdue item is a
warning sign in itself (a statement that does not arrive, a visit not made, an unpaid
instalment): ``warning`` carries the sentence. Obligations start at the facility's
drawdown; without a drawdown date, at the first statement period the store holds (earlier
history was never loaded, which is not the same as missed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from assistant.domain import ClientSnapshot, Facility

KINDS = ("statement", "annual", "covenant", "inspection", "instalment", "maturity")
LOOKBACK_DAYS = 400  # how far back overdue and late items are looked for
WEEK = 7
_KIND_ZH = {"statement": "季度报表报送", "annual": "经审计年报报送", "covenant": "约束条款测试", "inspection": "现场检查",
            "instalment": "还本付息", "maturity": "贷款到期"}
_FREQ_MONTHS = {"quarterly": (3, 6, 9, 12), "semiannual": (6, 12), "annual": (12,)}


@dataclass
class CalendarItem:
    date: dt.date
    client_id: int
    client: str
    officer: str | None
    facility: str
    kind: str
    title: str  # English
    title_zh: str
    state: str  # done | late | overdue | due | upcoming
    done_on: dt.date | None = None
    warning: str | None = None  # for overdue (and late) items: why it matters

    @property
    def days_overdue(self) -> int:
        return 0 if self.state != "overdue" else (self._as_of - self.date).days

    _as_of: dt.date = dt.date.min


def _quarter_ends(start: dt.date, end: dt.date, months: tuple[int, ...] = (3, 6, 9, 12)) -> list[dt.date]:
    out = []
    for year in range(start.year - 1, end.year + 1):
        for m in months:
            day = dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
            if start <= day <= end:
                out.append(day)
    return out


def _state(date: dt.date, done_on: dt.date | None, as_of: dt.date) -> str:
    if done_on is not None and done_on <= as_of:
        return "late" if done_on > date else "done"
    if date < as_of:
        return "overdue"
    return "due" if (date - as_of).days <= WEEK else "upcoming"


def _facility_items(snap: ClientSnapshot, fac: Facility, as_of: dt.date, horizon: int) -> list[CalendarItem]:
    c = snap.client
    received: dict[dt.date, dt.date] = {}
    for d in snap.documents:
        if d.kind == "statement" and d.period_end is not None:
            received[d.period_end] = min(received.get(d.period_end, d.received), d.received)
    # obligations run from the drawdown; without one, from the first period the store holds (earlier
    # history was never loaded, not missed), and with neither, only the latest period's
    since = fac.drawdown_date or (min(received) + dt.timedelta(days=1) if received else
                                  as_of - dt.timedelta(days=fac.reporting_days + 92))
    first = max(as_of - dt.timedelta(days=LOOKBACK_DAYS), since)
    last = as_of + dt.timedelta(days=horizon)
    stored_ends = {s.end for s in snap.facts.spans()}
    items: list[CalendarItem] = []

    def add(date: dt.date, kind: str, title: str, title_zh: str, done_on: dt.date | None, warning: str | None = None,
            warning_zh: str | None = None) -> None:
        if not (first <= date <= last):
            return
        state = _state(date, done_on, as_of)
        why = None
        if state == "overdue":
            why = warning_zh or f"{title_zh}已逾期{(as_of - date).days}天"
        elif state == "late":
            why = f"{title_zh}迟于期限{(done_on - date).days}天完成"  # type: ignore[operator]
        item = CalendarItem(date, c.id, c.name, c.officer, fac.name, kind, title, title_zh, state, done_on, why)
        item._as_of = as_of
        items.append(item)

    ends_from = max(since - dt.timedelta(days=1), first - dt.timedelta(days=max(fac.annual_reporting_days, fac.reporting_days)))
    for end in _quarter_ends(ends_from, last):
        got = received.get(end)
        if end.month != 12 or fac.reporting_days < fac.annual_reporting_days:
            add(end + dt.timedelta(days=fac.reporting_days), "statement",
                f"statements for {end.isoformat()} due ({fac.reporting_days} days)",
                f"{end.isoformat()}财务报表应报送（期后{fac.reporting_days}天内）", got,
                warning_zh=f"{end.isoformat()}财务报表逾期未报送（应于期后{fac.reporting_days}天内），报表迟交本身即为预警信号")
        if end.month == 12:
            add(end + dt.timedelta(days=fac.annual_reporting_days), "annual",
                f"audited annual statements {end.year} due ({fac.annual_reporting_days} days; audit status not read)",
                f"{end.year}年度经审计财务报告应报送（期后{fac.annual_reporting_days}天内；未识别是否经审计）", got,
                warning_zh=f"{end.year}年度经审计财务报告逾期未报送")
    for cov in fac.covenants:
        for end in _quarter_ends(ends_from, last, _FREQ_MONTHS.get(cov.frequency, _FREQ_MONTHS["quarterly"])):
            due = end + dt.timedelta(days=fac.reporting_days + cov.grace_days)
            tested = received.get(end) if end in stored_ends else None
            add(due, "covenant", f"covenant test {cov.metric} {cov.operator} {cov.threshold} for {end.isoformat()}",
                f"约束条款测试（{cov.metric} {cov.operator} {cov.threshold}，{end.isoformat()}）", tested,
                warning_zh=f"{end.isoformat()}的约束条款无法测试：该期财务数据未到")
    visits = sorted(n.visit_date for n in snap.notes if n.visit_date is not None and n.visit_date <= as_of)
    base = [v for v in visits if v >= (fac.drawdown_date or dt.date.min)]
    anchor = base[-1] if base else fac.drawdown_date
    if anchor is not None:
        add(anchor + dt.timedelta(days=fac.inspection_days), "inspection",
            f"site visit due (every {fac.inspection_days} days; last {base[-1].isoformat() if base else 'none'})",
            f"现场检查（每{fac.inspection_days}天至少一次；上次{base[-1].isoformat() if base else '无'}）", None,
            warning_zh=f"现场检查已逾期（每{fac.inspection_days}天至少一次，上次{base[-1].isoformat() if base else '无'}）")
    for p in fac.schedule:
        owed = p.principal + p.interest
        full = p.paid_on if p.paid_on is not None and (p.paid_amount is None or p.paid_amount >= owed) else None
        add(p.due, "instalment", f"instalment {owed:,} due", f"应还本息{owed:,}", full,
            warning_zh=f"{p.due.isoformat()}到期的本息{owed:,}未足额偿还（逾期{(as_of - p.due).days}天）")
    if fac.maturity_date is not None:
        repaid = [p.paid_on for p in fac.schedule]
        done = max(repaid) if repaid and all(repaid) else None  # type: ignore[type-var]
        add(fac.maturity_date, "maturity", f"facility matures ({fac.amount:,} {fac.currency})",
            f"贷款到期（{fac.amount:,} {fac.currency}）", done,
            warning_zh=f"贷款已于{fac.maturity_date.isoformat()}到期，仍有未还本息")
    return items


def client_calendar(snap: ClientSnapshot, as_of: dt.date | None = None, *, horizon: int = 90) -> list[CalendarItem]:
    """Every item of the client's facilities from ``LOOKBACK_DAYS`` ago to ``horizon`` days ahead, by date."""
    day = as_of or snap.as_of or dt.date.today()
    out = [i for f in snap.facilities for i in _facility_items(snap, f, day, horizon)]
    return sorted(out, key=lambda i: (i.date, i.client, i.facility, KINDS.index(i.kind)))


def agenda(items: list[CalendarItem], *, week: bool = False, include_done: bool = False) -> list[CalendarItem]:
    """What needs doing: overdue items, then those due (this week only with ``week``), by date."""
    keep = {"overdue", "due"} | (set() if week else {"upcoming"}) | ({"done", "late"} if include_done else set())
    return [i for i in items if i.state in keep]
