"""How a memo prints numbers: money with its unit, ratios, percentages, changes.

Every printed number is rounded half-up from the exact Decimal, with its unit written next
to it (万元/亿元, million/billion, %, 倍/x, days) so the verifier can scale it back.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from assistant.analytics.ratios import AMOUNT_RATIOS, RATIO_KEYS

#: Ratios printed as multiples (1.18倍 / 1.18x); the other quotients print as percentages.
TIMES_RATIOS = frozenset({"current_ratio", "quick_ratio", "cash_ratio", "interest_coverage", "dscr", "rd_to_net_profit"})
DAYS_RATIOS = frozenset({"days_sales_outstanding", "days_inventory_outstanding", "days_payable_outstanding"})
_ZH_CURRENCY = {"CNY": "元", "RMB": "元", "USD": "美元", "HKD": "港元", "EUR": "欧元"}


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _num(value: Decimal, places: int) -> str:
    out = f"{_q(value, places):,.{places}f}"
    return "0" + out[2:] if out.startswith("-0") and _q(value, places) == 0 else out


def money(value: Decimal, lang: str, currency: str = "CNY") -> str:
    if lang == "zh":
        unit = _ZH_CURRENCY.get(currency, currency)
        if abs(value) >= Decimal(10) ** 8:
            return f"{_num(value / Decimal(10) ** 8, 2)}亿{unit}"
        if abs(value) >= Decimal(10) ** 4:
            return f"{_num(value / Decimal(10) ** 4, 2)}万{unit}"
        return f"{_num(value, 2)}{unit}"
    if abs(value) >= Decimal(10) ** 9:
        return f"{currency} {_num(value / Decimal(10) ** 9, 2)} billion"
    if abs(value) >= Decimal(10) ** 6:
        return f"{currency} {_num(value / Decimal(10) ** 6, 2)} million"
    return f"{currency} {_num(value, 2)}"


def percent(fraction: Decimal, places: int = 1) -> str:
    return f"{_num(fraction * 100, places)}%"


def times(value: Decimal, lang: str) -> str:
    return f"{_num(value, 2)}{'倍' if lang == 'zh' else 'x'}"


def days(value: Decimal, lang: str) -> str:
    return f"{_num(value, 1)}{'天' if lang == 'zh' else ' days'}"


def ratio_kind(key: str) -> str:
    """money | times | days | percent | figure (a statement figure, printed as money)."""
    if key in AMOUNT_RATIOS:
        return "money"
    if key in TIMES_RATIOS:
        return "times"
    if key in DAYS_RATIOS:
        return "days"
    if key in RATIO_KEYS:
        return "percent"
    return "money"


def value_text(key: str, value: Decimal, lang: str, currency: str = "CNY") -> str:
    """A figure's or ratio's value as printed in a memo."""
    kind = ratio_kind(key)
    if kind == "times":
        return times(value, lang)
    if kind == "days":
        return days(value, lang)
    if kind == "percent":
        return percent(value)
    return money(value, lang, currency)


def change_text(key: str, absolute: Decimal | None, relative: Decimal | None, lang: str, currency: str = "CNY") -> str | None:
    """The size of a change, unsigned: percentage points for percent ratios, else relative %."""
    kind = ratio_kind(key)
    if kind == "percent" and absolute is not None:
        pts = _num(abs(absolute) * 100, 1)
        return f"{pts}个百分点" if lang == "zh" else f"{pts} pp"
    if relative is not None:
        return percent(abs(relative))
    if absolute is not None:
        return value_text(key, abs(absolute), lang, currency)
    return None


def signed_change_text(key: str, absolute: Decimal | None, relative: Decimal | None, lang: str, currency: str = "CNY") -> str:
    """A change with its sign, for table cells: +12.3% / −3.2个百分点 / — when unknown."""
    size = change_text(key, absolute, relative, lang, currency)
    if size is None:
        return "—"
    sign_of = absolute if absolute is not None else relative
    if sign_of is None or sign_of == 0:
        return size
    return ("+" if sign_of > 0 else "-") + size


def date_text(value: dt.date | None, lang: str) -> str:
    if value is None:
        return "未登记" if lang == "zh" else "not registered"
    return value.isoformat()
