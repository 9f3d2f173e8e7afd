"""Plain stored values both readers of the store share (SQLAlchemy's ``schema.Money`` and ``lite``)."""

from __future__ import annotations

from decimal import Decimal


def canonical_decimal(value: Decimal | None) -> Decimal | None:
    """One spelling per number: no trailing zeros, no exponent (``1.50`` → ``1.5``, ``1E+3`` → ``1000``)."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()
