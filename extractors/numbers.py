"""Printed cell text → ``Decimal`` or ``None``.

Rules (FIGURES.md): thousands separators are dropped; parentheses or a leading minus make a
value negative; ``-``, ``—``, ``–`` or an empty cell is "not reported" (``None``), never zero;
a trailing ``%`` marks a percentage (kept as printed, never scaled); currency symbols printed
next to the number (``$``, ``¥``) are ignored. Full-width characters are folded with NFKC.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DASHES = frozenset({"-", "—", "–", "―", "－", "‒", "−", "--", "——", "—-", "－－"})
CURRENCY_MARKS = frozenset({"$", "¥", "￥", "US$", "HK$", "RMB", "€", "£"})

_NUMBER = re.compile(
    r"""^(?P<open>[(（])?\s*(?P<sign>[-−–])?\s*(?:US\$|HK\$|\$|¥|￥)?\s*
        (?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
        \s*(?P<pct>%)?\s*(?P<close>[)）])?\s*(?P<pct2>%)?$""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Cell:
    """A parsed cell: ``value`` is None for an empty or dashed cell."""

    text: str
    value: Decimal | None
    percent: bool = False


def fold(text: str) -> str:
    """NFKC-fold a printed string (full-width digits, commas and parentheses become ASCII)."""
    return unicodedata.normalize("NFKC", text).strip()


def is_dash(text: str) -> bool:
    return fold(text) in DASHES


def is_number(text: str) -> bool:
    """True when the text is one printed number (with optional sign, parentheses, %)."""
    return _NUMBER.match(fold(text)) is not None


def is_value_token(text: str) -> bool:
    """A token that can stand in a value column: a number or a dash."""
    t = fold(text)
    return bool(t) and (is_dash(t) or _NUMBER.match(t) is not None)


def parse_cell(text: str) -> Cell:
    """Parse one printed cell. Raises ``ValueError`` for text that is not a number or a dash."""
    t = fold(text)
    if not t or is_dash(t):
        return Cell(text, None)
    m = _NUMBER.match(t)
    if m is None:
        raise ValueError(f"not a number: {text!r}")
    try:
        value = Decimal(m.group("digits").replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only digits
        raise ValueError(f"not a number: {text!r}") from exc
    if m.group("open") or m.group("close") or m.group("sign"):
        value = -value
    return Cell(text, value, percent=bool(m.group("pct") or m.group("pct2")))


def parse_number(text: str) -> Decimal | None:
    """The value of a printed cell, or None for empty / dash."""
    return parse_cell(text).value


def scale(value: Decimal | None, unit: int) -> Decimal | None:
    """Apply the printed unit exactly (Decimal arithmetic, no float drift)."""
    if value is None:
        return None
    return value * unit if unit != 1 else value


def decimal_to_number(value: Decimal) -> int | float:
    """Decimal → int when integral, else float (shortest repr round-trips the printed digits)."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)
