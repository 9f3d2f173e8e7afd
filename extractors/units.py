"""The printed unit and currency of a statement.

``detect_unit`` reads the unit printed in a piece of text: ``单位：万元`` → 10,000; ``金额单位
均为人民币百万元`` → 1,000,000; a column head ``人民幣百萬元``, ``千港元``, ``金额（万元）`` or ``HK$'000``;
``in thousands`` → 1,000; ``(Millions, except per share amounts)``, ``$ in millions``,
``€ in millions``, ``(Dollars in millions, except per share)``, ``(in thousands of U.S.
dollars)`` and split glyphs (``Million s``) → the same. Per-share rows are never scaled (see
``statements``). The first unit printed in the text wins. Currency from 人民币/RMB, 港元/HK$,
美元/US$, €/EUR, £/GBP or a ``$`` sign; Chinese units imply CNY when nothing else is printed.

``choose_unit`` finds a statement's unit where it is printed, in this order, and says so
whenever it was not the statement's own title block:

1. the title block and the column header (no warning);
2. elsewhere on the statement's own pages (a unit at the foot of the page, 注：单位为万元);
3. the page before the statement (a header printed at the foot of the previous page);
4. a statement of the unit for the whole document ("除特别注明外，金额单位均为人民币百万元",
   "all amounts in millions"), or the unit that the tables printed around the statement share;
5. nowhere: units of one, with a warning when the figures look too small for that (whole
   numbers of at most seven digits, e.g. a US filing whose totals have five or six).

Every step but the first warns, naming the page the unit came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_T2S = str.maketrans("萬億幣單額團報註於為與", "万亿币单额团报注于为与")
_ZH_UNITS = {"亿元": 100_000_000, "千万元": 10_000_000, "百万元": 1_000_000, "万元": 10_000, "千元": 1_000, "元": 1}
_ZH_MONEY = r"(?:人民币|港币|港元|美元|欧元|英镑)"
_ZH_UNIT = re.compile(
    # 单位：万元 · 金额单位：人民币百万元 · (除特别注明外，金额单位均为人民币百万元) · 以人民币千元列示
    rf"(?:(?:金额|货币|币种及)?单位|以)\s*(?:[:：]|均为|均以|为|是)?\s*{_ZH_MONEY}?\s*(?P<u>亿元|千万元|百万元|万元|千元|元)"
    # a column head: 人民币百万元 · 千港元 · 百万美元 · 港币千元
    rf"|(?<![\d,.])(?:{_ZH_MONEY}\s*(?P<h>亿元|千万元|百万元|万元|千元)|(?P<f>千|百万|万|亿)(?:港|美|欧)元)"
    # a unit in brackets after a column name: 金额（万元） · 2025 年（人民币万元）
    rf"|[(（]\s*{_ZH_MONEY}?\s*(?P<p>亿元|千万元|百万元|万元|千元)\s*[)）]"  # (not "(元)": 每股收益（元）)
)
_EN_WORDS = {"billion": 1_000_000_000, "million": 1_000_000, "thousand": 1_000}
_MONEY = r"(?:us\$|hk\$|c\$|a\$|s\$|nt\$|\$|€|£|rmb|usd|hkd|eur|gbp|cny)"
_EN_UNIT = re.compile(
    # (In millions, except …) · (Millions) · $ in millions · € in millions · (Dollars in millions) ·
    # Dollars and shares in millions · amounts in thousands · (in thousands of U.S. dollars)
    rf"(?:\(\s*(?:{_MONEY}\s*)?(?:in\s+)?|\bin\s+(?:{_MONEY}\s*)?|{_MONEY}\s*(?:in\s+)?|"
    rf"\b(?:u\.?s\.?\s+)?dollars\s+(?:and\s+shares\s+)?in\s+|\bamounts?\s+in\s+)(?P<w>billion|million|thousand)s?\b"
    # millions of dollars · thousands of euros
    rf"|\b(?P<w2>billion|million|thousand)s?\s+of\s+(?:u\.?s\.?\s+|hong\s+kong\s+|canadian\s+)?(?:dollars|euros|renminbi|rmb|yuan)"
    # $'000 · HK$'000 · RMB'000 · (in $000s) · US$ million · $m
    rf"|(?:{_MONEY}\s*|\(\s*(?:in\s+)?{_MONEY}?\s*)(?P<k>'000|000'?s)\b|(?:{_MONEY})\s*(?P<m>million|mn|m)\b"
)


@dataclass(frozen=True)
class UnitInfo:
    unit: int | None  # None when nothing was printed
    currency: str | None


@dataclass(frozen=True)
class UnitChoice:
    """A statement's unit, where it was read, and the warning to show when that was not its title block."""

    unit: int
    currency: str | None
    source: str  # "title block", "page N", "page N, before the statement", "document, page N", "none"
    warning: str | None = None


