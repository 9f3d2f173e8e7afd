"""A borrower's statements over many periods, consistent from one file to the next.

``company_series`` returns one ``StatementSpec`` per report date (e.g. every quarter end)
whose figures agree across files: a date's balance sheet is the same wherever it is printed
(this quarter's 期末余额, next year's 年初余额), and every flow column is the sum of the
months it spans (so 本年累计 = the quarters so far, "Nine Months Ended" = Q1+Q2+Q3). Trends
are knobs: ``growth`` (size and sales per quarter), ``leverage`` and ``cost_ratio`` (each a
function of the report date) — enough to make a borrower that drifts into trouble::

    specs = company_series("江苏恒远精密机械有限公司", "sme_side_by_side",
                           quarter_ends(2025, 1, 8), leverage=lambda d: 1.0 + 0.1 * (d.year - 2025))
    for spec in specs:
        render_pdf(spec, out / f"{spec.period_end}.pdf")
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from assistant.demo import figures as F
from assistant.demo import periods as P
from assistant.demo.layouts import BS, CF, IS, LAYOUTS, FigureSet, StatementSpec

_NOT_ADDITIVE = ("_cash_begin", "cash_end", "basic_eps", "diluted_eps")


def quarter_ends(first_year: int, first_quarter: int, count: int) -> list[dt.date]:
    """``count`` consecutive quarter ends from the given quarter on."""
    out, y, q = [], first_year, first_quarter
    for _ in range(count):
        out.append(P.month_end(y, 3 * q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


class _Borrower:
    """Generates and caches month-end balances and monthly flows of one company."""

    def __init__(self, company: str, layout: str, seed: int, scale: float, quantum: Decimal, base: dt.date,
                 growth: float, leverage: Callable[[dt.date], float], cost_ratio: Callable[[dt.date], float | None],
                 scope: str) -> None:
        meta = LAYOUTS[layout]
        self.layout, self.quantum, self.base, self.growth = layout, quantum, base, growth
        self.scale, self.leverage, self.cost_ratio = scale * (1.0 if scope == "consolidated" else 0.7), leverage, cost_ratio
        self.minority = bool(meta.get("minority")) and scope == "consolidated"
        self.shares = Decimal(int(self.scale / 8)) if meta.get("shares") else None
        self.seed = f"{seed}/{company}/{layout}/{scope}"
        self._balances: dict[dt.date, FigureSet] = {}
        self._months: dict[tuple[str, int, int], FigureSet] = {}

    def _size(self, day: dt.date) -> float:
        quarters = ((day.year - self.base.year) * 12 + day.month - self.base.month) / 3
        return self.scale * (1 + self.growth) ** quarters

    # Hooks a subclass may change: where the draws come from, and how demand moves sales.
    def _balance_rng(self, day: dt.date) -> random.Random:
        return random.Random(f"{self.seed}/bs/{day}")

    def _month_rng(self, kind: str, year: int, month: int) -> random.Random:
        return random.Random(f"{self.seed}/{kind}/{year}-{month}")

    def _demand(self, end: dt.date) -> float:
        return 1.0

    def balance(self, day: dt.date) -> FigureSet:
        if day not in self._balances:
            rng = self._balance_rng(day)
            self._balances[day] = F.make_balance_sheet(rng, self._size(day), self.quantum, minority=self.minority,
                                                       leverage=self.leverage(day))
        return self._balances[day]

    def month(self, kind: str, year: int, month: int) -> FigureSet:
        key = (kind, year, month)
        if key not in self._months:
            end = P.month_end(year, month)
            rng = self._month_rng(kind, year, month)
            revenue = self._size(end) * 0.9 / 12 * self._demand(end)
            income = F.make_income_statement(rng, revenue, self.quantum, minority=self.minority,
                                             shares=self.shares, cost_ratio=self.cost_ratio(end))
            if kind == IS:
                self._months[key] = income
            elif self.layout == "us_10q":
                self._months[key] = F.make_us_cash_flow(rng, income["net_profit"], revenue, self.quantum)
            else:
                self._months[key] = F.make_cash_flow(rng, revenue, self.quantum)
        return self._months[key]

    def span(self, kind: str, start: dt.date, end: dt.date) -> FigureSet:
        """The sum of the months from ``start`` to ``end``; cash ends from the balance sheet."""
        months = []
        y, m = start.year, start.month
        while (y, m) <= (end.year, end.month):
            months.append(self.month(kind, y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        total: FigureSet = {}
        for key in months[0]:
            if key in _NOT_ADDITIVE:
                continue
            vals = [f.get(key) for f in months]
            total[key] = None if all(v is None for v in vals) else sum((v or Decimal(0) for v in vals), Decimal(0))
        if kind == IS and self.shares:
            base = total.get("net_profit_attributable_to_parent") or total["net_profit"]
            total["basic_eps"] = (base / self.shares).quantize(Decimal("0.01"))
            total["diluted_eps"] = (base / (self.shares * Decimal("1.02"))).quantize(Decimal("0.01"))
        if kind == CF:
            total["cash_end"] = self.balance(end)["cash"]
            total["_cash_begin"] = total["cash_end"] - total["net_change_in_cash"]
        return total


def company_series(
    company: str, layout: str, period_ends: list[dt.date], *, span: str = "quarter", seed: int = 0,
    scale: float = 80_000_000.0, growth: float = 0.02,
    leverage: Callable[[dt.date], float] = lambda d: 1.0,
    cost_ratio: Callable[[dt.date], float | None] = lambda d: None,
) -> list[StatementSpec]:
    """One spec per report date, with figures consistent across the whole series."""
    specs = [StatementSpec(company=company, period_end=end, span=span, layout=layout, seed=seed, scale=scale)
             for end in period_ends]
    if not specs:
        return []
    base = min(period_ends)
    borrowers = {scope: _Borrower(company, layout, seed, scale, specs[0].quantum, base, growth, leverage,
                                  cost_ratio, scope) for scope in specs[0].scopes}
    for spec in specs:
        for scope, who in borrowers.items():
            for kind in spec.kinds:
                if kind == BS:
                    sets = [who.balance(c.period_end) for c in spec.columns(BS)]
                else:
                    sets = [who.span(kind, c.period_start, c.period_end) for c in spec.columns(kind)]
                spec.figures[(scope, kind)] = sets
    return specs
