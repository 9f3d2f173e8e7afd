"""PDF statements: fast pass → locate → words on those pages only → statements.

The named steps::

    open_pdf (pypdfium2 text of every page)
    → locate_statements (titles, continuation pages)                    [extractors.locate]
    → page lines of the located pages only (pdfium character boxes, or   [extractors.words]
      pdfplumber words; engine "auto" re-reads doubtful statements with pdfplumber)
    → regions (a title and header at a page's foot read with the next page as one region)
    → region_to_table (columns, headers, rows)                          [extractors.layout]
    → resolve_columns (each column's period, or a warning that names it) [extractors.periods]
    → build_statement (cells, unit, keys, checks)                       [extractors.statements]
    → split_by_scope, merge_continuations, drop_duplicates (a later copy of the same
      statement and period, e.g. a table in the notes)
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from extractors import layout
from extractors.company import company_name
from extractors.document import PdfText, open_pdf
from extractors.errors import DocumentError, ScannedDocumentError
from extractors.fiscal_calendar import is_calendar_note, settle_week_calendar
from extractors.locate import Located, locate_statements, match_title, missing_statement_warnings
from extractors.models import BBox, Column, ExtractionResult, Statement
from extractors.numbers import is_dash
from extractors.periods import (
    ReportPeriod,
    date_fiscal_years,
    detect_report_period,
    document_period,
    fiscal_year_ends,
    resolve_columns,
    settle_default_span,
)
from extractors.statements import build_statement
from extractors.units import UNIT_WARNING, choose_unit, detect_currency
from extractors.words import PageLines, page_lines_pdfium, page_lines_pdfplumber

log = logging.getLogger(__name__)

MAX_STATEMENT_PAGES = 400  # the statements of a bank's annual report span a few dozen pages
MAX_FIGURES = 50_000  # per document; a long annual report holds a few thousand
MAX_CHARS_PER_PAGE = 20_000  # a statement page holds a few thousand; more is a pathological page
ENGINES = ("auto", "pdfium", "pdfplumber")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_UNREAD = re.compile(r"page (\d+): could not be read")


@dataclass
class _Region:
    page: int
    lines: list[layout.Line]
    height: float
    head_text: str = ""  # the title block text (unit, date lines) on the first page
    next_page: tuple[int, float] | None = None  # (page, offset): lines at or below offset are that page's


@dataclass
class _Collected:
    rows: list[tuple[str, list[str], int, BBox]] = field(default_factory=list)
    notes: list[str | None] = field(default_factory=list)
    row_nos: list[str | None] = field(default_factory=list)


def extract_pdf(path: str | Path, *, max_pages: int = 5000, max_file_mb: int = 200, engine: str = "auto",
                progress=None, workers: int = 2, text: PdfText | None = None) -> ExtractionResult:
    """Extract every primary statement of a text PDF; raise ``DocumentError`` when unreadable.

    ``engine`` reads the words of the statement pages: ``pdfium`` (pypdfium2's character
    boxes: milliseconds a page), ``pdfplumber`` (pdfminer: about half a second a page), or
    ``auto`` (the default): pdfium, then pdfplumber again for any statement that comes out
    doubtful (an identity check fails, a column without a period, nothing read). A scan (no
    text layer on any page) is read by OCR (``extractors.ocr``; ``progress`` hears of each page).
    ``text``: this file's ``open_pdf`` result when the caller has read it already (one text pass).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}")
    path = Path(path)
    try:
        text = text if text is not None else open_pdf(path, max_pages=max_pages, max_file_mb=max_file_mb)
    except ScannedDocumentError:
        from extractors.document import sha256_of
        from extractors.ocr import extract_scanned

        return extract_scanned([path], sha256=sha256_of(path), name=path.name, max_pages=max_pages,
                               threads=workers, progress=progress)
    warnings = list(text.warnings)
    limits: list[str] = []
    located = cap_located(locate_statements(text.page_texts), limits)
    doc_period = document_period("\n".join(text.page_texts[:3]))
    doc_is_zh = bool(_CJK.search("".join(text.page_texts[:3])[:5000]))
    statements: list[Statement] = []
    if located:
        statements, page_warnings = _extract_located(path, located, doc_period, doc_is_zh, text.page_texts, engine)
        warnings.extend(page_warnings)
        unread = sorted({int(m.group(1)) for w in page_warnings if (m := _UNREAD.match(w))})
        if unread:  # a statement page whose words could not be read: what it held is missing
            limits.append(f"the words of statement page{'s' if len(unread) > 1 else ''} {', '.join(map(str, unread))} could not be read")
    statements = cap_figures(finish_statements(statements, located, text.page_texts, warnings), limits)
    warnings.extend(limits)
    pages = sorted({p for st in statements for p in st.pages})
    return mark_partial(ExtractionResult(
        file=path.name,
        sha256=text.sha256,
        pages=text.page_count,
        company=company_name(text.page_texts, pages),
        statements=statements,
        warnings=warnings,
    ), text.damage + limits)


