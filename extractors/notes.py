"""Inspection notes (现场检查记录 / site-visit reports) → a typed ``ParsedNote``.

``read_note_file(path)`` reads a .txt/.md, .docx or text-based .pdf note;
``parse_note(text)`` pulls out, in Chinese or English phrasing:

* visit date, inspector, site (labelled lines such as ``检查日期：`` / ``Date of visit:``),
* progress actual vs planned (percent), cost spent vs budget (base units: 万元 ×10,000,
  亿元 ×100,000,000, "million" ×1,000,000 …),
* operating status (normal | reduced | stopped | unknown; a negated mention such as
  ``未停产`` or "not stopped" does not count),
* problems found (the items under ``发现问题`` / "Problems found" and similar headings).

A field that is not stated is ``None`` — never guessed. The full text is kept for
retrieval. The steps are named: ``text_to_fields → fields_to_note``; the store converts
the ``ParsedNote`` to its own record (extractors never import assistant).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from extractors.errors import UnsupportedFormatError

OperatingStatus = Literal["normal", "reduced", "stopped", "unknown"]


class ParsedNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visit_date: dt.date | None = None
    inspector: str | None = None
    site: str | None = None
    progress_actual: Decimal | None = Field(default=None, description="percent complete")
    progress_planned: Decimal | None = Field(default=None, description="percent planned by the visit date")
    cost_spent: Decimal | None = Field(default=None, description="base currency units")
    cost_budget: Decimal | None = None
    operating_status: OperatingStatus = "unknown"
    problems: list[str] = Field(default_factory=list)
    language: Literal["zh", "en"] = "zh"
    text: str = ""
    source: str | None = None  # file name
    pages: int = 1


# ------------------------------------------------------------------ reading files


def read_note_file(path: str | Path, *, max_pages: int = 200) -> ParsedNote:
    """Read a note from .txt/.md, .docx or .pdf and parse it."""
    from extractors.document import open_pdf, sniff_format

    path = Path(path)
    kind = sniff_format(path)
    pages = 1
    if kind == "text":
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
    elif kind == "docx":
        text = _docx_text(path)
    elif kind == "pdf":
        pdf = open_pdf(path, max_pages=max_pages)
        text, pages = "\n".join(pdf.page_texts), pdf.page_count
    else:
        raise UnsupportedFormatError(f"{path.name}: an inspection note must be text, Markdown, DOCX or PDF", path=str(path))
    note = parse_note(text, source=path.name)
    note.pages = pages
    return note


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]  # merged cells repeat
            if len(cells) == 2:
                lines.append(f"{cells[0]}：{cells[1]}")
            elif cells:
                lines.append("  ".join(cells))
    return "\n".join(lines)


# ------------------------------------------------------------------ parsing


def parse_note(text: str, *, source: str | None = None) -> ParsedNote:
    """Parse an inspection note's text (Chinese or English)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fields = text_to_fields(text)
    return ParsedNote(**fields, text=text, source=source)


def text_to_fields(text: str) -> dict:
    flat = _normalise(text)
    actual, planned = _progress(flat)
    spent, budget = _costs(flat)
    return {
        "language": "zh" if len(_CJK.findall(text)) >= 10 else "en",
        "visit_date": _visit_date(flat),
        "inspector": _labelled(flat, _INSPECTOR_LABELS),
        "site": _labelled(flat, _SITE_LABELS),
        "progress_actual": actual,
        "progress_planned": planned,
        "cost_spent": spent,
        "cost_budget": budget,
        "operating_status": _status(flat),
        "problems": _problems(flat),
    }


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _normalise(text: str) -> str:
    """Full-width digits, colons and percent signs to ASCII; Markdown emphasis dropped."""
    table = {ord("："): ":", ord("％"): "%", ord("，"): "，", ord("（"): "(", ord("）"): ")"}
    table.update({0xFF10 + i: ord("0") + i for i in range(10)})
    text = text.translate(table)
    return re.sub(r"\*\*|__", "", text)


# --- labelled fields

_LABEL_SEP = r"\s*[:]\s*"
_INSPECTOR_LABELS = ("检查人员", "检查人", "走访人员", "调查人员", "调查人", "检查经办人", "经办人", "客户经理",
                     "inspectors", "inspector", "inspected by", "visited by", "visiting officer", "officer")
_SITE_LABELS = ("检查地点", "现场地点", "项目地点", "项目现场", "检查对象", "项目名称", "地点",
                "site", "location", "project site", "project")


