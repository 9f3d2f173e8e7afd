"""Typed records that come out of the extractors.

These are the boundary between documents and the rest of loanwatch: every figure carries
where it came from (document, page, bounding box, printed label and text). Money is
``Decimal`` in the currency's base unit (the printed unit already applied).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from extractors.numbers import decimal_to_number


class StatementKind(str, Enum):
    balance_sheet = "balance_sheet"
    income_statement = "income_statement"
    cash_flow = "cash_flow"


class Scope(str, Enum):
    consolidated = "consolidated"
    parent = "parent"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)


class Column(_Model):
    """One value column of a statement: a point in time or a span."""

    period_start: dt.date | None = None  # null for a balance sheet (a point in time)
    period_end: dt.date | None = None
    label: str = ""  # the printed header, e.g. 期末余额, "Three Months Ended September 30, 2026"


class BBox(_Model):
    """PDF user-space box, top-left origin (pdfplumber convention), in points."""

    x0: float
    top: float
    x1: float
    bottom: float


class LineItem(_Model):
    """One printed row of a statement."""

    key: str | None  # canonical key from FIGURES.md, or None when the row has none
    label: str  # printed label, wrapped lines joined, note refs dropped
    values: list[Decimal | None]  # base units, in the order of Statement.columns
    page: int  # 1-based page number
    printed: list[str] = Field(default_factory=list)  # the cell texts as printed
    bbox: BBox | None = None  # the row on the page
    note: str | None = None  # 附注 / Note reference, when printed in its own column
    row_no: str | None = None  # 行次, when printed
    per_share: bool = False  # EPS and other per-share rows: never scaled by the unit
    percent: bool = False  # rows printed as percentages: never scaled by the unit
    # read by OCR from a scan: the recogniser's confidence (0–1) and the box of each printed cell,
    # in the order of Statement.columns; None for figures read from a text layer
    confidence: list[float | None] | None = None
    value_boxes: list[BBox | None] | None = None
    # why a person must look at each figure before it is used ("low confidence 0.71; not the sum …"), None where
    # nothing was found; set for figures read by OCR only
    flags: list[str | None] | None = None


class Statement(_Model):
    kind: StatementKind
    scope: Scope = Scope.consolidated
    currency: str = "CNY"
    unit: int = 1  # printed unit multiplier already applied to values
    pages: list[int] = Field(default_factory=list)
    title: str = ""
    columns: list[Column] = Field(default_factory=list)
    items: list[LineItem] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def value(self, key: str, column: int = 0) -> Decimal | None:
        """The value of ``key`` in ``column``, or None when the row is absent or empty."""
        for item in self.items:
            if item.key == key:
                return item.values[column] if column < len(item.values) else None
        return None

    def item(self, key: str) -> LineItem | None:
        return next((i for i in self.items if i.key == key), None)


class ExtractionResult(_Model):
    """Everything extracted from one document (what ``loanwatch extract --json`` prints)."""

    file: str
    sha256: str
    pages: int
    company: str | None = None
    statements: list[Statement] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    partial: str | None = None  # why the document was read only in part (damaged, cut short, capped); None: read whole
    seconds: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: dates as ISO strings, money as plain numbers."""
        return _jsonable(self.model_dump(mode="python", exclude_none=False))


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Decimal):
        return decimal_to_number(obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return obj.isoformat()
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj
