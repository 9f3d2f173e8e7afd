"""Column headers and the report's own period → ``Column`` (point in time or span).

Absolute headers carry their dates ("Three Months Ended July 29, 2023", "2020年12月31日",
"2020年度"); relative ones (期末余额, 上年年末余额, 本期发生额, 上期发生额, 本年累计, 本月数)
are resolved against the report's own period (``ReportPeriod``), read from the statement's
title block (``2020 年 12 月 31 日``, ``2020 年 1—12 月``) or the document (``2020 年年度报告``,
``半年度``, ``第三季度``).

Spans: a period ending on a month end starts on the first day of the month ``n-1`` months
back; a 52/53-week fiscal period (ending on another day) starts on the day after the prior
period end, i.e. ``end − 7·weeks + 1 day`` (13 weeks a quarter), refined by a sibling column
of the prior year when one is printed (``refine_year_starts``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from extractors.models import Column

_MONTHS = {
    m.lower(): i
    for i, names in enumerate(
        [(), ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}
_MONTH_RE = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
_EN_MDY = re.compile(_MONTH_RE + r"\s*(\d{1,2})\s*,?\s*(\d{4})")
_EN_DMY = re.compile(r"(\d{1,2})\s*" + _MONTH_RE + r",?\s*(\d{4})")
_EN_MD = re.compile(_MONTH_RE + r"\s*(\d{1,2})\b")
_ZH_YMD = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ZH_SPAN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})?\s*月?\s*[-—–~至]+\s*(\d{1,2})\s*月")
_ZH_YM = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*日)(?!\s*[-—–~至])")
_ZH_YEAR = re.compile(r"(\d{4})\s*年\s*(?:度|全年)")
_ZH_HALF = re.compile(r"(\d{4})\s*年\s*(?:半年度|上半年|1\s*[-—–至]\s*6\s*月|中期)")
_ZH_QUARTER = re.compile(r"(\d{4})\s*年\s*(前三季度|第一季度|一季度|第二季度|二季度|第三季度|三季度|第四季度|四季度)")
_YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_NUM_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "nine": 9, "twelve": 12, "fifty-two": 52, "fifty-three": 53, "thirteen": 13}
_SPAN_EN = re.compile(
    r"(three|six|nine|twelve|thirteen|fifty-two|fifty-three|\d{1,2})[\s-]*(months?|weeks?|quarters?)\s*(?:ended|ending|to)?"
)


@dataclass(frozen=True)
class ReportPeriod:
    """The period a report covers: its end date and the span its flows cover by default."""

    end: dt.date
    start: dt.date  # start of the default flow span (本期)
    ytd_start: dt.date  # start of the year-to-date span (本年累计)


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def detect_report_period(text: str) -> ReportPeriod | None:
    """The report period printed in a title block or a document's first pages, if any."""
    t = _fold(text)
    m = _ZH_SPAN.search(t)
    if m:
        y, m1, m2 = int(m.group(1)), int(m.group(2) or 1), int(m.group(3))
        if 1 <= m1 <= m2 <= 12:
            end = month_end(y, m2)
            return ReportPeriod(end, dt.date(y, m1, 1), dt.date(y, 1, 1))
    m = _ZH_YMD.search(t)
    if m:
        end = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if end:
            q_start = dt.date(end.year, ((end.month - 1) // 3) * 3 + 1, 1)
            start = dt.date(end.year, 1, 1) if end.month in (6, 12) else q_start
            return ReportPeriod(end, start, dt.date(end.year, 1, 1))
    m = _ZH_HALF.search(t)
    if m:
        y = int(m.group(1))
        return ReportPeriod(dt.date(y, 6, 30), dt.date(y, 1, 1), dt.date(y, 1, 1))
    m = _ZH_YM.search(t)
    if m and 1 <= int(m.group(2)) <= 12:  # a monthly report: 2026年9月
        y, mo = int(m.group(1)), int(m.group(2))
        return ReportPeriod(month_end(y, mo), dt.date(y, mo, 1), dt.date(y, 1, 1))
    m = _ZH_QUARTER.search(t)
    if m:
        y, q = int(m.group(1)), m.group(2)
        n = 1 if "一" in q else 2 if "二" in q else 4 if "四" in q else 3
        end = month_end(y, 3 * n)
        start = dt.date(y, 1, 1) if q.startswith("前") else dt.date(y, 3 * n - 2, 1)
        return ReportPeriod(end, start, dt.date(y, 1, 1))
    m = _ZH_YEAR.search(t) or re.search(r"(\d{4})\s*年\s*年度报告", t)
    if m:
        y = int(m.group(1))
        return ReportPeriod(dt.date(y, 12, 31), dt.date(y, 1, 1), dt.date(y, 1, 1))
    return None


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _en_dates(low: str) -> list[dt.date]:
    found: list[tuple[int, dt.date]] = []
    for m in _EN_MDY.finditer(low):
        d = _date(int(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)))
        if d:
            found.append((m.start(), d))
    if not found:
        for m in _EN_DMY.finditer(low):
            d = _date(int(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)))
            if d:
                found.append((m.start(), d))
    if not found:  # 12/31/2023
        for m in re.finditer(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b", low):
            d = _date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
            if d:
                found.append((m.start(), d))
    if not found:  # "December 31," on one line, the year alone on the next
        md = _EN_MD.search(low)
        years = _YEAR.findall(low)
        if md and years:
            d = _date(int(years[-1]), _MONTHS[md.group(1)], int(md.group(2)))
            if d:
                found.append((md.start(), d))
    return [d for _, d in sorted(found)]


def _span_start(end: dt.date, months: int | None, weeks: int | None) -> dt.date:
    if weeks:
        return end - dt.timedelta(days=7 * weeks - 1)
    assert months
    if end == month_end(end.year, end.month):
        y, m = end.year, end.month - months + 1
        while m <= 0:
            y, m = y - 1, m + 12
        return dt.date(y, m, 1)
    # a 52/53-week fiscal calendar: 13 weeks a quarter
    return end - dt.timedelta(days=7 * (13 * months // 3) - 1)


def _en_span(low: str) -> tuple[int | None, int | None]:
    """(months, weeks) named by an English header, or (None, None)."""
    m = _SPAN_EN.search(low)
    if m:
        raw = m.group(1)
        n = _NUM_WORDS.get(raw) or int(raw)
        unit = m.group(2)
        if unit.startswith("week"):
            return None, n
        if unit.startswith("quarter"):
            return 3 * n, None
        return n, None
    if re.search(r"\b(?:fiscal\s+)?years?\s*(?:ended|ending)|\bfiscal\s+year|\bfor\s+the\s+year|\bannual\b|\byear\s+to\b", low):
        return 12, None
    if re.search(r"\bquarter\s*(?:ended|ending)", low):
        return 3, None
    return None, None


_REL_END = ("期末余额", "期末数", "期末金额", "期末账面", "本期期末", "期末", "本年年末", "年末余额", "年末数")
_REL_PRIOR_END = ("期初余额", "年初余额", "年初数", "上年年末", "上年末", "上期期末", "期初数", "期初", "年初", "上年度末")
_REL_YTD = ("本年累计", "年初至报告期末", "本年数", "本年金额")
_REL_PRIOR_YTD = ("上年累计", "上年同期累计", "上年年初至报告期末", "上年数", "上年金额")
_REL_MONTH = ("本月数", "本月金额", "本月")
_REL_PRIOR_MONTH = ("上年同月", "上年本月")
_REL_CUR = ("本期发生额", "本期金额", "本期数", "本期", "本年发生额")
_REL_PRIOR = ("上期发生额", "上期金额", "上期数", "上年同期", "上期", "上年发生额")


def parse_column(header: str, *, flow: bool, report: ReportPeriod | None, context: str = "") -> Column:
    """A column from its printed header; ``context`` is the title block (for "years ended")."""
    label = re.sub(r"\s+", " ", _fold(header)).strip()
    squashed = label.replace(" ", "")
    low = label.lower()
    # ---- Chinese absolute dates
    m = _ZH_SPAN.search(squashed)
    if m and flow:
        y, m1, m2 = int(m.group(1)), int(m.group(2) or 1), int(m.group(3))
        if 1 <= m1 <= m2 <= 12:
            return Column(period_start=dt.date(y, m1, 1), period_end=month_end(y, m2), label=label)
    m = _ZH_QUARTER.search(squashed)
    if m and flow:
        rp = detect_report_period(squashed)
        if rp:
            return Column(period_start=rp.start, period_end=rp.end, label=label)
    m = _ZH_HALF.search(squashed)
    if m and flow:
        y = int(m.group(1))
        return Column(period_start=dt.date(y, 1, 1), period_end=dt.date(y, 6, 30), label=label)
    m = _ZH_YEAR.search(squashed)
    if m and flow:
        y = int(m.group(1))
        return Column(period_start=dt.date(y, 1, 1), period_end=dt.date(y, 12, 31), label=label)
    m = _ZH_YMD.search(squashed)
    if m:
        end = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if end:
            start = None
            if flow:
                start = report.ytd_start if report and report.end == end else dt.date(end.year, 1, 1)
            return Column(period_start=start, period_end=end, label=label)
    # ---- Chinese relative headers
    rel = _relative(squashed, flow=flow, report=report)
    if rel is not None:
        return Column(period_start=rel[0], period_end=rel[1], label=label)
    # ---- English
    dates = _en_dates(low)
    if dates:
        end = dates[-1] if len(dates) > 1 and ("to" in low.split() or "through" in low) else dates[0]
        if not flow:
            return Column(period_start=None, period_end=end, label=label)
        if len(dates) > 1 and ("to" in low.split() or "through" in low):
            return Column(period_start=dates[0], period_end=dates[-1], label=label)
        months, weeks = _en_span(low)
        if months is None and weeks is None:
            months, weeks = _en_span(_squash_words(low))
        if months is None and weeks is None:
            months, weeks = _en_span(_fold(context).lower())
        if months is None and weeks is None:
            months = 12
        return Column(period_start=_span_start(end, months, weeks), period_end=end, label=label)
    year = _YEAR.search(low)
    bare = re.sub(r"\((?:unaudited|audited|restated|as adjusted)\)|\bfy\b|\bfiscal\b|\byears?\b|年末|年度?|\s", "", low)
    if year and re.fullmatch(r"(?:19|20)\d{2}", bare):
        y = int(year.group(1))
        # "2023" under "Years ended June 30" / "As of December 31" printed in the title block
        md = _EN_MD.search(_fold(context).lower())
        end = _date(y, _MONTHS[md.group(1)], int(md.group(2))) if md else None
        end = end or (report.end.replace(year=y) if report and report.end.month != 12 and flow is False else None) or dt.date(y, 12, 31)
        if not flow:
            return Column(period_start=None, period_end=end, label=label)
        months, weeks = _en_span(_fold(context).lower())
        return Column(period_start=_span_start(end, months or 12, weeks), period_end=end, label=label)
    return Column(period_start=None, period_end=None, label=label)


def _squash_words(low: str) -> str:
    """Re-join words printed letter-spaced ("M on t hs E nded" → "months ended")."""
    s = low.replace(" ", "")
    return re.sub(r"(months?|weeks?|quarters?|ended|ending|year)", r" \1 ", s).strip()


def _relative(s: str, *, flow: bool, report: ReportPeriod | None) -> tuple[dt.date | None, dt.date] | None:
    if report is None:
        return None
    end = report.end
    prior_year_end = dt.date(end.year - 1, 12, 31)
    if not flow:
        if any(w in s for w in _REL_PRIOR_END):
            return None, prior_year_end
        if any(w in s for w in _REL_END):
            return None, end
        if any(w in s for w in _REL_PRIOR):  # 上期 on a balance sheet: the prior year end
            return None, prior_year_end
        if any(w in s for w in _REL_CUR):
            return None, end
        return None
    if any(w in s for w in _REL_PRIOR_YTD):
        return shift_years(report.ytd_start, -1), shift_years(end, -1)
    if any(w in s for w in _REL_YTD):
        return report.ytd_start, end
    if any(w in s for w in _REL_PRIOR_MONTH):
        e = shift_years(end, -1)
        return dt.date(e.year, e.month, 1), month_end(e.year, e.month)
    if any(w in s for w in _REL_MONTH):
        return dt.date(end.year, end.month, 1), end
    if any(w in s for w in _REL_PRIOR):
        return shift_years(report.start, -1), month_end(end.year - 1, end.month) if end == month_end(end.year, end.month) else shift_years(end, -1)
    if any(w in s for w in _REL_CUR):
        return report.start, end
    return None


def refine_year_starts(columns: list[Column]) -> list[Column]:
    """A 52/53-week year starts the day after the prior year's end when that column is printed."""
    ends = [c.period_end for c in columns if c.period_end]
    out = []
    for c in columns:
        if c.period_start and c.period_end and c.period_end != month_end(c.period_end.year, c.period_end.month):
            length = (c.period_end - c.period_start).days
            if length > 300:
                prior = [e for e in ends if 350 <= (c.period_end - e).days <= 380]
                if prior:
                    c = c.model_copy(update={"period_start": prior[0] + dt.timedelta(days=1)})
        out.append(c)
    return out
