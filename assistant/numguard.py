"""The numeric guard: find every number in a text and check it against the facts it may use.

Numbers come from code, never from a model. A chat answer or a memo narrative may only print
numbers that equal an allowed value after unit scaling and rounding to the printed precision:

    find_numbers(text)        → [NumberMention]   every amount, percent, multiple, date, page, id
    check(text, allowed)      → GuardResult       which mentions no allowed value supports
    drop_unsupported(text, r) → (kept, dropped)   remove the sentences that carry them

Matching rules (one place, so chat and the memo verifier agree):

* ``1.1834`` allows ``1.18``, ``1.183``, ``118.34%``, ``118.3%`` and ``1.18倍``; ``152300000``
  allows ``1.52亿``, ``15,230万元``, ``152.3 million`` and ``152,300,000`` — the allowed
  value, divided by the printed unit and rounded (half-up or half-even) to the printed
  decimals, must equal the printed number. A printed number more precise than the fact
  (``1.1834`` when only ``1.18`` is known) is not supported.
* Signs are compared by magnitude: wording ("亏损", "decreased by", parentheses) carries the
  sign, and a loss stated as "净亏损1,234万元" is the fact −12,340,000.
* Dates, years, quarters and months are supported by an allowed date that lies in them
  (2026-09-30 allows 2026年, 2026Q3, 三季度, 9月末); pages by an allowed number equal to them;
  identifiers (``JK2026-001``) by the same identifier in the sources.
* Small counts (integers up to 12: "3 covenants", "两项") and list or footnote markers
  ("1. ", "[2]") are allowed unless ``allow_counts=False``. With ``allow_counts=False`` a
  counted number — a bare integer before a counter word ("共触发 10 项", "3 warning(s)") —
  must equal an allowed value of kind ``count``: the actual count the caller passed in, not
  just any allowed number that happens to be equal (a scorecard's 10 points are not 10
  warnings).
* A unit declaration (``单位：万元``, ``in thousands``) scales the bare amounts after it until the
  next declaration or Markdown heading; such a number is also accepted at face value, since
  a ratio printed below a 万元 table is not in 万元.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable, Literal

from assistant.bindings import Binding, bindings
from assistant.domain import Fact
from extractors.vocabulary import KEYS

Kind = Literal[
    "amount", "number", "percent", "points", "multiple",
    "date", "year", "quarter", "half", "month", "page", "identifier", "count", "marker",
]
AllowedKind = Literal["amount", "number", "ratio", "percent", "date", "identifier", "page", "count"]

_TEMPORAL = frozenset({"date", "year", "quarter", "half", "month"})

# ------------------------------------------------------------------ records


@dataclass(frozen=True)
class NumberMention:
    """One number as printed in a text."""

    text: str
    start: int
    end: int
    kind: Kind
    value: Decimal | None = None  # in base units (元, dollars); percent as a number of percent
    decimals: int = 0  # printed decimals of the mantissa
    scale: Decimal = Decimal(1)  # printed unit (亿 = 1e8); the mantissa is value / scale
    context_scaled: bool = False  # the scale came from a unit declaration, not the number itself
    when: tuple[int | None, int | None, int | None] | None = None  # (year, month, day) for temporal kinds
    quarter: int | None = None  # quarter (or half for kind "half")
    counted: bool = False  # a bare integer before a counter word: "10 项", "3 warning(s)"

    @property
    def mantissa(self) -> Decimal | None:
        return None if self.value is None else self.value / self.scale


@dataclass(frozen=True)
class AllowedNumber:
    """A value a text may print: a stored figure, a computed ratio or change, a date, an id.

    ``kind`` says how the value may be printed: ``ratio`` (a fraction: also as a percent),
    ``percent`` (already in percent), ``amount`` (in base units, any printed unit), ``number``
    (unknown: any form), ``count`` (how many of something: a bare integer), ``date``
    (``when`` holds it), ``identifier`` (``text`` holds it), ``page``. ``source`` says where it came from (document and page, or the formula).
    """

    value: Decimal | None
    kind: AllowedKind = "number"
    text: str = ""
    source: str = ""
    when: tuple[int | None, int | None, int | None] | None = None
    quarter: int | None = None
    key: str = ""  # the figure or ratio it is a value of ("" when it is not one: a count, a term, a page)
    period: dt.date | None = None  # the end of the span it belongs to (facts, ratios and changes)
    basis: str = ""  # "qoq" / "yoy" for a change; "" for a value


@dataclass
class GuardResult:
    ok: bool
    unsupported: list[NumberMention] = field(default_factory=list)
    supported: list[tuple[NumberMention, AllowedNumber | None]] = field(default_factory=list)
    mentions: list[NumberMention] = field(default_factory=list)
    #: numbers that some value supports, but not one of the figure, period or basis they are attached to
    mislabelled: list[tuple[NumberMention, "Binding", AllowedNumber]] = field(default_factory=list)


# ------------------------------------------------------------------ scanning

_FULLWIDTH = str.maketrans("０１２３４５６７８９．，％（）－＋", "0123456789.,%()-+")
_CN_DIGIT = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SCALE = {"万亿": Decimal(10) ** 12, "千亿": Decimal(10) ** 11, "百亿": Decimal(10) ** 10,
             "亿": Decimal(10) ** 8, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
             "十万": Decimal(10) ** 5, "万": Decimal(10) ** 4, "千": Decimal(10) ** 3}
_EN_SCALE = {"trillion": Decimal(10) ** 12, "tn": Decimal(10) ** 12, "billion": Decimal(10) ** 9,
             "bn": Decimal(10) ** 9, "bln": Decimal(10) ** 9, "million": Decimal(10) ** 6,
             "mn": Decimal(10) ** 6, "mln": Decimal(10) ** 6, "thousand": Decimal(10) ** 3,
             "b": Decimal(10) ** 9, "m": Decimal(10) ** 6, "k": Decimal(10) ** 3}
_MONTHS = {m: i + 1 for i, names in enumerate((
    "january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
    "august aug", "september sep sept", "october oct", "november nov", "december dec"))
    for m in names.split()}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_CN_YEAR = r"[〇零○一二三四五六七八九]{4}"
_CN_SMALL = r"[一二三四五六七八九十]{1,3}"
_D = r"(?<![A-Za-z0-9_.])"  # not glued to a Latin word, a digit or a decimal point on the left (Chinese text may touch it)

_TEMPORAL_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(rf"{_D}(?P<y>(?:19|20)\d\d)[-/.](?P<m>0?[1-9]|1[0-2])[-/.](?P<d>0?[1-9]|[12]\d|3[01])(?!\d|\.\d)")),
    ("us", re.compile(rf"{_D}(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])/(?P<y>(?:19|20)\d\d)(?!\d|\.\d)")),
    ("cn_date", re.compile(r"(?P<y>(?:19|20)\d\d|" + _CN_YEAR + r")\s*年(?:\s*(?P<m>1[0-2]|0?[1-9]|" + _CN_SMALL
                           + r")\s*月(?:\s*(?P<d>3[01]|[12]\d|0?[1-9]|" + _CN_SMALL + r")\s*[日号])?)?"
                           r"(?:\s*(?:第\s*)?(?P<q>[1-4一二三四])\s*季度?)?(?:\s*(?P<h>[上下])半年)?")),
    ("cn_md", re.compile(r"(?<![\d年])(?P<m>1[0-2]|0?[1-9]|" + _CN_SMALL + r")\s*月(?:\s*(?P<d>3[01]|[12]\d|0?[1-9]|"
                         + _CN_SMALL + r")\s*[日号])?")),
    # "上一季度 / 下一季度" are relative quarters, not Q1: never read them as a quarter number.
    ("cn_q", re.compile(r"(?:第\s*)?(?<![上下本])(?P<q>[1-4一二三四])\s*季度")),
    ("en_mdy", re.compile(rf"\b(?P<mn>{_MONTH_RE})\.?\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)(?![A-Za-z0-9])", re.I)),
    ("en_dmy", re.compile(rf"\b(?P<d>[12]\d|3[01]|0?[1-9])\s+(?P<mn>{_MONTH_RE})\.?,?\s+(?P<y>(?:19|20)\d\d)(?![A-Za-z0-9])", re.I)),
    ("en_my", re.compile(rf"\b(?P<mn>{_MONTH_RE})\.?\s+(?P<y>(?:19|20)\d\d)(?![A-Za-z0-9])", re.I)),
    ("yq", re.compile(r"(?<![A-Za-z0-9])(?:FY)?(?P<y>(?:19|20)\d\d)\s*[-/ ]?\s*(?:Q(?P<q>[1-4])|H(?P<h>[12]))(?![A-Za-z0-9])", re.I)),
    ("qy", re.compile(r"(?<![A-Za-z0-9])(?:Q(?P<q>[1-4])|H(?P<h>[12]))(?:\s*(?:FY)?'?(?P<y>(?:19|20)\d\d))?(?![A-Za-z0-9])", re.I)),
    ("fy", re.compile(r"(?:(?<![A-Za-z0-9])FY\s?|\bfiscal(?:\s+year)?\s+)(?P<y>(?:19|20)\d\d)(?![A-Za-z0-9])", re.I)),
]

_MARKER = re.compile(r"(?m)(?:^[ \t]*(?:#+[ \t]*)?(?P<list>\d{1,2})[.)、](?=\s|[^\d])|\[\^?(?P<foot>\d{1,3})\]|\^(?P<sup>\d{1,3})\b"
                     r"|\b(?P<ord>\d{1,2})(?:st|nd|rd|th)\b)")
_PAGE = re.compile(r"(?:第\s*(?P<a>\d{1,5})\s*页|(?<![A-Za-z])pp?\.\s*(?P<b>\d{1,5})(?:\s*[-–]\s*(?P<b2>\d{1,5}))?"
                   r"|(?<![A-Za-z])pages?\s+(?P<c>\d{1,5})\b|页\s*(?P<d>\d{1,5}))", re.I)
_IDENT = re.compile(r"(?<![A-Za-z0-9_.\-/])(?=[A-Za-z0-9_\-/.#]*[A-Za-z])(?=[A-Za-z0-9_\-/.#]*\d)"
                    r"[A-Za-z0-9][A-Za-z0-9_\-/.#]*[A-Za-z0-9]")
_AMOUNT = re.compile(
    r"(?P<sign>(?<![\w)])[-−–+])?"
    r"(?P<cur>(?:US\$|HK\$|[$¥￥€£]|USD|RMB|CNY|HKD|EUR)\s?)?"
    r"(?P<open>\()?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<close>\))?"
    r"(?:\s?(?P<unit>万亿|千亿|百亿|亿|千万|百万|十万|万|千(?=元|美元|港元|股|$|[^\w])|美元|港元|元|%|‰|倍|个百分点|百分点"
    r"|percentage points?|basis points|bps|pp\b|times\b|x\b|trillion\b|billion\b|million\b|thousand\b"
    r"|tn\b|bn\b|bln\b|mn\b|mln\b|[kmb]\b))?",
    re.I,
)
_DECLARATION = re.compile(
    r"(?:(?:金额)?单位\s*[:：]\s*(?:人民币|美元|港元)?\s*(?P<cn>万亿|亿|千万|百万|万|千)?(?:元|美元|港元)"
    r"|\bin\s+(?P<en>thousands|millions|billions)\b|\(\s*\$?\s*in\s+(?P<en2>thousands|millions|billions)\b)",
    re.I,
)
_HEADING = re.compile(r"(?m)^#")
#: Words that make the bare integer before them a count of things.
_COUNTER = re.compile(
    r"\s*(?:项|期|笔|次|条|家|户)"
    r"|\s+(?:warnings?|signals?|alerts?|instalments?|installments?|covenants?|items?|breach(?:es)?|facilit(?:y|ies)"
    r"|loans?|clients?)(?:\((?:e?s)\))?(?![A-Za-z])",
    re.I,
)


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in ``text`` as printed, in order of position."""
    text = text.translate(_FULLWIDTH)
    taken: list[tuple[int, int]] = []
    found: list[NumberMention] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(m: NumberMention) -> None:
        taken.append((m.start, m.end))
        found.append(m)

    for mention in _temporal_mentions(text):
        if free(mention.start, mention.end):
            add(mention)
    for mention in _page_mentions(text):
        if free(mention.start, mention.end):
            add(mention)
    for m in _MARKER.finditer(text):
        group = next(g for g in ("list", "foot", "sup", "ord") if m.group(g))
        a, b = m.span(group)
        if free(a, b):
            add(NumberMention(m.group(0).strip(), a, b, "marker", Decimal(m.group(group))))
    for m in _IDENT.finditer(text):
        unit = _AMOUNT.fullmatch(m.group(0))
        if free(*m.span()) and not (unit and (unit.group("unit") or unit.group("cur"))):
            add(NumberMention(m.group(0), m.start(), m.end(), "identifier"))
    for m in _AMOUNT.finditer(text):
        if free(*m.span("num")) and _digits_not_in_identifier(text, m):
            mention = _amount_mention(text, m)
            if free(mention.start, mention.end):
                add(mention)
    found.sort(key=lambda x: x.start)
    return _apply_declarations(text, found)