def _text(text: str) -> str:
    t = unicodedata.normalize("NFKC", text).translate(_T2S).replace("’", "'").replace("‘", "'")
    return re.sub(r"(?<=[A-Za-z]{2}) (?=[a-z]\b)", "", t)  # split glyphs: "Million s"


def find_units(text: str) -> list[tuple[int, int]]:
    """Every unit printed in ``text`` as (position, multiplier), in reading order."""
    t = _text(text)
    out: list[tuple[int, int]] = []
    for m in _ZH_UNIT.finditer(t):
        if m.group("u"):
            out.append((m.start(), _ZH_UNITS[m.group("u")]))
        elif m.group("h") or m.group("p"):
            out.append((m.start(), _ZH_UNITS[m.group("h") or m.group("p")]))
        else:
            out.append((m.start(), {"千": 1_000, "百万": 1_000_000, "万": 10_000, "亿": 100_000_000}[m.group("f")]))
    low = t.lower()
    for m in _EN_UNIT.finditer(low):
        w = m.group("w") or m.group("w2")
        if w:
            out.append((m.start(), _EN_WORDS[w]))
        elif m.group("k"):
            out.append((m.start(), 1_000))
        else:
            out.append((m.start(), 1_000_000))
    return sorted(out)


def detect_unit(text: str) -> UnitInfo:
    """Find the unit and currency printed in ``text`` (a title block or page head)."""
    found = find_units(text)
    unit = found[0][1] if found else None
    zh = bool(_ZH_UNIT.search(_text(text)))
    return UnitInfo(unit, detect_currency(text, zh_unit=zh))


def detect_currency(text: str, *, zh_unit: bool = False) -> str | None:
    t = unicodedata.normalize("NFKC", text).translate(_T2S)
    low = t.lower()
    if "港币" in t or "港元" in t or "hk$" in low or re.search(r"\bhkd\b|hong kong dollars", low):
        return "HKD"
    if "欧元" in t or "€" in t or re.search(r"\beur\b|\beuros?\b", low):
        return "EUR"
    if "英镑" in t or "£" in t or re.search(r"\bgbp\b|pounds sterling", low):
        return "GBP"
    if "美元" in t or re.search(r"\busd\b|us\$|u\.s\. dollars", low):
        return "USD"
    if "人民币" in t or re.search(r"\brmb\b|\bcny\b|renminbi", low):
        return "CNY"
    if "$" in t or re.search(r"\bdollars?\b", low):
        return "USD"
    if zh_unit:
        return "CNY"
    return None


# a statement of the unit for the whole document (or its financial statements)
_DOC_UNIT = re.compile(
    r"除(?:特别|另有|特殊)?(?:注明|说明|指明|列明|标明|声明|列示)外|金额单位均为|均以.{0,6}(?:为单位|列示)|"
    r"unless otherwise (?:stated|noted|indicated|specified)|all (?:dollar )?amounts|amounts (?:are )?(?:expressed|presented|stated)",
    re.IGNORECASE,
)
#: the warnings ``choose_unit`` gives (kept when a statement is split or joined; not a reading doubt)
UNIT_WARNING = re.compile(r"^(?:unit \S.* taken from page|no unit printed)")
_NAMES = {1: "units of one", 1_000: "thousands", 10_000: "万元 (ten thousands)", 1_000_000: "millions",
          10_000_000: "千万元 (ten millions)", 100_000_000: "亿元 (hundred millions)", 1_000_000_000: "billions"}


_ZH_NAMES = {v: k for k, v in _ZH_UNITS.items()}


def unit_name(unit: int, like: str = "") -> str:
    """The unit as a reader would write it: 百万元 beside Chinese text ``like``, "millions" otherwise."""
    if re.search(r"[\u4e00-\u9fff]", like) and unit in _ZH_NAMES:
        return _ZH_NAMES[unit]
    return _NAMES.get(unit, f"×{unit}")