def _labelled(text: str, labels: tuple[str, ...]) -> str | None:
    for label in labels:
        pattern = rf"(?im)^[\s#>*\-•]*{re.escape(label)}{_LABEL_SEP}(.+?)\s*$"
        m = re.search(pattern, text)
        if m:
            value = m.group(1).strip(" 。.;；,，")
            if value:
                return value
    return None


# --- dates

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"])}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_DATE_PATTERNS = (
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b"), "dmy"),
    (re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"), "mdy"),
)
_DATE_LABELS = ("检查日期", "检查时间", "现场检查日期", "走访日期", "调查日期", "日期", "时间",
                "date of visit", "visit date", "date of inspection", "inspection date", "visited on", "date")


def _dates_in(s: str) -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(s):
            try:
                if order == "ymd":
                    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                elif order == "dmy":
                    d, mo, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
                else:
                    mo, d, y = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
                found.append((m.start(), dt.date(y, mo, d)))
            except (KeyError, ValueError):
                continue
    return sorted(found)


def _visit_date(text: str) -> dt.date | None:
    for label in _DATE_LABELS:
        m = re.search(rf"(?im)^[\s#>*\-•]*{re.escape(label)}\s*[:]?\s*(.+)$", text)
        if m:
            dates = _dates_in(m.group(1))
            if dates:
                return dates[0][1]
    dates = _dates_in(text)
    return dates[0][1] if dates else None


# --- progress

_NUM = r"(\d+(?:\.\d+)?)"
_ACTUAL = (
    rf"(?<!计划)(?:实际进度|实际完成|形象进度|工程进度|施工进度|完成进度|建设进度|已完成)[^0-9\n%;；。]{{0,12}}?{_NUM}\s*%",
    rf"(?i)actual(?:\s+progress)?[^0-9\n%;.]{{0,20}}?{_NUM}\s*%",
    rf"(?i){_NUM}\s*%\s*(?:complete|completed|done|actual)",
    rf"(?i)(?:progress|completion)[^0-9\n%;.]{{0,20}}?{_NUM}\s*%",
    rf"(?<!计划)进度[^0-9\n%;；。]{{0,8}}?{_NUM}\s*%",
)
_PLANNED = (
    rf"(?:计划进度|计划应完成|计划完成|按计划应达到|计划|应完成)[^0-9\n%;；。]{{0,8}}?{_NUM}\s*%",
    rf"(?i)(?:planned|scheduled|plan(?:ned)?\s+of|target(?:ed)?|per\s+plan|plan)[^0-9\n%;.]{{0,20}}?{_NUM}\s*%",
    rf"(?i){_NUM}\s*%\s*(?:planned|scheduled|per\s+plan|target)",
)


def _first(patterns: tuple[str, ...], text: str, *, avoid: int | None = None) -> tuple[Decimal | None, int | None]:
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            if avoid is not None and m.start(1) == avoid:
                continue
            return Decimal(m.group(1)), m.start(1)
    return None, None


def _progress(text: str) -> tuple[Decimal | None, Decimal | None]:
    planned, planned_at = _first(_PLANNED, text)
    actual, _ = _first(_ACTUAL, text, avoid=planned_at)
    return actual, planned


# --- costs

_AMOUNT = (r"(CNY|RMB|USD|US\$|HK\$|\$|¥|￥|人民币)?\s*(\d[\d,]*(?:\.\d+)?)(?![\d.,]|\s*%)\s*"
           r"(亿元|亿|万元|万|千元|元|billion|bn|million|mn|m\b|thousand|k\b)?")
_SCALE = {"亿元": 10**8, "亿": 10**8, "万元": 10**4, "万": 10**4, "千元": 10**3, "元": 1, "billion": 10**9, "bn": 10**9,
          "million": 10**6, "mn": 10**6, "m": 10**6, "thousand": 10**3, "k": 10**3}
_SPENT = (
    rf"(?:累计完成投资额?|已完成投资额?|累计投资|累计投入(?:资金)?|已投入(?:资金)?|累计支出|已支出|实际支出|已发生成本|累计完成)[^0-9\n;；。]{{0,8}}?{_AMOUNT}",
    rf"(?i)(?:spent|incurred|costs?\s+to\s+date|expenditure\s+to\s+date|invested|disbursed\s+on\s+works)[^0-9\n;]{{0,25}}?{_AMOUNT}",
)
_BUDGET = (
    rf"(?:总投资预算|投资预算|预算总额|总预算|计划总投资|概算总投资|批复概算|项目总投资|总投资|预算)[^0-9\n;；。]{{0,8}}?{_AMOUNT}",
    rf"(?i)(?:budget(?:ed)?|total\s+(?:project\s+)?cost|approved\s+cost)[^0-9\n;]{{0,20}}?{_AMOUNT}",
    rf"(?i){_AMOUNT}\s*(?:total\s+)?budget",
)


