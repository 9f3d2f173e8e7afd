"""Excel statements (.xlsx) → the same ``Statement`` model as PDFs.

Borrowers send statements exported from accounting software or kept in Excel. Named steps:
``workbook_to_grids`` (openpyxl, read-only, cached values, bounded) → ``grid_to_blocks``
(a statement starts at a title cell: 资产负债表, 利润表, "Statement of Cash Flows", …, or the
sheet name) → ``block_to_layout`` (header rows, label / 行次 / 附注 / value columns; a
balance sheet printed as two halves side by side has two label columns) →
``layout_to_statement`` (unit and currency from "单位：万元" cells, periods from the headers
— read as PDFs' are, by ``extractors.periods`` and ``extractors.header_dates``: "Dec-25", "31-Dec-2025",
"Q3 FY26", date cells and date serials — and the report period, then ``extractors.statements.build_statement``) → the 52/53-week
calendar (``extractors.fiscal_calendar.settle_week_calendar``, as for a PDF: a start counted back
in weeks is inferred from the workbook's dates and words, or refused). A sheet's page number is
its 1-based index in the workbook.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from extractors.company import company_name
from extractors.document import sha256_of, sniff_format
from extractors.errors import CorruptDocumentError, EncryptedDocumentError, NotAPdfError, TooLargeDocumentError
from extractors.fiscal_calendar import settle_week_calendar
from extractors.header_dates import fiscal_quarter, looks_dated
from extractors.layout import NOTE_HEAD, ROWNO_HEAD
from extractors.locate import match_title
from extractors.models import ExtractionResult, Statement
from extractors.numbers import is_value_token
from extractors.periods import detect_report_period, document_period, resolve_columns
from extractors.statements import build_statement
from extractors.units import detect_unit

MAX_ROWS = 5_000  # per sheet: a statement is a few hundred rows at most
MAX_COLS = 60
MAX_SHEETS = 200

_LABEL_HEAD = re.compile(r"^(?:项目|资产|负债和所有者权益.*|负债及所有者权益.*|负债和股东权益.*|items?|particulars)$", re.IGNORECASE)
_PERIOD_HINT = re.compile(
    r"期末|期初|年初|年末|本期|上期|本年|上年|本月|累计|同期|\d{4}\s*年|"
    r"months? ended|weeks? ended|year ended|years ended|as at|as of|^\(?(?:19|20)\d{2}\)?$|"
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december)",
    re.IGNORECASE,
)

#: a document that keeps a 52/53-week year says so ("52- or 53-week fiscal year", "the last Saturday of December")
_WEEK_CALENDAR = re.compile(r"\b5[23][- ]\s*(?:or|and|/)?\s*(?:5[23][- ])?weeks?\b|\b(?:last|nearest)\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
                            r"(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+(?:nearest|closest)", re.IGNORECASE)

_TITLE_LINE = re.compile(r"编制单位|单位\s*[:：]|币种|expressed in|in thousands|in millions", re.IGNORECASE)

Cell = object  # str | int | float | Decimal | datetime | None


@dataclass
class _Layout:
    """Where a statement's parts sit in its block of the sheet."""

    header_rows: list[int]
    data_start: int
    sides: list[tuple[int, int | None, int | None, list[int]]]  # (label, row_no, note, value columns)


def extract_xlsx(path: str | Path) -> ExtractionResult:
    """Extract every statement of an Excel workbook; raise ``DocumentError`` when unreadable."""
    path = Path(path)
    sniff_format(path)  # empty / missing / not a ZIP → the right DocumentError
    started = time.perf_counter()
    grids, names = workbook_to_grids(path)
    texts = ["\n".join(" ".join(_text(c) for c in row if _text(c)) for row in grid) for grid in grids]
    statements: list[Statement] = []
    warnings: list[str] = []
    for index, (grid, name) in enumerate(zip(grids, names), start=1):
        for title, kind, scope, rows in grid_to_blocks(grid, name):
            try:
                st = layout_to_statement(rows, kind, scope, title, index, "\n".join(texts))
            except ValueError as exc:
                warnings.append(f"sheet {index} ({name}): {exc}")
                continue
            empty = st is None or not any(v is not None for item in st.items for v in item.values)
            if empty and _has_formulas(path, index):
                warnings.append(
                    f"sheet {index} ({name}): its formulas have no saved results, so no figure could be read — "
                    "open the workbook in Excel (or LibreOffice), save it, and extract it again"
                )
            if st is not None:
                statements.append(st)
    settle_week_calendar(statements, "\n".join(texts))  # a start counted back in weeks: inferred or refused, as for a PDF
    result = ExtractionResult(
        file=path.name, sha256=sha256_of(path), pages=len(grids),
        company=company_name(texts, [s.pages[0] for s in statements]), statements=statements, warnings=warnings,
    )
    result.seconds = round(time.perf_counter() - started, 3)
    return result


