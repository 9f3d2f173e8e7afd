"""52/53-week fiscal calendars: where a span headed in months starts.

A company on a 52/53-week year ends it on a fixed weekday, either *the last <weekday> of <month>*
or *the <weekday> nearest the end of <month>* (``YearEnd``). Its quarters are 13 weeks, one of them
14 in a 53-week year; a half is 26/27 weeks, nine months 39/40, a year 52/53. A column headed
"Three Months Ended April 2, 2022" therefore starts 13 or 14 weeks before its end, and which one is
not printed in the header.

``settle_week_starts`` decides, for each such column (one whose start ``periods`` counted back 13
weeks a quarter and noted ``ASSUMED_WEEKS``), in this order:

1. the report says it in words: "the 14 weeks ended April 2, 2022", "Fiscal year 2022 … represented
   the 52 weeks ended January 28, 2023" (``fiscal_year_ends``);
2. the calendar: the year-end rules the report states ("our fiscal year ends on the last Saturday
   of December"), or else every rule of the columns' weekday and any month, are kept only where
   every period end the report's statements print is a quarter end (a whole, legal number of weeks
   after the year's start), every counted span longer than a quarter is the year to date (26/27,
   39/40, 52/53 weeks from the year's start), and every year length the report states
   (``week_years``) holds. Each kept rule gives the column's start; where a quarter of a 53-week
   year could be 13 or 14 weeks, the quarter the report gives the extra week ("An additional week
   is included in the first fiscal quarter") or a printed end on one side of it decides. If every
   kept rule gives the same one start, the column takes it, and the statement notes how it was
   inferred;
3. otherwise the start is refused (``period_start`` None, a warning naming the column and the
   candidates): the column's end stays and its figures are flagged. Never a guess.

``settle_week_calendar`` runs both steps (the stated year lengths, then the starts) and is the one
entry the readers call: statements read from PDFs (``extractors.pdf.finish_statements``) and from
workbooks (``extractors.xlsx.extract_xlsx``) are settled the same way, so a 14-week quarter is never
silently dated as 13 weeks in either.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from extractors.models import Column, Statement
from extractors.periods import (
    ASSUMED_WEEKS,
    _en_dates,
    apply_week_years,
    fiscal_year_ends,
    fiscal_year_of,
    month_end,
    week_based,
    week_years,
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December")
_WEEK = dt.timedelta(days=7)
_DAY = dt.timedelta(days=1)

#: the tail of the note on a start inferred from the calendar (a note on the period, not a misread)
INFERRED_WEEKS = "inferred from the 52/53-week calendar"


def is_calendar_note(warning: str) -> bool:
    """A statement's note on how a 52/53-week start was counted or inferred, not a failure to read it."""
    return warning.endswith(ASSUMED_WEEKS) or warning.endswith(INFERRED_WEEKS + ")")


