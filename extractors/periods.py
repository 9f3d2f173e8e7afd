"""Column headers and the report's own period → ``Column`` (point in time or span), or a refusal.

Absolute headers carry their dates ("Three Months Ended July 29, 2023", "Thirty-nine weeks
ended …", "2020年12月31日", "2020年度", "截至2025年6月30日止六个月", and the short forms of
``extractors.header_dates``: "Dec-25", "30 Jun 25", "31/12/2025", "Q3 FY25"); relative ones (期末余额,
本期发生额, 本期(7-9月), 本年累计, 年初至本期末, 本季度, 上年同期, 本月数) are resolved against the
report period (``ReportPeriod``): the statement's title block (``2020 年 12 月 31 日``,
``2020 年 1—12 月``) or else the document's cover, read only from the report's own name
(``2014 年年度报告``, ``第三季度报告``, "For the quarterly period ended …"; ``document_period``) —
never from another date printed there (a publication or signing date).

A flow column's span comes from its own words; where they leave it open — 本期 in a
third-quarter report that prints both the quarter and the year to date, a bare "2022" whose
month and day are printed nowhere, "Q2 2023" on a 52/53-week calendar — the column keeps no
period and ``resolve_columns`` returns a warning naming the column and saying why. Never a guess.

Spans: a period ending on a month end starts on the first day of the month ``n-1`` months
back; a 52/53-week fiscal period (ending on another day) starts on the day after the prior
period end, i.e. ``end − 7·weeks + 1 day`` (13 weeks a quarter), refined by a sibling column
of the prior year when one is printed (``refine_year_starts``).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from extractors.header_dates import HeaderDate, fiscal_quarter, header_dates, numeric_orders
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
_ONES = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_NUMBER = r"(?:(?:twenty|thirty|forty|fifty)(?:[\s-]?(?:one|two|three|four|five|six|seven|eight|nine)\b)?|" + "|".join(
    sorted(_ONES, key=len, reverse=True)) + r"|\d{1,2})"
# a whole number word ("thirty-nine weeks" is 39, never "nine weeks"), then its unit
_SPAN_EN = re.compile(r"(?<![a-z-])(" + _NUMBER + r")[\s-]*(months?|weeks?|quarters?)\s*(?:ended|ending|to)?")


def _number(word: str) -> int:
    """"thirty-nine" → 39, "twelve" → 12, "13" → 13."""
    if word.isdigit():
        return int(word)
    parts = re.split(r"[\s-]+", word)
    return _TENS.get(parts[0], 0) + (_ONES.get(parts[-1], 0) if len(parts) > 1 or parts[0] in _ONES else 0)


@dataclass(frozen=True)
class ReportPeriod:
    """The period a report covers: its end date and the span its flows cover by default.

    ``definite`` is False where the default span of a bare 本期 is not fixed by the words
    read: a third-quarter report (第三季度报告) prints both the quarter (本报告期) and the year to
    date (年初至报告期末), so a column headed only 本期金额 could be either.
    """

    end: dt.date
    start: dt.date  # start of the default flow span (本期)
    ytd_start: dt.date  # start of the year-to-date span (本年累计)
    definite: bool = True


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def shift_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


_CN_DIGIT = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
             "七": "7", "八": "8", "九": "9"}
_CN_YEAR = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年")
_CN_MONTH_DAY = re.compile(r"([一二三四五六七八九十]{1,3})\s*(月|日)")
_DATE_CHARS = str.maketrans({"於": "于", "個": "个", "內": "内", "滿": "满", "屆": "届"})


def _cn_small(numeral: str) -> int | None:
    """一 … 三十一 as an integer (month and day numerals), None when not one."""
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        t = int(_CN_DIGIT[tens]) if tens else 1
        o = int(_CN_DIGIT[ones]) if ones else 0
        return t * 10 + o
    return int(_CN_DIGIT[numeral]) if len(numeral) == 1 else None


def chinese_numeral_dates(text: str) -> str:
    """Dates written in Chinese numerals, as Hong Kong reports print them, in digits:
    二零一九年十二月三十一日 → 2019年12月31日, 截至十二月三十一日止年度 → 截至12月31日止年度.
    Only a four-numeral year before 年 and a 1–31 numeral before 月/日 are read, so no label changes."""
    if not any(ch in text for ch in "年月日"):
        return text
    t = _CN_YEAR.sub(lambda m: "".join(_CN_DIGIT[c] for c in m.group(1)) + "年", text)

    def md(m: re.Match[str]) -> str:
        n = _cn_small(m.group(1))
        if n is None or not (1 <= n <= (12 if m.group(2) == "月" else 31)):
            return m.group(0)
        return f"{n}{m.group(2)}"

    return _year_after_month_day(_CN_MONTH_DAY.sub(md, t).translate(_DATE_CHARS))


_BARE_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})年(?!\s*\d{1,2}\s*月)")


def _year_after_month_day(text: str) -> str:
    """A header printing the month and day above the year (截至12月31日止年度 / 2019年, as Hong Kong
    reports do) reads as one date: 截至2019年12月31日止年度. Only when there is exactly one bare
    month-day and one bare year."""
    md, years = list(_BARE_MONTH_DAY.finditer(text)), list(_BARE_YEAR.finditer(text))
    if len(md) != 1 or len(years) != 1:
        return text
    y, m = years[0], md[0]
    merged = f"{y.group(1)}年{m.group(1)}月{m.group(2)}日"
    if y.start() > m.start():
        return text[: m.start()] + merged + text[m.end(): y.start()] + text[y.end():]
    return text[: y.start()] + text[y.end(): m.start()] + merged + text[m.end():]


def _fold(text: str) -> str:
    return chinese_numeral_dates(unicodedata.normalize("NFKC", text))


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
            # a year end, a first quarter or a half year: the report span starts on 1 January;
            # another date (30 September) leaves open whether 本期 is the quarter or the year to date
            return ReportPeriod(end, start, dt.date(end.year, 1, 1), definite=end.month in (3, 6, 12))
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
        named_report = t[m.end(): m.end() + 2] == "报告"  # 第三季度报告: the report, not a column's span
        return ReportPeriod(end, start, dt.date(y, 1, 1), definite=start == dt.date(y, 1, 1) or not named_report)
    m = _ZH_YEAR.search(t) or re.search(r"(\d{4})\s*年\s*年度报告", t)
    if m:
        y = int(m.group(1))
        return ReportPeriod(dt.date(y, 12, 31), dt.date(y, 1, 1), dt.date(y, 1, 1))
    return None


_COVER_ZH = re.compile(
    r"(\d{4})\s*年\s*(?:度\s*)?(年度报告|年度報告|年报|年報|半年度报告|半年度報告|半年报|中期报告|中期報告|"
    r"前三季度报告|第?[一二三四]季度报告|第?[一二三四]季度報告)")
_COVER_EN = re.compile(
    r"for\s+the\s+(fiscal\s+year|year|quarterly\s+period|quarter|fiscal\s+quarter)\s+ended\s*"
    + _MONTH_RE + r"\s*(\d{1,2})\s*,?\s*(\d{4})", re.IGNORECASE)


def document_period(text: str) -> ReportPeriod | None:
    """The report period a document names on its cover ("2014 年年度报告", "第三季度报告",
    "For the quarterly period ended June 30, 2023"), or None when none or more than one is named.

    Only the report's own name counts: any other date on a cover (the publication date
    "2015年4月", a signing date) is not the period the statements cover.
    """
    t = _fold(text)
    found: set[ReportPeriod] = set()
    for m in _COVER_ZH.finditer(t):
        found.add(detect_report_period(re.sub(r"\s+", "", m.group(0))))
    if not found:
        for m in _COVER_EN.finditer(t):
            end = _date(int(m.group(4)), _MONTHS[m.group(2).lower()], int(m.group(3)))
            if end is None:
                continue
            months = 12 if "year" in m.group(1).lower() else 3
            start = _span_start(end, months, None)
            if months == 12:
                found.add(ReportPeriod(end, start, start))
            else:  # the fiscal year's start is not printed on a 10-Q cover: 本年累计 has no meaning here
                found.add(ReportPeriod(end, start, start, definite=False))
    found.discard(None)
    return found.pop() if len(found) == 1 else None


_TITLE_YTD = re.compile(r"年初(?:至|到)(?:本)?报告期末|年初(?:至|到)本期末|前三季度|1\s*[-—–~至]\s*9\s*月")
_TITLE_QUARTER = re.compile(r"本报告期(?!末)|本季度|第[一二三四]季度(?!报告)|[47]\s*[-—–~至]\s*(?:6|9)\s*月")


def settle_default_span(report: ReportPeriod | None, title: str) -> ReportPeriod | None:
    """The span a bare 本期 covers, where the statement's own title says it: "合并年初到报告期末利润表"
    (the year to date) or "本报告期利润表" / "第三季度" (the quarter). Otherwise the report unchanged."""
    if report is None or report.definite:
        return report
    t = re.sub(r"\s+", "", _fold(title))
    if _TITLE_YTD.search(t):
        return dataclasses.replace(report, start=report.ytd_start, definite=True)
    if _TITLE_QUARTER.search(t) and report.end == month_end(report.end.year, report.end.month) and report.end.month % 3 == 0:
        return dataclasses.replace(report, start=dt.date(report.end.year, report.end.month - 2, 1), definite=True)
    return report


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
    if not found:  # 12/31/2023 — never 03/04/2023, which may as well be 3 April (``header_dates`` says so)
        for m in re.finditer(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)\d{2})\b", low):
            d = _date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
            if d and (int(m.group(2)) > 12 or m.group(1).lstrip("0") == m.group(2).lstrip("0")):
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
        n = _number(m.group(1))
        unit = m.group(2)
        if unit.startswith("week"):
            return None, n
        if unit.startswith("quarter"):
            return 3 * n, None
        return n, None
    if re.search(r"\b(?:fiscal\s+)?years?\s*(?:ended|ending)|\bfiscal\s+year|\bfor\s+the\s+year|\bannual\b|\byear\s+to\b", low):
        return 12, None
    if re.search(r"\b(?:fiscal\s+)?quarters?\s*(?:ended|ending)", low):
        return 3, None
    return None, None


_REL_END = ("期末余额", "期末数", "期末金额", "期末账面", "本期期末", "期末", "本年年末", "年末余额", "年末数")
_REL_PRIOR_END = ("期初余额", "年初余额", "年初数", "上年年末", "上年末", "上期期末", "期初数", "期初", "年初", "上年度末")
_REL_PRIOR_YTD = ("上年累计", "上年同期累计", "上年年初至报告期末", "上年初至上年报告期末", "上年年初至上年报告期末",
                  "上年数", "上年金额", "上年发生额")
_REL_YTD = ("本年累计", "年初至报告期末", "年初至本期末", "年初到报告期末", "年初至本报告期末", "本年数", "本年金额",
            "本年发生额", "累计数")
_REL_MONTH = ("本月数", "本月金额", "本月")
_REL_PRIOR_MONTH = ("上年同月", "上年本月")
_REL_REPORT = ("本报告期",)  # the report's own period: the quarter of a quarterly report, the year of an annual one
_REL_QUARTER = ("本季度", "本季")
_REL_SAME_LAST_YEAR = ("上年同期", "去年同期")  # the span of the current column it stands beside, a year back
_REL_CUR = ("本期发生额", "本期金额", "本期数", "本期")
_REL_PRIOR = ("上期发生额", "上期金额", "上期数", "上期")
_PRIOR_WORDS = ("上年", "上期", "去年", "上一年")
_OWN_MONTHS = re.compile(r"(\d{1,2})\s*月?\s*[-—–~－至到]+\s*(\d{1,2})\s*月")
_ZH_MONTH_COUNT = re.compile(r"(三|六|九|十二|\d{1,2})\s*个\s*月")
_ZH_NUMBERS = {"三": 3, "六": 6, "九": 9, "十二": 12}
_ZH_MD_CONTEXT = re.compile(r"(\d{1,2})月(\d{1,2})日止?(?:(三|六|九|十二|\d{1,2})个月|年度)")
_SAME_LAST_YEAR = "same period last year"  # a reason that resolve_columns settles from the sibling columns


def parse_column(header: str, *, flow: bool, report: ReportPeriod | None, context: str = "") -> Column:
    """A column from its printed header; ``context`` is the title block (for "years ended")."""
    return read_column(header, flow=flow, report=report, context=context)[0]


def read_column(header: str, *, flow: bool, report: ReportPeriod | None, context: str = "",
                order: str | None = None) -> tuple[Column, str | None]:
    """A column and, when it has no period (or a flow column no start), the reason why. ``order``
    ("dmy" / "mdy") reads a numeric date its own numbers leave open ("03/04/25"), as a sibling column fixes it."""
    label = re.sub(r"\s+", " ", _fold(header)).strip()
    squashed = label.replace(" ", "")
    low = label.lower()

    def col(start: dt.date | None, end: dt.date | None) -> Column:
        return Column(period_start=start if flow else None, period_end=end, label=label)

    if not label:
        return col(None, None), "no column header was found above its figures"
    # ---- Chinese absolute dates
    m = _ZH_SPAN.search(squashed)
    if m and flow:
        y, m1, m2 = int(m.group(1)), int(m.group(2) or 1), int(m.group(3))
        if 1 <= m1 <= m2 <= 12:
            return col(dt.date(y, m1, 1), month_end(y, m2)), None
    m = _ZH_QUARTER.search(squashed)
    if m and flow:
        rp = detect_report_period(m.group(0))
        if rp:
            return col(rp.start, rp.end), None
    m = _ZH_HALF.search(squashed)
    if m and flow:
        y = int(m.group(1))
        return col(dt.date(y, 1, 1), dt.date(y, 6, 30)), None
    m = _ZH_YEAR.search(squashed)
    if m and flow:
        y = int(m.group(1))
        return col(dt.date(y, 1, 1), dt.date(y, 12, 31)), None
    m = _ZH_YMD.search(squashed)
    if m:
        end = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if end:
            if not flow:
                return col(None, end), None
            count = _ZH_MONTH_COUNT.search(squashed)  # 截至2025年6月30日止六个月
            if count:
                return col(_span_start(end, _ZH_NUMBERS.get(count.group(1)) or int(count.group(1)), None), end), None
            months, weeks = _en_span(low)  # "Three Months Ended 2025年9月30日" (an English span over a date cell)
            if months or weeks:
                return col(_span_start(end, months, weeks), end), None
            if "止年度" in squashed:
                return col(_span_start(end, 12, None), end), None
            if report and report.end == end:
                return col(report.ytd_start, end), None
            if end.month in (3, 6, 12) and end == month_end(end.year, end.month):
                return col(dt.date(end.year, 1, 1), end), None  # the year to date: Q1, the half year, the year
            return col(None, end), f"'{label}' prints the day the span ends, not its length"
    # ---- Chinese relative headers
    rel = _relative(squashed, flow=flow, report=report)
    if rel is not None:
        start, end, why = rel
        return col(start, end), why
    # ---- English
    dates = _en_dates(low)
    if not dates:  # "Dec-25", "31-Dec-2025", "30 Jun 25", "31/12/2025", "2025-12-31"
        short = header_dates(low, order=order)
        open_ = next((hd for hd in short if hd.date is None), None)
        titled = [d for d in open_.readings if d in _context_dates(context)] if open_ is not None else []
        if open_ is not None and len(titled) == 1:  # "03/04/25" under "As at 3 April 2025"
            short = [HeaderDate(open_.text, (titled[0],)) if hd is open_ else hd for hd in short]
            open_ = next((hd for hd in short if hd.date is None), None)
        if open_ is not None:
            return col(None, None), (f"'{label}' could be {' or '.join(d.isoformat() for d in open_.readings)}: no other column "
                                     "and not the title block prints a date whose order of day and month settles it")
        titled_years = {int(y) for y in _YEAR.findall(_fold(context))}
        for hd in short:
            if hd.two_digit and hd.date and titled_years and hd.date.year not in titled_years:
                return col(None, None), (f"'{label}' reads as {hd.date.year} by its two-digit year, but the title block prints "
                                         f"only {', '.join(str(y) for y in sorted(titled_years))}")
            d, why = _settle_month(hd, report, context)
            if d is None:
                return col(None, None), f"'{label}' {why}"
            dates.append(d)
    if dates:
        through = len(dates) > 1 and ("to" in low.split() or "through" in low)
        end = dates[-1] if through else dates[0]
        if not flow:
            return col(None, end), None
        if through:
            return col(dates[0], dates[-1]), None
        months, weeks = _en_span(low)
        if months is None and weeks is None:
            months, weeks = _en_span(_squash_words(low))
        if months is None and weeks is None:
            months, weeks = _en_span(_fold(context).lower())
        if months is None and weeks is None:
            months = _annual(report)
        if months is None and weeks is None:
            return col(None, end), f"'{label}' names the day the span ends but not its length (three, six, twelve months…)"
        return col(_span_start(end, months, weeks), end), None
    if fiscal_quarter(low):  # "Q3 FY25": dated by resolve_columns once every column and the report's calendar are known
        return col(None, None), f"'{label}' {_QUARTER_OPEN}"
    explicit = _zh_year_words(label, flow)
    if explicit is not None:
        return explicit
    year = _YEAR.search(low)
    bare = re.sub(r"\((?:unaudited|audited|restated|as adjusted)\)|\bfy\b|\bfiscal\b|\byears?\b|年末|年度?|\s", "", low)
    if year and re.fullmatch(r"(?:19|20)\d{2}", bare):
        return _bare_year(int(year.group(1)), label, flow, report, context, zh="年" in label)
    return col(None, None), f"no date or period word this reader understands in '{label}'"


_ZH_YEAR_END = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*(?:年\s*)?末(?:余额|数)?\s*$")
_ZH_MONTH_END = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*末(?:余额|数)?\s*$")
_ZH_WHOLE_YEAR = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*度\s*(?:金额|发生额)?\s*$")


def _zh_year_words(label: str, flow: bool) -> tuple[Column, str | None] | None:
    """Chinese headers that say what they mean whatever the report's own period: 2024年末 (the year
    end), 2025年3月末 (that month's end), 2024年度 (the calendar year, a PRC accounting year)."""
    t = _fold(label)
    m = _ZH_YEAR_END.match(t) or _ZH_MONTH_END.match(t)
    if m:
        y = int(m.group(1))
        month = int(m.group(2)) if m.re is _ZH_MONTH_END else 12
        if not 1 <= month <= 12:
            return None
        end = month_end(y, month)
        if flow:
            return Column(period_start=None, period_end=end, label=label), (
                f"'{label}' names a balance date, not the span a flow column needs")
        return Column(period_start=None, period_end=end, label=label), None
    m = _ZH_WHOLE_YEAR.match(t)
    if m:
        y = int(m.group(1))
        return Column(period_start=dt.date(y, 1, 1) if flow else None, period_end=dt.date(y, 12, 31), label=label), None
    return None


def _annual(report: ReportPeriod | None) -> int | None:
    """12 when the report itself covers a year (a 10-K, 年度报告) — the only span a header may omit."""
    if report is not None and report.definite and report.start == report.ytd_start and (report.end - report.start).days >= 360:
        return 12
    return None


def _bare_year(y: int, label: str, flow: bool, report: ReportPeriod | None, context: str, *, zh: bool) -> tuple[Column, str | None]:
    """"2023" under "Years ended June 30" / "As of December 31" in the title block, or on a cover's calendar."""
    ctx = _fold(context).lower()
    md = _EN_MD.search(ctx)
    end = _date(y, _MONTHS[md.group(1)], int(md.group(2))) if md else None
    printed = _en_dates(ctx)
    if end is not None and len({(d.month, d.day) for d in printed}) > 1 and end not in printed:
        # "December 28, 2019, December 29, 2018 …": the first month and day is that year's, not every year's
        return Column(period_start=None, period_end=None, label=label), (
            f"'{label}' prints a year without its month and day, and the title block prints year ends on different days "
            f"({', '.join(d.isoformat() for d in printed)}), none of them in {y}")
    zh_ctx = _ZH_MD_CONTEXT.search(ctx.replace(" ", ""))  # 截至6月30日止六个月 / 截至12月31日止年度
    if end is None and zh_ctx:
        end = _date(y, int(zh_ctx.group(1)), int(zh_ctx.group(2)))
    point = _ZH_YMD.search(ctx.replace(" ", "")) if not flow else None
    if end is None and point and int(point.group(1)) in (y, y + 1):
        end = _date(y, int(point.group(2)), int(point.group(3)))  # 於2025年3月31日 over "2025年 2024年": each year's March 31
    if end is None and report is not None:
        if report.end == month_end(report.end.year, report.end.month):
            end = month_end(y, report.end.month)  # a fiscal year ending on a month end: the same month end
        elif y == report.end.year:
            end = report.end  # a 52/53-week year: only the report's own year end is known
    if end is None and zh:
        end = dt.date(y, 12, 31)  # a PRC accounting year is the calendar year
    if end is None:
        why = (f"the cover's period ends on {report.end}, a 52/53-week year end that fixes no other year's end "
               "(and a fiscal year may be named for the year it starts in)") if report is not None else (
            "neither the title block nor the cover gives them")
        return Column(period_start=None, period_end=None, label=label), (
            f"'{label}' prints a year without its month and day; {why}")
    if not flow:
        return Column(period_start=None, period_end=end, label=label), None
    months, weeks = _en_span(ctx)
    if months is None and weeks is None and zh_ctx:
        months = _ZH_NUMBERS.get(zh_ctx.group(3) or "", 0) or (int(zh_ctx.group(3)) if zh_ctx.group(3) else 12)
    if months is None and weeks is None and report is not None and report.definite and report.end.month == end.month:
        months = _months_between(report.start, report.end)  # "2024年" under a title block "2025年1-6月"
    if months is None and weeks is None:
        months = 12 if zh and end.month == 12 else _annual(report)
    if months is None and weeks is None:
        return Column(period_start=None, period_end=end, label=label), (
            f"'{label}' names a year but not the length of its span, and the report is not an annual one")
    return Column(period_start=_span_start(end, months, weeks), period_end=end, label=label), None


def _months_between(start: dt.date, end: dt.date) -> int | None:
    if start.day != 1 or end != month_end(end.year, end.month):
        return None
    return (end.year - start.year) * 12 + end.month - start.month + 1


_QUARTER_OPEN = "names a quarter without its dates, and the report's fiscal calendar does not fix them"


def _months_back(end: dt.date, months: int) -> dt.date:
    y, m = end.year, end.month - months
    while m <= 0:
        y, m = y - 1, m + 12
    return month_end(y, m)


def _date_quarters(columns: list[Column], reasons: list[str | None], *, flow: bool, report: ReportPeriod | None) -> None:
    """Fiscal-quarter headers ("Q3 FY26", "Q4 FY25", "3Q25") dated by the report's own period end: the latest
    quarter printed is the report's, which fixes the month the fiscal year ends in and whether a fiscal year is
    named for the calendar year it ends in (or, a year before, the one it starts in); every other quarter is
    counted from there. Refused — the columns keep no period — where the report's period is unknown, ends off
    a month end (a 52/53-week calendar) or does not fit the latest label. A flow column spans its quarter, or
    the months its own words print ("Nine Months Ended" over "Q3 FY26"). In place."""
    labels = {i: fiscal_quarter(c.label.lower()) for i, c in enumerate(columns) if reasons[i] and reasons[i].endswith(_QUARTER_OPEN)}
    labels = {i: q for i, q in labels.items() if q is not None}
    if not labels or report is None or report.end != month_end(report.end.year, report.end.month):
        return
    latest = max(labels.values(), key=lambda q: (q.year, q.n))
    fy_month = (report.end.month - 3 * latest.n - 1) % 12 + 1  # quarter n of the year ends 3·n months after it starts
    fy_end_year = report.end.year if fy_month >= report.end.month else report.end.year + 1
    offset = fy_end_year - latest.year  # 0: named for the year it ends in; 1: for the year it starts in
    if offset not in (0, 1) or (offset == 1 and (fy_month == 12 or not latest.fiscal)):
        return
    for i, q in labels.items():
        end = _months_back(month_end(q.year + offset, fy_month), 3 * (4 - q.n))
        start = None
        if flow:
            months, weeks = _en_span(columns[i].label.lower())
            start = _span_start(end, months or 3, None) if not weeks else None
        columns[i] = columns[i].model_copy(update={"period_start": start, "period_end": end})
        reasons[i] = None


def _settle_month(hd: HeaderDate, report: ReportPeriod | None, context: str) -> tuple[dt.date | None, str | None]:
    """The day of a header that prints only a month ("Dec-25", "March 2026"): the month's end, unless the
    report period or the title block prints another day of that month (a 52/53-week calendar's end), which
    is taken when it is the only one, and refused when several are."""
    end = hd.date
    if hd.precision != "month" or end is None:
        return end, None
    printed = {d for d in _context_dates(context) if (d.year, d.month) == (end.year, end.month)}
    if report is not None and (report.end.year, report.end.month) == (end.year, end.month):
        printed.add(report.end)
    if not printed or end in printed:
        return end, None
    if len(printed) == 1:
        return printed.pop(), None
    return None, (f"prints a month without its day, and the title block prints several days of that month "
                  f"({', '.join(sorted(d.isoformat() for d in printed))})")


def _refuse_month_ends_off_a_week_calendar(headers: list[str], columns: list[Column], reasons: list[str | None], *,
                                           context: str, week_calendar: bool) -> None:
    """A header that prints a month without its day ("Dec-25") took that month's end; on a 52/53-week calendar
    — the document says so, or another column of the statement ends off a month end — the period ends on some
    other day of that month that nothing printed names: refused, not taken. In place."""
    monthly = [i for i, h in enumerate(headers) if columns[i].period_end is not None and not _en_dates(_fold(h).lower())
               and any(hd.precision == "month" and hd.date == columns[i].period_end for hd in header_dates(_fold(h).lower()))]
    if not monthly:
        return
    off = [c.period_end for i, c in enumerate(columns) if i not in monthly and c.period_end is not None
           and c.period_end != month_end(c.period_end.year, c.period_end.month)]
    if not (week_calendar or off):
        return
    printed = _context_dates(context)
    for i in monthly:
        end = columns[i].period_end
        if end in printed or end != month_end(end.year, end.month):
            continue  # its day is printed in the title block, or was taken from it
        columns[i] = columns[i].model_copy(update={"period_start": None, "period_end": None})
        why = f"another column ends on {off[0]}" if off else "the document keeps a 52/53-week fiscal year"
        reasons[i] = f"'{columns[i].label}' prints a month without its day, and {why}: the day it ends is printed nowhere"


def _context_dates(context: str) -> set[dt.date]:
    """The whole dates a title block prints, in words or in Chinese."""
    t = _fold(context)
    zh = (_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) for m in _ZH_YMD.finditer(t.replace(" ", "")))
    return set(_en_dates(t.lower())) | {d for d in zh if d}