# ---- step 1: workbook → grids of cached cell values ---------------------------------------

def workbook_to_grids(path: Path) -> tuple[list[list[list[Cell]]], list[str]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except zipfile.BadZipFile as exc:
        raise CorruptDocumentError(f"{path.name}: the Excel file is damaged or truncated", path=str(path)) from exc
    except KeyError as exc:  # a ZIP without the workbook parts
        raise NotAPdfError(f"{path.name}: a ZIP archive that is not an Excel workbook", path=str(path)) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many classes for broken files
        if "encrypt" in str(exc).lower():
            raise EncryptedDocumentError(f"{path.name}: the workbook is password-protected", path=str(path)) from exc
        raise CorruptDocumentError(f"{path.name}: the Excel file cannot be read ({type(exc).__name__})",
                                   path=str(path)) from exc
    try:
        if len(wb.worksheets) > MAX_SHEETS:
            raise TooLargeDocumentError(f"{path.name}: {len(wb.worksheets)} sheets is over the {MAX_SHEETS}-sheet limit",
                                        path=str(path))
        grids, names = [], []
        for ws in wb.worksheets:
            grid: list[list[Cell]] = []
            for r, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLS)):
                if r >= MAX_ROWS:
                    break
                grid.append(list(row))
            grids.append(grid)
            names.append(ws.title)
        return grids, names
    finally:
        wb.close()


