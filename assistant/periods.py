"""Periods: parse what officers type, align what borrowers send, derive single quarters.

Borrowers send annual, semi-annual, quarterly and year-to-date columns. A flow figure
(income statement, cash flow) for a single quarter that was only reported inside a
year-to-date total is derived by subtraction of two year-to-date spans that share a start
(Q3 = 9M − H1, Q4 = FY − 9M, Q2 = H1 − Q1), as a ``derived`` fact with its formula and
inputs. Balance-sheet figures are points in time and are never derived. Spans are compared
like for like: a quarter with a quarter, nine months with nine months.

Restatements: the same key and span reported by two documents with different values keeps
both; the later report wins (``Fact.restated``, ``Fact.previous``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal

from assistant.domain import Fact, FactSet, Span, quarter_span
from assistant.errors import ConfigError
from extractors.vocabulary import FIGURES

#: figures that are flows over a span and add up over time (EPS and closing cash do not)
FLOW_KEYS: frozenset[str] = frozenset(
    f.key for f in FIGURES if f.kind in ("income_statement", "cash_flow") and not f.per_share
) - {"cash_end"}
POINT_KEYS: frozenset[str] = frozenset(f.key for f in FIGURES if f.kind == "balance_sheet")

_QUARTER = re.compile(r"^(\d{4})\s*[-_ ]?\s*Q([1-4])$", re.I)
_HALF = re.compile(r"^(\d{4})\s*[-_ ]?\s*H([12])$", re.I)
_YTD = re.compile(r"^(\d{4})\s*[-_ ]?\s*(3|6|9|12)M$", re.I)
_YEAR = re.compile(r"^(?:FY)?\s*(\d{4})$", re.I)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ZH = re.compile(r"^(\d{4})年?(?:第?([一二三四1-4])季度|([上下])半年度?|年度?|年报)$")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_spans(period: str, key: str | None = None) -> list[Span]:
    """The span(s) a typed period names for ``key``: a point for balance-sheet keys.

    ``2026Q3``, ``2026H1``, ``2026 9M``, ``2026``/``FY2026``, ``2026-09-30``, ``2026年第三季度``.
    A date names the point for a balance-sheet key and every span ending there for a flow
    key (the caller picks the one that is stored). Raises ``ConfigError`` when unreadable.
    """
    text = period.strip()
    point = key in POINT_KEYS if key is not None else False
    if m := _QUARTER.match(text):
        span = quarter_span(int(m[1]), int(m[2]))
        return [Span(span.end)] if point else [span]
    if m := _HALF.match(text):
        year, half = int(m[1]), int(m[2])
        end = _month_end(year, 6 if half == 1 else 12)
        return [Span(end)] if point else [Span(end, dt.date(year, 1 if half == 1 else 7, 1))]
    if m := _YTD.match(text):
        year, months = int(m[1]), int(m[2])
        end = _month_end(year, months)
        return [Span(end)] if point else [Span(end, dt.date(year, 1, 1))]
    if m := _YEAR.match(text):
        year = int(m[1])
        return [Span(dt.date(year, 12, 31))] if point else [Span(dt.date(year, 12, 31), dt.date(year, 1, 1))]
    if m := _ZH.match(text):
        year = int(m[1])
        if m[2]:
            q = "一二三四".find(m[2]) + 1 if m[2] in "一二三四" else int(m[2])
            return period_spans(f"{year}Q{q}", key)
        if m[3]:
            return period_spans(f"{year}H{1 if m[3] == '上' else 2}", key)
        return period_spans(str(year), key)
    if m := _DATE.match(text):
        try:
            end = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise ConfigError(f"period {period!r} is not a real date", hint="write it like 2026-09-30") from exc
        if point or key is None:
            return [Span(end)]
        starts = [dt.date(end.year, 1, 1), dt.date(end.year, ((end.month - 1) // 3) * 3 + 1, 1)]
        return sorted({Span(end, s) for s in starts}, key=lambda s: -s.months)
    raise ConfigError(
        f"cannot read the period {period!r}",
        hint="write it like 2026Q3, 2026H1, 2026 9M, 2026 (the year) or 2026-09-30",
    )


def derive_quarters(facts: FactSet) -> list[Fact]:
    """Add single-quarter (and second-half) flow facts derivable from year-to-date spans.

    For two reported spans of the same key sharing a start, ``A = start..e1`` and
    ``B = start..e2`` with ``B`` three or six months longer, the span ``e1+1..e2`` is
    ``B − A``. Only spans not already reported are derived; a missing input derives nothing.
    Returns the facts it added.
    """
    by_key: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.key in FLOW_KEYS and not fact.span.is_point and fact.source != "derived":
            by_key.setdefault(fact.key, []).append(fact)
    added: list[Fact] = []
    for key, flows in by_key.items():
        by_start: dict[dt.date, list[Fact]] = {}
        for fact in flows:
            by_start.setdefault(fact.span.start, []).append(fact)
        for group in by_start.values():
            group.sort(key=lambda f: f.span.end)
            for shorter, longer in zip(group, group[1:]):
                span = Span(longer.span.end, shorter.span.end + dt.timedelta(days=1))
                if not _derivable(span) or facts.get(key, span) is not None:
                    continue
                if shorter.value is None or longer.value is None:
                    continue
                if shorter.currency and longer.currency and shorter.currency != longer.currency:
                    continue  # amounts in two currencies do not subtract
                fact = Fact(
                    key=key,
                    value=longer.value - shorter.value,
                    span=span,
                    label=f"{longer.span.label} − {shorter.span.label}",
                    source="derived",
                    formula=f"{key}[{longer.span.label}] − {key}[{shorter.span.label}]",
                    inputs=(longer, shorter),
                    scope=longer.scope,
                    currency=longer.currency or shorter.currency,
                )
                facts.add(fact)
                added.append(fact)
    return added


def _derivable(span: Span) -> bool:
    """A single quarter, or a second half-year (FY − H1)."""
    return span.months == 3 or (span.months == 6 and span.start.month == 7 and span.end.month == 12)


def is_restatement(previous: Decimal | None, latest: Decimal | None) -> bool:
    """A later report printed a different number for the same key, span and scope."""
    return previous is not None and latest is not None and previous != latest


def comparable(a: Span, b: Span) -> bool:
    """Like spans only: two points, or two flows of the same length."""
    return a.is_point == b.is_point and a.months == b.months
