"""Workbooks whose column headers print periods in the many ways Excel users type or format them.

``write_spelled`` writes the three statements of a generated US statement set (the ``us_10q`` sample)
into a workbook, one sheet each, with every column header spelled by one ``SPELLINGS`` entry: "Sep-26",
"30-Sep-2026", "Sept. 30 2026", "30 Sep 26", "Q3 FY26", a real date cell, a date serial with a date
number format, … A flow statement prints its span ("Three Months Ended") in a header row above.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from extractors.models import ExtractionResult

_ABBR = {9: "Sept."}


def _mon(d: dt.date) -> str:
    return calendar.month_abbr[d.month]


def _quarter(d: dt.date) -> str:
    return f"Q{(d.month - 1) // 3 + 1} FY{d.year % 100:02d}"


#: name → how a period end is written in its column header (a str, or a date / serial for a date cell)
SPELLINGS: dict[str, Callable[[dt.date], object]] = {
    "mon-yy": lambda d: f"{_mon(d)}-{d.year % 100:02d}",
    "dd-mon-yyyy": lambda d: f"{d.day}-{_mon(d)}-{d.year}",
    "mon d, yyyy": lambda d: f"{_mon(d)} {d.day}, {d.year}",
    "mon. d yyyy": lambda d: f"{_ABBR.get(d.month, _mon(d) + '.')} {d.day} {d.year}",
    "d mon yy": lambda d: f"{d.day} {_mon(d)} {d.year % 100:02d}",
    "mon-yyyy": lambda d: f"{_mon(d)}-{d.year}",
    "MONTH yyyy": lambda d: f"{calendar.month_name[d.month].upper()} {d.year}",
    "dd/mm/yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "mm/dd/yy": lambda d: f"{d.month:02d}/{d.day:02d}/{d.year % 100:02d}",
    "iso": lambda d: d.isoformat(),
    "fiscal quarter": _quarter,
    "date cell": lambda d: dt.datetime(d.year, d.month, d.day),
    "date serial": lambda d: ("serial", (d - dt.date(1899, 12, 30)).days),
}

#: spellings that name no day or no calendar by themselves, and the title line that fixes them
TITLE_LINES = {"fiscal quarter": "For the quarterly period ended September 30, 2026"}


def write_spelled(truth: ExtractionResult, spelling: str, path: str | Path, *, title_line: str | None = None) -> Path:
    """One sheet per statement of ``truth`` with its column headers written in ``spelling``."""
    from openpyxl import Workbook

    spell = SPELLINGS[spelling]
    wb = Workbook()
    wb.remove(wb.active)
    for st in truth.statements:
        ws = wb.create_sheet(st.kind[:28])
        ws.append([truth.company])
        ws.append([st.title])
        if title_line:
            ws.append([title_line])
        ws.append(["(In thousands)"])
        if st.kind != "balance_sheet":
            spans, seen = [], None
            for c in st.columns:
                months = (c.period_end.year - c.period_start.year) * 12 + c.period_end.month - c.period_start.month + 1
                words = f"{calendar.month_name[0] or ''}{_WORDS[months]} Months Ended"
                spans.append(words if words != seen else None)
                seen = words
            ws.append([None, *spans])
        row = ws.max_row + 1
        ws.cell(row, 1, None)
        for i, c in enumerate(st.columns):
            value = spell(c.period_end)
            cell = ws.cell(row, 2 + i)
            if isinstance(value, tuple):
                cell.value = value[1]
                cell.number_format = "mmm-yy" if i % 2 == 0 else "d-mmm-yyyy"
            else:
                cell.value = value
        for item in st.items:
            ws.append([item.label, *[None if v is None else v / st.unit for v in item.values]])
    wb.save(path)
    return Path(path)


_WORDS = {3: "Three", 6: "Six", 9: "Nine", 12: "Twelve"}


def rekey_spelled(statements: list, company: str, spelling: str, path: str | Path) -> Path:
    """Real statements (read from a PDF) typed into a workbook: labels and printed cells as they are, each
    column header rewritten as its span in words ("Twelve Months Ended", from the column's own dates) over
    its end in ``spelling``."""
    from openpyxl import Workbook

    spell = SPELLINGS[spelling]
    wb = Workbook()
    wb.remove(wb.active)
    for i, st in enumerate(statements):
        ws = wb.create_sheet(f"s{i}")
        for row in ([company], [st.title or st.kind], ["(In millions)"]):
            ws.append(row)
        heads = []
        for c in st.columns:
            words = ""
            if c.period_start is not None:
                months = round(((c.period_end - c.period_start).days + 1) / 30.44)
                words = f"{_WORDS[months]} Months Ended " if months in _WORDS else ""
            heads.append(f"{words}{spell(c.period_end)}")
        ws.append([None, *heads])
        for item in st.items:
            ws.append([item.label, *item.printed])
    wb.save(path)
    return Path(path)