def cap_located(located: list[Located], limits: list[str], max_pages: int | None = None) -> list[Located]:
    """The statements found, in document order, up to ``MAX_STATEMENT_PAGES`` pages in all; what is
    left out is named in ``limits`` (a file of thousands of pages each titled as a statement must
    not take minutes to read nor write hundreds of thousands of figures)."""
    cap = max_pages or MAX_STATEMENT_PAGES
    kept: list[Located] = []
    seen: set[int] = set()
    for loc in located:
        if len(seen | set(loc.pages)) > cap:
            break
        seen |= set(loc.pages)
        kept.append(loc)
    if len(kept) < len(located):
        limits.append(f"over {cap} statement pages: only the first {len(kept)} of {len(located)} statements found were read")
    return kept


def cap_figures(statements: list[Statement], limits: list[str], max_figures: int | None = None) -> list[Statement]:
    """The statements, in order, up to ``MAX_FIGURES`` figures in all; the rest named in ``limits``."""
    cap = max_figures or MAX_FIGURES
    kept: list[Statement] = []
    total = 0
    for st in statements:
        n = sum(len(i.values) for i in st.items)
        if total + n > cap:
            break
        total += n
        kept.append(st)
    if len(kept) < len(statements):
        limits.append(f"over {cap:,} figures: only the first {len(kept)} of {len(statements)} statements were kept")
    return kept


def mark_partial(result: ExtractionResult, reasons: list[str]) -> ExtractionResult:
    """A document read only in part says so: ``partial`` holds the reasons, the document's warnings
    open with them, and every statement carries them (so its figures are flagged for review and
    kept out of decisions until an officer confirms them against the original)."""
    if not reasons:
        return result
    reason = "; ".join(dict.fromkeys(reasons))
    result.partial = f"{result.partial}; {reason}" if result.partial else reason
    result.warnings.insert(0, f"read only in part: {reason}")
    for st in result.statements:
        st.warnings.append(f"the document was read only in part ({reason}): check these figures against the original")
    return result


def finish_statements(statements: list[Statement], located: list[Located], page_texts: list[str],
                      warnings: list[str]) -> list[Statement]:
    """The steps after every statement is read, shared by text PDFs and scans: continuations joined,
    copies dropped, an undated column warned, 52/53-week years as the report states them, a start
    counted back in weeks settled by the report's calendar or refused (``settle_week_starts``), and a
    statement not found named in the document's ``warnings`` (appended in place)."""
    statements = drop_duplicates(merge_continuations(statements))
    if any(c.period_end is None for st in statements for c in st.columns):
        ends = fiscal_year_ends("\n".join(page_texts))
        for st in statements:
            date_fiscal_years(st.columns, st.warnings, ends, flow=st.kind != "balance_sheet")
    report = document_period("\n".join(page_texts[:3]))
    for st in statements:
        warn_undated_columns(st)
        warn_implausible_years(st, report.end.year if report else None)
    settle_week_calendar(statements, "\n".join(page_texts))
    warnings.extend(missing_statement_warnings([(st.kind, st.scope) for st in statements], located))
    return statements