def _has_formulas(path: Path, sheet_index: int) -> bool:
    """True when the sheet holds formulas (read without cached values, for the warning only)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[sheet_index - 1]
        for r, row in enumerate(ws.iter_rows(values_only=True, max_col=MAX_COLS)):
            if r >= MAX_ROWS:
                break
            if any(isinstance(c, str) and c.startswith("=") for c in row):
                return True
        return False
    finally:
        wb.close()


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return unicodedata.normalize("NFKC", cell).strip()
    if isinstance(cell, dt.date):  # a date cell (datetime included) reads as the Chinese date it shows
        return cell.strftime("%Y年%m月%d日")
    return _number_text(cell)


def _number_text(cell: Cell) -> str:
    """A numeric cell as exact decimal text (floats by their shortest repr)."""
    if isinstance(cell, bool):
        return str(cell)
    if isinstance(cell, Decimal):
        return format(cell, "f")
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        try:
            d = Decimal(repr(cell))
        except InvalidOperation:
            return repr(cell)
        if d.as_tuple().exponent < -6:  # float noise from a formula: keep the cents
            d = d.quantize(Decimal("0.01"))
        return format(d, "f")
    return str(cell)


# ---- step 2: grid → statement blocks --------------------------------------------------------

def grid_to_blocks(grid: list[list[Cell]], sheet_name: str) -> list[tuple[str, str, str, list[list[Cell]]]]:
    """``(title, kind, scope, rows)`` for each statement titled in the sheet (or named by it)."""
    starts: list[tuple[int, str, str, str]] = []
    for r, row in enumerate(grid):
        texts = [_text(c) for c in row if _text(c)]
        if not texts or len(texts) > 3:
            continue
        title = match_title(texts[0]) or (match_title(" ".join(texts)) if len(texts) > 1 else None)
        if title and title.kind:
            starts.append((r, title.text, title.kind, title.scope))
    if not starts:
        title = match_title(re.sub(r"^\d+[-_ ]*", "", sheet_name))
        if title and title.kind:
            starts.append((0, title.text, title.kind, title.scope))
    blocks = []
    for i, (r, text, kind, scope) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(grid)
        blocks.append((text, kind, scope, grid[r:end]))
    return blocks


# ---- step 3: block → layout -------------------------------------------------------------------

def _is_value(cell: Cell) -> bool:
    if cell is None or isinstance(cell, bool):
        return False
    if isinstance(cell, (int, float, Decimal)):
        return True
    return isinstance(cell, str) and is_value_token(cell) and not ROWNO_HEAD.match(cell.strip())


def _is_label(cell: Cell) -> bool:
    t = _text(cell) if isinstance(cell, str) else ""
    return bool(t) and not is_value_token(t)


def block_to_layout(rows: list[list[Cell]]) -> _Layout | None:
    width = max((len(r) for r in rows), default=0)
    grid = [list(r) + [None] * (width - len(r)) for r in rows]
    # the first data row: a label followed by at least one number
    data_start = None
    for r, row in enumerate(grid):
        if any(_is_label(c) for c in row[:3]) and any(isinstance(c, (int, float, Decimal)) or
                                                       (isinstance(c, str) and _is_value(c) and not _is_dash(c))
                                                       for c in row[1:]):
            if r > 0 and not _header_like(grid[r]):
                data_start = r
                break
    if data_start is None:
        return None
    # the header rows: the rows just above the data with period-like text
    header_rows: list[int] = []
    r = data_start - 1
    while r >= 0:
        if _header_like(grid[r]):
            header_rows.insert(0, r)
        elif header_rows and not _mostly_blank_or_unit(grid[r]):
            break
        elif not header_rows and any(_is_value(c) and not _is_dash(c) for c in grid[r]):
            break  # a row of figures above: not a heading between header and data
        r -= 1
    if not header_rows:
        return None
    data_start = header_rows[-1] + 1
    data = grid[data_start:]
    # column roles
    head_text = [" ".join(_text(grid[h][c]) for h in header_rows if _text(grid[h][c])) for c in range(width)]
    role: list[str] = []
    for c in range(width):
        col_cells = [row[c] for row in data]
        labels = sum(_is_label(x) for x in col_cells)
        values = sum(_is_value(x) for x in col_cells)
        last_head = _text(grid[header_rows[-1]][c])
        if ROWNO_HEAD.match(last_head):
            role.append("row_no")
        elif NOTE_HEAD.match(last_head):
            role.append("note")
        elif labels > values and labels >= 2:
            role.append("label")
        elif values >= 1 and (head_text[c] or _group_header(grid, header_rows, c)):
            role.append("value")
        else:
            role.append("")
    sides = []
    for c, kind in enumerate(role):
        if kind == "label":
            sides.append([c, None, None, []])
        elif sides and kind == "row_no":
            sides[-1][1] = c
        elif sides and kind == "note":
            sides[-1][2] = c
        elif sides and kind == "value":
            sides[-1][3].append(c)
    sides = [tuple(s) for s in sides if s[3]]
    if not sides:
        return None
    return _Layout(header_rows=header_rows, data_start=data_start, sides=sides)  # type: ignore[arg-type]


def _is_dash(cell: Cell) -> bool:
    return isinstance(cell, str) and is_value_token(cell) and not re.search(r"\d", cell)


def _period_hint(text: str) -> bool:
    """Period words, a year, or a date in any form the header reader knows ("Dec-25", "Q3 FY26", "31/12/2025")."""
    return bool(_PERIOD_HINT.search(text)) or looks_dated(text)


def _header_like(row: list[Cell]) -> bool:
    """A column-header row: period words, years or date cells over the value columns, no figures."""
    if not any(_text(c) for c in row[1:]):
        return False  # text in the first column alone is a title line ("As at 30 June 2026")
    texts = [_text(c) for c in row if isinstance(c, str) and _text(c)]
    if any(_TITLE_LINE.search(t) for t in texts):
        return False
    hits = sum(bool(_period_hint(t)) or bool(ROWNO_HEAD.match(t)) or bool(_LABEL_HEAD.match(t))
               or t.upper().replace("'", "").endswith("000") for t in texts)
    hits += sum(isinstance(c, dt.date) for c in row[1:])  # Excel date cells: a datetime, or a serial under a date format
    numbers = sum(isinstance(c, (float, Decimal)) for c in row)
    years = sum(isinstance(c, int) and 1990 <= c <= 2100 for c in row)
    return (hits >= 1 or years >= 1) and numbers == 0


def _header_text(cell: Cell, *, zh: bool) -> str:
    """A header cell as the header reader reads it: a date cell as the date it shows (2025年12月31日 in a
    Chinese statement, 2025-12-31 in another), a year cell as its digits."""
    if isinstance(cell, dt.date) and not zh:
        return cell.strftime("%Y-%m-%d")
    return str(cell) if isinstance(cell, int) and not isinstance(cell, bool) else _text(cell)


def _mostly_blank_or_unit(row: list[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and (not c.strip() or c.strip().startswith("("))) for c in row)


def _group_header(grid: list[list[Cell]], header_rows: list[int], c: int) -> str:
    """The text of a header cell spanning ``c`` from the left (merged or left-aligned group)."""
    for h in header_rows:
        for x in range(c - 1, -1, -1):
            t = _text(grid[h][x])
            if t:
                if _period_hint(t):
                    return t
                break
    return ""


# ---- step 4: layout → Statement ---------------------------------------------------------------

def layout_to_statement(rows: list[list[Cell]], kind: str, scope: str, title: str, page: int,
                        doc_text: str) -> Statement | None:
    lay = block_to_layout(rows)
    if lay is None:
        figures = sum(any(_is_label(c) for c in r[:3]) and any(isinstance(c, (int, float, Decimal)) and not isinstance(c, bool)
                                                              for c in r[1:]) for r in rows)
        if figures >= 3:  # a titled statement with figures but no header row that dates them: said, not dropped silently
            raise ValueError(f"{title}: {figures} rows of figures, but no column header above them names a period")
        return None
    width = max(len(r) for r in rows)
    grid = [list(r) + [None] * (width - len(r)) for r in rows]
    above = "\n".join(" ".join(_text(c) for c in grid[r] if _text(c)) for r in range(lay.header_rows[0]))
    header_text = "\n".join(" ".join(_text(c) for c in grid[h] if _text(c)) for h in lay.header_rows)
    info = detect_unit(above + "\n" + header_text)
    unit = info.unit or 1
    currency = info.currency or ("CNY" if re.search(r"[\u4e00-\u9fff]", above + header_text) else "USD")
    report = detect_report_period(above) or detect_report_period(doc_text)
    flow = kind != "balance_sheet"
    words = above + " ".join(_text(grid[h][c]) for h in lay.header_rows for c in range(width) if isinstance(grid[h][c], str))
    zh = bool(re.search(r"[\u4e00-\u9fff]", words))  # date cells rendered in Chinese are no Chinese words
    label_col, _, _, value_cols = lay.sides[0]
    headers = []
    for c in value_cols:
        parts = []
        for h in lay.header_rows:
            t = _header_text(grid[h][c], zh=zh)
            if not t:
                t = _group_header(grid, [h], c)
            if t and not t.upper().replace("'", "").endswith("000") and not t.startswith("("):
                parts.append(t)
        headers.append(" ".join(parts))
    if report is None and any(fiscal_quarter(h.lower()) for h in headers):
        report = document_period(above)  # "For the quarterly period ended …" fixes the calendar of "Q3 FY26" headers
    columns, period_warnings = resolve_columns(headers, flow=flow, report=report, context=above,
                                               week_calendar=bool(_WEEK_CALENDAR.search(doc_text)))
    if not any(c.period_end for c in columns):
        why = f" ({period_warnings[0]})" if period_warnings else ""
        raise ValueError(f"{title}: no period could be read from the column headers {[c.label for c in columns]}{why}")
    items, notes, row_nos = [], [], []
    for label_c, rowno_c, note_c, vcols in lay.sides:
        if len(vcols) != len(value_cols):
            continue
        for row in grid[lay.data_start:]:
            label = _text(row[label_c])
            cells = [row[c] for c in vcols]
            texts = [_text(c) for c in cells]
            if not label or (_LABEL_HEAD.match(label) and not any(texts)):
                continue
            items.append((label, texts, page, None))
            notes.append(_text(row[note_c]) or None if note_c is not None else None)
            row_nos.append(_text(row[rowno_c]) or None if rowno_c is not None else None)
    if not items:
        return None
    st = build_statement(kind, scope, title, columns, items, unit, currency, [page], notes=notes, row_nos=row_nos)
    st.warnings[:0] = period_warnings
    return st