def _squash_words(low: str) -> str:
    """Re-join words printed letter-spaced ("M on t hs E nded" → "months ended")."""
    s = low.replace(" ", "")
    return re.sub(r"(months?|weeks?|quarters?|ended|ending|year)", r" \1 ", s).strip()


def _has(s: str, words: tuple[str, ...]) -> bool:
    return any(w in s for w in words)


def _prior_span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    return shift_years(start, -1), month_end(end.year - 1, end.month) if end == month_end(end.year, end.month) else shift_years(end, -1)


def _relative(s: str, *, flow: bool, report: ReportPeriod | None) -> tuple[dt.date | None, dt.date | None, str | None] | None:
    """(start, end, why-not) for a header relative to the report period, or None for other headers.

    A flow column's span comes from its own words: a month range printed in the header
    ("本期(7-9月)", "本年累计(1-9月)") with the report's year; 本年累计 / 年初至本期末 the year to
    date; 本季度 the quarter; a bare 本期 / 上期 the report's default span only where the report
    fixes it (a third-quarter report does not).
    """
    if not flow:
        if report is None:
            if _has(s, _REL_PRIOR_END + _REL_END + _REL_PRIOR + _REL_CUR + _REL_SAME_LAST_YEAR):
                return None, None, f"'{s}' is relative to the report period, which neither the title block nor the cover names"
            return None
        end = report.end
        prior_year_end = dt.date(end.year - 1, 12, 31)
        if _has(s, _REL_PRIOR_END):
            return None, prior_year_end, None
        if _has(s, _REL_END):
            return None, end, None
        if _has(s, _REL_PRIOR) or _has(s, _REL_SAME_LAST_YEAR):  # 上期 on a balance sheet: the prior year end
            return None, prior_year_end, None
        if _has(s, _REL_CUR):
            return None, end, None
        return None
    prior = _has(s, _PRIOR_WORDS)
    months = _OWN_MONTHS.search(s)
    words = (_REL_PRIOR_YTD + _REL_YTD + _REL_MONTH + _REL_PRIOR_MONTH + _REL_REPORT + _REL_QUARTER + _REL_SAME_LAST_YEAR
             + _REL_CUR + _REL_PRIOR)
    if not months and not _has(s, words):
        return None
    if report is None:
        return None, None, f"'{s}' is relative to the report period, which neither the title block nor the cover names"
    end = report.end
    if months:
        m1, m2 = int(months.group(1)), int(months.group(2))
        y = end.year - 1 if prior else end.year
        if not 1 <= m1 <= m2 <= 12:
            return None, None, f"'{s}' prints months {m1}-{m2}, which are not a span of one year"
        return dt.date(y, m1, 1), month_end(y, m2), None
    if _has(s, _REL_PRIOR_YTD):
        return shift_years(report.ytd_start, -1), shift_years(end, -1), None
    if _has(s, _REL_YTD):
        return report.ytd_start, end, None
    if _has(s, _REL_PRIOR_MONTH):
        e = shift_years(end, -1)
        return dt.date(e.year, e.month, 1), month_end(e.year, e.month), None
    if _has(s, _REL_MONTH):
        return dt.date(end.year, end.month, 1), end, None
    if _has(s, _REL_REPORT):
        span = report.start, end
        return (*_prior_span(*span), None) if prior else (*span, None)
    if _has(s, _REL_QUARTER):
        if end != month_end(end.year, end.month) or end.month % 3:
            return None, None, f"'{s}' is a quarter, but the report period ends on {end}, not at a quarter's end"
        span = dt.date(end.year, end.month - 2, 1), end
        return (*_prior_span(*span), None) if prior else (*span, None)
    if _has(s, _REL_SAME_LAST_YEAR):
        return None, None, _SAME_LAST_YEAR
    if not report.definite:
        return None, None, (f"'{s}' could be the quarter or the year to date: the report period ({end}) prints both "
                            "and the header does not say which")
    if _has(s, _REL_PRIOR):
        return (*_prior_span(report.start, end), None)
    return report.start, end, None


