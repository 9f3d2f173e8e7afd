"""The answer to one question: the ``loanwatch ask --json`` shape of CONTRACT.md.

``value`` is the number the answer turns on (a figure in base units, a ratio as a plain
number, a percentage as a number of percent with ``unit`` "percent"), or null when the answer
is not a number — including every answer that says what is missing. Extensions beyond the
contract: ``formula`` and ``inputs`` for computed values, ``missing`` naming what the store
lacks, and ``question`` parts the engine understood.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractors.numbers import decimal_to_number  # not extractors.models: its pydantic models cost a cold start

Unit = Literal["amount", "ratio", "percent", "days", "times", "per_share", "text"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    document: str
    page: int | None = None
    quote: str = ""


class Input(_Model):
    """One stored figure a computed answer used."""

    key: str
    label: str
    period: str
    value: Decimal | None
    document: str | None = None
    page: int | None = None
    unconfirmed: str | None = None  # flagged for review: why this figure is not confirmed yet


class Answer(_Model):
    answer: str
    value: Decimal | None = None
    unit: Unit | None = None
    citations: list[Citation] = Field(default_factory=list)
    engine: str = "builtin"
    formula: str | None = None
    inputs: list[Input] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    unconfirmed: list[str] = Field(default_factory=list)  # the value rests on figures flagged for review: why
    understood: dict[str, Any] = Field(default_factory=dict)
    items: list[dict[str, Any]] = Field(default_factory=list)  # a portfolio answer's rows: one per client, quarter or group
    chart: dict[str, Any] | None = None  # a trend or comparison to draw: {"metric", "unit", "periods", "series", ...}

    @property
    def answered(self) -> bool:
        """True when the answer gives a number (or a list) rather than saying what is missing."""
        return not self.missing

    def to_json_dict(self) -> dict[str, Any]:
        """The contract object: numbers as JSON numbers, extensions after the contract fields."""
        out = self.model_dump(mode="python")
        out["value"] = None if self.value is None else decimal_to_number(self.value)
        for item in out["inputs"]:
            item["value"] = None if item["value"] is None else decimal_to_number(item["value"])
        out["items"] = _plain(out["items"])
        out["chart"] = _plain(out["chart"])
        return out


def _plain(obj: Any) -> Any:
    """Decimals as JSON numbers, dates as ISO text, all the way down."""
    if isinstance(obj, Decimal):
        return decimal_to_number(obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj
