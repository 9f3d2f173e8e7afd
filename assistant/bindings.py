"""What a number in a text is *about*: the figure label, the period and the basis it is attached to.

The numeric guard (``numguard.check``) asks of every number "does some fact have this
value?"; that lets "营业收入为1.70亿元" pass when 1.70亿 is current liabilities. This module
reads the text around each number the way a credit officer does:

    labels_in(text)           → [(start, end, key)]   every figure / ratio label (longest first)
    bindings(text, mentions)  → {start: Binding}      the label, periods and basis of each number

Rules (one place, so the memo verifier and the LLM guard agree):

* A number is attached to the nearest label before it in the same sentence, unless a word
  naming another quantity (得分, 预算, probability …) stands between them. Only numbers that
  read as values are attached: amounts with a unit or currency, percents, points, multiples
  and decimals — a bare integer ("11/15", "3 项") is left alone.
* The period of a number is the quarter, half or quarter-end date (2026Q3, 2026年三季度,
  2026-09-30) named nearest before it in its clause, else those its clause names; a value
  attached to a label must be that figure's value of it (any of the memo's periods when the
  clause names none). A value in a sentence of its own ("净利润率 14.4%": the first number after
  its label, no table row, no series, no comparison or opening word) is of the text's period,
  when the caller names one.
* The basis of a number is the nearest basis word of its clause (同比 / year on year → yoy;
  环比, 较上期 / quarter on quarter, on the prior period → qoq), before it, else after it;
  a change attached to a label must be that figure's change on that basis.
* Names (a facility called "固定资产贷款 GD2024-017") are masked first, so a label inside a
  name is not read as a label.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from assistant.numguard import NumberMention

#: Labels printed in narratives that are not the vocabulary's own names.
EXTRA_LABELS: dict[str, tuple[str, ...]] = {
    "net_cash_operating": ("经营活动现金流量净额", "经营活动现金流净额", "经营性现金流净额", "经营活动现金流",
                           "operating cash flow", "net operating cash flow"),
    "dscr": ("DSCR", "偿债覆盖率"),
    "net_margin": ("净利率", "net profit margin"),
    "debt_to_assets": ("资产负债比率", "debt-to-assets ratio", "debt-to-assets"),
    "revenue": ("营收", "sales"),
    "interest_coverage": ("已获利息倍数", "interest coverage ratio"),
    "cash": ("cash and cash equivalents",),
    "ocf_to_current_liabilities": ("operating cash flow ratio", "现金流量比率"),
}

#: Words naming a quantity that is not the label's value: a number after them is not the label's.
OTHER_QUANTITY = ("得分", "评分", "违约概率", "概率", "额度", "预算", "已投入", "进度", "计划", "占比", "占预算",
                  "points", "score", "probability", "budget", "spent", "progress", "planned")

YOY_WORDS = ("同比", "上年同期", "去年同期", "较上年", "year on year", "year-on-year", "a year earlier", "yoy")
QOQ_WORDS = ("环比", "较上期", "上一季度", "上季度", "上期", "quarter on quarter", "quarter-on-quarter",
             "on the prior period", "prior period", "previous quarter", "prior quarter", "qoq")

OPENING_WORDS = ("年初", "期初", "上年末", "年末", "上年", "去年", "beginning of", "opening", "prior year", "last year")
_SERIES = re.compile(r"→|由\s*[-−\d]|变为|降至|升至|\bfrom\s+\S*\s*[-−\d]|\bto\s+\S*\s*[-−\d]", re.I)
_CLAUSE = re.compile(r"[，、；;（）()：:]|(?<!\d),|,(?!\d{3})|\band\b|\bbut\b")  # not the comma of 5,230.00
_SENTENCE_END = re.compile(r"[。！？；!?\n]|\.(?=\s|$)")
_BOUND_KINDS = frozenset({"amount", "percent", "points", "multiple", "number"})


@dataclass(frozen=True)
class Binding:
    """What a number is attached to: a figure or ratio key, the periods and the basis its sentence names."""

    key: str
    label: str
    periods: frozenset[dt.date] = field(default_factory=frozenset)
    basis: str = ""  # "yoy" | "qoq" | ""
    #: nothing but the text's own period can be meant: not a table row (its columns name the periods),
    #: not a series ("由 A 变为 B", "A → B"), no comparison or opening word in the clause
    current: bool = False


@lru_cache(maxsize=1)
def _label_table() -> tuple[tuple[str, str, bool], ...]:
    """(label, key, latin) for every figure and ratio label, longest first."""
    from assistant.analytics.ratios import RATIO_LABELS
    from extractors.vocabulary import FIGURES

    pairs: dict[str, str] = {}
    for f in FIGURES:
        pairs.setdefault(f.zh, f.key)
        pairs.setdefault(f.en.casefold(), f.key)
    for key, (zh, en) in RATIO_LABELS.items():
        pairs.setdefault(zh, key)
        pairs.setdefault(en.casefold(), key)
        if "(" in en:  # "Debt service coverage ratio (DSCR)" is also printed without the abbreviation
            pairs.setdefault(en.split("(")[0].strip().casefold(), key)
    for key in [f.key for f in FIGURES] + list(RATIO_LABELS):  # reasons print the key itself ("current_ratio >= 1.20")
        if "_" in key:
            pairs.setdefault(key, key)
    for key, labels in EXTRA_LABELS.items():
        for label in labels:
            pairs.setdefault(label if not label.isascii() else label.casefold(), key)
    rows = [(label, key, label.isascii()) for label, key in pairs.items() if len(label) >= 2]
    return tuple(sorted(rows, key=lambda r: -len(r[0])))


@lru_cache(maxsize=1)
def _label_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    table = _label_table()
    parts = []
    for label, _, latin in table:
        esc = re.escape(label)
        parts.append(rf"(?<![A-Za-z]){esc}(?![A-Za-z])" if latin else esc)
    keys = {label: key for label, key, _ in table}
    return re.compile("|".join(parts), re.I), keys


def mask_names(text: str, names: Iterable[str]) -> str:
    """``text`` with each name replaced by as many spaces (positions kept)."""
    for name in sorted({n for n in names if n and len(n) >= 4}, key=len, reverse=True):
        text = text.replace(name, " " * len(name))
    return text


def labels_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, key) of every label in ``text``, longest label first where they overlap."""
    pattern, keys = _label_pattern()
    out = []
    for m in pattern.finditer(text):
        found = m.group(0)
        out.append((m.start(), m.end(), keys.get(found) or keys[found.casefold()]))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence (split at 。！？；!? newlines and a full stop before a space)."""
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.end() > start:
            out.append((start, m.end()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def clause_of(text: str, pos: int, lo: int, hi: int) -> tuple[int, int]:
    """The clause around ``pos`` within the sentence [lo, hi)."""
    a = lo
    for m in _CLAUSE.finditer(text, lo, hi):
        if m.end() <= pos:
            a = m.end()
        elif m.start() >= pos:
            return a, m.start()
    return a, hi


def basis_near(text: str, a: int, b: int, pos: int) -> str:
    """The basis word of the clause [a, b) nearest before ``pos``, else the first after it."""
    low = text[a:b].casefold()
    before, after = "", ""
    best_before, best_after = -1, len(low) + 1
    for basis, words in (("yoy", YOY_WORDS), ("qoq", QOQ_WORDS)):
        for w in words:
            for m in re.finditer(re.escape(w), low):
                at = a + m.start()
                if at < pos and m.start() > best_before:
                    best_before, before = m.start(), basis
                elif at >= pos and m.start() < best_after:
                    best_after, after = m.start(), basis
    return before or after


def _quarter_end(year: int, quarter: int) -> dt.date:
    month = 3 * quarter
    return dt.date(year, month, 31 if month in (3, 12) else 30)


def periods_of(mentions: Iterable["NumberMention"]) -> frozenset[dt.date]:
    """The period ends the temporal mentions name: quarters, halves and quarter-end dates."""
    out = set()
    for m in mentions:
        y, mo, d = m.when or (None, None, None)
        if y is None:
            continue
        if m.kind == "quarter" and m.quarter:
            out.add(_quarter_end(y, m.quarter))
        elif m.kind == "half" and m.quarter:
            out.add(_quarter_end(y, 2 * m.quarter))
        elif m.kind == "date" and mo in (3, 6, 9, 12) and d in (30, 31):
            out.add(dt.date(y, mo, d))
    return frozenset(out)


def bindings(text: str, mentions: list["NumberMention"], *, names: Iterable[str] = ()) -> dict[int, Binding]:
    """{mention.start: Binding} for the numbers of ``text`` attached to a label (see the module docstring)."""
    scan = mask_names(text, names)
    labels = labels_in(scan)
    out: dict[int, Binding] = {}
    if not labels:
        return out
    low = scan.casefold()
    for lo, hi in sentences(scan):
        in_sentence = [m for m in mentions if lo <= m.start < hi]
        here = [lab for lab in labels if lo <= lab[0] < hi]
        for m in in_sentence:
            if m.kind not in _BOUND_KINDS or m.counted or (m.kind == "number" and m.decimals == 0):
                continue
            before = [lab for lab in here if lab[1] <= m.start]
            if not before:
                continue
            start, end, key = before[-1]
            between = low[end:m.start]
            if any(w in between for w in OTHER_QUANTITY):
                continue
            a, b = clause_of(scan, m.start, lo, hi)
            # the period named nearest before the number in its clause ("2025Q3 212,000,000 → 2026Q3
            # 152,300,000"), else every period the clause names
            named = [x for x in in_sentence if a <= x.start < b and periods_of([x])]
            earlier = [x for x in named if x.end <= m.start]
            periods = periods_of(earlier[-1:] if earlier else named)
            basis = basis_near(scan, a, b, m.start)
            line_start = scan.rfind("\n", 0, m.start) + 1
            line_end = scan.find("\n", m.start)
            table = "|" in scan[line_start:line_end if line_end >= 0 else None]
            # only the first number after its label: the next ones of the clause are columns or
            # comparisons (a table row read back from a PDF has no bars: "营业收入 1.52亿元 1.68亿元 …")
            first = not any(end <= x.start < m.start and x.kind in _BOUND_KINDS and x.kind != "number" or
                            (end <= x.start < m.start and x.kind == "number" and x.decimals) for x in in_sentence
                            if a <= x.start)
            current = first and not (table or basis or _SERIES.search(scan, lo, hi) or any(w in low[a:b] for w in OPENING_WORDS))
            out[m.start] = Binding(key, text[start:end], periods, basis, current)
    return out


__all__ = ["Binding", "EXTRA_LABELS", "QOQ_WORDS", "YOY_WORDS", "basis_near", "bindings", "clause_of", "labels_in",
           "mask_names", "periods_of", "sentences"]
