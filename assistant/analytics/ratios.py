"""Every ratio of ``shared/spec/FIGURES.md`` for one span, each with its formula and inputs.

``compute_ratios(facts, span)`` returns one :class:`RatioResult` per ratio key. A ratio whose
input is missing (or printed empty) or whose denominator is zero is ``None`` with a reason
naming what is missing, e.g. ``流动负债合计 missing for 2026-09-30`` — never 0.

Span conventions (documented choices):

* ``span`` is a flow span (``start..end``). Balance-sheet inputs are read at ``span.end``;
  income and cash-flow inputs for ``span`` itself. A point span is read as the calendar
  quarter ending on that date.
* "Average" balances are the mean of the opening balance (the day before ``span.start``)
  and the closing balance (``span.end``).
* ``roe`` and ``roa`` are *not* annualised: FIGURES.md writes them as plain quotients, so a
  quarter's ROE is the quarter's profit over closing equity (the result's ``note`` says so).
* ``days_*`` ratios carry a day count in their formula (365 × average balance / annual flow);
  for a span shorter or longer than a year the 365 becomes the number of days in the span,
  which is the same as annualising the flow. The ``note`` gives the day count used.
* Growth ratios compare like spans only: the same span one year earlier (Q3 with Q3, 9M with
  9M, year-end balance with the prior year-end); for 52/53-week fiscal years the like span
  is the one of the same length ending within a week of that date.
* Outflows printed as negatives (US filings print costs in parentheses) are used by
  magnitude for cost_of_revenue, selling/admin/R&D expenses and capex; everything else is
  used with its printed sign.
* ``dscr`` = (net_cash_operating + interest paid) / (principal due + interest due) for the
  span from the facilities' repayment schedules. Interest paid comes from the cash-flow
  statement (an ``interest_paid`` fact) when present, else from the schedule (interest of
  instalments paid within the span); the ``note`` says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, Iterable

from assistant.domain import Facility, Fact, FactSet, Span, quarter_span, unconfirmed_reasons
from extractors.vocabulary import BY_KEY

_ZERO = Decimal(0)
_MAGNITUDE_KEYS = frozenset({"cost_of_revenue", "selling_expenses", "admin_expenses", "rd_expenses", "capex"})


@dataclass
class RatioResult:
    key: str
    value: Decimal | None
    formula: str
    inputs: list[Fact] = field(default_factory=list)
    reason: str | None = None  # why value is None
    span: Span | None = None
    note: str = ""  # a convention applied (annualisation, source of interest paid, …)
    reason_zh: str | None = None  # the same reason in Chinese (for zh memos and answers)

    @property
    def unconfirmed(self) -> str | None:
        """Why an input is unconfirmed (flagged for review), or None: see ``Fact.unconfirmed``."""
        return "; ".join(unconfirmed_reasons(self.inputs)) or None

    @property
    def zh(self) -> str:
        return RATIO_LABELS.get(self.key, (self.key, self.key))[0]

    @property
    def en(self) -> str:
        return RATIO_LABELS.get(self.key, (self.key, self.key))[1]


RATIO_LABELS: dict[str, tuple[str, str]] = {
    "debt_to_assets": ("资产负债率", "Debt to assets"),
    "current_ratio": ("流动比率", "Current ratio"),
    "quick_ratio": ("速动比率", "Quick ratio"),
    "cash_ratio": ("现金比率", "Cash ratio"),
    "gross_margin": ("毛利率", "Gross margin"),
    "operating_margin": ("营业利润率", "Operating margin"),
    "net_margin": ("净利润率", "Net margin"),
    "roe": ("净资产收益率", "Return on equity"),
    "roa": ("总资产收益率", "Return on assets"),
    "rd_to_revenue": ("研发费用占营业收入比", "R&D to revenue"),
    "revenue_growth": ("营业收入增长率", "Revenue growth"),
    "net_profit_growth": ("净利润增长率", "Net profit growth"),
    "total_assets_growth": ("总资产增长率", "Total assets growth"),
    "interest_coverage": ("利息保障倍数", "Interest coverage"),
    "ocf_to_current_liabilities": ("经营现金流量比率", "Operating cash flow to current liabilities"),
    "non_current_liabilities_share": ("非流动负债比率", "Non-current liabilities share"),
    "dscr": ("偿债备付率", "Debt service coverage ratio (DSCR)"),
    "working_capital": ("营运资金", "Working capital"),
    "free_cash_flow": ("自由现金流", "Free cash flow"),
    "cost_ratio": ("营业成本率", "Cost of revenue ratio"),
    "selling_expense_ratio": ("销售费用率", "Selling expense ratio"),
    "admin_expense_ratio": ("管理费用率", "Administrative expense ratio"),
    "financial_expense_ratio": ("财务费用率", "Financial expense ratio"),
    "three_expense_ratio": ("三费比重", "Three-expense ratio"),
    "rd_to_net_profit": ("研发经费与利润比值", "R&D to net profit"),
    "days_sales_outstanding": ("应收账款周转天数", "Days sales outstanding"),
    "days_inventory_outstanding": ("存货周转天数", "Days inventory outstanding"),
    "days_payable_outstanding": ("应付账款周转天数", "Days payable outstanding"),
}

#: Ratios that are amounts of money rather than quotients.
AMOUNT_RATIOS = frozenset({"working_capital", "free_cash_flow"})


def figure_label(key: str) -> str:
    fig = BY_KEY.get(key)
    if fig is not None:
        return fig.zh
    return RATIO_LABELS.get(key, (key,))[0]


def english_label(key: str) -> str:
    fig = BY_KEY.get(key)
    if fig is not None:
        return fig.en
    return RATIO_LABELS.get(key, (key, key))[1]


def flow_span(span: Span) -> Span:
    """The flow span analytics use for ``span`` (a point means the quarter ending there)."""
    if not span.is_point:
        return span
    q = (span.end.month - 1) // 3 + 1
    qs = quarter_span(span.end.year, q)
    return qs if qs.end == span.end else Span(span.end, span.end.replace(day=1))


LIKE_SPAN_DAYS = 7


def like_span(facts: FactSet, key: str, target: Span) -> Span:
    """``target``, or the span of ``key`` in ``facts`` that is the same kind of period ending
    within a week of it (52/53-week fiscal years end on a different date each year)."""
    if facts.get(key, target) is not None:
        return target
    best: Span | None = None
    for k, s in facts.facts:
        if k != key or s.is_point != target.is_point or s.months != target.months:
            continue
        gap = abs((s.end - target.end).days)
        if gap <= LIKE_SPAN_DAYS and (best is None or gap < abs((best.end - target.end).days)):
            best = s
    return best or target


def opening_point(span: Span) -> Span:
    import datetime as dt

    return Span(span.start - dt.timedelta(days=1))


class _Reader:
    """Reads inputs for one ratio, remembering the facts used and what was missing."""

    def __init__(self, facts: FactSet, span: Span) -> None:
        self.facts = facts
        self.span = span
        self.used: list[Fact] = []
        self.missing: list[str] = []
        self.problems: list[str] = []
        self.missing_zh: list[str] = []
        self.problems_zh: list[str] = []
        self.note = ""

    def miss(self, en: str, zh: str) -> None:
        if en not in self.missing:
            self.missing.append(en)
            self.missing_zh.append(zh)

    def problem(self, en: str, zh: str) -> None:
        self.problems.append(en)
        self.problems_zh.append(zh)

    def _get(self, key: str, at: Span) -> Decimal | None:
        fact = self.facts.get(key, at)
        if fact is None or fact.value is None:
            what = "not reported (printed empty)" if fact is not None else "missing"
            what_zh = "未填列（报表留空）" if fact is not None else "缺失"
            self.miss(f"{figure_label(key)} {what} for {at.label}", f"{at.label} {figure_label(key)}{what_zh}")
            return None
        if fact not in self.used:
            self.used.append(fact)
        value = fact.value
        return abs(value) if key in _MAGNITUDE_KEYS else value

    def point(self, key: str) -> Decimal | None:
        return self._get(key, Span(self.span.end))

    def flow(self, key: str) -> Decimal | None:
        return self._get(key, self.span)

    def at(self, key: str, at: Span) -> Decimal | None:
        return self._get(key, at)

    def average(self, key: str) -> Decimal | None:
        opening = self._get(key, opening_point(self.span))
        closing = self.point(key)
        if opening is None or closing is None:
            return None
        return (opening + closing) / 2

    def div(self, num: Decimal | None, den: Decimal | None, den_name: str, den_at: Span | None = None, *,
            den_name_zh: str | None = None) -> Decimal | None:
        if num is None or den is None:
            return None
        if den == _ZERO:
            at = den_at or self.span
            self.problem(f"{den_name} is zero for {at.label} (division by zero)",
                         f"{at.label} {den_name_zh or den_name}为零（除数为零）")
            return None
        return num / den


def _sum(*values: Decimal | None) -> Decimal | None:
    return None if any(v is None for v in values) else sum(values, _ZERO)  # type: ignore[arg-type]


def _sub(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def _end(r: _Reader) -> Span:
    return Span(r.span.end)


def _growth(key: str, point: bool) -> Callable[[_Reader], Decimal | None]:
    def compute(r: _Reader) -> Decimal | None:
        now_at = Span(r.span.end) if point else r.span
        prior_at = like_span(r.facts, key, now_at.same_span_last_year())
        now = r.at(key, now_at)
        prior = r.at(key, prior_at)
        if now is None or prior is None:
            return None
        if prior == _ZERO:
            r.problem(f"{figure_label(key)} is zero for {prior_at.label} (division by zero)",
                      f"{prior_at.label} {figure_label(key)}为零（除数为零）")
            return None
        return (now - prior) / abs(prior)

    return compute


def _days(balance_key: str, flow_key: str) -> Callable[[_Reader], Decimal | None]:
    def compute(r: _Reader) -> Decimal | None:
        days = (r.span.end - r.span.start).days + 1
        r.note = f"{days} days in {r.span.label} used for the 365 of the formula (annualised)"
        avg = r.average(balance_key)
        flow = r.flow(flow_key)
        value = r.div(avg, flow, figure_label(flow_key))
        return None if value is None else value * days

    return compute


def _interest_coverage(r: _Reader) -> Decimal | None:
    profit, interest = r.flow("total_profit"), r.flow("interest_expense")
    if interest is not None and interest < _ZERO:
        r.problem(
            f"{figure_label('interest_expense')} is negative for {r.span.label} (net interest income): coverage is not meaningful",
            f"{r.span.label} {figure_label('interest_expense')}为负（净利息收入），利息保障倍数无意义",
        )
        return None
    return r.div(_sum(profit, interest), interest, figure_label("interest_expense"))


def _unannualised(fn: Callable[[_Reader], Decimal | None]) -> Callable[[_Reader], Decimal | None]:
    def compute(r: _Reader) -> Decimal | None:
        if r.span.months != 12:
            r.note = f"profit of {r.span.label} ({r.span.months} months), not annualised"
        return fn(r)

    return compute


_TCL = "total_current_liabilities"
_RATIOS: dict[str, tuple[str, Callable[[_Reader], Decimal | None]]] = {
    "debt_to_assets": ("total_liabilities / total_assets",
                       lambda r: r.div(r.point("total_liabilities"), r.point("total_assets"), figure_label("total_assets"), _end(r))),
    "current_ratio": ("total_current_assets / total_current_liabilities",
                      lambda r: r.div(r.point("total_current_assets"), r.point(_TCL), figure_label(_TCL), _end(r))),
    "quick_ratio": ("(total_current_assets − inventory) / total_current_liabilities",
                    lambda r: r.div(_sub(r.point("total_current_assets"), r.point("inventory")), r.point(_TCL), figure_label(_TCL), _end(r))),
    "cash_ratio": ("cash / total_current_liabilities",
                   lambda r: r.div(r.point("cash"), r.point(_TCL), figure_label(_TCL), _end(r))),
    "gross_margin": ("(revenue − cost_of_revenue) / revenue",
                     lambda r: r.div(_sub(r.flow("revenue"), r.flow("cost_of_revenue")), r.flow("revenue"), figure_label("revenue"))),
    "operating_margin": ("operating_profit / revenue",
                         lambda r: r.div(r.flow("operating_profit"), r.flow("revenue"), figure_label("revenue"))),
    "net_margin": ("net_profit / revenue", lambda r: r.div(r.flow("net_profit"), r.flow("revenue"), figure_label("revenue"))),
    "roe": ("net_profit / total_equity",
            _unannualised(lambda r: r.div(r.flow("net_profit"), r.point("total_equity"), figure_label("total_equity"), _end(r)))),
    "roa": ("net_profit / total_assets",
            _unannualised(lambda r: r.div(r.flow("net_profit"), r.point("total_assets"), figure_label("total_assets"), _end(r)))),
    "rd_to_revenue": ("rd_expenses / revenue", lambda r: r.div(r.flow("rd_expenses"), r.flow("revenue"), figure_label("revenue"))),
    "revenue_growth": ("(revenue − revenue of the same span last year) / |that revenue|", _growth("revenue", point=False)),
    "net_profit_growth": ("(net_profit − net_profit of the same span last year) / |that net_profit|", _growth("net_profit", point=False)),
    "total_assets_growth": ("(total_assets − total_assets one year earlier) / that total_assets", _growth("total_assets", point=True)),
    "interest_coverage": ("(total_profit + interest_expense) / interest_expense", _interest_coverage),
    "ocf_to_current_liabilities": ("net_cash_operating / total_current_liabilities",
                                   lambda r: r.div(r.flow("net_cash_operating"), r.point(_TCL), figure_label(_TCL), _end(r))),
    "non_current_liabilities_share": ("total_non_current_liabilities / total_liabilities",
                                      lambda r: r.div(r.point("total_non_current_liabilities"), r.point("total_liabilities"),
                                                      figure_label("total_liabilities"), _end(r))),
    "working_capital": ("total_current_assets − total_current_liabilities",
                        lambda r: _sub(r.point("total_current_assets"), r.point(_TCL))),
    "free_cash_flow": ("net_cash_operating − capex", lambda r: _sub(r.flow("net_cash_operating"), r.flow("capex"))),
    "cost_ratio": ("cost_of_revenue / revenue", lambda r: r.div(r.flow("cost_of_revenue"), r.flow("revenue"), figure_label("revenue"))),
    "selling_expense_ratio": ("selling_expenses / revenue",
                              lambda r: r.div(r.flow("selling_expenses"), r.flow("revenue"), figure_label("revenue"))),
    "admin_expense_ratio": ("admin_expenses / revenue",
                            lambda r: r.div(r.flow("admin_expenses"), r.flow("revenue"), figure_label("revenue"))),
    "financial_expense_ratio": ("financial_expenses / revenue",
                                lambda r: r.div(r.flow("financial_expenses"), r.flow("revenue"), figure_label("revenue"))),
    "three_expense_ratio": ("(selling_expenses + admin_expenses + financial_expenses) / revenue",
                            lambda r: r.div(_sum(r.flow("selling_expenses"), r.flow("admin_expenses"), r.flow("financial_expenses")),
                                            r.flow("revenue"), figure_label("revenue"))),
    "rd_to_net_profit": ("rd_expenses / net_profit",
                         lambda r: r.div(r.flow("rd_expenses"), r.flow("net_profit"), figure_label("net_profit"))),
    "days_sales_outstanding": ("365 × average accounts_receivable / revenue", _days("accounts_receivable", "revenue")),
    "days_inventory_outstanding": ("365 × average inventory / cost_of_revenue", _days("inventory", "cost_of_revenue")),
    "days_payable_outstanding": ("365 × average accounts_payable / cost_of_revenue", _days("accounts_payable", "cost_of_revenue")),
}

DSCR_FORMULA = "(net_cash_operating + interest paid) / (principal due + interest due)"
RATIO_KEYS: tuple[str, ...] = (*_RATIOS, "dscr")


def _finish(key: str, formula: str, r: _Reader, value: Decimal | None) -> RatioResult:
    reason = reason_zh = None
    if value is None:
        reason = "; ".join(r.missing + r.problems) or "not computable"
        reason_zh = "；".join(r.missing_zh + r.problems_zh) or "无法计算"
    return RatioResult(key, value, formula, list(r.used), reason, r.span, r.note, reason_zh)


def compute_ratio(facts: FactSet, span: Span, key: str, *, facilities: Iterable[Facility] = ()) -> RatioResult:
    """One ratio of FIGURES.md for ``span`` (``dscr`` needs the facilities' schedules)."""
    span = flow_span(span)
    if key == "dscr":
        return compute_dscr(facts, span, facilities)
    if key not in _RATIOS:
        raise KeyError(f"unknown ratio {key!r}")
    formula, fn = _RATIOS[key]
    reader = _Reader(facts, span)
    return _finish(key, formula, reader, fn(reader))


def compute_ratios(facts: FactSet, span: Span, *, facilities: Iterable[Facility] = ()) -> dict[str, RatioResult]:
    """Every ratio of FIGURES.md for ``span``, keyed by ratio key, in FIGURES order."""
    facilities = list(facilities)
    return {key: compute_ratio(facts, span, key, facilities=facilities) for key in RATIO_KEYS}


def compute_dscr(facts: FactSet, span: Span, facilities: Iterable[Facility]) -> RatioResult:
    """DSCR over ``span`` from the repayment schedules of ``facilities``."""
    span = flow_span(span)
    reader = _Reader(facts, span)
    due = [p for fac in facilities for p in fac.schedule if span.start <= p.due <= span.end]
    ocf = reader.flow("net_cash_operating")
    if not due:
        reader.miss(f"no principal or interest due in {span.label} on the repayment schedule",
                    f"还款计划中 {span.label} 无应还本息")
        return _finish("dscr", DSCR_FORMULA, reader, None)
    principal = sum((p.principal for p in due), _ZERO)
    interest_due = sum((p.interest for p in due), _ZERO)
    paid_fact = facts.get("interest_paid", span)
    if paid_fact is not None and paid_fact.value is not None:
        interest_paid = abs(paid_fact.value)
        reader.used.append(paid_fact)
        reader.note = "interest paid from the cash-flow statement"
    else:
        interest_paid = sum((p.interest for p in due if p.paid_on is not None and p.paid_on <= span.end), _ZERO)
        reader.note = "interest paid from the repayment schedule (no interest-paid line in the cash-flow statement)"
    reader.note += f"; debt service due {principal + interest_due} ({principal} principal + {interest_due} interest)"
    value = reader.div(_sum(ocf, interest_paid), principal + interest_due, "debt service due", den_name_zh="应还本息")
    return _finish("dscr", DSCR_FORMULA, reader, value)
