"""Split a document's pages into retrieval chunks that respect its structure.

``pages_to_chunks`` runs three named steps on every page, then tags statement tables:

``page_to_lines → lines_to_blocks → blocks_to_chunks`` → ``tag_statements``

- a *block* is a heading, a paragraph or a table (a run of lines dominated by numbers,
  with the title and column-header lines printed just above it);
- chunks never cross a page; a heading starts a new chunk; a table chunk always starts with
  the table's title and header lines (repeated when a long table is split);
- size is measured in *units*: one per CJK character plus two per other word, so one limit
  fits Chinese (≈300–500 characters) and English (≈150–250 words). Consecutive text chunks
  overlap by a sentence or two (≤ ``OVERLAP`` units);
- a table chunk of a primary statement (its title — 合并资产负债表, CONSOLIDATED BALANCE
  SHEETS, … — in its first lines, or the page after one) carries ``statement`` = its kind,
  so that search can offer it when a question names the statement or one of its items.

Extracted statements (``extractors.models.Statement``) or plain tables
(``{"page", "title", "header", "rows"}``) can be added as table chunks as well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TARGET = 400  # units: ≈400 CJK characters or ≈200 English words
MAX = 500
MIN_AT_HEADING = 120  # below this a heading does not close the current chunk
OVERLAP = 60
SMALL = 40  # a chunk smaller than this joins its neighbour

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,%-]*")
_NUMBER = re.compile(r"^[(（]?[-−–$¥￥€£]?\s*\d[\d,，.]*\s*%?[)）]?$")
_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+(?=[A-Z(“\"0-9])")
_HEADING_ZH = re.compile(r"^(第[一二三四五六七八九十百]+[章节部分条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
_HEADING_EN = re.compile(r"^(item\s+\d+[a-z]?\.|part\s+[ivx]+\b|note\s+\d+\b|\d+(\.\d+)*\.?\s+[A-Z])", re.I)
_DATE = re.compile(
    r"(19|20)\d\d\s*年\s*\d{1,2}\s*月|\d{1,2}\s*月\s*\d{1,2}\s*日|"
    r"(january|february|march|april|may|june|july|august|september|october|november|december)\s+\d{1,2},",
    re.I,
)
_PERIOD_HEADER = re.compile(
    r"(19|20)\d\d|期末|期初|本期|上期|本年|上年|余额|金额|附注|项目|"
    r"year|month|quarter|ended|december|january|february|march|april|may|june|july|august|"
    r"september|october|november|in (thousands|millions)|except",
    re.I,
)


@dataclass
class Chunk:
    """One piece of a document to index: its text, its page (1-based) and what it is."""

    text: str
    page: int
    index: int = 0  # position in the document, set by pages_to_chunks
    block: str = "text"  # text | table
    heading: str = ""
    statement: str = ""  # balance_sheet | income_statement | cash_flow for a primary-statement table


@dataclass
class _Block:
    kind: str  # heading | paragraph | table
    lines: list[str]
    prefix: list[str] | None = None  # table title and header lines


def size(text: str) -> int:
    """The size of a text in units: CJK characters + 2 × other words."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return cjk + 2 * words


def pages_to_chunks(pages: list[str], tables: Iterable[Any] | None = None) -> list[Chunk]:
    """Chunk every page (page ``i`` of the list is page ``i + 1``), then the given tables."""
    chunks: list[Chunk] = []
    for number, text in enumerate(pages, start=1):
        lines = page_to_lines(text)
        chunks.extend(blocks_to_chunks(lines_to_blocks(lines), page=number))
    tag_statements(chunks)
    for table in tables or ():
        chunks.extend(table_to_chunks(table))
    for i, chunk in enumerate(chunks):
        chunk.index = i
    return chunks


