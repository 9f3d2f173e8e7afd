"""Place statement blocks on PDF pages with reportlab; record each row's page.

Chinese text uses the built-in CID font ``STSong-Light`` (no font file needed); English
uses Helvetica. Rows are placed by hand on a canvas (not a platypus table) so a layout can
be ruled or not, side by side, wrapped, and continued across pages with or without headers,
exactly as the borrower's accounting software would print it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path

from assistant.demo.layouts import Block, Row, Style

_ZH_FONT = "STSong-Light"
_MARGIN_X = 40.0
_TOP = 42.0
_BOTTOM = 48.0
_ROWNO_W = 30.0
_NOTE_W = 48.0


def _register_fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if _ZH_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_ZH_FONT))


@dataclass
class _Col:
    x0: float
    x1: float
    align: str  # l | c | r
    kind: str  # label | row_no | note | value
    side: int = 0  # 0 left / only table, 1 right half of a side-by-side balance sheet
    index: int = 0  # value column index within its side


def _wrap(text: str, width: float, font: str, size: float, lang: str) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return [text]
    lines: list[str] = []
    if lang == "en":
        cur = ""
        for word in text.split(" "):
            trial = f"{cur} {word}".strip()
            if cur and stringWidth(trial, font, size) > width:
                lines.append(cur)
                cur = word
            else:
                cur = trial
        lines.append(cur)
        return lines
    cur = ""
    for ch in text:
        if cur and stringWidth(cur + ch, font, size) > width:
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    lines.append(cur)
    return lines


class _Canvas:
    """A canvas with a top-down cursor and page counting."""

    def __init__(self, path: Path, style: Style, lang: str) -> None:
        from reportlab.lib.pagesizes import A4, landscape
        from reportlab.pdfgen import canvas

        _register_fonts()
        self.size = landscape(A4) if style.landscape else A4
        self.c = canvas.Canvas(str(path), pagesize=self.size, pageCompression=1, invariant=1)
        self.c.setTitle("Financial statements")
        self.style = style
        self.lang = lang
        self.font = _ZH_FONT if lang == "zh" else "Helvetica"
        self.bold = _ZH_FONT if lang == "zh" else "Helvetica-Bold"
        self.page = 1
        self.y = _TOP
        self.dirty = False

    @property
    def height(self) -> float:
        return self.size[1]

    @property
    def room(self) -> float:
        return self.height - _BOTTOM - self.y

    def new_page(self) -> None:
        self.c.showPage()
        self.page += 1
        self.y = _TOP
        self.dirty = False

    def text(self, x0: float, x1: float, baseline: float, s: str, *, align: str = "l",
             size: float | None = None, bold: bool = False) -> None:
        if not s:
            return
        size = size or self.style.font_size
        font = self.bold if bold else self.font
        self.c.setFont(font, size)
        y = self.height - baseline
        if align == "r":
            self.c.drawRightString(x1 - 3, y, s)
        elif align == "c":
            self.c.drawCentredString((x0 + x1) / 2, y, s)
        else:
            self.c.drawString(x0 + 3, y, s)
        self.dirty = True

    def hline(self, x0: float, x1: float, y: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x0, self.height - y, x1, self.height - y)

    def vline(self, x: float, y0: float, y1: float, width: float = 0.5) -> None:
        self.c.setLineWidth(width)
        self.c.line(x, self.height - y0, x, self.height - y1)

    def save(self) -> int:
        self.c.showPage()
        self.c.save()
        return self.page


def _columns(block: Block, style: Style) -> list[_Col]:
    cols: list[_Col] = []
    x = _MARGIN_X
    sides = 2 if block.right_rows is not None else 1
    for side in range(sides):
        cols.append(_Col(x, x + style.label_width, "l", "label", side))
        x += style.label_width
        if block.row_no_header:
            cols.append(_Col(x, x + _ROWNO_W, "c", "row_no", side))
            x += _ROWNO_W
        if block.note_header:
            cols.append(_Col(x, x + _NOTE_W, "c", "note", side))
            x += _NOTE_W
        for i in range(len(block.columns)):
            cols.append(_Col(x, x + style.value_width, "r", "value", side, i))
            x += style.value_width
    return cols


def _draw_title(cv: _Canvas, block: Block, cols: list[_Col], continued: bool) -> None:
    s = cv.style
    x0, x1 = cols[0].x0, cols[-1].x1
    title = block.title + (("（续）" if block.lang == "zh" else " (continued)") if continued else "")
    if block.lang == "en":
        for line in block.lines[:1]:
            cv.y += s.font_size + 5
            cv.text(x0, x1, cv.y, line, align="c", size=s.font_size + 1, bold=True)
    cv.y += s.font_size + 9
    cv.text(x0, x1, cv.y, title, align="c", size=s.font_size + 4, bold=True)
    for line in block.lines[1:] if block.lang == "en" else block.lines:
        cv.y += s.font_size + 6
        align = "l" if "编制单位" in line else "c"
        cv.text(x0, x1, cv.y, line, align=align)
    cv.y += 8


def _draw_header(cv: _Canvas, block: Block, cols: list[_Col]) -> None:
    s = cv.style
    top = cv.y
    h = s.row_height
    gap = s.font_size * 1.2
    values = [c for c in cols if c.kind == "value"]
    baseline = top
    for header in block.headers:
        # a header wider than its cell wraps onto more lines ("September 30," / "2026")
        wrapped = []
        for text, a, b in header:
            width = values[b].x1 - values[a].x0 - 8
            wrapped.append((_wrap(text, width, cv.font, s.font_size, block.lang), a, b))
        if any(len(w) > 1 for w, _, _ in wrapped) and all(" Ended " in t for t, _, _ in header):
            # as filings print it, every group alike: "Three Months Ended" / "September 30,"
            wrapped = [([t.split(" Ended ", 1)[0] + " Ended", t.split(" Ended ", 1)[1]], a, b) for t, a, b in header]
        n_lines = max((len(w) for w, _, _ in wrapped), default=1)
        first = baseline + (h + s.font_size * 0.7) / 2
        for side in {c.side for c in values}:
            side_vals = [c for c in values if c.side == side]
            for lines, a, b in wrapped:
                offset = n_lines - len(lines)  # bottom-align the lines of each cell
                for i, line in enumerate(lines):
                    cv.text(side_vals[a].x0, side_vals[b].x1, first + (offset + i) * gap, line, align="c")
                if s.ruling != "grid" and a != b and block.lang == "en":
                    cv.hline(side_vals[a].x0 + 4, side_vals[b].x1 - 2, first + (n_lines - 1) * gap + 3)
        baseline += h + (n_lines - 1) * gap
    last = baseline - h + (h + s.font_size * 0.7) / 2
    for c in cols:
        if c.kind == "label":
            text = block.label_header if c.side == 0 else "负债和所有者权益（或股东权益）"
            cv.text(c.x0, c.x1, last, text, align="c" if block.lang == "zh" else "l")
        elif c.kind == "row_no":
            cv.text(c.x0, c.x1, last, block.row_no_header or "", align="c")
        elif c.kind == "note":
            cv.text(c.x0, c.x1, last, block.note_header or "", align="c")
    bottom = baseline
    if s.ruling in ("rows", "grid"):
        cv.hline(cols[0].x0, cols[-1].x1, top, 0.8)
        cv.hline(cols[0].x0, cols[-1].x1, bottom, 0.8)
    if s.ruling == "grid":
        for c in cols:
            cv.vline(c.x0, top, bottom)
        cv.vline(cols[-1].x1, top, bottom)
    cv.y = bottom


def _row_cells(row: Row | None, side_cols: list[_Col], cv: _Canvas, block: Block) -> tuple[list[str], int]:
    """Wrap the label of ``row`` for its column; return the lines and the indent in points."""
    if row is None:
        return [], 0
    label_col = next(c for c in side_cols if c.kind == "label")
    indent = int(row.indent * cv.style.font_size * (1.0 if block.lang == "zh" else 1.2))
    width = label_col.x1 - label_col.x0 - indent - 6
    font = cv.bold if row.total and block.lang == "en" else cv.font
    lines = _wrap(row.label, width, font, cv.style.font_size, block.lang)
    return lines, indent


def render_block(cv: _Canvas, block: Block) -> None:
    """Draw one statement from the cursor on, breaking pages as the layout says."""
    s = cv.style
    cols = _columns(block, s)
    lefts = [c for c in cols if c.side == 0]
    rights = [c for c in cols if c.side == 1]
    if cv.dirty and (s.start_new_page or cv.room < 10 * s.row_height):
        cv.new_page()
    _draw_title(cv, block, cols, continued=False)
    _draw_header(cv, block, cols)
    block.pages = [cv.page]
    pairs = zip_longest(block.rows, block.right_rows or [], fillvalue=None)
    first_value_row = True
    line_gap = s.font_size * 1.35
    for left, right in pairs:
        wrapped = [_row_cells(left, lefts, cv, block), _row_cells(right, rights, cv, block)]
        n_lines = max(1, len(wrapped[0][0]), len(wrapped[1][0]))
        h = s.row_height + (n_lines - 1) * line_gap
        if cv.room < h:
            cv.new_page()
            if s.repeat_header:
                _draw_title(cv, block, cols, continued=True)
                _draw_header(cv, block, cols)
            elif s.ruling != "none":
                cv.hline(cols[0].x0, cols[-1].x1, cv.y, 0.8)
            block.pages.append(cv.page)
        top = cv.y
        first_baseline = top + (s.row_height + s.font_size * 0.7) / 2
        for row, (lines, indent), side_cols in ((left, wrapped[0], lefts), (right, wrapped[1], rights)):
            if row is None:
                continue
            row.page = cv.page
            row.label_lines = lines
            label_col = next(c for c in side_cols if c.kind == "label")
            for i, line in enumerate(lines):
                cv.text(label_col.x0 + indent, label_col.x1, first_baseline + i * line_gap, line,
                        bold=row.total and block.lang == "en")
            if row.heading:
                continue
            base = first_baseline + ((len(lines) - 1) * line_gap if s.values_on_last_line else 0)
            for c in side_cols:
                if c.kind == "row_no":
                    cv.text(c.x0, c.x1, base, row.row_no or "", align="c")
                elif c.kind == "note":
                    cv.text(c.x0, c.x1, base, row.note or "", align="c")
                elif c.kind == "value":
                    text = row.printed[c.index]
                    cv.text(c.x0, c.x1, base, text, align="r")
                    dollar = s.dollar and (first_value_row or row.total) and not row.per_share
                    if dollar and row.values[c.index] is not None:
                        cv.text(c.x0 + 6, c.x1, base, "$")
        if left is not None and not left.heading:
            first_value_row = False
        cv.y = top + h
        if s.ruling == "grid":
            cv.hline(cols[0].x0, cols[-1].x1, cv.y)
            for c in cols:
                cv.vline(c.x0, top, cv.y)
            cv.vline(cols[-1].x1, top, cv.y)
        elif s.ruling == "rows" and left is not None and left.total:
            cv.hline(cols[0].x0, cols[-1].x1, top, 0.3)
    if s.ruling == "rows":
        cv.hline(cols[0].x0, cols[-1].x1, cv.y, 0.8)
    cv.y += 2 * s.row_height


def write_pdf(blocks: list[Block], style: Style, lang: str, path: str | Path, *, cover: list[str] | None = None) -> int:
    """Write every block to ``path``; set each row's page; return the page count.

    ``cover``: lines printed on a first page of their own (a report's cover: 证券代码 / 证券简称 …).
    """
    cv = _Canvas(Path(path), style, lang)
    if cover:
        for i, line in enumerate(cover):
            cv.text(_MARGIN_X, cv.size[0] - _MARGIN_X, _TOP + 40 + 24 * i, line, size=12)
        cv.new_page()
    for block in blocks:
        render_block(cv, block)
    return cv.save()
