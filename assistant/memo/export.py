"""Word and PDF exports of a stored memo text: what the officer saved, or what was approved.

The export is the stored Markdown itself — the officer's saved edits included — read line by
line (``parse_markdown``): headings as written, paragraphs, bullets, quotes, tables,
captions, notes and the numbered sources. Only Markdown syntax changes form (``**bold**``
becomes bold, ``[^3]`` a superscript ``[3]``, ``\\|`` a bar). The metadata comment
``<!-- loanwatch-memo … -->`` is never printed: it travels in the document properties (PDF
keywords as ``loanwatch-memo:<base64 JSON>``, Word ``comments``), so ``memo verify FILE``
still finds the client and period.

Every page is A4 with a header (client, period, bank), a page number, and — until the memo
is approved — a DRAFT mark; the last block is the sign-off (prepared by / approved by, with
dates). ``memo_text`` reads an export back without the header, footer and sign-off lines.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.memo.model import Cell, CellSource, Paragraph, Run, Table
from assistant.memo.render_md import META_PREFIX, META_SUFFIX, read_meta

SIGNOFF_MARK = {"zh": "签批记录", "en": "Sign-off"}
DRAFT_MARK = {"zh": "草稿 DRAFT — 未经审批", "en": "DRAFT — not approved"}
KEYWORD_PREFIX = "loanwatch-memo:"
_PAGE_FOOTER = re.compile(r"^\s*(?:第\s*\d+\s*页|Page\s+\d+)\s*$")


@dataclass
class SignOff:
    """Who wrote and who approved the exported version (dates as stored)."""

    version: int
    stage: str
    prepared_by: list[str] = field(default_factory=list)
    prepared_on: dt.date | None = None
    submitted_by: str = ""
    approved_by: str = ""
    approved_on: dt.date | None = None

    @property
    def approved(self) -> bool:
        return self.stage == "approved"


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class SourceLine:
    n: int
    text: str


Item = Heading | Paragraph | Table | SourceLine


# ---------------------------------------------------------------- Markdown → blocks

_CITE = re.compile(r"\[\^(\d{1,3})\]")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_SOURCE = re.compile(r"^\[\^(\d{1,3})\]:\s?(.*)$")


def _runs(text: str) -> list[Run]:
    """Text with ``**bold**`` and ``[^n]`` citations as runs (a citation attaches to the text before it)."""
    runs: list[Run] = []
    pos = 0
    for m in _BOLD.finditer(text):
        runs += _plain_runs(text[pos:m.start()], strong=False)
        runs += _plain_runs(m.group(1), strong=True)
        pos = m.end()
    runs += _plain_runs(text[pos:], strong=False)
    return runs or [Run(text="")]


def _plain_runs(text: str, *, strong: bool) -> list[Run]:
    out: list[Run] = []
    pos = 0
    for m in _CITE.finditer(text):
        chunk = text[pos:m.start()]
        if chunk or not out:
            out.append(Run(text=chunk, strong=strong))
        out[-1].cites.append(int(m.group(1)))
        pos = m.end()
    if text[pos:]:
        out.append(Run(text=text[pos:], strong=strong))
    return out


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = re.split(r"(?<!\\)\|", body)
    return [c.strip().replace("\\|", "|") for c in cells]


def _cell(text: str) -> Cell:
    cites = [int(n) for n in _CITE.findall(text)]
    plain = _CITE.sub("", text)
    numeric = bool(re.search(r"\d", plain))
    return Cell(text=plain, source=CellSource(kind="fact", cites=cites) if numeric else None)


def parse_markdown(text: str) -> list[Item]:
    """The stored Markdown as export blocks; the metadata comment is dropped."""
    items: list[Item] = []
    lines = text.splitlines()
    i = 0
    caption = ""
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        i += 1
        if not stripped or (stripped.startswith(META_PREFIX.strip()) and stripped.endswith(META_SUFFIX.strip())):
            continue
        if stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            items.append(Heading(level, stripped[level:].strip()))
            continue
        m = _SOURCE.match(stripped)
        if m:
            items.append(SourceLine(int(m.group(1)), m.group(2)))
            continue
        if stripped.startswith("|"):
            rows = [stripped]
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append(lines[i].strip())
                i += 1
            header = _split_row(rows[0])
            body = [r for r in rows[1:] if not re.fullmatch(r"\|?[\s:\-|]+\|?", r)]
            aligns = ["r" if c.strip().endswith(":") else "l" for c in _split_row(rows[1])] if len(rows) > 1 else []
            table = Table(caption=caption, header=header, rows=[[_cell(c) for c in _split_row(r)] for r in body],
                          align=aligns if len(aligns) == len(header) else [])
            width = len(header)
            table.rows = [(row + [Cell(text="")] * width)[:width] for row in table.rows]
            items.append(table)
            caption = ""
            continue
        if re.fullmatch(r"\*[^*].*\*", stripped) and i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("|")):
            caption = stripped[1:-1]
            nxt = i
            while nxt < len(lines) and not lines[nxt].strip():
                nxt += 1
            if nxt < len(lines) and lines[nxt].strip().startswith("|"):
                continue
            items.append(Paragraph(style="body", runs=[Run(text=caption)]))
            caption = ""
            continue
        sub = re.fullmatch(r"<sub>(.*)</sub>", stripped)
        if sub and items and isinstance(items[-1], Table):
            items[-1].notes.append(sub.group(1))
            continue
        if stripped.startswith(("- ", "* ")):
            items.append(Paragraph(style="bullet", runs=_runs(stripped[2:])))
        elif stripped.startswith(">"):
            items.append(Paragraph(style="quote", runs=_runs(stripped[1:].strip())))
        else:
            items.append(Paragraph(style="body", runs=_runs(stripped)))
    return items


def printed_text(items: list[Item]) -> str:
    """Every string an export prints from the blocks (for the font and for tests)."""
    out = []
    for item in items:
        if isinstance(item, Heading):
            out.append(item.text)
        elif isinstance(item, SourceLine):
            out.append(f"[{item.n}] {item.text}")
        elif isinstance(item, Paragraph):
            out.append(item.text)
        else:
            out += [item.caption, *item.header, *(c.text for row in item.rows for c in row), *item.notes]
    return "\n".join(out)


# ---------------------------------------------------------------- header, sign-off


def _lang(meta: dict | None) -> str:
    return (meta or {}).get("lang") or "zh"


def header_text(meta: dict | None, bank: str) -> str:
    meta = meta or {}
    parts = [meta.get("client") or "", meta.get("period") or "", bank]
    return " · ".join(p for p in parts if p)


def signoff_lines(signoff: SignOff, lang: str) -> list[str]:
    zh = lang == "zh"

    def day(d: dt.date | None) -> str:
        return d.isoformat() if d else ("—" if zh else "-")

    prepared = "、".join(signoff.prepared_by) if zh else ", ".join(signoff.prepared_by)
    prepared = prepared or ("系统" if zh else "system")
    lines = [f"{'编制人' if zh else 'Prepared by'}：{prepared}　{'日期' if zh else 'date'}：{day(signoff.prepared_on)}"
             if zh else f"Prepared by: {prepared}, date: {day(signoff.prepared_on)}"]
    if signoff.submitted_by:
        lines.append(f"提交人：{signoff.submitted_by}" if zh else f"Submitted by: {signoff.submitted_by}")
    if signoff.approved:
        lines.append(f"审批人：{signoff.approved_by}　审批日期：{day(signoff.approved_on)}" if zh
                     else f"Approved by: {signoff.approved_by}, date: {day(signoff.approved_on)}")
    else:
        lines.append("审批人：（尚未审批）" if zh else "Approved by: (not approved yet)")
    lines.append(f"版本：v{signoff.version}（{signoff.stage}）" if zh else f"Version: v{signoff.version} ({signoff.stage})")
    return lines


def keywords(meta: dict | None) -> str:
    raw = json.dumps(meta or {}, ensure_ascii=False).encode("utf-8")
    return KEYWORD_PREFIX + base64.b64encode(raw).decode("ascii")


def meta_from_pdf_bytes(data: bytes) -> dict | None:
    """The metadata an export put in the PDF keywords (None when there is none)."""
    m = re.search(rb"loanwatch-memo:([A-Za-z0-9+/=]+)", data)
    if not m:
        return None
    try:
        return json.loads(base64.b64decode(m.group(1)).decode("utf-8"))
    except (ValueError, json.JSONDecodeError):
        return None


def strip_page_furniture(text: str, meta: dict | None) -> str:
    """An export's text without its page headers, page numbers, DRAFT marks and sign-off block."""
    head = header_text(meta, "").strip()
    marks = set(DRAFT_MARK.values())
    out = []
    for line in text.splitlines():
        s = line.strip()
        if s in SIGNOFF_MARK.values():
            break
        if _PAGE_FOOTER.match(s) or s in marks or (head and s.startswith(head)):
            continue
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------- PDF