def _amount(m: re.Match) -> Decimal | None:
    """An amount with a currency or a unit; a bare number (a count, a percent) is not money."""
    currency, number, unit = m.group(1), m.group(2), (m.group(3) or "").lower()
    if not currency and not unit:
        return None
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    value *= _SCALE.get(unit, 1)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _find_amount(patterns: tuple[str, ...], text: str, avoid: set[int]) -> tuple[Decimal | None, int | None]:
    for pattern in patterns:
        for m in re.finditer(pattern, text):
            if m.start(2) in avoid:
                continue
            value = _amount(m)
            if value is not None:
                return value, m.start(2)
    return None, None


def _costs(text: str) -> tuple[Decimal | None, Decimal | None]:
    spent, at = _find_amount(_SPENT, text, set())
    budget, _ = _find_amount(_BUDGET, text, {at} if at is not None else set())
    return spent, budget


# --- operating status

_NEGATION = re.compile(r"(?:未|没有|无|并未|未见|未发现|不存在|并非|非)\s*$|(?i:\b(?:no|not|never|without)\s+(?:\w+\s+){0,2}$)")
_REDUCED = ("部分停产", "部分停工", "半停产", "减产", "限产", "开工不足", "产能利用率下降", "间歇性停产",
            "reduced capacity", "reduced output", "partial shutdown", "partially stopped", "partly idle",
            "running below capacity", "scaled back", "reduced production", "reduced operations")
_STOPPED = ("全面停产", "全面停工", "停产", "停工", "停业", "停运", "歇业", "处于停滞",
            "production stopped", "production has stopped", "production halted", "production suspended",
            "operations suspended", "operations stopped", "operations halted", "work stopped", "works stopped",
            "construction stopped", "construction halted", "construction suspended", "plant was idle",
            "plant is idle", "site was idle", "site is idle", "shut down", "shutdown", "ceased operations", "ceased production")
_NORMAL = ("生产经营正常", "经营正常", "运营正常", "正常生产", "正常运营", "生产正常", "运行正常", "施工正常", "正常施工",
           "operating normally", "normal operation", "operations normal", "operations are normal", "running normally",
           "production normal", "in normal operation", "fully operational")


def _mentions(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of non-negated mentions of ``terms``."""
    hits: list[tuple[int, int]] = []
    lower = text.lower()
    for term in terms:
        for m in re.finditer(re.escape(term.lower()), lower):
            before = text[max(0, m.start() - 12):m.start()]
            if _NEGATION.search(before):
                continue
            if any(s <= m.start() < e for s, e in hits):
                continue
            hits.append((m.start(), m.end()))
    return hits


def _status(text: str) -> OperatingStatus:
    reduced = _mentions(text, _REDUCED)
    stopped = [h for h in _mentions(text, _STOPPED) if not any(s <= h[0] < e for s, e in reduced)]
    if stopped:
        return "stopped"
    if reduced:
        return "reduced"
    if _mentions(text, _NORMAL):
        return "normal"
    return "unknown"


# --- problems

_PROBLEM_HEAD = re.compile(
    r"(?im)^[\s#>*\-•]*(?:[一二三四五六七八九十]+[、.]\s*|\d+[、.]\s*)?"
    r"(?:发现(?:的)?问题|存在(?:的)?问题|主要问题|问题及风险|风险提示|问题|problems?\s+found|issues?\s+found|"
    r"problems?|issues?|findings|concerns)\s*[:]?\s*(.*)$")
_ITEM = re.compile(r"^\s*(?:[-*•·]|\(?\d+[).、.]|（\d+）|[①-⑩])\s*(.+?)\s*$")
_SECTION = re.compile(r"^\s*(?:#+\s|[一二三四五六七八九十]+[、.]|[A-Za-z][A-Za-z ]{2,30}:\s*$|[\u4e00-\u9fff]{2,10}:\s*$)")


def _problems(text: str) -> list[str]:
    out: list[str] = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _PROBLEM_HEAD.match(line)
        if not m:
            continue
        inline = m.group(1).strip()
        if inline and not re.fullmatch(r"(?i)(无|none|nil|n/a|没有)[。.]?", inline):
            out += [p.strip(" 。.") for p in re.split(r"[；;]", inline) if p.strip(" 。.")]
        for follow in lines[i + 1:]:
            if not follow.strip():
                if out:
                    break
                continue
            item = _ITEM.match(follow)
            if item:
                out.append(item.group(1).strip(" ；;。."))
                continue
            if _SECTION.match(follow):
                break
            break
        if out:
            break
    return out