@dataclass(frozen=True)
class YearEnd:
    """A 52/53-week year-end rule: the last ``weekday`` (0 = Monday) of ``month``, or the one nearest its end."""

    month: int
    weekday: int
    nearest: bool
    extra: int | None = None  # the quarter a 53-week year's extra week goes to, when the report says

    def on(self, year: int) -> dt.date:
        """The year end this rule gives in calendar ``year`` (a nearest-rule one may fall early the next month)."""
        last = month_end(year, self.month)
        if self.nearest:
            ahead = (self.weekday - last.weekday()) % 7
            return last + dt.timedelta(days=ahead if ahead <= 3 else ahead - 7)
        return last - dt.timedelta(days=(last.weekday() - self.weekday) % 7)

    def __str__(self) -> str:
        day, month = WEEKDAYS[self.weekday], _MONTH_NAMES[self.month - 1]
        return f"the {day} nearest the end of {month}" if self.nearest else f"the last {day} of {month}"

    def year_around(self, d: dt.date) -> tuple[dt.date, dt.date]:
        """(end of the prior year, end of the year) for the fiscal year holding ``d``."""
        ends = [self.on(y) for y in range(d.year - 2, d.year + 3)]
        for prior, end in zip(ends, ends[1:]):
            if prior < d <= end:
                return prior, end
        raise AssertionError(d)  # unreachable: the ends bracket any date

    def _weeks_to(self, q: int, length: int) -> list[int]:
        """The weeks from the year's start to the end of its quarter ``q`` (1–3): 13 a quarter, and in a
        53-week year one more once the extra week has been added (where, when the report says)."""
        if length == 52:
            return [13 * q]
        if self.extra is not None:
            return [13 * q + (q >= self.extra)]
        return [13 * q, 13 * q + 1]

    def quarter(self, d: dt.date) -> tuple[int, int, dt.date, int] | None:
        """(quarter 1–4, weeks since the year began, prior year end, weeks in the year) when ``d`` can
        end a quarter under this rule, else None."""
        prior, end = self.year_around(d)
        days = (d - prior).days
        if days % 7:
            return None
        weeks, length = days // 7, (end - prior).days // 7
        if d == end:
            return 4, weeks, prior, length
        for q in (1, 2, 3):
            if weeks in self._weeks_to(q, length):
                return q, weeks, prior, length
        return None

    def starts(self, end: dt.date, months: int, printed_ends: set[dt.date]) -> set[dt.date] | None:
        """The starts a span of ``months`` (3, 6, 9, 12) ending on ``end`` can have under this rule:
        None when ``end`` is no quarter end here, or a longer span is not the year to date; more than
        one where a quarter of a 53-week year may hold the extra week or not and no printed end (nor
        the report's words) says which."""
        at = self.quarter(end)
        if at is None or months % 3:
            return None
        q, weeks, prior, length = at
        n = months // 3
        if n > 1:  # six, nine, twelve months: the year to date
            return {prior + _DAY} if n == q else None
        if q == 1:
            return {prior + _DAY}
        offsets = [w for w in self._weeks_to(q - 1, length) if weeks - w in (13, 14)]
        cut = [prior + _WEEK * w for w in offsets]
        printed = [c for c in cut if c in printed_ends]
        return {c + _DAY for c in (printed if len(printed) == 1 else cut)}


def candidate_rules(weekday: int, extra: int | None = None) -> list[YearEnd]:
    """Every rule of ``weekday``: the last one of each month, and the one nearest each month's end."""
    return [YearEnd(m, weekday, nearest, extra) for m in range(1, 13) for nearest in (False, True)]


_WEEKDAY_RE = r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH_RE = r"(january|february|march|april|may|june|july|august|september|october|november|december)"
_LAST_RULE = re.compile(r"\blast " + _WEEKDAY_RE + r" (?:of|in) " + _MONTH_RE, re.IGNORECASE)
_NEAREST_RULE = re.compile(_WEEKDAY_RE + r" (?:nearest|closest)(?: to)?(?: the)?(?: (?:end|last day) (?:of|in))? " + _MONTH_RE,
                           re.IGNORECASE)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_EXTRA_WEEK = re.compile(r"\b(?:additional|extra|53rd|fourteenth|14th) week\b[^.]{0,60}?\b(first|second|third|fourth) (?:fiscal )?quarter|"
                         r"\b(first|second|third|fourth) (?:fiscal )?quarter\b[^.]{0,40}?\b(?:included|includes|had|has|was|contained|"
                         r"comprised) (?:a |an )?(?:14|fourteen)[- ]weeks?|"
                         r"\bq([1-4])\b[^.]{0,30}?\b(?:was|included|had|has|contained) (?:a |an )?(?:14|fourteen)[- ]weeks?|"
                         r"\b(?:14|fourteen)[- ]week (first|second|third|fourth) (?:fiscal )?quarter", re.IGNORECASE)
_YEAR_WORDS = re.compile(r"fiscal year|year end|year-end|53[- ]week|52[- ]week", re.IGNORECASE)


def stated_rules(text: str) -> set[YearEnd]:
    """The year-end rules a report states in a sentence about its fiscal year: "our fiscal year ends on
    the last Saturday of December", "a 52/53-week fiscal year ending on the Sunday closest to August 31"."""
    out: set[YearEnd] = set()
    flat = " ".join(text.split())
    for pattern, nearest in ((_LAST_RULE, False), (_NEAREST_RULE, True)):
        for m in pattern.finditer(flat):
            sentence = flat[max(0, flat.rfind(".", 0, m.start()) + 1): m.end()]
            if _YEAR_WORDS.search(sentence):
                out.add(YearEnd(_MONTH_NAMES.index(m.group(2).capitalize()) + 1,
                                WEEKDAYS.index(m.group(1).capitalize()), nearest))
    return out