def resolve_columns(headers: list[str], *, flow: bool, report: ReportPeriod | None, context: str = "",
                    week_calendar: bool = False) -> tuple[list[Column], list[str]]:
    """Every column of a statement with its period, and a warning for each one left without.

    A 上年同期 column takes the span of the current-year column printed just before it, a year
    back; 52/53-week years start the day after the prior year's printed end. ``week_calendar``: the
    document says it keeps a 52/53-week year, so a header printing only a month ("Dec-25") names no day.
    """
    printed = headers
    headers = [_without_unit_words(h) for h in headers]
    order = _numeric_order(headers, context)
    read = [_read_own_words(h, own, flow=flow, report=report, context=context, order=order)
            for h, own in zip(headers, _without_shared_head(headers))]
    columns = [c if h == p else c.model_copy(update={"label": re.sub(r"\s+", " ", _fold(p)).strip()})
               for (c, _), h, p in zip(read, headers, printed)]
    reasons = [why for _, why in read]
    for i, why in enumerate(reasons):
        if why != _SAME_LAST_YEAR:
            continue
        before = [j for j in range(i - 1, -1, -1) if columns[j].period_end and columns[j].period_start
                  and not _has(columns[j].label.replace(" ", ""), _PRIOR_WORDS)]
        if before and before[0] == i - 1:
            start, end = _prior_span(columns[i - 1].period_start, columns[i - 1].period_end)
            columns[i] = columns[i].model_copy(update={"period_start": start, "period_end": end})
            reasons[i] = None
        else:
            reasons[i] = f"'{columns[i].label}' (the same period a year earlier) follows no current-year column to take its span from"
    _date_quarters(columns, reasons, flow=flow, report=report)
    _refuse_month_ends_off_a_week_calendar(headers, columns, reasons, context=context, week_calendar=week_calendar)
    _years_dated_by_title(headers, columns, reasons, flow=flow, report=report, context=context)
    if flow:
        _refuse_bare_years_beside_month_ranges(headers, columns, reasons)
    columns = refine_year_starts(columns)
    ends = {c.period_end for c in columns}  # a start the day after a printed end is confirmed, not counted
    warnings = []
    for i, (c, why) in enumerate(zip(columns, reasons)):
        if c.period_end is None or (flow and c.period_start is None):
            what = "no period" if c.period_end is None else "no period start"
            warnings.append(f"column {i + 1} '{c.label}' has {what}: {why or 'its header could not be read as a date'}")
        elif flow and _counted_weeks(c) and c.period_start - dt.timedelta(days=1) not in ends:
            warnings.append(f"column {i + 1} '{c.label}' starts on {c.period_start}: {ASSUMED_WEEKS}")
    return columns, warnings


