"""The date a column header prints, in any of the ways people type or format one, with every reading it allows.

``header_dates`` reads the short forms that spreadsheets and some PDFs print — "Dec-25", "Mar-2026",
"31-Dec-2025", "30 Jun 25", "Sept. 30 2025", "SEPTEMBER 2026", "31/12/2025", "12/31/25", "2025-12-31" —
and says where a form leaves the date open instead of picking one:

* a month printed without its day ("Dec-25", "Mar-2026") is that month's end (``precision="month"``);
* a two-digit year is 20yy (19yy from 70 up), read only where a month word or a full date frames it —
  "Dec-25", "Dec'25", "30 Jun 25", never "Dec 25", which may as well be 25 December of a year printed elsewhere;
* a numeric date whose first two numbers are both 1–12 ("03/04/25") has two readings, 3 April and
  4 March: ``readings`` holds both and ``order`` is None; a date whose numbers fix the order
  ("31/03/2025": day first) says so in ``order``, which the caller may apply to a sibling column
  (``resolve(…, order=…)``).

Fiscal-quarter labels ("Q3 FY25", "3Q25", "FY2025 Q3", "Q3'25") are read by ``fiscal_quarter``: a quarter
number and a year, which date nothing until the report's calendar fixes them (``extractors.periods``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    m: i
    for i, names in enumerate(
        [(), ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}
_MON = r"(?<![a-z])(" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")(?![a-z])\.?"
_Y = r"((?:19|20)\d{2}|'?\d{2})(?![\d/.-]*\d)"  # four digits or two (optionally after an apostrophe)
_SEP = r"[\s\-/.,']*"
_ORD = r"(?:st|nd|rd|th)?"
#: "31-Dec-2025", "30 Jun 25", "31st December, 2025"
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})(?!\d)" + _ORD + _SEP + _MON + _SEP + _Y)
#: "Sep 30, 2025", "Sept. 30 2025", "Dec-31-25"
_MDY = re.compile(_MON + _SEP + r"(\d{1,2})(?!\d)" + _ORD + r"\s*[,\-/.]?\s*" + _Y)
#: "Dec-25", "Mar-2026", "December 2025", "Dec'25", "Dec/25" — never "Dec 25", which may be the 25th
_MY = re.compile(_MON + r"(?:[\s\-/']*((?:19|20)\d{2})|\s*[\-/']\s*(\d{2}))(?![\d/.-]*\d)")
_ISO = re.compile(r"(?<![\d/.-])((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-]*\d)")
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.-]*\d)")


def two_digit_year(yy: str) -> int:
    """'25 → 2025, 99 → 1999: a two-digit year of a financial statement is 20yy, or 19yy from 70."""
    n = int(yy.lstrip("'"))
    if len(yy.lstrip("'")) == 4:
        return n
    return 2000 + n if n < 70 else 1900 + n


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> dt.date:
    return dt.date(y, m, calendar.monthrange(y, m)[1])


@dataclass(frozen=True)
class HeaderDate:
    """A date printed in a header and what it may mean: one reading, or several when the text leaves it open."""

    text: str  # the printed words ("Dec-25", "03/04/25")
    readings: tuple[dt.date, ...]
    precision: str = "day"  # "month": the day is not printed, the reading is the month's end
    order: str | None = None  # "dmy" / "mdy": the order a numeric date's numbers fix (None: not numeric, or open)
    two_digit: bool = False  # the year is printed in two digits

    @property
    def date(self) -> dt.date | None:
        """The one reading, or None while more than one is open."""
        return self.readings[0] if len(self.readings) == 1 else None