def export_pdf(text: str, signoff: SignOff, *, bank: str = "") -> bytes:
    """The stored text as an A4 PDF with header, page numbers, DRAFT mark and sign-off."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import SimpleDocTemplate, Spacer

    from assistant.memo.pdf_font import bullet_for, font_for
    from assistant.memo.render_pdf import _para_markup, _styles, _table

    meta = read_meta(text)
    lang = _lang(meta)
    items = parse_markdown(text)
    head = header_text(meta, bank)
    lines = signoff_lines(signoff, lang)
    draft = DRAFT_MARK[lang]
    font = font_for(printed_text(items) + head + "".join(lines) + draft + SIGNOFF_MARK[lang] + "第页Page0123456789")
    styles = _styles(font, lang)
    buffer = io.BytesIO()
    title = next((h.text for h in items if isinstance(h, Heading) and h.level == 1), head)
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=title, author="loanwatch", subject=head, keywords=keywords(meta),
                            invariant=1, initialFontName=font)

    def furniture(canvas, document) -> None:  # noqa: ANN001
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        width, height = A4
        canvas.drawString(18 * mm, height - 12 * mm, head)
        number = f"第 {document.page} 页" if lang == "zh" else f"Page {document.page}"
        canvas.drawCentredString(width / 2, 10 * mm, number)
        if not signoff.approved:
            canvas.setFillColor(colors.HexColor("#C00000"))
            canvas.drawRightString(width - 18 * mm, height - 12 * mm, draft)
            canvas.setFont(font, 60)
            canvas.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.12))
            canvas.translate(width / 2, height / 2)
            canvas.rotate(45)
            canvas.drawCentredString(0, 0, "DRAFT")
        canvas.restoreState()

    story: list = []
    for item in items:
        if isinstance(item, Heading):
            story.append(RLParagraph(escape(item.text), styles["title" if item.level == 1 else "h2"]))
        elif isinstance(item, SourceLine):
            story.append(RLParagraph(escape(f"[{item.n}] {item.text}"), styles["source"]))
        elif isinstance(item, Paragraph):
            bullet = bullet_for(font) if item.style == "bullet" else None
            story.append(RLParagraph(_para_markup(item), styles[item.style], bulletText=bullet))
        else:
            story.extend(_table(item, styles, doc.width))
    story.append(Spacer(1, 12))
    story.append(RLParagraph(escape(SIGNOFF_MARK[lang]), styles["h2"]))
    story += [RLParagraph(escape(line), styles["body"]) for line in lines]
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return buffer.getvalue()


# ---------------------------------------------------------------- Word


def export_docx(text: str, signoff: SignOff, *, bank: str = "") -> bytes:
    """The stored text as an A4 Word document with header, page numbers, DRAFT mark and sign-off."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, RGBColor

    from assistant.memo.render_docx import _paragraph, _prepare, _set_fonts, _set_long_property, _short, _table

    meta = read_meta(text)
    lang = _lang(meta)
    items = parse_markdown(text)
    doc = Document()
    _prepare(doc, lang)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    props = doc.core_properties
    props.title = _short(next((h.text for h in items if isinstance(h, Heading) and h.level == 1), ""))  # python-docx: ≤ 255
    props.subject = _short(header_text(meta, bank))
    _set_long_property(props, "description", json.dumps(meta or {}, ensure_ascii=False))  # = props.comments, any length
    props.author = "loanwatch"
    head = section.header.paragraphs[0]
    _set_fonts(head.add_run(header_text(meta, bank)), 8)
    if not signoff.approved:
        mark = head.add_run("　" + DRAFT_MARK[lang])
        mark.bold = True
        mark.font.color.rgb = RGBColor(0xC0, 0, 0)
        _set_fonts(mark, 8)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_fonts(foot.add_run("第 " if lang == "zh" else "Page "), 8)
    run = foot.add_run()
    for tag, value in (("w:fldChar", "begin"), ("w:instrText", "PAGE"), ("w:fldChar", "end")):
        el = OxmlElement(tag)
        if tag == "w:fldChar":
            el.set(qn("w:fldCharType"), value)
        else:
            el.set(qn("xml:space"), "preserve")
            el.text = value
        run._r.append(el)
    if lang == "zh":
        _set_fonts(foot.add_run(" 页"), 8)
    for item in items:
        if isinstance(item, Heading):
            doc.add_heading(item.text, level=min(item.level, 3))
        elif isinstance(item, SourceLine):
            para = doc.add_paragraph()
            _set_fonts(para.add_run(f"[{item.n}] {item.text}"), 9)
        elif isinstance(item, Paragraph):
            _paragraph(doc, item)
        else:
            _table(doc, item)
    doc.add_heading(SIGNOFF_MARK[lang], level=2)
    for line in signoff_lines(signoff, lang):
        _set_fonts(doc.add_paragraph().add_run(line))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def export(text: str, fmt: str, signoff: SignOff, *, bank: str = "", out: Path | None = None) -> bytes:
    """md (the stored text, unchanged), docx or pdf; written to ``out`` when given."""
    data = {"md": lambda: text.encode("utf-8"), "docx": lambda: export_docx(text, signoff, bank=bank),
            "pdf": lambda: export_pdf(text, signoff, bank=bank)}[fmt]()
    if out is not None:
        Path(out).write_bytes(data)
    return data


__all__ = ["DRAFT_MARK", "SIGNOFF_MARK", "SignOff", "export", "export_docx", "export_pdf", "meta_from_pdf_bytes",
           "parse_markdown", "printed_text", "signoff_lines", "strip_page_furniture"]
