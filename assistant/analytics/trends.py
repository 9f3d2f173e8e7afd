"""Quarter-on-quarter and year-on-year changes of figures and ratios.

A change compares like spans only: QoQ compares a quarter with the quarter before (or a
balance with the previous quarter-end balance); YoY compares a span with the same span one
year earlier (Q3 with Q3, 9M with 9M). Relative change is over the prior value's magnitude,
so a loss that shrinks reads as an improvement. A change is ``flat`` when its relative size
is under ``FLAT_BAND``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Literal

from assistant.analytics.ratios import RATIO_KEYS, compute_ratio, flow_span, like_span
from assistant.domain import Facility, FactSet, Span
from extractors.vocabulary import BY_KEY

Basis = Literal["qoq", "yoy"]
Direction = Literal["up", "down", "flat"]
FLAT_BAND = Decimal("0.005")


@dataclass
class Change:
    key: str
    basis: Basis
    span: Span
    prior_span: Span
    current: Decimal | None
    prior: Decimal | None
    absolute: Decimal | None = None
    relative: Decimal | None = None
    direction: Direction | None = None
    reason: str | None = None  # why the change is unknown


def prior_span(span: Span, basis: Basis) -> Span | None:
    """The span a ``basis`` change compares ``span`` with; None when there is no like span."""
    if basis == "yoy":
        return span.same_span_last_year()
    if span.is_point or span.months == 3:
        return span.previous_quarter()
    return None


def value_of(facts: FactSet, key: str, span: Span, facilities: Iterable[Facility] = ()) -> tuple[Decimal | None, str | None]:
    """A figure's or a ratio's value for ``span`` with the reason when it is unknown."""
    if key in RATIO_KEYS:
        result = compute_ratio(facts, span, key, facilities=facilities)
        return result.value, result.reason
    at = Span(span.end) if BY_KEY.get(key) is not None and BY_KEY[key].kind == "balance_sheet" else flow_span(span)
    fact = facts.get(key, at)
    if fact is None or fact.value is None:
        return None, f"{key} missing for {at.label}"
    return fact.value, None


def change(facts: FactSet, key: str, span: Span, basis: Basis, *, facilities: Iterable[Facility] = ()) -> Change | None:
    """The ``basis`` change of a figure or ratio at ``span`` (None when no like span exists)."""
    facilities = list(facilities)
    span = Span(span.end) if _is_balance(key) else flow_span(span)
    before = prior_span(span, basis)
    if before is None:
        return None
    before = like_span(facts, key, before) if key not in RATIO_KEYS else _like_ratio_span(facts, before)
    now, why_now = value_of(facts, key, span, facilities)
    then, why_then = value_of(facts, key, before, facilities)
    out = Change(key, basis, span, before, now, then)
    if now is None or then is None:
        out.reason = "; ".join(r for r in (why_now, why_then) if r)
        return out
    out.absolute = now - then
    if then != 0:
        out.relative = out.absolute / abs(then)
    size = abs(out.relative) if out.relative is not None else abs(out.absolute)
    out.direction = "flat" if size < FLAT_BAND else ("up" if out.absolute > 0 else "down")
    return out


def _like_ratio_span(facts: FactSet, target: Span) -> Span:
    """A ratio's comparison span, moved to the reported one for 52/53-week years."""
    moved = like_span(facts, "revenue", target)
    if moved != target:
        return moved
    closing = like_span(facts, "total_assets", Span(target.end))
    return target if closing.end == target.end else Span(closing.end, target.start)


def _is_balance(key: str) -> bool:
    fig = BY_KEY.get(key)
    return fig is not None and fig.kind == "balance_sheet"


DEFAULT_TREND_KEYS: tuple[str, ...] = (
    "revenue", "net_profit", "net_cash_operating", "total_assets", "total_liabilities",
    "debt_to_assets", "current_ratio", "quick_ratio", "gross_margin", "net_margin",
    "interest_coverage", "ocf_to_current_liabilities", "dscr",
)


def trends(facts: FactSet, span: Span, keys: Iterable[str] = DEFAULT_TREND_KEYS, *,
           facilities: Iterable[Facility] = ()) -> list[Change]:
    """QoQ and YoY changes of ``keys`` at ``span`` (those with a like span)."""
    facilities = list(facilities)
    out: list[Change] = []
    for key in keys:
        for basis in ("qoq", "yoy"):
            c = change(facts, key, span, basis, facilities=facilities)
            if c is not None:
                out.append(c)
    return out


def series(facts: FactSet, key: str, spans: Iterable[Span], *, facilities: Iterable[Facility] = ()) -> list[tuple[Span, Decimal | None]]:
    """A figure's or ratio's value over ``spans`` (None where unknown)."""
    facilities = list(facilities)
    return [(s, value_of(facts, key, s, facilities)[0]) for s in spans]