def _extract_located(path: Path, located: list[Located], doc_period: ReportPeriod | None, doc_is_zh: bool,
                     page_texts: list[str], engine: str):
    wanted = sorted({p for loc in located for p in loc.pages})
    warnings: list[str] = []
    for p in list(wanted):  # bound the work per page before any word-level parsing
        if len(page_texts[p - 1]) > MAX_CHARS_PER_PAGE:
            warnings.append(f"page {p}: {len(page_texts[p - 1])} characters, skipped as pathological")
            wanted.remove(p)
    reader = page_lines_pdfplumber if engine == "pdfplumber" else page_lines_pdfium
    page_lines, read_warnings = reader(path, wanted)
    warnings.extend(read_warnings)
    errors: list[list[str]] = [[] for _ in located]
    results = [_safe_statement(loc, page_lines, doc_period, doc_is_zh, errors[i], page_texts) for i, loc in enumerate(located)]
    if engine == "auto":
        # a statement that came out doubtful from the fast word engine is read again with pdfplumber
        doubtful = [i for i, st in enumerate(results) if _doubt(st)]
        if doubtful:
            pages = sorted({p for i in doubtful for p in located[i].pages if p in wanted})
            try:
                plumber_lines, more = page_lines_pdfplumber(path, pages)
            except DocumentError as exc:  # the stricter parser refuses the file: keep what pdfium read
                plumber_lines, more = {}, [f"page {p}: could not be read ({exc.message})" for p in pages]
            warnings.extend(more)
            for i in doubtful:
                alt_errors: list[str] = []
                alt = _safe_statement(located[i], plumber_lines, doc_period, doc_is_zh, alt_errors, page_texts)
                if _quality(alt) > _quality(results[i]):
                    results[i], errors[i] = alt, alt_errors
    warnings.extend(e for errs in errors for e in errs)
    statements = [part for st in results if st is not None for part in split_by_scope(st)]
    return statements, warnings




def _safe_statement(loc: Located, page_lines: PageLines, doc_period, doc_is_zh: bool, warnings: list[str],
                    page_texts: list[str] | None = None) -> Statement | None:
    try:
        return _statement_of(loc, page_lines, doc_period, doc_is_zh, page_texts or [])
    except Exception as exc:  # noqa: BLE001 - a statement we cannot read is reported, not fatal
        log.exception("statement %s on pages %s failed", loc.title, loc.pages)
        warnings.append(f"{loc.title} (pages {loc.pages}): could not be read ({exc.__class__.__name__}: {exc})")
        return None


def _doubt(st: Statement | None) -> bool:
    # a start counted in weeks is a note on the calendar, and a unit taken from elsewhere a note on the
    # unit: neither is a sign of a misread page
    read_warnings = [w for w in (st.warnings if st is not None else [])
                     if not is_calendar_note(w) and not UNIT_WARNING.match(w)]
    return st is None or bool(read_warnings) or not st.columns or any(c.period_end is None for c in st.columns)


def _quality(st: Statement | None) -> tuple[int, int, int]:
    if st is None:
        return (-1, 0, 0)
    dated = sum(1 for c in st.columns if c.period_end is not None)
    mapped = sum(1 for i in st.items if i.key for v in i.values if v is not None)
    return (-len(st.warnings), dated, mapped)


def _regions(loc: Located, page_lines: dict[int, tuple[list[layout.Line], float]]) -> list[_Region]:
    """The lines of each page that belong to the statement (after its title, before the next)."""
    regions: list[_Region] = []
    for n, p in enumerate(loc.pages):
        if p not in page_lines:
            continue
        lines, height = page_lines[p]
        titles = _title_lines(lines)
        start, head = 0, ""
        if n == 0:
            mine = [(a, b) for a, b, t in titles if t.kind == loc.kind and t.scope == loc.scope]
            if mine:
                a, b = mine[min(loc.occurrence, len(mine) - 1)]
                start = b + 1
                head = " ".join(x.text for x in lines[a : min(len(lines), b + 8)])
            titles = [(a, b, t) for a, b, t in titles if a >= start]
        else:
            # a repeated title (续) on a continuation page is skipped, another title ends the region
            same = [(a, b) for a, b, t in titles if t.kind == loc.kind and t.scope == loc.scope and a < 6]
            if same:
                start = same[0][1] + 1
                titles = [(a, b, t) for a, b, t in titles if a > same[0][1]]
        end = min([a for a, b, t in titles if a >= start] or [len(lines)])
        body = _body(lines[start:end], height)
        regions.append(_Region(p, body, height, head))
    return regions


def _join_foot(regions: list[_Region]) -> list[_Region]:
    """A statement whose title and column header sit at the foot of a page, with too few figures
    there to find its columns, is read together with the next page as one region (that page's
    lines shifted below): the header printed on the page before dates the columns."""
    if len(regions) < 2 or regions[1].page != regions[0].page + 1:
        return regions
    head, nxt = regions[0], regions[1]
    if not _header_first(head.lines) or any(c.role == "value" for c in layout.find_columns(head.lines)):
        return regions
    offset = head.height
    shifted = [layout.Line([layout.Word(w.text, w.x0, w.x1, w.top + offset, w.bottom + offset) for w in x.words])
               for x in nxt.lines]
    joined = _Region(head.page, head.lines + shifted, head.height + nxt.height, head.head_text, next_page=(nxt.page, offset))
    return [joined, *regions[2:]]


