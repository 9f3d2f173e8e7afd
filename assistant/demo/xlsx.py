"""Write statement blocks to an Excel workbook, one sheet per statement (openpyxl)."""

from __future__ import annotations

from decimal import Decimal
from itertools import zip_longest
from pathlib import Path

from assistant.demo.layouts import Block, Row

ZH_RIGHT_HEADER = "负债和所有者权益（或股东权益）"


def _cell_value(row: Row, i: int, unit: int, text_numbers: bool):
    value = row.values[i]
    if value is None:
        return row.printed[i] or None
    if text_numbers:
        return row.printed[i]
    return value if row.per_share else value / Decimal(unit)


def write_xlsx(blocks: list[Block], path: str | Path, *, text_numbers: bool = False) -> int:
    """Write ``blocks``; set each row's page to its sheet's 1-based index; return the sheet count."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    wb.remove(wb.active)
    for index, block in enumerate(blocks, start=1):
        name = block.title[:28] if block.lang == "zh" else f"{block.kind}_{block.scope}"[:28]
        ws = wb.create_sheet(f"{index}-{name}"[:31])
        ncols = len(block.columns)
        per_side = 1 + (1 if block.row_no_header else 0) + (1 if block.note_header else 0) + ncols
        sides = 2 if block.right_rows is not None else 1
        width = per_side * sides
        ws.append([block.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        for line in block.lines:
            if "编制单位" in line:  # spread over cells, as accounting software exports it
                ws.append([part for part in line.split("    ")])
            else:
                ws.append([line])
        for r, header in enumerate(block.headers):
            cells: list = []
            for side in range(sides):
                lead = [""] * (per_side - ncols)
                if r == len(block.headers) - 1:
                    lead[0] = block.label_header if side == 0 else ZH_RIGHT_HEADER
                    k = 1
                    if block.row_no_header:
                        lead[k] = block.row_no_header
                        k += 1
                    if block.note_header:
                        lead[k] = block.note_header
                vals: list = [None] * ncols
                for text, a, _b in header:
                    vals[a] = text
                cells += lead + vals
            ws.append(cells)
        for left, right in zip_longest(block.rows, block.right_rows or [], fillvalue=None):
            cells = []
            for row in (left, right)[:sides]:
                if row is None:
                    cells += [None] * per_side
                    continue
                row.page = index
                row.label_lines = [row.label]
                lead = [("  " * row.indent) + row.label]
                if block.row_no_header:
                    lead.append(int(row.row_no) if row.row_no else None)
                if block.note_header:
                    lead.append(row.note)
                vals = [None] * ncols if row.heading else [
                    _cell_value(row, i, block.unit, text_numbers) for i in range(ncols)
                ]
                cells += lead + vals
            ws.append(cells)
        for row_cells in ws.iter_rows(min_row=len(block.lines) + len(block.headers) + 2):
            for cell in row_cells:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
        ws.column_dimensions["A"].width = 40
        block.pages = [index]
    wb.save(str(path))
    return len(blocks)