_UNIT_WORD = re.compile(r"^[(（]?(?:(?:人民币|人民幣|港币|港幣|美元|澳门币)?(?:千|百万|百萬|万|萬|亿|億)?(?:港元|元|美元|人民币|人民幣)"
                        r"|(?:rmb|hk\$|us\$|\$|usd|hkd|eur|€|£)\s*['’]?\s*(?:000|m|mn|million|millions|thousands?))[)）]?$", re.IGNORECASE)


def _without_unit_words(header: str) -> str:
    """A column header less the words that print its unit ("2025年 千港元", "2024 HK$'000"): they date nothing."""
    words = header.split()
    kept = [w for w in words if not _UNIT_WORD.match(w)]
    return " ".join(kept) if kept and len(kept) < len(words) else header


_EN_BARE_YEAR = re.compile(r"^\s*(?:fiscal\s+(?:year\s+)?)?((?:19|20)\d{2})\s*$", re.IGNORECASE)


def _years_dated_by_title(headers: list[str], columns: list[Column], reasons: list[str | None], *, flow: bool,
                          report: ReportPeriod | None, context: str) -> None:
    """Year headers ("2019 2018 2017") under a title block that prints each year's end in full ("Fiscal
    years ended December 28, 2019, December 29, 2018 and December 30, 2017"): each year takes the one
    date of its year — or, for a fiscal year named for the year it starts in, of the next year, the same
    way for every column. A 52/53-week year's end is then printed, not taken from a month and day that
    fit only the first year. In place."""
    years = [_EN_BARE_YEAR.match(_fold(h)) for h in headers]
    if len(headers) < 2 or not all(years):
        return
    ys = [int(m.group(1)) for m in years if m]
    dates = list(dict.fromkeys(_en_dates(_fold(context).lower())))
    if len(dates) < 2 or len(set(ys)) != len(ys):
        return
    for offset in (0, 1):
        found = [[d for d in dates if d.year - y == offset] for y in ys]
        if all(len(f) == 1 for f in found):
            break
    else:
        return
    months, weeks = _en_span(_fold(context).lower())
    if months is None and weeks is None:
        months = _annual(report)
    for i, (end,) in enumerate(found):
        start = _span_start(end, months, weeks) if flow and (months or weeks) else None
        if flow and start is None:
            continue
        columns[i] = Column(period_start=start, period_end=end, label=columns[i].label)
        reasons[i] = None