def _header_first(lines: list[layout.Line]) -> bool:
    """Do the lines hold a column header (项目 / 2020 年度 / Years Ended …) before any row of figures?"""
    for line in lines:
        label, run = layout.trailing_run(line)
        if _HEADER_WORDS.search(line.text) or layout.PERIOD_WORDS.search(line.text):
            return True
        if run and label:
            return False
    return False


def _title_lines(lines: list[layout.Line]) -> list[tuple[int, int, object]]:
    from extractors.locate import find_titles

    return [(a, b, t) for a, b, t in find_titles([x.text for x in lines], max_join=4) if t is not None]


_HEADER_WORDS = re.compile(r"项目|附注|行次|余额|发生额|本期|上期|本年|上年|期末|期初|年初|本月|\bnotes?\b|\bended\b|\bas (?:of|at)\b", re.IGNORECASE)


def _body(lines: list[layout.Line], height: float) -> list[layout.Line]:
    """The lines less running heads and page numbers; a column header printed high on the page
    keeps the lines of its own cells that wrap above or below it (within a line's height)."""
    drop = [_margin(x, height) for x in lines]
    kept_heads = [x for x, d in zip(lines, drop) if not d and x.top < 0.07 * height and _HEADER_WORDS.search(x.text)]
    for i, x in enumerate(lines):
        if drop[i] and x.bottom < 0.94 * height and any(
                abs(x.top - h.top) <= 1.2 * (h.bottom - h.top) + 2 for h in kept_heads):
            drop[i] = False
    # a row printed at the very top of a continuation page: its figures (amounts, never a running head)
    # and the label lines wrapped just above and below them
    for i, x in enumerate(lines):
        if drop[i] and x.top < 0.07 * height and _amounts_only(x):
            drop[i] = False
            for j in (i - 1, i + 1):
                if 0 <= j < len(lines) and drop[j] and abs(lines[j].top - x.top) <= 1.6 * (x.bottom - x.top) + 2 \
                        and not layout.trailing_run(lines[j])[1]:
                    drop[j] = False
    return [x for x, d in zip(lines, drop) if not d]


_AMOUNT = re.compile(r"[(\-−]?\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?|[(\-−]?\d+\.\d{2}\)?")


def _amounts_only(line: layout.Line) -> bool:
    return len(line.words) >= 1 and all(_AMOUNT.fullmatch(w.text) or w.text in ("-", "—", "–") for w in line.words) and any(
        _AMOUNT.fullmatch(w.text) for w in line.words)


def _margin(line: layout.Line, height: float) -> bool:
    """Running heads and page numbers in the top or bottom 7% of the page, without figures."""
    label_words, run = layout.trailing_run(line)
    label = layout.join_words(label_words)
    if line.bottom > 0.85 * height and not re.search(r"[A-Za-z\u4e00-\u9fff]", label) and len(line.words) <= 4 and not any(
            re.search(r"\d[,.]\d", w.text) or _AMOUNT.fullmatch(w.text) for w in line.words):
        return True  # a page number ("57 / 120"), not a row's amounts printed on a line of their own
    if line.top > 0.07 * height and line.bottom < 0.94 * height:
        return False
    if _HEADER_WORDS.search(line.text):
        return False  # a column header printed high on the page
    return not run or not re.search(r"[A-Za-z\u4e00-\u9fff]", label)


