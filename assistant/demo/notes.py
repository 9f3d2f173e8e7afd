"""Generated inspection notes (现场检查记录) and filings (公告) for the demo portfolio.

``inspection_text(visit)`` writes a note in the phrasing credit officers use, so the note
parser (``extractors.notes``) reads back the visit date, inspector, site, progress, cost,
operating status and problems; ``filing_text`` writes a short announcement. The writers
put either on disk as .txt, .md, .docx or a text PDF — the formats borrowers and officers
actually send.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

_ZH_FONT = "STSong-Light"


@dataclass
class Visit:
    """What the officer saw on one site visit (the truth the note's parser must read back)."""

    company: str
    day: dt.date
    inspector: str
    site: str
    status: str  # normal | reduced (the wording below is chosen to match)
    progress: tuple[int, int] | None = None  # (actual %, planned %) while under construction
    cost: tuple[Decimal, Decimal] | None = None  # (spent, budget) in 万元
    operations: str = ""  # a sentence on operations (output, traffic, occupancy …)
    problems: list[str] = field(default_factory=list)
    measures: str = "持续跟踪项目进展，按季度收集财务报表。"


def _wan(amount: Decimal) -> str:
    return f"{amount:,.0f}万元"


def inspection_text(v: Visit) -> str:
    """The note as an officer writes it (Chinese, numbered sections)."""
    lines = [
        f"{v.company}贷后现场检查记录",
        f"检查日期：{v.day.year}年{v.day.month}月{v.day.day}日",
        f"检查人：{v.inspector}",
        f"检查地点：{v.site}",
    ]
    n = 1
    numerals = "一二三四五六七"
    if v.progress is not None:
        actual, planned = v.progress
        gap = planned - actual
        tail = f"滞后{gap}个百分点" if gap > 0 else "与计划基本一致"
        lines.append(f"{numerals[n - 1]}、项目进度：截至检查日，工程形象进度完成{actual}%，计划进度{planned}%，{tail}。")
        n += 1
    if v.cost is not None:
        spent, budget = v.cost
        lines.append(f"{numerals[n - 1]}、投资情况：累计完成投资{_wan(spent)}，总投资预算{_wan(budget)}。")
        n += 1
    status = {"normal": "企业生产经营正常。", "reduced": ""}[v.status]
    lines.append(f"{numerals[n - 1]}、经营情况：{v.operations}{status}")
    n += 1
    lines.append(f"{numerals[n - 1]}、发现问题：")
    if v.problems:
        lines.extend(f"{i}. {p}；" for i, p in enumerate(v.problems, 1))
    else:
        lines.append("1. 本次检查未发现重大问题。")
    n += 1
    lines.append(f"{numerals[n - 1]}、下一步措施：{v.measures}")
    return "\n".join(lines) + "\n"


def filing_text(company: str, day: dt.date, title: str, body: str) -> str:
    """A short announcement (公告) as a borrower publishes it."""
    return (f"{company}\n{title}\n\n本公司及董事会全体成员保证信息披露的内容真实、准确、完整。\n\n{body}\n\n"
            f"特此公告。\n\n{company}董事会\n{day.year}年{day.month}月{day.day}日\n")


# ---------------------------------------------------------------- writers


def write_note(text: str, path: Path) -> Path:
    """Write ``text`` in the format named by ``path``'s suffix (.txt, .md, .docx, .pdf)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix in (".txt", ".md"):
        body = text if suffix == ".txt" else "# " + text.replace("\n", "\n\n", 1)
        path.write_text(body, encoding="utf-8")
    elif suffix == ".docx":
        _write_docx(text, path)
    elif suffix == ".pdf":
        _write_pdf(text, path)
    else:
        raise ValueError(f"no writer for {suffix} (use .txt, .md, .docx or .pdf)")
    return path


def freeze_zip(path: Path) -> Path:
    """Make an Office file (.docx, .xlsx) reproducible: fixed entry times and document dates.

    python-docx and openpyxl stamp the current time into the zip entries and docProps/core.xml,
    so the same content would hash differently on every run (and ingest twice).
    """
    import re
    import zipfile

    fixed = b"2000-01-01T00:00:00Z"
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, i.compress_type, z.read(i.filename)) for i in z.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        for name, compress, data in entries:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + fixed + rb"\g<2>", data)
            z.writestr(zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0)), data, compress_type=compress)
    tmp.replace(path)
    return path


def _write_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    title, *rest = text.splitlines()
    document.add_heading(title, 1)
    for line in rest:
        document.add_paragraph(line)
    document.save(str(path))
    freeze_zip(path)


def _write_pdf(text: str, path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    if _ZH_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(_ZH_FONT))
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont(_ZH_FONT, 11)
    y = 800.0
    for paragraph in text.splitlines():
        line = ""
        for ch in paragraph:  # wrap by width, character by character (Chinese has no spaces)
            if stringWidth(line + ch, _ZH_FONT, 11) > 500:
                c.drawString(48, y, line)
                y, line = y - 18, ""
            line += ch
        c.drawString(48, y, line)
        y -= 18
        if y < 60:
            c.showPage()
            c.setFont(_ZH_FONT, 11)
            y = 800.0
    c.showPage()
    c.save()
