"""From what the question says about a period to a stored span.

``resolve_span(period, facts, key)`` picks the span of ``facts`` the question means for
``key``: a balance date for balance-sheet figures and ratios, a flow span (quarter, half,
year to date, year) for the rest. ``like_span`` finds the comparable span one year or one
quarter earlier, tolerant of 52/53-week fiscal calendars (a week either way). Nothing is
guessed: when no stored span fits, the caller gets None and the spans that do exist.
"""

from __future__ import annotations

import datetime as dt

from assistant.chat.lexicon import RATIO_BY_KEY, SAME_WHEN_ALONE
from assistant.chat.understand import PeriodQuery
from assistant.domain import FactSet, Span
from extractors.vocabulary import BY_KEY

# Ratios read from one balance sheet (a point in time); every other ratio needs a flow span.
POINT_RATIOS = frozenset({
    "debt_to_assets", "current_ratio", "quick_ratio", "cash_ratio", "non_current_liabilities_share", "working_capital",
})
_TOLERANCE = dt.timedelta(days=7)


def is_point_metric(key: str) -> bool:
    if key in RATIO_BY_KEY:
        return key in POINT_RATIOS
    fig = BY_KEY.get(key)
    return fig is not None and fig.kind == "balance_sheet"


def candidate_spans(facts: FactSet, key: str, point: bool) -> list[Span]:
    """Spans that hold ``key`` (figures) or any span of the right type (ratios)."""
    if key in BY_KEY:
        spans = sorted({s for (k, s) in facts.facts if k == key and s.is_point == point})
        alone = SAME_WHEN_ALONE.get(key)
        if not spans and alone is not None and not any(k == key for k, _ in facts.facts):
            return candidate_spans(facts, alone, point)
        return spans
    return facts.spans(points=point)


def _in(d: dt.date, start: dt.date, end: dt.date) -> bool:
    return start <= d <= end


def _fiscal_window(year: int) -> tuple[dt.date, dt.date]:
    """"FY2023" / "fiscal 2023": the fiscal year that ends in calendar 2023 (a year ended 28 January 2023
    is FY2023, as FinanceBench and most US filers name it); a 52/53-week year ending in the first week
    of January 2024 still counts as 2023."""
    return dt.date(year, 1, 8), dt.date(year + 1, 1, 7)


def _fiscal_quarter_window(year: int, q: int, fy_starts: set[dt.date]) -> tuple[dt.date, dt.date] | None:
    """Quarter ``q`` of FY ``year`` from the fiscal year's start (a stored 6/9/12-month span starts there):
    its end lies about 3·q months after that start. None when no stored span shows the fiscal year."""
    a, b = _fiscal_window(year)
    for start in sorted(fy_starts):
        end = _add_months(start, 12) - dt.timedelta(days=1)
        if a <= end <= b:
            q_end = _add_months(start, 3 * q) - dt.timedelta(days=1)
            return q_end - dt.timedelta(days=20), q_end + dt.timedelta(days=20)
    return None


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    first = dt.date(d.year + y, m + 1, 1)
    nxt = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first.replace(day=min(d.day, (nxt - dt.timedelta(days=1)).day))


def _quarter_of(p: PeriodQuery, fy_starts: set[dt.date]) -> tuple[dt.date, dt.date]:
    """Calendar quarter, or the fiscal one when the question says "Q2 of FY2024" and the store shows that year."""
    if p.fiscal:
        window = _fiscal_quarter_window(p.year, p.quarter, fy_starts)  # type: ignore[arg-type]
        if window is not None:
            return window
    return _quarter_window(p.year, p.quarter)  # type: ignore[arg-type]