def _statement_of(loc: Located, page_lines, doc_period: ReportPeriod | None, doc_is_zh: bool,
                  page_texts: list[str]) -> Statement | None:
    regions = _join_foot(_regions(loc, page_lines))
    if not regions:
        return None
    first = regions[0]
    head_text = first.head_text + " " + " ".join(x.text for r in regions[:2] for x in r.lines[:8])
    report = settle_default_span(detect_report_period(first.head_text) or doc_period, f"{loc.title} {first.head_text}")
    flow = loc.kind != "balance_sheet"

    split = layout.split_side_by_side(first.lines)
    halves = [(None, split), (split, None)] if split else [(None, None)]
    base_columns: list[layout.ValueColumn] | None = None
    base_note_range: tuple[float, float] | None = None
    columns: list[Column] = []
    period_warnings: list[str] = []
    collected = _Collected()
    last_row: layout.Row | None = None
    ended = False
    for r in regions:
        if ended:
            break
        for lo, hi in halves:
            lines = _cut(r.lines, lo, hi)
            if not lines:
                continue
            cols = layout.find_columns(lines)
            first_data = _first_data(lines, cols)
            header_lines = layout.find_header_lines(lines, first_data, cols) if first_data is not None else []
            note_range = layout.classify_columns(cols, header_lines, lines[first_data or 0 :])
            if note_range is None and base_note_range is not None and not header_lines:
                note_range = base_note_range  # a continuation page without its header
            elif note_range is not None and base_columns is None:
                base_note_range = note_range
            value_cols = [c for c in cols if c.role == "value"]
            continuation = base_columns is not None
            start = first_data
            if continuation and first_data is not None:
                start = _rows_start(lines, first_data, header_lines, value_cols)
            if base_columns is None and not value_cols:
                continue  # a title at the foot of a page: the header and rows start on the next
            if base_columns is None:
                layout.header_texts(cols, header_lines)
                layout.drop_change_columns(cols)
                value_cols = [c for c in cols if c.role == "value"]
                base_columns = value_cols
                columns, period_warnings = resolve_columns([c.header for c in value_cols], flow=flow, report=report,
                                                           context=head_text)
            else:
                # (left-aligned figures keep their left edges from page to page, not their right)
                if r is not first and not split and value_cols and not any(
                        abs(c.right - b.right) <= 30 or abs(c.left - b.left) <= 2 for c in value_cols for b in base_columns):
                    ended = True  # a following page with other columns is another table, not this statement
                    break
                cols = _align(cols, base_columns)
            if first_data and not continuation:
                start = _lead_in(lines, first_data, cols, header_lines, continuation=False)
            rows, stop = layout.lines_to_rows(lines[start or 0 :] if start is not None else lines, cols, note_range=note_range)
            n_values = len([c for c in cols if c.role == "value"])
            if rows and last_row is not None and r.page != collected.rows[-1][2] and layout.continues_across_pages(last_row, rows[0]):
                label, cells, page, box = collected.rows[-1]  # a label wrapped over the page break
                collected.rows[-1] = (layout._tidy_join(f"{label} {rows[0].label}"), cells, page, box)
                rows = rows[1:]
            last_row = rows[-1] if rows else last_row
            for row in rows:
                cells = (row.cells + [""] * len(base_columns))[: len(base_columns)] if n_values else [""] * len(base_columns)
                page, shift = r.page, 0.0
                if r.next_page is not None and row.top >= r.next_page[1]:
                    page, shift = r.next_page
                box = BBox(x0=row.x0, top=row.top - shift, x1=row.x1, bottom=row.bottom - shift)
                collected.rows.append((row.label, cells, page, box))
                collected.notes.append(row.note)
                collected.row_nos.append(row.row_no)
            ended = ended or stop
    if not base_columns or not collected.rows:
        return None
    pages = sorted({row[2] for row in collected.rows})
    # the unit: the title block, else the statement's pages, the page before, the document (warned)
    choice = choose_unit(head_text, page_texts, loc.pages, [c for row in collected.rows for c in row[1]])
    currency = choice.currency or detect_currency(head_text) or ("CNY" if doc_is_zh else "USD")
    st = build_statement(loc.kind, loc.scope, loc.title, columns, collected.rows, choice.unit, currency, pages,
                         notes=collected.notes, row_nos=collected.row_nos)
    st.warnings[:0] = period_warnings
    if choice.warning:
        st.warnings.insert(0, choice.warning)
    return st


_PARENT_HEAD = re.compile(r"母公司|本公司|本行|\b(?:company|parent|bank)\b", re.IGNORECASE)
_GROUP_HEAD = re.compile(r"合并|本集团|\b(?:group|consolidated)\b", re.IGNORECASE)


def split_by_scope(st: Statement) -> list[Statement]:
    """A table printing consolidated and parent columns side by side (合并 | 母公司, 本集团 | 本行,
    Group | Company) becomes two statements, each with its own columns and checks."""
    scopes = []
    for c in st.columns:
        if _PARENT_HEAD.search(c.label):
            scopes.append("parent")
        elif _GROUP_HEAD.search(c.label):
            scopes.append("consolidated")
        else:
            scopes.append(None)
    if "parent" not in scopes or "consolidated" not in scopes or None in scopes:
        return [st]
    out = []
    for scope in ("consolidated", "parent"):
        idx = [i for i, s in enumerate(scopes) if s == scope]
        rows = [(i.label, [i.printed[j] if j < len(i.printed) else "" for j in idx], i.page, i.bbox) for i in st.items]
        part = build_statement(st.kind, scope, st.title, [st.columns[j] for j in idx], rows, st.unit, st.currency, st.pages,
                               notes=[i.note for i in st.items], row_nos=[i.row_no for i in st.items])
        part.warnings[:0] = [w for w in st.warnings if UNIT_WARNING.match(w)] + _column_warnings(st.warnings, idx)
        out.append(part)
    return out


