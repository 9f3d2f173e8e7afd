"""Render a memo as PDF (reportlab platypus).

Every text, Chinese and Latin, uses one CJK TrueType font whose used glyphs are embedded
(``pdf_font``), so the file renders the same in any viewer, with or without Adobe's CJK
resources; a character the font cannot draw stops the export instead of printing a box.
Lines wrap the CJK way (any character may break). Citations are superscript ``[n]`` marks that
point to the numbered sources at the end; tables are real grid tables. The memo's
metadata (client, period, language, digest) is stored as base64 JSON in the PDF keywords
(``export.keywords``) and never printed.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from assistant.memo.export import keywords
from assistant.memo.model import Cell, Memo, Paragraph, Table
from assistant.memo.pdf_font import bullet_for, font_for
from assistant.memo.render_md import META_PREFIX, META_SUFFIX, heading_text, memo_meta


def _styles(font: str, lang: str) -> dict[str, ParagraphStyle]:
    base = dict(fontName=font, bulletFontName=font, wordWrap="CJK" if lang == "zh" else None)
    # a number, its unit and its citations never split inside a table cell (no space in them;
    # "CNY 1.52 million" may wrap at its spaces, which the verifier reads back as one space)
    numeric = dict(fontName=font, bulletFontName=font, wordWrap=None, splitLongWords=0)
    return {
        "title": ParagraphStyle("title", fontSize=16, leading=22, spaceAfter=8, **base),
        "h2": ParagraphStyle("h2", fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4, **base),
        "body": ParagraphStyle("body", fontSize=10, leading=15, spaceAfter=4, **base),
        "bullet": ParagraphStyle("bullet", fontSize=10, leading=15, leftIndent=12, bulletIndent=2, spaceAfter=2, **base),
        "quote": ParagraphStyle(
            "quote", fontSize=9.5, leading=14, leftIndent=14, textColor=colors.HexColor("#333333"), spaceAfter=3, **base
        ),
        "cell": ParagraphStyle("cell", fontSize=8, leading=10.5, **base),
        "cell_r": ParagraphStyle("cell_r", fontSize=8, leading=10.5, alignment=2, **base),
        "num": ParagraphStyle("num", fontSize=8, leading=10.5, **numeric),
        "num_r": ParagraphStyle("num_r", fontSize=8, leading=10.5, alignment=2, **numeric),
        "note": ParagraphStyle("note", fontSize=7.5, leading=10, textColor=colors.HexColor("#555555"), **base),
        "source": ParagraphStyle("source", fontSize=8.5, leading=12, **base),
    }


def _cites(ns: list[int]) -> str:
    return f"<super>{''.join(f'[{n}]' for n in ns)}</super>" if ns else ""


def _para_markup(block: Paragraph) -> str:
    parts = []
    for run in block.runs:
        text = escape(run.text)
        parts.append((f"<b>{text}</b>" if run.strong else text) + _cites(run.cites))
    return "".join(parts)


_PAD = 3  # left and right padding of a table cell
_MIN_FONT = 5.0  # a figure is shrunk to fit its column, never below this


def _cell(cell: Cell, styles: dict[str, ParagraphStyle], right: bool, room: float) -> RLParagraph:
    markup = escape(cell.text) + _cites(cell.cites)
    if cell.source is None:
        return RLParagraph(markup, styles["cell_r" if right else "cell"])
    # a number: its unit and citations stay on its line, so a figure wider than its column
    # would run into the next cell (and read back glued to it): set it smaller to fit
    style = styles["num_r" if right else "num"]
    para = RLParagraph(markup, style)
    need = para.minWidth()
    if need <= room:
        return para
    size = max(_MIN_FONT, style.fontSize * room / need * 0.98)
    # smaller glyphs on the row's baseline (a smaller style font would raise the line, and a
    # reader would take it for a line of its own)
    return RLParagraph(f'<font size="{size:.2f}">{markup}</font>', style)


def _table(block: Table, styles: dict[str, ParagraphStyle], width: float) -> list:
    out: list = []
    if block.caption:
        out.append(RLParagraph(escape(block.caption), styles["note"]))
    first = width * (0.26 if len(block.header) > 3 else 0.34)
    rest = (width - first) / max(1, len(block.header) - 1)
    widths = [first] + [rest] * (len(block.header) - 1)
    data = [[RLParagraph(f"<b>{escape(h)}</b>", styles["cell"]) for h in block.header]]
    aligns = block.aligns()
    for row in block.rows:
        data.append([_cell(c, styles, aligns[j] == "r", widths[j] - 2 * _PAD) for j, c in enumerate(row)])
    table = RLTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName),  # the cell's own font, else Helvetica
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#888888")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8ECF2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
            ]
        )
    )
    out.append(table)
    for note in block.notes:
        out.append(RLParagraph(escape(note), styles["note"]))
    out.append(Spacer(1, 4))
    return out


def _strings(memo: Memo) -> Iterator[str]:
    """Every text the PDF prints (markup and citation marks are ASCII)."""
    yield memo.title
    for index, section in enumerate(memo.sections, start=1):
        yield heading_text(index, section.title)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                yield from (run.text for run in block.runs)
            else:
                yield block.caption
                yield from block.header
                yield from (cell.text for row in block.rows for cell in row)
                yield from block.notes
    yield from (source.label(memo.lang) for source in memo.sources)


def render_pdf(memo: Memo, path: str | Path | None = None) -> bytes:
    """The memo as PDF bytes; also written to ``path`` when given."""
    meta = META_PREFIX + json.dumps(memo_meta(memo), ensure_ascii=False) + META_SUFFIX
    font = font_for("".join(_strings(memo)) + meta)
    styles = _styles(font, memo.lang)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=memo.title,
        author="loanwatch",
        subject=f"{memo.client} {memo.period}",
        keywords=keywords(memo_meta(memo)),
        invariant=1,  # same memo, same bytes
        initialFontName=font,  # else every page names a non-embedded Helvetica
    )
    story: list = [RLParagraph(escape(memo.title), styles["title"])]
    for index, section in enumerate(memo.sections, start=1):
        story.append(RLParagraph(escape(heading_text(index, section.title)), styles["h2"]))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                style = styles[block.style]
                bullet = bullet_for(font) if block.style == "bullet" else None
                story.append(RLParagraph(_para_markup(block), style, bulletText=bullet))
            else:
                story.extend(_table(block, styles, doc.width))
        if section.key == "sources":
            for source in memo.sources:
                story.append(RLParagraph(escape(f"[{source.n}] {source.label(memo.lang)}"), styles["source"]))
    doc.build(story)  # the metadata rides in the keywords, never printed
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
