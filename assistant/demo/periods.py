"""Report periods of synthetic statements: spans, prior periods and printed headers."""

from __future__ import annotations

import calendar
import datetime as dt

SPANS = ("month", "quarter", "half", "year")
_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
EN_MONTHS = list(calendar.month_name)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def span_start(end: dt.date, span: str) -> dt.date:
    """First day of the ``span`` (month/quarter/half/year) that ends on ``end`` (a month end)."""
    months = _MONTHS[span]
    m = end.month - months + 1
    y = end.year
    while m < 1:
        m += 12
        y -= 1
    return dt.date(y, m, 1)


def ytd_start(end: dt.date) -> dt.date:
    return dt.date(end.year, 1, 1)


def prior_year(day: dt.date) -> dt.date:
    """The same day one year earlier (month ends stay month ends)."""
    if day.month == 2 and day.day >= 28:
        return month_end(day.year - 1, 2)
    return day.replace(year=day.year - 1)


def prior_year_end(end: dt.date) -> dt.date:
    """The balance-sheet comparative: the last year end strictly before ``end``."""
    return dt.date(end.year - 1, 12, 31)


def zh_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def en_date_us(day: dt.date) -> str:
    return f"{EN_MONTHS[day.month]} {day.day}, {day.year}"


def en_date_uk(day: dt.date) -> str:
    return f"{day.day} {EN_MONTHS[day.month]} {day.year}"


def zh_span_title(start: dt.date, end: dt.date) -> str:
    """Chinese period wording: 2026年度, 2026年1-6月, 2026年9月, 2026年第三季度."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12 and start.month == 1:
        return f"{end.year}年度"
    if months == 1:
        return f"{end.year}年{end.month}月"
    if months == 3 and start.month != 1:
        return f"{end.year}年第{'一二三四'[end.month // 3 - 1]}季度"
    return f"{end.year}年{start.month}-{end.month}月"


def months_word(start: dt.date, end: dt.date) -> str:
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    words = {1: "One", 3: "Three", 6: "Six", 9: "Nine", 12: "Twelve"}
    return words.get(months, str(months))