_COLUMN_WARNING = re.compile(r"^column (\d+) '")


def _column_warnings(warnings: list[str], idx: list[int]) -> list[str]:
    """The column warnings of columns ``idx``, numbered as in a statement holding only those."""
    out = []
    for w in warnings:
        m = _COLUMN_WARNING.match(w)
        if m and int(m.group(1)) - 1 in idx:
            out.append(f"column {idx.index(int(m.group(1)) - 1) + 1} {w[m.end() - 1:]}")
    return out


def warn_undated_columns(st: Statement) -> None:
    """Every column without a period (a flow column without its start) is named in a warning."""
    for i, c in enumerate(st.columns):
        missing = c.period_end is None or (st.kind != "balance_sheet" and c.period_start is None)
        if missing and not any(w.startswith(f"column {i + 1} '") for w in st.warnings):
            what = "no period" if c.period_end is None else "no period start"
            st.warnings.insert(0, f"column {i + 1} '{c.label}' has {what}: its header could not be read as a date")


YEARS = (1900, 2100)  # a statement's column outside these years was misread (a damaged font map's digits)
MAX_YEARS_FROM_REPORT = 6  # a primary statement shows two or three years; one this far from the report's was misread


def warn_implausible_years(st: Statement, report_year: int | None) -> None:
    """Every column whose period lies outside ``YEARS``, or more than ``MAX_YEARS_FROM_REPORT`` years from
    the year of the report period its cover names, is named in a warning (a header such as "December 31,
    2017" whose digits a permuted font map turned into "December 03, 8432" is not a date to keep)."""
    for i, c in enumerate(st.columns):
        years = [d.year for d in (c.period_start, c.period_end) if d is not None]
        if not years:
            continue
        odd = [y for y in years if not YEARS[0] <= y <= YEARS[1]]
        far = [y for y in years if report_year is not None and abs(y - report_year) > MAX_YEARS_FROM_REPORT]
        if odd or far:
            why = f"{odd[0]} is not a plausible year" if odd else f"{far[0]} is over {MAX_YEARS_FROM_REPORT} years from the report's {report_year}"
            st.warnings.insert(0, f"column {i + 1} '{c.label}': {why}; its header date may be misread (check it against the original)")


def _cut(lines: list[layout.Line], lo: float | None, hi: float | None) -> list[layout.Line]:
    if lo is None and hi is None:
        return lines
    out = []
    for line in lines:
        words = [w for w in line.words if (lo is None or w.x0 >= lo) and (hi is None or w.x0 < hi)]
        if words:
            out.append(layout.Line(words))
    return out


_UNIT_HEAD = re.compile(r"^[(（]?\s*(?:in\s+(?:thousands|millions|billions)|(?:amounts|dollars)\s+in|单位\s*[:：]|币种\s*[:：])", re.IGNORECASE)


def _rows_start(lines: list[layout.Line], first_data: int, header_lines: list[layout.Line],
                value_cols: list[layout.ValueColumn]) -> int:
    """Where the rows of a continuation page start: after its repeated column header, or at its
    first line when none is printed, so that rows printed empty above the first figures ("商誉"
    at the top of the page) are kept. A long label reaching towards the figures is no header:
    a header line has a word starting over the value columns, and a line of figures (the
    figures of a label wrapped around them) is none."""
    left = min((c.left for c in value_cols), default=0.0) - 25
    heads = [h for h in header_lines if any(w.x0 >= left for w in h.words)
             and not all(re.search(r"\d[,.]\d", w.text) or is_dash(w.text) or layout._NOTE_REF.fullmatch(w.text)
                         for w in h.words)]  # figures (and their note) are no header
    at = [i for i, x in enumerate(lines[:first_data]) if any(x is h for h in heads)]
    if len(at) != len(heads):
        return first_data  # a header read from part of a line: keep the old start
    # the unit line ("(In millions)") printed again above the rows is no row either
    at += [i for i, x in enumerate(lines[:first_data]) if _UNIT_HEAD.match(x.text) and not layout.trailing_run(x)[1]]
    return max(at) + 1 if at else 0