_NOT_A_TITLE = r"(?![a-z])(?!\s*(data|information|补充资料|项目注释|主要项目))"
_STATEMENT_TITLES = {
    "balance_sheet": re.compile(
        r"(balance\s+sheets?|statements?\s+of\s+financial\s+(position|condition)|资产负债表)" + _NOT_A_TITLE, re.I
    ),
    "income_statement": re.compile(
        r"(statements?\s+of\s+(consolidated\s+)?(operations|income|earnings)|income\s+statements?|利润表|损益表)"
        + _NOT_A_TITLE,
        re.I,
    ),
    "cash_flow": re.compile(
        r"(statements?\s+of\s+(consolidated\s+)?cash\s+flows?|cash\s+flows?\s+statements?|现金流量表)" + _NOT_A_TITLE, re.I
    ),
}


def tag_statements(chunks: list[Chunk]) -> None:
    """Mark the table chunks of primary statements: the title among their first short lines
    (a title may be wrapped over several), or a table that opens the page after a titled one."""
    titled: tuple[int, str] | None = None  # (page, statement) of the last chunk tagged by its title
    seen_text_on_page: set[int] = set()
    for chunk in chunks:
        if chunk.block != "table":
            seen_text_on_page.add(chunk.page)
            continue
        head = " ".join(line for line in chunk.text.splitlines()[:8] if size(line) <= 24)
        kinds = {kind for kind, title in _STATEMENT_TITLES.items() if title.search(head)}
        if len(kinds) == 1:  # two or three titles together: a table of contents
            chunk.statement = kinds.pop()
            titled = (chunk.page, chunk.statement)
        elif not kinds and titled and chunk.page - titled[0] in (0, 1) and chunk.page not in seen_text_on_page:
            chunk.statement = titled[1]  # the statement continues on the next page (one page, no chains)


# ---- step 1: page → lines ----------------------------------------------------------


def page_to_lines(text: str) -> list[str]:
    """Normalise line ends and spaces; blank lines are kept as ``""`` (paragraph breaks)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    lines = [re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in text.split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


# ---- step 2: lines → blocks --------------------------------------------------------


def _is_numeric_line(line: str) -> bool:
    """A table row or a value line: mostly numbers, dashes or currency marks."""
    tokens = line.replace("$", " $ ").split()
    if not tokens or _DATE.search(line):
        return False
    numeric = sum(1 for t in tokens if _NUMBER.match(t) or t in {"$", "-", "—", "–", "—-", "%"})
    has_number = any(ch.isdigit() for ch in line)
    return has_number and 2 * numeric > len(tokens)


def _is_row_with_values(line: str) -> bool:
    """A label followed by two or more numbers on one line (a Chinese statement row)."""
    tokens = line.split()
    if _DATE.search(line):
        return False
    values = [t for t in tokens[1:] if _NUMBER.match(t) or t in {"-", "—", "–"}]
    return len(values) >= 2 and len(values) >= len(tokens) // 2


def _is_heading(line: str) -> bool:
    if not line or size(line) > 30 or line[-1] in "。.,，;；:：":
        return False
    if _HEADING_ZH.match(line) or _HEADING_EN.match(line):
        return True
    letters = [c for c in line if c.isalpha() and c.isascii()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


def _table_line(line: str) -> bool:
    return _is_numeric_line(line) or _is_row_with_values(line)


def lines_to_blocks(lines: list[str]) -> list[_Block]:
    """Group lines into headings, paragraphs and tables (with their title and header lines)."""
    flags = [_table_line(line) for line in lines]
    blocks: list[_Block] = []
    para: list[str] = []

    def close_para() -> None:
        if para:
            blocks.append(_Block("paragraph", para[:]))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if flags[i] and _table_starts(flags, i):
            end = _table_end(lines, flags, i)
            prefix = _take_prefix(para, blocks)
            close_para()
            blocks.append(_Block("table", lines[i:end], prefix=prefix))
            i = end
            continue
        if not line:
            close_para()
        elif _is_heading(line):
            close_para()
            blocks.append(_Block("heading", [line]))
        else:
            para.append(line)
            if line[-1] in "。！？.!?" and size(" ".join(para)) >= 40:
                close_para()
        i += 1
    close_para()
    return blocks


def _table_starts(flags: list[bool], i: int) -> bool:
    """At least three table lines within the next six: a table, not a number in a sentence."""
    return sum(flags[i : i + 6]) >= 3


def _table_end(lines: list[str], flags: list[bool], start: int) -> int:
    """The table runs while a table line follows within three lines (labels sit between)."""
    end = start + 1
    gap = 0
    for j in range(start + 1, len(lines)):
        if flags[j]:
            end, gap = j + 1, 0
        else:
            gap += 1
            if gap > 3 or (lines[j] and lines[j][-1] in "。." and size(lines[j]) > 40):
                break
    return end


def _take_prefix(para: list[str], blocks: list[_Block]) -> list[str]:
    """Move the table's title and column-header lines (just above it) into its prefix."""
    prefix: list[str] = []
    while para and len(prefix) < 5 and size(para[-1]) <= 40:
        prefix.insert(0, para.pop())
    if not para and blocks and blocks[-1].kind == "heading":
        prefix.insert(0, blocks.pop().lines[0])
    elif prefix and not any(_PERIOD_HEADER.search(p) for p in prefix) and len(prefix) > 2:
        para.extend(prefix[:-2])  # keep only the last two short lines as the header
        prefix = prefix[-2:]
    return prefix