def header_dates(low: str, *, order: str | None = None) -> list[HeaderDate]:
    """Every date in a lower-cased header, left to right. ``order`` ("dmy" / "mdy") settles numeric
    dates whose own numbers leave the order open (taken from a sibling column or the title block)."""
    found: list[tuple[int, int, HeaderDate]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e, _ in found)

    def add(m: re.Match[str], hd: HeaderDate | None) -> None:
        if hd is not None and hd.readings and free(m.start(), m.end()):
            found.append((m.start(), m.end(), hd))

    for m in _ISO.finditer(low):
        d = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        add(m, HeaderDate(m.group(0), (d,)) if d else None)
    for m in _DMY.finditer(low):
        d = _date(two_digit_year(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        add(m, HeaderDate(m.group(0).strip(), (d,), two_digit=_short(m.group(3))) if d else None)
    for m in _MDY.finditer(low):
        d = _date(two_digit_year(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))
        add(m, HeaderDate(m.group(0).strip(), (d,), two_digit=_short(m.group(3))) if d else None)
    for m in _MY.finditer(low):
        add(m, _month_year(m, low))
    for m in _NUMERIC.finditer(low):
        add(m, _numeric(m, order))
    return [hd for _, _, hd in sorted(found, key=lambda f: f[0])]


def _short(year: str) -> bool:
    return len(year.lstrip("'")) == 2


def _month_year(m: re.Match[str], low: str) -> HeaderDate:
    """"Dec-25" is December 2025 — unless the header prints another year ("2025" over "Dec-31"), when its two
    digits are the day of that year's month; a four-digit year is read as printed."""
    month, text = MONTHS[m.group(1)], m.group(0).strip()
    if m.group(2):
        return HeaderDate(text, (_month_end(int(m.group(2)), month),), precision="month")
    y = two_digit_year(m.group(3))
    others = {int(x) for x in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", low[: m.start()] + " " + low[m.end():])}
    if others and y not in others:
        day = _date(others.pop(), month, int(m.group(3))) if len(others) == 1 else None
        return HeaderDate(text, (day,) if day else ())
    return HeaderDate(text, (_month_end(y, month),), precision="month", two_digit=True)


def _numeric(m: re.Match[str], order: str | None) -> HeaderDate | None:
    a, b, y = int(m.group(1)), int(m.group(3)), two_digit_year(m.group(4))
    dmy, mdy = _date(y, b, a), _date(y, a, b)
    text = m.group(0)
    two = _short(m.group(4))
    if dmy and not mdy:
        return HeaderDate(text, (dmy,), order="dmy", two_digit=two)
    if mdy and not dmy:
        return HeaderDate(text, (mdy,), order="mdy", two_digit=two)
    if not dmy:
        return None
    if dmy == mdy:  # 06/06/2025
        return HeaderDate(text, (dmy,), two_digit=two)
    if order == "dmy":
        return HeaderDate(text, (dmy,), two_digit=two)
    if order == "mdy":
        return HeaderDate(text, (mdy,), two_digit=two)
    return HeaderDate(text, (dmy, mdy), two_digit=two)


def numeric_orders(texts: list[str]) -> set[str]:
    """The orders ("dmy" / "mdy") that the numeric dates of ``texts`` fix by their own numbers."""
    return {hd.order for t in texts for hd in header_dates(t.lower()) if hd.order}


_QUARTER_FORMS = [
    re.compile(r"(?<![a-z0-9])q([1-4])\s*(?:of\s*)?(fy|fiscal(?:\s*year)?)?\s*((?:19|20)\d{2}|'?\d{2})(?!\d)"),
    re.compile(r"(?<![a-z0-9])([1-4])q\s*(fy|fiscal(?:\s*year)?)?\s*((?:19|20)\d{2}|'?\d{2})(?!\d)"),
    re.compile(r"(?<![a-z0-9])(fy|fiscal(?:\s*year)?)\s*((?:19|20)\d{2}|'?\d{2})\s*[-–,]?\s*q([1-4])(?![a-z0-9])"),
]


@dataclass(frozen=True)
class QuarterLabel:
    """A fiscal-quarter label: its quarter number and the year it names (a fiscal year when ``fiscal``)."""

    n: int
    year: int
    fiscal: bool


def fiscal_quarter(low: str) -> QuarterLabel | None:
    """"Q3 FY25", "3Q25", "Q3 2025", "FY2025 Q3", "Q3'25" → (3, 2025); None for any other header."""
    for i, rx in enumerate(_QUARTER_FORMS):
        m = rx.search(low)
        if m:
            if i == 2:
                return QuarterLabel(int(m.group(3)), two_digit_year(m.group(2)), True)
            return QuarterLabel(int(m.group(1)), two_digit_year(m.group(3)), bool(m.group(2)))
    return None


def looks_dated(text: str) -> bool:
    """True when ``text`` prints a date or a fiscal-quarter label in any form this module reads."""
    low = text.lower()
    return bool(header_dates(low) or fiscal_quarter(low))