_PREPARER = re.compile(r"编制单位|单位\s*[:：]")


def _lead_in(lines: list[layout.Line], first_data: int, cols: list[layout.ValueColumn], header_lines: list[layout.Line],
             *, continuation: bool) -> int:
    """Where the rows start: the first figures' line, or a section heading just above it ("Revenues");
    on a continuation page also the lines of a row whose label wraps around its figures above the
    first labelled figures ("经营活动产生的现金流" / figures / "量净额" at the top of the page)."""
    start, figures = first_data, False
    while continuation and start > 0:
        prev = lines[start - 1]
        if _figures_only(prev, cols) and _amounts_only(prev):
            figures = True  # (amounts are never a column header, though they sit over the columns)
        elif not _label_only(prev, cols):
            break
        start -= 1
    if figures:
        return start  # only a row whose figures stand on their own line is taken from above
    if not continuation and first_data > 0 and _section_heading(lines[first_data - 1], cols, header_lines):
        return first_data - 1
    return first_data


def _figures_only(line: layout.Line, cols: list[layout.ValueColumn]) -> bool:
    values = [c for c in cols if c.role == "value"]
    label, run = layout.trailing_run(line)
    return bool(values) and not label and bool(run) and all(
        any(abs(w.digit_right - c.right) <= 14 for c in values) for w in run)


def _label_only(line: layout.Line, cols: list[layout.ValueColumn]) -> bool:
    values = [c for c in cols if c.role != "percent"]
    text = line.text.strip()
    return bool(values) and max(w.x1 for w in line.words) < min(c.left for c in values) - 25 and len(line.words) <= 12 \
        and bool(re.search(r"[A-Za-z\u4e00-\u9fff]", text)) and not layout._UNIT_LINE.search(text) \
        and not _HEADER_WORDS.search(text) and not re.search(r"表$|statements?\b|报告$", text, re.IGNORECASE)


def _section_heading(line: layout.Line, cols: list[layout.ValueColumn], header_lines: list[layout.Line]) -> bool:
    """A short label-only line left of the value columns (a section name such as "Revenues"), not part
    of the column header, a unit line, a title or a 项目 header cell."""
    values = [c for c in cols if c.role != "percent"]
    if not values or any(line is h or line.text == h.text for h in header_lines):
        return False
    text = line.text.strip()
    if max(w.x1 for w in line.words) >= min(c.left for c in values) - 25 or len(line.words) > 5:
        return False
    if layout._UNIT_LINE.search(text) or layout._LABEL_HEAD.match(text.replace(" ", "")) or _PREPARER.search(text):
        return False
    return bool(re.fullmatch(r"[A-Za-z][A-Za-z ,'’&-]*:?|[\u4e00-\u9fff]{2,8}[:：]", text)) and not re.search(
        r"statements?|consolidated|balance sheets?|unaudited|in (?:millions|thousands)|表$", text, re.IGNORECASE)


def _first_data(lines: list[layout.Line], cols: list[layout.ValueColumn]) -> int | None:
    values = [c for c in cols if c.role != "percent"]
    for i, line in enumerate(lines):
        label, run = layout.trailing_run(line)
        if run and not label and i and _label_above(lines[i - 1], line) and _amounts_at(run, values):
            return i - 1  # a wrapped label whose figures sit on a line of their own, between its halves
        if run and label and not layout._is_year_header(line):
            # at a column's digit edge, or at its left edge when the figures are left-aligned
            if any(abs(w.digit_right - c.right) <= 14 or abs(w.x0 - c.left) <= 2 for w in run for c in values):
                txt = layout.join_words(label)
                if _PREPARER.search(txt):
                    continue  # "编制单位：… 2026 年 9" — a sub-title whose date a side-by-side split cut
                if re.search(r"[A-Za-z\u4e00-\u9fff]", txt) and not re.fullmatch(r"[\d\s年月日,.-]*", txt) and not _is_date_words(txt):
                    if not _date_header(line):
                        return i
    return None


def _label_above(above: layout.Line, line: layout.Line) -> bool:
    label, run = layout.trailing_run(above)
    return bool(label) and not run and bool(_CJK.search(above.text)) and line.top - above.bottom < (above.bottom - above.top)