def choose_unit(head_text: str, page_texts: list[str], pages: list[int], figures: list[str] | None = None,
                *, near: int = 6) -> UnitChoice:
    """The unit of a statement on ``pages`` (1-based) whose title block reads ``head_text``.

    ``page_texts`` is every page's plain text; ``figures`` the statement's printed cells (to
    judge whether units of one is plausible when no unit is printed anywhere)."""
    info = detect_unit(head_text)
    if info.unit is not None:
        return UnitChoice(info.unit, info.currency, "title block")
    first = pages[0] if pages else 1
    own = [(p, find_units(page_texts[p - 1])) for p in pages if 0 < p <= len(page_texts)]
    units = {u for _, us in own for _, u in us}
    if len(units) == 1:
        p = next(p for p, us in own if us)
        unit, like = units.pop(), page_texts[p - 1]
        return UnitChoice(unit, _currency(head_text, like), f"page {p}",
                          f"unit {unit_name(unit, like)} taken from page {p}, outside the statement's title block")
    if len(units) > 1:
        p, us = next((p, us) for p, us in own if us)
        like = page_texts[p - 1]
        return UnitChoice(us[0][1], _currency(head_text, like), f"page {p}",
                          f"unit {unit_name(us[0][1], like)} taken from page {p}, where other units are printed too "
                          f"({', '.join(unit_name(u, like) for u in sorted(units))}); check the statement's unit")
    if 1 < first <= len(page_texts) + 1:
        prev = page_texts[first - 2]
        tail = "\n".join(prev.split("\n")[-15:])
        us = find_units(tail)
        if us:
            return UnitChoice(us[-1][1], _currency(head_text, tail), f"page {first - 1}, before the statement",
                              f"unit {unit_name(us[-1][1], tail)} taken from page {first - 1} (printed before the statement,"
                              f" not in its title block)")
    doc = _document_unit(page_texts, first, near)
    if doc is not None:
        unit, p, why = doc
        return UnitChoice(unit, _currency(head_text, page_texts[p - 1]), f"document, page {p}",
                          f"unit {unit_name(unit, page_texts[p - 1])} taken from page {p} ({why}); none is printed with the statement")
    return UnitChoice(1, info.currency, "none", _no_unit_warning(figures or []))


def _currency(*texts: str) -> str | None:
    for t in texts:
        c = detect_currency(t, zh_unit=bool(_ZH_UNIT.search(_text(t))))
        if c is not None:
            return c
    return None


def _document_unit(page_texts: list[str], first: int, near: int) -> tuple[int, int, str] | None:
    """A unit stated for the whole document (nearest before the statement first), else the one
    unit that every table printed within ``near`` pages of the statement shares."""
    stated: list[tuple[int, int]] = []
    for i, text in enumerate(page_texts):
        if not _DOC_UNIT.search(text):
            continue
        for line in text.split("\n"):
            if _DOC_UNIT.search(line):
                us = find_units(line)
                if us:
                    stated.append((i + 1, us[0][1]))
    if stated:
        before = [s for s in stated if s[0] <= first]
        p, unit = before[-1] if before else stated[0]
        return unit, p, "a unit stated for the document"
    around = Counter()
    where: dict[int, int] = {}
    for p in range(max(1, first - near), min(len(page_texts), first + near) + 1):
        for _, u in find_units(page_texts[p - 1]):
            around[u] += 1
            where.setdefault(u, p)
    if len(around) == 1:
        unit = next(iter(around))
        return unit, where[unit], f"the unit of every table printed within {near} pages of the statement"
    return None


def _no_unit_warning(figures: list[str]) -> str | None:
    """Units of one is plausible for figures with cents or of eight digits and more; whole
    numbers of at most seven digits are more likely thousands or millions left unprinted."""
    digits = [re.sub(r"[^\d.]", "", f) for f in figures if re.search(r"\d", f or "")]
    if not digits:
        return None
    cents = sum(1 for d in digits if re.search(r"\.\d{2}$", d))
    largest = max(len(d.split(".")[0].lstrip("0")) for d in digits)
    if cents >= len(digits) / 2 or largest >= 8:
        return None
    return (f"no unit printed; read as units of one, though its largest figure has only {largest} digits "
            f"(thousands or millions are likely): check the statement's unit")