# ---- step 3: blocks → chunks -------------------------------------------------------


def blocks_to_chunks(blocks: list[_Block], *, page: int) -> list[Chunk]:
    """Pack blocks into chunks of about TARGET units; tables carry their prefix."""
    chunks: list[Chunk] = []
    heading = ""
    current: list[str] = []

    def flush(overlap: bool = False) -> None:
        nonlocal current
        if current:
            chunks.append(Chunk(text="\n".join(current), page=page, heading=heading))
        current = _overlap_tail(current) if overlap and current else []

    for block in blocks:
        if block.kind == "heading":
            if size("\n".join(current)) >= MIN_AT_HEADING:
                flush()
            heading = block.lines[0]
            current.append(heading)
        elif block.kind == "table":
            prefix = block.prefix or []
            if current and not _only_overlap(current, chunks):
                if size("\n".join(current)) < MIN_AT_HEADING:
                    prefix = [*current, *prefix]  # a page header or lead-in: keep it with the table
                else:
                    flush()
            current = []
            chunks.extend(_table_chunks(prefix, block.lines, page=page, heading=heading))
        else:
            for piece in _split_long(_join(block.lines)):
                if current and size("\n".join([*current, piece])) > MAX:
                    flush(overlap=True)
                current.append(piece)
                if size("\n".join(current)) >= TARGET:
                    flush(overlap=True)
    if current and not _only_overlap(current, chunks):
        flush()
    return _merge_small(chunks)


def _merge_small(chunks: list[Chunk]) -> list[Chunk]:
    """Fold a tiny chunk (a page footer, a lone heading) into its neighbour on the page."""
    merged: list[Chunk] = []
    for chunk in chunks:
        if merged and size(chunk.text) < SMALL and size(merged[-1].text) + size(chunk.text) <= MAX + SMALL:
            merged[-1].text += "\n" + chunk.text
        elif merged and size(merged[-1].text) < SMALL:
            chunk.text = merged.pop().text + "\n" + chunk.text
            merged.append(chunk)
        else:
            merged.append(chunk)
    return merged


def _join(lines: list[str]) -> str:
    """Join wrapped lines: no space between CJK lines, one space otherwise."""
    out = lines[0]
    for line in lines[1:]:
        glue = "" if _CJK.match(line[:1]) and _CJK.match(out[-1:]) else " "
        out += glue + line
    return out


def _only_overlap(current: list[str], chunks: list[Chunk]) -> bool:
    """True when ``current`` holds nothing but the overlap copied from the last chunk."""
    return bool(chunks) and chunks[-1].text.endswith("\n".join(current))


