"""Covenant tests per facility and span: value, threshold, pass/breach, headroom and its trend.

Headroom is the relative distance to the threshold, signed so that positive means room and
negative means breach, whatever the operator::

    >=, >   headroom = (value − threshold) / |threshold|
    <=, <   headroom = (threshold − value) / |threshold|

(a zero threshold gives the absolute distance, ``margin``, and no relative headroom).
A breach at the limit itself (``value == threshold`` under ``>`` or ``<``) has headroom 0.

Frequency: a quarterly covenant is tested at every quarter end, a semi-annual one at 30 June
and 31 December, an annual one at 31 December. Flow metrics are measured over the test
period (3, 6 or 12 months ending at the test date) when those figures exist, else over the
span asked for (the result's ``note`` says so). Grace: a breach may be cured within
``grace_days`` after the test date; ``cure_by`` gives that date and ``in_grace`` whether
``as_of`` is still before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from assistant.analytics.ratios import RATIO_KEYS, RatioResult, compute_ratio, figure_label, flow_span
from assistant.domain import Covenant, Facility, Fact, FactSet, Span
from extractors.vocabulary import BY_KEY

#: ``unconfirmed``: the metric was measured, but on a figure flagged for review (see
#: ``Fact.unconfirmed``); value and headroom are shown, the test is neither passed nor breached
#: until an officer confirms the statement or corrects the figure.
Status = Literal["pass", "breach", "unknown", "not_tested", "unconfirmed"]
_MONTHS = {"quarterly": 3, "semiannual": 6, "annual": 12}
THIN_HEADROOM = Decimal("0.10")


@dataclass
class CovenantResult:
    facility: str
    covenant: Covenant
    span: Span
    status: Status
    value: Decimal | None
    threshold: Decimal
    operator: str
    headroom: Decimal | None = None
    margin: Decimal | None = None  # value − threshold, signed like headroom
    inputs: list[Fact] = field(default_factory=list)
    formula: str = ""
    reason: str | None = None
    note: str = ""
    cure_by: dt.date | None = None
    in_grace: bool = False
    headroom_trend: list[tuple[Span, Decimal | None]] = field(default_factory=list)
    trend: Literal["thinning", "widening", "stable"] | None = None
    reason_zh: str | None = None  # ``reason`` in Chinese

    @property
    def thin(self) -> bool:
        return self.status == "pass" and self.headroom is not None and self.headroom < THIN_HEADROOM


def is_test_date(covenant: Covenant, end: dt.date) -> bool:
    if covenant.frequency == "semiannual":
        return (end.month, end.day) in {(6, 30), (12, 31)}
    if covenant.frequency == "annual":
        return (end.month, end.day) == (12, 31)
    return (end + dt.timedelta(days=1)).day == 1 and end.month in (3, 6, 9, 12)


def passes(value: Decimal, operator: str, threshold: Decimal) -> bool:
    if operator == ">=":
        return value >= threshold
    if operator == ">":
        return value > threshold
    if operator == "<=":
        return value <= threshold
    if operator == "<":
        return value < threshold
    raise ValueError(f"unknown covenant operator {operator!r}")


def headroom(value: Decimal, operator: str, threshold: Decimal) -> tuple[Decimal, Decimal | None]:
    """(margin, relative headroom), both positive when there is room."""
    margin = value - threshold if operator in (">=", ">") else threshold - value
    return margin, (margin / abs(threshold) if threshold != 0 else None)


def _test_span(facts: FactSet, covenant: Covenant, span: Span) -> tuple[Span, str]:
    span = flow_span(span)
    months = _MONTHS.get(covenant.frequency, 3)
    if span.months == months:
        return span, ""
    wanted = Span(span.end, _months_back(span.end, months))
    if any(s == wanted for s in facts.spans(points=False)):
        return wanted, ""
    return span, f"measured over {span.label}: no {months}-month figures ending {span.end.isoformat()}"


def _months_back(end: dt.date, months: int) -> dt.date:
    y, m = end.year, end.month - months + 1
    while m <= 0:
        y, m = y - 1, m + 12
    return dt.date(y, m, 1)


def metric_value(facts: FactSet, metric: str, span: Span, facility: Facility | None) -> RatioResult:
    """A covenant metric as a RatioResult: a FIGURES ratio or a plain figure."""
    if metric in RATIO_KEYS:
        return compute_ratio(facts, span, metric, facilities=[facility] if facility else [])
    fig = BY_KEY.get(metric)
    at = Span(span.end) if fig is not None and fig.kind == "balance_sheet" else span
    fact = facts.get(metric, at)
    if fact is None or fact.value is None:
        return RatioResult(metric, None, metric, [], f"{figure_label(metric)} missing for {at.label}", at,
                           reason_zh=f"{at.label} {figure_label(metric)}缺失")
    return RatioResult(metric, fact.value, metric, [fact], None, at)


def check_covenant(facts: FactSet, facility: Facility, covenant: Covenant, span: Span, *,
                  as_of: dt.date | None = None, history: int = 4) -> CovenantResult:
    """Test one covenant at ``span`` and the headroom trend over up to ``history`` prior tests."""
    result = _test_once(facts, facility, covenant, span, as_of=as_of)
    points: list[tuple[Span, Decimal | None]] = []
    end = flow_span(span).end
    prior = flow_span(span)
    while len(points) < history:
        prior = prior.previous_quarter()
        if prior.end < end - dt.timedelta(days=3 * 366):
            break
        if not is_test_date(covenant, prior.end):
            continue
        past = _test_once(facts, facility, covenant, prior, as_of=as_of)
        if past.status in ("pass", "breach"):
            points.append((past.span, past.headroom))
    points.reverse()
    points.append((result.span, result.headroom))
    result.headroom_trend = points
    known = [h for _, h in points if h is not None]
    if len(known) >= 2:
        delta = known[-1] - known[0]
        result.trend = "stable" if abs(delta) < Decimal("0.02") else ("thinning" if delta < 0 else "widening")
    return result


def _test_once(facts: FactSet, facility: Facility, covenant: Covenant, span: Span, *, as_of: dt.date | None) -> CovenantResult:
    test_span, note = _test_span(facts, covenant, span)
    base = CovenantResult(facility.name, covenant, test_span, "unknown", None, covenant.threshold, covenant.operator, note=note)
    if not is_test_date(covenant, test_span.end):
        base.status = "not_tested"
        base.reason = f"{covenant.frequency} covenant: {test_span.end.isoformat()} is not a test date"
        base.reason_zh = f"{test_span.end.isoformat()} 不是该约束（{covenant.frequency}）的测试日"
        return base
    measured = metric_value(facts, covenant.metric, test_span, facility)
    base.value, base.inputs, base.formula = measured.value, measured.inputs, measured.formula
    base.note = "; ".join(n for n in (note, measured.note) if n)
    if measured.value is None:
        base.reason, base.reason_zh = measured.reason, measured.reason_zh
        return base
    base.margin, base.headroom = headroom(measured.value, covenant.operator, covenant.threshold)
    why = measured.unconfirmed
    if why:
        base.status = "unconfirmed"
        base.reason = f"unconfirmed — flagged for review: {why}"
        base.reason_zh = f"未确认——待复核：{why}"
        return base
    if passes(measured.value, covenant.operator, covenant.threshold):
        base.status = "pass"
    else:
        base.status = "breach"
        base.cure_by = test_span.end + dt.timedelta(days=covenant.grace_days)
        base.in_grace = as_of is not None and covenant.grace_days > 0 and as_of <= base.cure_by
    return base


def check_covenants(facts: FactSet, facilities: list[Facility], span: Span, *, as_of: dt.date | None = None) -> list[CovenantResult]:
    """Every covenant of every facility at ``span``."""
    return [check_covenant(facts, fac, cov, span, as_of=as_of) for fac in facilities for cov in fac.covenants]