_ZH_BARE_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*$")
_ZH_MONTH_RANGE = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*[-—–~至]\s*\d{1,2}\s*月")


def _refuse_bare_years_beside_month_ranges(headers: list[str], columns: list[Column], reasons: list[str | None]) -> None:
    """"2024 年" printed beside "2025 年 1-3 月": the other column names its months and this one does
    not, so whether it is the whole year or the same months is not printed — refused, not guessed
    (a prospectus's three years and one period)."""
    ranged = [h for h in headers if _ZH_MONTH_RANGE.search(_fold(h))]
    if not ranged:
        return
    for i, h in enumerate(headers):
        if _ZH_BARE_YEAR.match(_fold(h)) and columns[i].period_end is not None:
            columns[i] = columns[i].model_copy(update={"period_start": None, "period_end": None})
            reasons[i] = (f"'{h.strip()}' prints a year beside '{ranged[0].strip()}', which names its months: whether it is "
                          "the whole year or the same months is not printed")


def _without_shared_head(headers: list[str]) -> list[str]:
    """Each header less the words every column's header begins with (a spanning line — the title
    block's "截至2019年12月31日止年度" printed over all columns — is no column's own date)."""
    if len(headers) < 2:
        return list(headers)
    words = [h.split() for h in headers]
    n = 0
    while all(len(w) > n + 1 for w in words) and len({w[n] for w in words}) == 1:
        n += 1
    if not n:
        return list(headers)
    # keep the shared words that are no date by themselves ("截至十二月三十一日止年度" over each year)
    keep = [w for w in words[0][:n] if read_column(w, flow=True, report=None)[0].period_end is None]
    return [" ".join(keep + w[n:]) for w in words]