def _amounts_at(run: list[layout.Word], values: list[layout.ValueColumn]) -> bool:
    """Figures (not years, not day numbers) at the columns' digit edges."""
    if not run or all(re.fullmatch(r"(?:19|20)\d{2}|\d{1,2},?", layout.fold(w.text)) for w in run):
        return False
    return all(any(abs(w.digit_right - c.right) <= 14 for c in values) for w in run)


# a unit printed in a header line's label cell: "(In Millions, Except Per Share Amounts)", "$ in millions"
_UNIT_PHRASE = re.compile(
    r"\(?\s*(?:\$|dollars|amounts|dollars and shares|\$ and shares)?\s*(?:in\s+)?(?:millions|thousands|billions)\b[^)]*\)?"
    r"|\((?:unaudited|audited)\)", re.IGNORECASE)


_DATE_WORDS = re.compile(
    r"january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec|"
    r"ended|ending|weeks?|months?|years?|quarters?|three|six|nine|twelve|fiscal|as|of|at|unaudited|audited|restated|and|to|\d+|[,.()\-–—]"
)


def _is_date_words(text: str) -> bool:
    """A header line of dates ("July 29, 2023 July 30, 2022"), not a row label; a unit printed in
    the same label cell ("Years Ended (In Millions) Dec 26, 2020 …") does not make it a row."""
    return not _DATE_WORDS.sub("", _UNIT_PHRASE.sub(" ", text).lower()).strip()


def _date_header(line: layout.Line) -> bool:
    t = line.text.lower()
    return bool(re.search(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年度", t)) and len(layout.trailing_run(line)[1]) <= 2 and "合计" not in t


def _align(cols: list[layout.ValueColumn], base: list[layout.ValueColumn]) -> list[layout.ValueColumn]:
    """Match a continuation page's value columns to the first page's, by position then order."""
    values = [c for c in cols if c.role == "value"]
    if len(values) == len(base):
        return cols
    out = [c for c in cols if c.role != "value"]
    used = set()
    aligned = []
    for b in base:
        best = min((c for c in values if id(c) not in used), key=lambda c: abs(c.right - b.right), default=None)
        if best is not None and abs(best.right - b.right) <= 30:
            used.add(id(best))
            aligned.append(best)
        else:
            aligned.append(layout.ValueColumn(right=b.right, left=b.left))
    for c in values:
        if id(c) not in used:
            c.role = "percent"  # an extra column we cannot place is dropped
            out.append(c)
    return aligned + out


def merge_continuations(statements: list[Statement]) -> list[Statement]:
    """A statement whose title is simply printed again on the next page (no "continued") is one
    statement: same kind, scope and periods, the next page, and rows with other keys."""
    out: list[Statement] = []
    for st in statements:
        prev = out[-1] if out else None
        if (
            prev is not None
            and (prev.kind, prev.scope) == (st.kind, st.scope)
            and [(c.period_start, c.period_end) for c in prev.columns] == [(c.period_start, c.period_end) for c in st.columns]
            and all(c.period_end for c in st.columns)
            and st.pages and prev.pages and st.pages[0] in (prev.pages[-1], prev.pages[-1] + 1)  # a (续) part may start mid-page
            and not ({i.key for i in prev.items if i.key} & {i.key for i in st.items if i.key})
        ):
            items = prev.items + st.items
            rows = [(i.label, i.printed, i.page, i.bbox) for i in items]
            out[-1] = build_statement(prev.kind, prev.scope, prev.title, prev.columns, rows, prev.unit, prev.currency,
                                      prev.pages + st.pages, notes=[i.note for i in items], row_nos=[i.row_no for i in items])
            out[-1].warnings[:0] = list(dict.fromkeys(w for w in prev.warnings + st.warnings if UNIT_WARNING.match(w)))
            continue
        out.append(st)
    return out


def drop_duplicates(statements: list[Statement]) -> list[Statement]:
    """Keep the first statement of a kind, scope and period; a later one sharing a period is a copy."""
    kept: list[Statement] = []
    for st in statements:
        periods = {(c.period_start, c.period_end) for c in st.columns if c.period_end}
        dup = False
        for k in kept:
            if k.kind == st.kind and k.scope == st.scope:
                kp = {(c.period_start, c.period_end) for c in k.columns if c.period_end}
                if periods & kp or not periods:
                    dup = True
                    break
        if not dup:
            kept.append(st)
    return kept


__all__ = ["extract_pdf", "drop_duplicates", "match_title"]