_NUMBER_WEEKS = {"thirteen": 13, "fourteen": 14, "twenty-six": 26, "twenty-seven": 27, "thirty-nine": 39, "forty": 40,
                 "fifty-two": 52, "fifty-three": 53}
_WEEKS_ENDED = re.compile(r"\b(13|14|26|27|39|40|52|53|" + "|".join(_NUMBER_WEEKS) + r")[- ]weeks? end(?:ed|ing)(?: on)? "
                          r"([a-z]+\.? ?\d{1,2},? ?\d{4})", re.IGNORECASE)
_LEGAL_WEEKS = {3: (13, 14), 6: (26, 27), 9: (39, 40), 12: (52, 53)}


def stated_spans(text: str) -> dict[dt.date, set[int]]:
    """Spans the report states in words: "the 14 weeks ended April 2, 2022" → {2022-04-02: {14}}."""
    out: dict[dt.date, set[int]] = {}
    for m in _WEEKS_ENDED.finditer(" ".join(text.split())):
        weeks = _NUMBER_WEEKS.get(m.group(1).lower()) or int(m.group(1))
        for d in _en_dates(m.group(2).lower()):
            out.setdefault(d, set()).add(weeks)
    for end, weeks in fiscal_year_ends(text).values():  # "… represented the 52 weeks ended January 28, 2023, January 29, 2022 …"
        if weeks:
            out.setdefault(end, set()).add(weeks)
    return out


def extra_week_quarter(text: str) -> int | None:
    """The quarter a report says takes a 53-week year's extra week ("An additional week is included in
    the first fiscal quarter", "the fourth quarter of fiscal 2023 included 14 weeks"); None when it says
    none, or names more than one."""
    found = set()
    for m in _EXTRA_WEEK.finditer(" ".join(text.split())):
        word = next(g for g in m.groups() if g)
        found.add(int(word) if word.isdigit() else _ORDINAL[word.lower()])
    return found.pop() if len(found) == 1 else None


def _months(c: Column) -> int | None:
    """The span in months a counted start was taken from: its length in weeks, rounded to a quarter."""
    weeks = round(((c.period_end - c.period_start).days + 1) / 7)
    n = 3 * round(weeks / 13)
    return n if n in _LEGAL_WEEKS else None


def _printed_ends(statements: list[Statement]) -> set[dt.date]:
    """Every period end the statements print, and the day before each start not counted back in weeks."""
    counted = {(id(st), i) for st in statements for i, _ in _noted(st)}
    out: set[dt.date] = set()
    for st in statements:
        for i, c in enumerate(st.columns):
            if c.period_end:
                out.add(c.period_end)
            if c.period_start and (id(st), i) not in counted:
                out.add(c.period_start - _DAY)
    return out


def _noted(st: Statement) -> list[tuple[int, str | None]]:
    """(column index, note) of each column whose start was counted back in weeks; and, beside them,
    each span that ends on a month end of the same weekday and was read as whole calendar months
    (no note): on that calendar its start is counted too."""
    found: list[tuple[int, str | None]] = []
    for w in st.warnings:
        m = re.match(r"column (\d+) ", w)
        if m and w.endswith(ASSUMED_WEEKS) and int(m.group(1)) <= len(st.columns):
            found.append((int(m.group(1)) - 1, w))
    weekdays = {st.columns[i].period_end.weekday() for i, _ in found}
    for i, c in enumerate(st.columns):
        if (c.period_start and c.period_end and c.period_start.day == 1 and c.period_end == month_end(c.period_end.year, c.period_end.month)
                and c.period_end.weekday() in weekdays and all(i != j for j, _ in found)):
            found.append((i, None))
    return found


def _rules_that_fit(weekday: int, rules: set[YearEnd], ends: set[dt.date], years: dict[int, int],
                    counted: list[tuple[dt.date, int]], extra: int | None) -> list[YearEnd]:
    """The rules of ``weekday`` under which every printed end of that weekday ends a quarter, every
    counted span of that weekday is a legal run of quarters within its year, and every stated year
    length holds."""
    fit = []
    for rule in sorted(rules or candidate_rules(weekday, extra), key=lambda r: (r.month, r.nearest)):
        if rule.weekday != weekday:
            continue
        if any(rule.quarter(d) is None for d in ends if d.weekday() == weekday):
            continue
        if any(rule.starts(end, months, ends) is None for end, months in counted if end.weekday() == weekday):
            continue
        lengths = {}
        for y in range(min(e.year for e in ends) - 1, max(e.year for e in ends) + 2):
            lengths[fiscal_year_of(rule.on(y))] = (rule.on(y) - rule.on(y - 1)).days // 7
        if any(y in lengths and lengths[y] != n for y, n in years.items()):
            continue
        fit.append(rule)
    return fit