def _read_own_words(header: str, own: str, *, flow: bool, report: ReportPeriod | None, context: str, order: str | None = None):
    """The column's period from its own words when they date it, else from the whole header."""
    if own != header:
        col, why = read_column(own, flow=flow, report=report, context=context, order=order)
        if col.period_end is not None:
            return col.model_copy(update={"label": read_column(header, flow=flow, report=report, context=context)[0].label}), why
    return read_column(header, flow=flow, report=report, context=context, order=order)


def _numeric_order(headers: list[str], context: str) -> str | None:
    """The order of day and month that the statement's numeric dates fix ("31/03/2025": day first): from
    the other columns' headers, else from the title block; None when nothing fixes it or both orders occur."""
    for texts in ([_fold(h) for h in headers], [_fold(context)]):
        orders = numeric_orders(texts)
        if len(orders) == 1:
            return orders.pop()
        if orders:
            return None
    return None


#: the note on a 52/53-week span whose start is counted back from its printed end
ASSUMED_WEEKS = ("counted back in whole weeks (13 a quarter, 52 a year) from its printed end; "
                 "a 53-week year's extra week would start it a week earlier")


def _counted_weeks(c: Column) -> bool:
    """A span ending off a month end (a 52/53-week calendar) whose header names months or a year,
    not weeks: its start is counted, not printed."""
    end = c.period_end
    return (end is not None and c.period_start is not None and end != month_end(end.year, end.month)
            and not re.search(r"weeks?|周", c.label, re.IGNORECASE))


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