def _cn_int(s: str) -> int:
    """A small Chinese numeral (一 … 三十一) or ASCII digits as int."""
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGIT for c in s):  # 二〇二六 digit by digit
        return int("".join(str(_CN_DIGIT[c]) for c in s))
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0)
    return _CN_DIGIT[s]


def _temporal_mentions(text: str) -> Iterable[NumberMention]:
    for name, pattern in _TEMPORAL_PATTERNS:
        for m in pattern.finditer(text):
            g = m.groupdict()
            year = int(_cn_int(g["y"])) if g.get("y") else None
            month = _MONTHS[g["mn"].lower()] if g.get("mn") else (_cn_int(g["m"]) if g.get("m") else None)
            day = _cn_int(g["d"]) if g.get("d") else None
            quarter = _cn_int(g["q"]) if g.get("q") else None
            half = (1 if g["h"] in ("1", "上") else 2) if g.get("h") else None
            if name == "qy" and year is None and quarter is None and half is None:
                continue
            if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
                continue
            if day is not None:
                kind: Kind = "date"
            elif month is not None:
                kind = "month"
            elif quarter is not None:
                kind = "quarter"
            elif half is not None:
                kind = "half"
            else:
                kind = "year"
            yield NumberMention(m.group(0), m.start(), m.end(), kind, None, when=(year, month, day),
                                quarter=quarter if kind != "half" else half)