def settle_week_calendar(statements: list[Statement], text: str) -> None:
    """The 52/53-week steps every reader runs once its statements are read (``text``: the document's
    text): year-long spans take the lengths the report states (``periods.apply_week_years``), then
    each start counted back in weeks is settled or refused (``settle_week_starts``). In place."""
    weeks = week_years(text) if any(week_based(st.columns) for st in statements) else {}
    for st in statements:
        apply_week_years(st.columns, st.warnings, weeks)
    settle_week_starts(statements, text)


def settle_week_starts(statements: list[Statement], text: str) -> None:
    """Each column whose start was counted back in weeks takes the start the report states or its
    calendar fixes, with a note saying how; or else loses its start, with a warning. In place."""
    if not any(_noted(st) for st in statements):
        return
    ends = _printed_ends(statements)
    spans = stated_spans(text)
    rules, years, extra = stated_rules(text), week_years(text), extra_week_quarter(text)
    if extra is not None:
        rules = {dataclasses.replace(r, extra=extra) for r in rules}
    counted = [(st.columns[i].period_end, _months(st.columns[i])) for st in statements for i, _ in _noted(st)]
    counted = [(end, months) for end, months in counted if months]
    for st in statements:
        for i, note in _noted(st):
            c = st.columns[i]
            months = _months(c)
            start, why = _settle(c, months, ends, spans, rules, years, counted, extra)
            head = f"column {i + 1} '{c.label}'"
            if note:
                st.warnings.remove(note)
            if start is not None:
                st.columns[i] = c.model_copy(update={"period_start": start})
                st.warnings.append(f"{head} starts on {start}: {why} ({INFERRED_WEEKS})")
            else:
                st.columns[i] = c.model_copy(update={"period_start": None})
                st.warnings.append(f"{head} has no period start: {why}")


def _settle(c: Column, months: int | None, ends: set[dt.date], spans: dict[dt.date, set[int]], rules: set[YearEnd],
            years: dict[int, int], counted: list[tuple[dt.date, int]], extra: int | None) -> tuple[dt.date | None, str]:
    end = c.period_end
    if months is None:
        return None, "its span is no whole number of 13-week quarters"
    legal = _LEGAL_WEEKS[months]
    said = spans.get(end, set()) & set(legal)
    if len(said) == 1:
        weeks = said.pop()
        return end - dt.timedelta(days=7 * weeks - 1), f"the report states the {weeks} weeks ended {end}"
    fit = _rules_that_fit(end.weekday(), rules, ends, years, counted, extra)
    if not fit:
        which = (f"the year end the report states ({', '.join(sorted(map(str, rules)))}) does not"
                 if rules else "no 52/53-week year end (the last or nearest weekday of a month) does")
        return None, (f"{which} make every printed period end a quarter end, and whether it spans {legal[0]} or {legal[1]} "
                      "weeks is not printed")
    by_rule = {rule: rule.starts(end, months, ends) or set() for rule in fit}
    starts = {s for found in by_rule.values() for s in found}
    if len(starts) == 1:
        start = starts.pop()
        weeks = ((end - start).days + 1) // 7
        how = (f"{weeks} weeks under the year end the report states ({', '.join(sorted(map(str, rules)))})" if rules else
               f"{weeks} weeks under the only year end (the last or nearest {WEEKDAYS[end.weekday()]} of a month) that makes every "
               f"printed period end a quarter end ({fit[0]})" if len(fit) == 1 else
               f"{weeks} weeks under each of the {len(fit)} year ends (the last or nearest {WEEKDAYS[end.weekday()]} of a month) "
               f"that make every printed period end a quarter end")
        return start, how
    grouped: dict[str, list[str]] = {}
    for rule, found in by_rule.items():
        grouped.setdefault(" or ".join(sorted(str(s) for s in found)), []).append(str(rule))
    options = "; ".join(f"{start} if the year ends on {' or '.join(names)}" for start, names in grouped.items())
    return None, f"a {legal[0]}- or {legal[1]}-week span, and the printed dates do not say which ({options})"