_WEEK_YEAR = re.compile(
    r"fiscal(?: years?)? ((?:19|20)\d{2})(?: and ((?:19|20)\d{2}))?,? (?:each )?(?:included|includes|spanned|spans|had|has|was|were|"
    r"comprised|consisted of|contained)(?: a)? (52|53)[- ]weeks?(?: each| period| year)?", re.IGNORECASE)


def week_years(text: str) -> dict[int, int]:
    """Fiscal years whose length the report states in words: "fiscal years 2019 and 2018 spanned 52
    weeks each, whereas fiscal year 2017 included 53 weeks" → {2019: 52, 2018: 52, 2017: 53}.
    Contradicting statements about one year cancel it."""
    out: dict[int, int] = {}
    bad: set[int] = set()
    for m in _WEEK_YEAR.finditer(" ".join(text.split())):
        weeks = int(m.group(3))
        for y in (m.group(1), m.group(2)):
            if y:
                y = int(y)
                if out.get(y, weeks) != weeks:
                    bad.add(y)
                out[y] = weeks
    return {y: w for y, w in out.items() if y not in bad}


def fiscal_year_of(end: dt.date) -> int:
    """The fiscal year a year end names: the calendar year it ends in, or for a year ending in January
    or February (retailers) the year it starts in."""
    return end.year - 1 if end.month <= 2 else end.year


def week_based(columns: list[Column]) -> bool:
    """A statement on a 52/53-week calendar: a year-long column ends off a month end."""
    return any(c.period_end is not None and c.period_start is not None and (c.period_end - c.period_start).days >= 360
               and c.period_end != month_end(c.period_end.year, c.period_end.month) for c in columns)