def _quarter_window(year: int, q: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _latest(spans: list[Span], prefer_months: tuple[int, ...] = ()) -> Span | None:
    if not spans:
        return None
    last = max(s.end for s in spans)
    at_last = [s for s in spans if s.end == last]
    for m in prefer_months:
        for s in at_last:
            if s.months == m:
                return s
    return max(at_last, key=lambda s: s.months)


def resolve_span(period: PeriodQuery, facts: FactSet, key: str, *, point: bool | None = None) -> Span | None:
    """The stored span the question means for ``key``, or None when none fits."""
    point = is_point_metric(key) if point is None else point
    spans = candidate_spans(facts, key, point)
    fy_starts = {s.start for s in facts.spans(points=False) if s.months in (6, 9, 12) and s.start}
    if point:
        year_ends = {s.end for s in facts.spans(points=False, months=12)}
        return _resolve_point(period, spans, year_ends, fy_starts)
    return _resolve_flow(period, spans, fy_starts)


def _resolve_point(p: PeriodQuery, spans: list[Span], year_ends: set[dt.date],
                   fy_starts: set[dt.date] = frozenset()) -> Span | None:
    """A balance date; a year alone means its year end (31 December, or the end of a stored fiscal year)."""
    if p.end is not None and not p.opening:
        exact = [s for s in spans if s.end == p.end]
        return exact[0] if exact else None
    if p.year is None:
        return _latest(spans)
    y = p.year
    if p.opening:
        prior = [s for s in spans if s.end.year == y - 1 and (s.end.month == 12 or s.end in year_ends)]
        return _latest(prior)
    if p.quarter:
        a, b = _quarter_of(p, fy_starts)
        return _latest([s for s in spans if s.end == b]) or _latest([s for s in spans if _in(s.end, a, b)])
    if p.half:
        return _latest([s for s in spans if s.end == dt.date(y, 6, 30)]) or _latest(
            [s for s in spans if _in(s.end, dt.date(y, 6, 1), dt.date(y, 7, 31))])
    if p.fiscal:  # the fiscal year's end: a stored year end, or the day before a stored fiscal year starts
        a, b = _fiscal_window(y)
        known = set(year_ends) | {d - dt.timedelta(days=1) for d in fy_starts}
        in_window = [s for s in spans if _in(s.end, a, b)]
        return _latest([s for s in in_window if s.end in known]) if known else _latest(in_window)
    in_year = [s for s in spans if s.end.year == y]
    return _latest([s for s in in_year if s.end.month == 12]) or _latest([s for s in in_year if s.end in year_ends])


def _resolve_flow(p: PeriodQuery, spans: list[Span], fy_starts: set[dt.date] = frozenset()) -> Span | None:
    months = p.months
    if p.end is not None:
        exact = [s for s in spans if s.end == p.end and (months is None or s.months == months)]
        return _latest(exact, (12, 3))
    if p.year is None:
        pool = [s for s in spans if months is None or s.months == months]
        return _latest(pool)
    y = p.year
    if p.quarter and months in (3, None):
        a, b = _quarter_of(p, fy_starts)
        return _latest([s for s in spans if s.months == 3 and _in(s.end, a, b)])
    if months == 9 or (p.quarter == 3 and months == 9):
        a, b = _quarter_window(y, 3)
        return _latest([s for s in spans if s.months == 9 and _in(s.end, a, b)])
    if p.half or months == 6:
        return _latest([s for s in spans if s.months == 6 and _in(s.end, dt.date(y, 6, 1), dt.date(y, 7, 31))])
    a, b = _fiscal_window(y) if p.fiscal else (dt.date(y, 1, 1), dt.date(y, 12, 31))
    yearly = [s for s in spans if s.months == 12 and _in(s.end, a, b)]
    if yearly or months == 12:
        return _latest(yearly)
    return None


def like_span(span: Span, facts: FactSet, key: str, basis: str) -> Span | None:
    """The comparable stored span: same span a year earlier (yoy) or the quarter before (qoq)."""
    spans = candidate_spans(facts, key, span.is_point)
    if basis == "yoy":
        target = span.same_span_last_year()
    elif span.is_point:
        target = Span(span.end - dt.timedelta(days=91))
    else:
        target = Span(span.start - dt.timedelta(days=1), span.start - dt.timedelta(days=91))
    best = None
    for s in spans:
        if s == span or abs(s.end - target.end) > _TOLERANCE:
            continue
        if not span.is_point and s.months != span.months:
            continue
        if best is None or abs(s.end - target.end) < abs(best.end - target.end):
            best = s
    return best


def describe(span: Span, lang: str) -> str:
    """The span for a person: 2017年12月31日 / 2017年度 / the 3 months ended July 29, 2023."""
    calendar = not span.is_point and span.start.day == 1 and span.start.month in (1, 4, 7, 10) \
        and span.end == _quarter_window(span.end.year, (span.end.month - 1) // 3 + 1)[1]
    q = (span.end.month - 1) // 3 + 1
    if lang == "zh":
        if span.is_point:
            return f"{span.end.year}年{span.end.month}月{span.end.day}日"
        if span.months == 12 and (span.start.month, span.start.day) == (1, 1):
            return f"{span.end.year}年度"
        if calendar and span.months == 3:
            return f"{span.end.year}年第{'一二三四'[q - 1]}季度"
        if calendar and span.start.month == 1 and span.months in (6, 9):
            return f"{span.end.year}年{'上半年' if span.months == 6 else '前三季度'}"
        return f"{span.start.isoformat()}至{span.end.isoformat()}（{span.months}个月）"
    end = f"{span.end.strftime('%B')} {span.end.day}, {span.end.year}"
    if span.is_point:
        return f"as of {end}"
    if calendar and span.months == 3:
        return f"Q{q} {span.end.year} (the 3 months ended {end})"
    if span.months == 12:
        return f"the year ended {end}"
    return f"the {span.months} months ended {end}"
