"""Render a memo as a Word document (python-docx).

Headings are Word headings, tables are real Word tables, citations are superscript
``[n]`` marks that point to the numbered endnotes of the last section ("Sources").
python-docx has no footnote API, so endnotes are ordinary numbered paragraphs. Chinese
text names an East Asian font (``w:eastAsia`` = SimSun/宋体) on the document defaults and
every style and run we write, with the template's theme fonts removed (they would win over
the names), so Word and LibreOffice pick a CJK font instead of boxes or a Japanese face. The memo's metadata (client,
period, language, digest) is kept as JSON in the core property ``comments``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from assistant.memo.model import Cell, Memo, Paragraph, Table
from assistant.memo.render_md import heading_text, memo_meta

LATIN_FONT = "Times New Roman"
EAST_ASIA_FONT = "SimSun"  # 宋体; Word falls back to it by name, LibreOffice maps it


_THEME_FONTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _name_fonts(rpr) -> None:
    """Name the Latin and East Asian fonts in ``rpr``; drop theme fonts, which win over names
    (the template's headings and defaults point at a theme whose East Asian font is empty)."""
    rfonts = rpr.get_or_add_rFonts()  # in its schema place
    for attr in _THEME_FONTS:
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:eastAsia"), EAST_ASIA_FONT)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)


def _set_fonts(style_or_run, size: float | None = None) -> None:
    if size is not None:
        style_or_run.font.size = Pt(size)
    _name_fonts(style_or_run.element.get_or_add_rPr())


def _prepare(doc, lang: str) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _name_fonts(defaults)
    if lang == "zh":  # full-width punctuation and quotes take the East Asian font
        defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")
    for name, size in (("Normal", 10.5), ("Heading 1", 16), ("Heading 2", 13), ("Caption", 9), ("List Bullet", 10.5)):
        _set_fonts(doc.styles[name], size)
    for name in ("Quote", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            _set_fonts(doc.styles[name])


def _add_cites(paragraph, cites: list[int]) -> None:
    if not cites:
        return
    run = paragraph.add_run("".join(f"[{n}]" for n in cites))
    run.font.superscript = True
    _set_fonts(run)


def _paragraph(doc, block: Paragraph) -> None:
    style = {"body": None, "bullet": "List Bullet", "quote": "Quote"}[block.style]
    para = doc.add_paragraph(style=style)
    for item in block.runs:
        run = para.add_run(item.text)
        run.bold = item.strong or None
        _set_fonts(run)
        _add_cites(para, item.cites)


def _cell(cell_obj, cell: Cell, *, bold: bool = False, right: bool = False) -> None:
    para = cell_obj.paragraphs[0]
    run = para.add_run(cell.text)
    run.bold = bold or None
    _set_fonts(run, 9)
    _add_cites(para, cell.cites)
    if right:
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _table(doc, block: Table) -> None:
    if block.caption:
        cap = doc.add_paragraph(style="Caption")
        _set_fonts(cap.add_run(block.caption), 9)
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, head in enumerate(block.header):
        _cell(table.rows[0].cells[j], Cell(text=head), bold=True)
    aligns = block.aligns()
    for i, row in enumerate(block.rows, start=1):
        for j, cell in enumerate(row):
            _cell(table.rows[i].cells[j], cell, right=aligns[j] == "r")
    for note in block.notes:
        para = doc.add_paragraph(style="Caption")
        _set_fonts(para.add_run(note), 8)


def _short(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _set_long_property(props, name: str, value: str) -> None:  # noqa: ANN001
    """A core property of any length: OOXML has no limit, python-docx refuses over 255 characters
    (the metadata ``memo verify`` reads back holds the client's name, up to 200 characters)."""
    if len(value) <= 255:
        setattr(props, "comments" if name == "description" else name, value)
        return
    props._element._get_or_add(name).text = value


def render_docx(memo: Memo, path: str | Path | None = None) -> bytes:
    """The memo as .docx bytes; also written to ``path`` when given."""
    doc = Document()
    _prepare(doc, memo.lang)
    props = doc.core_properties
    props.title = _short(memo.title)  # python-docx refuses a core property over 255 characters
    props.subject = _short(f"{memo.client} {memo.period}")
    _set_long_property(props, "description", json.dumps(memo_meta(memo), ensure_ascii=False))  # = props.comments
    props.author = "loanwatch"
    doc.add_heading(memo.title, level=1)
    for index, section in enumerate(memo.sections, start=1):
        doc.add_heading(heading_text(index, section.title), level=2)
        for block in section.blocks:
            if isinstance(block, Paragraph):
                _paragraph(doc, block)
            else:
                _table(doc, block)
        if section.key == "sources":
            for source in memo.sources:
                para = doc.add_paragraph()
                _set_fonts(para.add_run(f"[{source.n}] {source.label(memo.lang)}"), 9)
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data