def apply_week_years(columns: list[Column], warnings: list[str], weeks: dict[int, int]) -> None:
    """The year-long spans of a 52/53-week statement: a start counted back 52 weeks (or read as a
    calendar month span because that year happened to end on a month end) takes the length the
    report states for its fiscal year; one whose length is stated nowhere keeps a note saying its
    start is counted. In place."""
    if not week_based(columns):
        return
    ends = {c.period_end for c in columns}
    for i, c in enumerate(columns):
        if c.period_start is None or c.period_end is None or re.search(r"weeks?|周", c.label, re.IGNORECASE):
            continue
        days = (c.period_end - c.period_start).days + 1
        if days not in (364, 365, 366, 371) or c.period_start - dt.timedelta(days=1) in ends:
            continue  # not a year, or its start is printed as the prior year's end
        prefix = f"column {i + 1} '{c.label}' starts on "
        notes = [w for w in warnings if w.startswith(prefix) and w.endswith(ASSUMED_WEEKS)]
        n = weeks.get(fiscal_year_of(c.period_end))
        if n is not None:
            columns[i] = c.model_copy(update={"period_start": c.period_end - dt.timedelta(days=7 * n - 1)})
            for w in notes:
                warnings.remove(w)
        elif days in (365, 366) and not notes:
            # a calendar span given to a year of a 52/53-week calendar: its start is a guess too
            start = c.period_end - dt.timedelta(days=7 * 52 - 1)
            columns[i] = c.model_copy(update={"period_start": start})
            warnings.append(f"{prefix}{start}: {ASSUMED_WEEKS}")


_YEAR_LIST = r"((?:19|20)\d{2}(?:\s*,\s*(?:and\s+)?(?:19|20)\d{2}|\s+and\s+(?:19|20)\d{2})*)"
_MDY_ANY = r"[a-z]+\.?\s*\d{1,2}\s*,?\s*\d{4}"
_FISCAL_YEAR_ENDS = re.compile(
    r"fiscal(?: years?)? " + _YEAR_LIST + r",? (?:represented|were|was|included|comprised|consisted of|are|is|covered)"
    r"(?: the)?(?: (52|53)[- ]weeks?(?: periods?)?)? end(?:ed|ing)(?: on)? (" + _MDY_ANY + r"(?:\s*,\s*(?:and\s+)?" + _MDY_ANY
    + r"|\s+and\s+" + _MDY_ANY + r")*)", re.IGNORECASE)


def fiscal_year_ends(text: str) -> dict[int, tuple[dt.date, int | None]]:
    """The end (and, when stated, the length in weeks) of each fiscal year the report names in words:
    "Fiscal year 2022, 2021, and 2020 represented the 52 weeks ended January 28, 2023, January 29, 2022,
    and February 1, 2020, respectively" → {2022: (2023-01-28, 52), …}.

    The years must chain: from the newest, each older year's end lies one 52- or 53-week year before
    the next one's (exactly its stated weeks when stated). A year whose printed end breaks the chain (a
    typo: Foot Locker's fiscal 2020 "ended February 1, 2020") is dropped, and where the next year's
    length is stated its end is the day before that year starts."""
    stated: dict[int, tuple[dt.date, int | None]] = {}
    for m in _FISCAL_YEAR_ENDS.finditer(" ".join(text.split())):
        years = [int(y) for y in _YEAR.findall(m.group(1))]
        dates = _en_dates(m.group(3).lower())
        if len(years) != len(dates) or len(years) < 1:
            continue
        weeks = int(m.group(2)) if m.group(2) else None
        for y, d in zip(years, dates):
            if stated.get(y, (d, weeks))[0] != d:
                stated[y] = (dt.date.min, None)  # two ends for one year: neither
            else:
                stated[y] = (d, weeks)
    stated = {y: v for y, v in stated.items() if v[0] != dt.date.min}
    if not stated:
        return {}
    out: dict[int, tuple[dt.date, int | None]] = {}
    newest = max(stated)
    out[newest] = stated[newest]
    for y in range(newest - 1, min(stated) - 1, -1):
        later = out.get(y + 1)
        if later is None:
            break
        gap = {7 * later[1]} if later[1] else {364, 371}
        if y in stated and (later[0] - stated[y][0]).days in gap:
            out[y] = stated[y]
        elif later[1]:
            out[y] = (later[0] - dt.timedelta(days=7 * later[1]), None)
        else:
            break
    return out


def date_fiscal_years(columns: list[Column], warnings: list[str], ends: dict[int, tuple[dt.date, int | None]], *, flow: bool) -> None:
    """Columns headed by a bare fiscal year ("2022") that nothing on the page dated take the end the
    report states for that year (``fiscal_year_ends``); a flow column starts the day after the prior
    year's stated end, or is counted back its stated weeks, or else 52 weeks with the note that says
    so. In place; the column's "has no period" warning goes."""
    for i, c in enumerate(columns):
        m = _EN_BARE_YEAR.match(c.label or "")
        if c.period_end is not None or not m or int(m.group(1)) not in ends:
            continue
        y = int(m.group(1))
        end, weeks = ends[y]
        start = None
        note = None
        if flow:
            if y - 1 in ends:
                start = ends[y - 1][0] + dt.timedelta(days=1)
            elif weeks:
                start = end - dt.timedelta(days=7 * weeks - 1)
            else:
                start = end - dt.timedelta(days=7 * 52 - 1)
                note = f"column {i + 1} '{c.label}' starts on {start}: {ASSUMED_WEEKS}"
        columns[i] = c.model_copy(update={"period_start": start, "period_end": end})
        prefix = f"column {i + 1} '{c.label}' has no period"
        warnings[:] = [w for w in warnings if not w.startswith(prefix)]
        if note:
            warnings.append(note)