def _page_mentions(text: str) -> Iterable[NumberMention]:
    for m in _PAGE.finditer(text):
        for g in ("a", "b", "b2", "c", "d"):
            if m.group(g):
                yield NumberMention(m.group(g), *m.span(g), "page", Decimal(m.group(g)))


def _digits_not_in_identifier(text: str, m: re.Match[str]) -> bool:
    """False when the digits are glued to letters (``GPT4``, ``A1``) that no unit explains."""
    a, b = m.span("num")
    if a > 0 and (text[a - 1].isascii() and text[a - 1].isalpha()) and not m.group("cur"):
        return False
    end = m.end()
    return not (end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_") and not m.group("unit"))


def _amount_mention(text: str, m: re.Match[str]) -> NumberMention:
    raw = m.group("num").replace(",", "")
    mantissa = Decimal(raw)
    decimals = len(raw.partition(".")[2])
    unit = (m.group("unit") or "").strip()
    lower = unit.lower()
    negative = bool(m.group("sign") and m.group("sign") in "-−–") or bool(m.group("open") and m.group("close"))
    start = m.start("num")
    end = m.end("num")
    if m.group("sign"):
        start = m.start("sign")
    if m.group("cur"):
        start = min(start, m.start("cur"))
    if m.group("open") and m.group("close"):
        start, end = min(start, m.start("open")), m.end("close")
    if unit:
        end = m.end("unit")
    scale = Decimal(1)
    kind: Kind
    if unit in ("%",):
        kind = "percent"
    elif unit == "‰":
        kind, mantissa, decimals = "percent", mantissa / 10, decimals + 1
    elif unit in ("个百分点", "百分点") or lower in ("percentage point", "percentage points", "pp"):
        kind = "points"
    elif lower in ("basis points", "bps"):
        kind, mantissa, decimals = "points", mantissa / 100, decimals + 2
    elif unit == "倍" or lower in ("times", "x"):
        kind = "multiple"
    elif unit in ("元", "美元", "港元"):
        kind = "amount"
    elif unit in _CN_SCALE:
        kind, scale = "amount", _CN_SCALE[unit]
    elif lower in _EN_SCALE and (len(lower) > 1 or m.group("cur")):
        kind, scale = "amount", _EN_SCALE[lower]
    else:
        if unit:  # a bare k/m/b with no currency: a different unit (metres, …), keep the number
            end = m.end("num") + (1 if m.group("close") else 0)
        kind = "amount" if m.group("cur") else "number"
        if not m.group("cur") and decimals == 0 and "," not in m.group("num"):
            if 1900 <= mantissa <= 2100:
                kind = "year"
            elif 0 < mantissa <= 12:  # never 0: a zero must come from the facts
                kind = "count"
    value = mantissa * scale
    if negative:
        value = -value
    counted = (kind in ("count", "number") and decimals == 0 and not negative and "," not in m.group("num")
               and _COUNTER.match(text, end) is not None)
    if kind == "year":
        return NumberMention(text[start:end], start, end, "year", value, when=(int(mantissa), None, None))
    return NumberMention(text[start:end], start, end, kind, value, decimals, scale, counted=counted)


def _apply_declarations(text: str, mentions: list[NumberMention]) -> list[NumberMention]:
    """Scale bare numbers that follow a unit declaration (单位：万元, in thousands)."""
    marks: list[tuple[int, Decimal]] = []
    for m in _DECLARATION.finditer(text):
        word = (m.group("cn") or m.group("en") or m.group("en2") or "").lower()
        scale = _CN_SCALE.get(word) or {"thousands": Decimal(10) ** 3, "millions": Decimal(10) ** 6,
                                         "billions": Decimal(10) ** 9}.get(word, Decimal(1))
        marks.append((m.end(), scale))
    if not marks:
        return mentions
    marks += [(h.start(), Decimal(1)) for h in _HEADING.finditer(text)]
    marks.sort()
    out = []
    for mention in mentions:
        scale = Decimal(1)
        for pos, s in marks:
            if pos <= mention.start:
                scale = s
        explicit = mention.text.endswith("元")  # "2000元" states its unit; "$ 4,512" in a table does not
        if (scale != 1 and mention.kind in ("number", "count", "amount") and mention.scale == 1 and not explicit
                and not mention.counted):
            mention = NumberMention(mention.text, mention.start, mention.end, "amount", mention.value * scale,
                                    mention.decimals, scale, context_scaled=True)
        out.append(mention)
    return out


# ------------------------------------------------------------------ checking


def check(text: str, facts: Iterable[AllowedNumber], *, allow_counts: bool = True, bind: bool = True,
          period: dt.date | None = None) -> GuardResult:
    """Which numbers of ``text`` no allowed value supports (see the module docstring).

    With ``bind`` (the default) a number attached to a label ("营业收入 … 1.70亿") must also be
    a value of that figure, of the period and basis the sentence names (see :func:`bindings`):
    a number that only some *other* figure or period holds is reported in ``mislabelled``.
    ``period`` is the end of the period the text is about: a change whose clause names no
    period is a change *to* it (a memo's 同比 is this quarter's, not last quarter's), and so is
    a value standing alone in its sentence (``bindings.Binding.current``).
    """
    facts = list(facts)
    values = _ValueIndex(facts)
    dates = _TemporalIndex(facts)
    ids = {f.text.casefold() for f in facts if f.kind == "identifier" and f.text}
    result = GuardResult(ok=True, mentions=find_numbers(text))
    names = [f.text for f in facts if f.kind == "identifier"]
    bound = bindings(text, result.mentions, names=names) if bind and any(f.key for f in facts) else {}
    for mention in result.mentions:
        support = _support(mention, values, dates, ids, allow_counts)
        if support is False:
            result.unsupported.append(mention)
            continue
        b = bound.get(mention.start)
        if b is not None:
            wrong = _misbound(mention, b, values, period)
            if wrong is not None:
                result.unsupported.append(mention)
                result.mislabelled.append((mention, b, wrong))
                continue
        result.supported.append((mention, support if isinstance(support, AllowedNumber) else None))
    result.ok = not result.unsupported
    return result


def _misbound(mention: NumberMention, b: "Binding", values: "_ValueIndex", period: dt.date | None = None) -> AllowedNumber | None:
    """None when a value of the bound figure (of the period and basis the sentence names)
    supports the number; else what the number really is — another figure's value, this
    figure's value of another period or basis, or a number that belongs to no figure (also
    when the facts hold no value of the figure at all: nothing supports a number for it)."""
    candidates = values.find_all(mention)
    if not candidates or any(c.key == b.key and _fits(c, b, period) for c in candidates):
        return None
    keyed = [c for c in candidates if c.key]
    return (keyed or candidates)[0]


def _fits(c: AllowedNumber, b: "Binding", period: dt.date | None = None) -> bool:
    if c.basis:  # a change: the basis word of the clause, when there is one, and the period it is a change to
        when = b.periods or ({period} if period else set())
        return (not b.basis or b.basis == c.basis) and (not when or c.period is None or c.period in when)
    if not b.periods and b.current and period is not None:
        return c.period is None or c.period == period
    return not b.periods or c.period is None or c.period in b.periods


def _support(mention: NumberMention, values: "_ValueIndex", dates: "_TemporalIndex", ids: set[str],
             allow_counts: bool) -> AllowedNumber | bool:
    if mention.kind == "marker":
        return True
    if mention.counted and not allow_counts:  # strict: the actual count, not any equal number
        return values.find(mention, kinds=_COUNT_KINDS) or False
    if mention.kind == "count" and allow_counts:
        return True
    if mention.kind in _TEMPORAL:
        return dates.covers(mention) or values.find(mention) or False
    if mention.kind == "identifier":
        return mention.text.casefold() in ids or False
    if mention.kind == "page":
        return values.find(mention, kinds=_PAGE_KINDS) or False
    return values.find(mention) or False


_NUMERIC_KINDS = frozenset({"amount", "number", "ratio", "percent", "page", "count"})
_COUNT_KINDS = frozenset({"count"})
_PAGE_KINDS = frozenset({"page", "number", "amount"})
_X100, _D100 = Decimal(100), Decimal("0.01")


def _rules(mention: NumberMention) -> list[tuple[Decimal, frozenset[str]]]:
    """How an allowed value may be printed as this mention: (factor applied to it, allowed kinds)."""
    kind = mention.kind
    if kind in ("percent", "points"):
        return [(_X100, frozenset({"ratio", "number"})), (Decimal(1), frozenset({"percent", "number"}))]
    if kind == "multiple":
        return [(Decimal(1), frozenset({"ratio", "number"})), (_D100, frozenset({"percent"}))]
    if kind == "amount" and mention.scale != 1 and not mention.context_scaled:
        return [(Decimal(1), frozenset({"amount", "number"}))]
    return [(Decimal(1), _NUMERIC_KINDS)]


class _ValueIndex:
    """Allowed magnitudes, sorted once per factor, so a check is a few binary searches."""

    def __init__(self, facts: list[AllowedNumber]) -> None:
        self._sorted: dict[Decimal, tuple[list[Decimal], list[AllowedNumber]]] = {}
        numeric = [f for f in facts if f.value is not None and f.kind in _NUMERIC_KINDS]
        for factor in (Decimal(1), _X100, _D100):
            pairs = sorted(((abs(f.value) * factor, i) for i, f in enumerate(numeric)), key=lambda p: p[0])
            self._sorted[factor] = ([p[0] for p in pairs], [numeric[p[1]] for p in pairs])

    def find(self, mention: NumberMention, *, kinds: frozenset[str] | None = None) -> AllowedNumber | None:
        return next(self._matches(mention, kinds), None)

    def find_all(self, mention: NumberMention, *, kinds: frozenset[str] | None = None) -> list[AllowedNumber]:
        return list(self._matches(mention, kinds))

    def _matches(self, mention: NumberMention, kinds: frozenset[str] | None) -> Iterable[AllowedNumber]:
        if mention.value is None:
            return
        printed, decimals = abs(mention.mantissa), mention.decimals
        scales = [mention.scale] + ([Decimal(1)] if mention.context_scaled else [])
        half = Decimal(5).scaleb(-decimals - 1)
        for factor, allowed_kinds in ([(Decimal(1), kinds)] if kinds else _rules(mention)):
            keys, facts = self._sorted[factor]
            for scale in scales:
                lo = bisect_left(keys, (printed - half) * scale)
                hi = bisect_right(keys, (printed + half) * scale)
                for key, fact in zip(keys[lo:hi], facts[lo:hi]):
                    if fact.kind in allowed_kinds and _rounds_to(key / scale, decimals, printed):
                        yield fact


def _rounds_to(value: Decimal, decimals: int, printed: Decimal) -> bool:
    quantum = Decimal(1).scaleb(-decimals)
    try:
        return any(value.quantize(quantum, rounding=mode) == printed for mode in (ROUND_HALF_UP, ROUND_HALF_EVEN))
    except InvalidOperation:
        return False


class _TemporalIndex:
    """Every year, half, quarter, month and day that the allowed dates lie in."""

    def __init__(self, facts: list[AllowedNumber]) -> None:
        self.keys: set[tuple] = set()
        for f in facts:
            if f.when is not None:
                self._add(f.when, f.quarter, half_only=False)

    def _add(self, when: tuple[int | None, int | None, int | None], quarter: int | None, *, half_only: bool) -> None:
        y, m, d = when
        keys = self.keys
        if y is not None:
            keys.add(("y", y))
        months: list[int] = [m] if m else ([3 * quarter - 2, 3 * quarter] if quarter else [])
        for month in months:
            q = (month - 1) // 3 + 1
            for year in {y, None}:
                keys.update({("m", year, month), ("q", year, q), ("h", year, 1 if month <= 6 else 2)})
        if d is not None and m is not None:
            for year in {y, None}:
                keys.add(("d", year, m, d))
        elif m is not None:  # a month: its last day and first day
            for day in (1, _last_day(y, m)):
                for year in {y, None}:
                    keys.add(("d", year, m, day))
        elif quarter is not None:
            end_month = 3 * quarter
            for year in {y, None}:
                keys.update({("d", year, end_month, _last_day(y, end_month)), ("d", year, end_month - 2, 1)})
        elif y is not None:  # a year: 年初 and 年末
            keys.update({("d", y, 12, 31), ("d", y, 1, 1), ("d", None, 12, 31), ("d", None, 1, 1)})

    def covers(self, mention: NumberMention) -> bool:
        y, m, d = mention.when or (None, None, None)
        if mention.kind == "year":
            return ("y", y) in self.keys
        if mention.kind == "quarter":
            return ("q", y, mention.quarter) in self.keys
        if mention.kind == "half":
            return ("h", y, mention.quarter) in self.keys
        if mention.kind == "month":
            return ("m", y, m) in self.keys
        return ("d", y, m, d) in self.keys


def _last_day(year: int | None, month: int) -> int:
    if month == 2:
        return 29 if year and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28
    return 30 if month in (4, 6, 9, 11) else 31


# ------------------------------------------------------------------ allowed values from sources


def harvest(text: str, *, source: str = "", bind: bool = False, period: dt.date | None = None) -> list[AllowedNumber]:
    """Every number printed in a source text (a tool result, a quoted passage) as allowed.

    With ``bind`` a number the text attaches to a label ("营业收入同比下降28.2%") keeps that
    figure as its ``key``, so it supports the number only where a text attaches it to the same
    figure; otherwise harvested numbers belong to no figure. ``period``: the period the text
    is about, for a bound number whose clause names none.
    """
    out: list[AllowedNumber] = []
    mentions = find_numbers(text)
    bound = bindings(text, mentions) if bind else {}
    for m in mentions:
        if m.kind in _TEMPORAL:
            out.append(AllowedNumber(None, "date", m.text, source, when=m.when, quarter=m.quarter if m.kind == "quarter" else None))
        elif m.kind == "identifier":
            out.append(AllowedNumber(None, "identifier", m.text, source))
        elif m.value is not None:
            kind: AllowedKind = {"percent": "percent", "points": "percent", "amount": "amount",
                                 "page": "page"}.get(m.kind, "number")  # type: ignore[assignment]
            b = bound.get(m.start)
            when = (next(iter(b.periods)) if len(b.periods) == 1 else None) if b is not None and b.periods else period
            out.append(AllowedNumber(m.value, kind, m.text, source, key=b.key if b else "", basis=b.basis if b else "",
                                     period=when if b is not None else None))
            if m.counted:  # "3 warnings" in a source also says how many there are
                out.append(AllowedNumber(m.value, "count", m.text, source))
            if m.context_scaled:  # also at face value
                out.append(AllowedNumber(m.mantissa, "number", m.text, source))
        if m.kind == "year" and m.value is not None:
            out.append(AllowedNumber(None, "date", m.text, source, when=m.when))
    return out


_AMOUNT_RATIOS = frozenset({"working_capital", "free_cash_flow"})


def allowed_date(day: dt.date, *, source: str = "") -> AllowedNumber:
    return AllowedNumber(None, "date", day.isoformat(), source, when=(day.year, day.month, day.day))


def allowed_from_facts(facts: Iterable[Fact]) -> list[AllowedNumber]:
    """Stored figures and computed ratios (``domain.Fact``) as allowed values, with their dates.

    A figure key of FIGURES.md is an amount (any printed unit); ``days_*`` is a plain
    number; any other key is a ratio (a fraction, printable as a percent).
    """
    out: list[AllowedNumber] = []
    for fact in facts:
        where = f"{fact.document} p.{fact.page}" if fact.document else (fact.formula or fact.label or fact.key)
        if fact.value is not None:
            if fact.key in KEYS or fact.key in _AMOUNT_RATIOS:
                kind: AllowedKind = "amount"
            elif fact.key.startswith("days_"):
                kind = "number"
            else:
                kind = "ratio"
            out.append(AllowedNumber(fact.value, kind, fact.key, where, key=fact.key, period=fact.span.end))
        out.append(allowed_date(fact.span.end, source=where))
        if fact.span.start is not None:
            out.append(allowed_date(fact.span.start, source=where))
        if fact.page is not None:
            out.append(AllowedNumber(Decimal(fact.page), "page", str(fact.page), where))
    return out


# ------------------------------------------------------------------ sentences

_SENTENCE = re.compile(r"[^。！？；!?\n]*?(?:[。！？；!?]+|\.(?=\s|$)|\n|$)", re.S)


def split_sentences(text: str) -> list[str]:
    """Sentences with their terminators; ``"".join(split_sentences(t)) == t``."""
    parts = [m.group(0) for m in _SENTENCE.finditer(text) if m.group(0)]
    return parts


def drop_unsupported(text: str, result: GuardResult) -> tuple[str, list[str]]:
    """Remove the sentences that carry an unsupported number; return (kept text, dropped sentences)."""
    if result.ok:
        return text, []
    bad = [(m.start, m.end) for m in result.unsupported]
    kept: list[str] = []
    dropped: list[str] = []
    pos = 0
    for sentence in split_sentences(text):
        a, b = pos, pos + len(sentence)
        pos = b
        if any(s < b and e > a for s, e in bad):
            dropped.append(sentence.strip())
            if sentence.endswith("\n"):
                kept.append("\n")
        else:
            kept.append(sentence)
    return "".join(kept).strip(), dropped


__all__ = [
    "AllowedNumber",
    "Binding",
    "allowed_date",
    "allowed_from_facts",
    "GuardResult",
    "NumberMention",
    "check",
    "drop_unsupported",
    "find_numbers",
    "harvest",
    "split_sentences",
]
