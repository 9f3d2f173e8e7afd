"""The printed unit and currency of a statement, from the text around its title.

``单位：万元`` → 10,000; ``in thousands`` → 1,000; ``$ in millions, except per share`` →
1,000,000 (per-share rows are never scaled: see ``statements``). Currency from 人民币/RMB/
USD/US$/HK$/港币 or a ``$`` sign; Chinese units imply CNY when nothing else is printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ZH_UNITS = (("亿元", 100_000_000), ("百万元", 1_000_000), ("千万元", 10_000_000), ("万元", 10_000), ("千元", 1_000), ("元", 1))
_EN_UNITS = (
    (re.compile(r"\bin\s+billions\b"), 1_000_000_000),
    (re.compile(r"\bin\s+millions\b"), 1_000_000),
    (re.compile(r"\bin\s+thousands\b"), 1_000),
    (re.compile(r"(?:\bin\s+)?(?:us\$|\$|usd|rmb|hk\$)?\s*(?:'000|000's|000s|thousands)\b"), 1_000),
    (re.compile(r"\b(?:us\$|\$|usd|rmb|hk\$)\s*(?:million|m)\b"), 1_000_000),
)
_ZH_UNIT = re.compile(r"(?:单位|金额单位|货币单位)\s*[:：]?\s*(?:人民币|港币|美元)?\s*(亿元|千万元|百万元|万元|千元|元)")


@dataclass(frozen=True)
class UnitInfo:
    unit: int | None  # None when nothing was printed
    currency: str | None


def detect_unit(text: str) -> UnitInfo:
    """Find the unit and currency printed in ``text`` (a title block or page head)."""
    t = unicodedata.normalize("NFKC", text)
    low = t.lower()
    unit: int | None = None
    m = _ZH_UNIT.search(t)
    if m:
        unit = dict(_ZH_UNITS)[m.group(1)]
    else:
        for pattern, mult in _EN_UNITS:
            if pattern.search(low):
                unit = mult
                break
    return UnitInfo(unit, detect_currency(t, zh_unit=m is not None))


def detect_currency(text: str, *, zh_unit: bool = False) -> str | None:
    t = unicodedata.normalize("NFKC", text)
    low = t.lower()
    if "港币" in t or "港元" in t or "hk$" in low or re.search(r"\bhkd\b", low):
        return "HKD"
    if "美元" in t or re.search(r"\busd\b|us\$", low):
        return "USD"
    if "人民币" in t or re.search(r"\brmb\b|\bcny\b", low):
        return "CNY"
    if "$" in t or re.search(r"\bdollars?\b", low):
        return "USD"
    if zh_unit:
        return "CNY"
    return None