def _overlap_tail(lines: list[str]) -> list[str]:
    """The last sentence(s) of a chunk, at most OVERLAP units, to open the next one."""
    sentences = [s for s in _SENTENCE_END.split(lines[-1]) if s and s.strip()]
    tail: list[str] = []
    for sentence in reversed(sentences):
        if size(" ".join([sentence, *tail])) > OVERLAP:
            break
        tail.insert(0, sentence.strip())
    joiner = "" if _CJK.search(lines[-1]) else " "
    return [joiner.join(tail)] if tail else []


def _split_long(text: str) -> list[str]:
    """Split a paragraph longer than MAX at sentence ends (and hard, as a last resort)."""
    if size(text) <= MAX:
        return [text]
    pieces: list[str] = []
    buf = ""
    cjk = bool(_CJK.search(text))
    joiner = "" if cjk else " "
    for sentence in (s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()):
        while size(sentence) > MAX:  # one enormous sentence: cut it
            cut = _cut_point(sentence)
            if buf:
                pieces.append(buf)
                buf = ""
            pieces.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if buf and size(buf + joiner + sentence) > TARGET:
            pieces.append(buf)
            buf = sentence
        else:
            buf = (buf + joiner + sentence) if buf else sentence
    if buf:
        pieces.append(buf)
    return pieces


def _cut_point(sentence: str) -> int:
    """The character offset where a sentence reaches TARGET units."""
    lo, hi = 1, len(sentence)
    while lo < hi:
        mid = (lo + hi) // 2
        if size(sentence[:mid]) < TARGET:
            lo = mid + 1
        else:
            hi = mid
    space = sentence.rfind(" ", 0, lo)
    return space if space > lo // 2 else lo


def _table_chunks(prefix: list[str], rows: list[str], *, page: int, heading: str) -> list[Chunk]:
    """Rows packed under the table's title and header lines, repeated in every piece."""
    head = "\n".join(prefix)
    budget = MAX - size(head)
    chunks: list[Chunk] = []
    current: list[str] = []
    for row in rows:
        if current and size("\n".join([*current, row])) > max(budget, TARGET // 2):
            chunks.append(Chunk(text="\n".join([head, *current]).strip(), page=page, block="table", heading=heading))
            current = []
        current.append(row)
    if current:
        chunks.append(Chunk(text="\n".join([head, *current]).strip(), page=page, block="table", heading=heading))
    return chunks


# ---- extracted tables --------------------------------------------------------------


def table_to_chunks(table: Any) -> list[Chunk]:
    """Chunks for an extracted ``Statement`` or a ``{"page", "title", "header", "rows"}`` table."""
    if isinstance(table, Mapping):
        page = int(table["page"])
        title = str(table.get("title") or "")
        header = table.get("header") or []
        header_line = header if isinstance(header, str) else " | ".join(str(h) for h in header)
        rows = [r if isinstance(r, str) else " | ".join("" if c is None else str(c) for c in r) for r in table.get("rows", [])]
        return _table_chunks([p for p in (title, header_line) if p], rows, page=page, heading=title)
    return _statement_chunks(table)


def _statement_chunks(statement: Any) -> list[Chunk]:
    """One table per page of an extracted statement: title, column labels, label | printed."""
    columns = [c.label or str(c.period_end or "") for c in statement.columns]
    header = " | ".join(["项目 / Item", *columns])
    title = statement.title or str(statement.kind).replace("_", " ")
    by_page: dict[int, list[str]] = {}
    for item in statement.items:
        cells = item.printed or ["" if v is None else str(v) for v in item.values]
        by_page.setdefault(item.page, []).append(" | ".join([item.label, *cells]))
    chunks: list[Chunk] = []
    for page, rows in sorted(by_page.items()):
        chunks.extend(_table_chunks([title, header], rows, page=page, heading=title))
    for chunk in chunks:
        chunk.statement = str(getattr(statement.kind, "value", statement.kind))
    return chunks
