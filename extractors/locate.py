"""Find the statement pages of a document from the fast pass (every page's plain text).

A statement starts at a title line — 合并资产负债表, 母公司利润表, 现金流量表, "Consolidated
Balance Sheets", "Statements of Operations", "Statement of Financial Position", … — printed
alone on its line (a table of contents prints a page number after it, a note mentions it
inside a sentence), followed by rows of figures. The statement continues on the next pages
until another title, an end mark (法定代表人 / "See accompanying notes") or a page without
figures; a page holding only a footer is stepped over. A title may sit at the foot of a page
(the statement then starts there and runs on the next page).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.numbers import is_value_token

_ZH_TITLE = re.compile(
    r"^(?P<scope>合并及母公司|合并|母公司|公司)?(?P<kind>资产负债表|利润表|损益表|利润及利润分配表|现金流量表|"
    r"综合收益表|利润表及综合收益表|股东权益变动表|所有者权益变动表|财务状况表)(?:[(（](?P<scope2>合并|母公司|公司)[)）])?(?:[(（]续[)）]|续表?)?$"
)
_EN_TITLE = re.compile(
    r"^(?:[a-z0-9.,&'\- ]{1,50}?(?:inc|corp|corporation|ltd|limited|plc|co|company|llc|n\.v|s\.a|group|holdings|bancorp)\.?,?"
    r"(?: and (?:its )?subsidiaries)? )?(?P<pre>(?:unaudited |interim |condensed |consolidated |combined |company |parent company |separate )*)"
    r"(?P<kind>balance sheets?|statements? of financial (?:position|condition)|statements? of (?:consolidated )?(?:operations|income|earnings|"
    r"profit or loss(?: and other comprehensive income)?|comprehensive (?:income|loss)|cash flows?|"
    r"(?:changes in )?(?:stockholders|shareholders)'? equity(?: \(deficit\))?|changes in equity|"
    r"operations and comprehensive (?:income|loss)|income and comprehensive income)|income statements?|"
    r"statements? of comprehensive income)"
    r"(?P<post>(?: \((?:unaudited|continued|in [a-z ,]+)\))*| - continued| continued|)$"
)
END_MARK = re.compile(
    r"法定代表人|主管会计工作负责人|see accompanying notes|see notes to|the accompanying notes are|^\s*(?:exhibit|schedule|appendix)\s+[\w.-]+\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Title:
    kind: str | None  # balance_sheet | income_statement | cash_flow | None (another statement)
    scope: str  # consolidated | parent
    text: str
    continued: bool = False  # 合并资产负债表（续） / "(continued)"


@dataclass
class Located:
    """One statement found by the fast pass: its kind, scope, title and pages (1-based)."""

    kind: str
    scope: str
    title: str
    pages: list[int] = field(default_factory=list)
    title_line: int = 0  # index of the title among the first page's text lines
    occurrence: int = 0  # how many titles of the same kind and scope precede it on its page


def _norm(line: str) -> str:
    s = unicodedata.normalize("NFKC", line).strip().lower().replace("’", "'")
    return re.sub(r"\s+", " ", s)


def match_title(text: str) -> Title | None:
    """The statement a title line names, or None when the line is not a title."""
    s = _norm(text)
    if not s or len(s) > 120:
        return None
    zh = re.sub(r"[\s:：]", "", s)
    zh = re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十\d]+[)）]|^\d+[.、]", "", zh)
    m = _ZH_TITLE.match(zh)
    if m:
        scope = "parent" if (m.group("scope") or m.group("scope2")) in ("母公司", "公司") else "consolidated"
        return Title(_zh_kind(m.group("kind")), scope, text.strip(), continued="续" in zh)
    m = _EN_TITLE.match(s)
    if m:
        pre = m.group("pre") or ""
        scope = "parent" if ("parent company" in s or "company " in pre) and "consolidated" not in pre else "consolidated"
        return Title(_en_kind(m.group("kind")), scope, text.strip(), continued="continued" in s)
    return None


def _zh_kind(k: str) -> str | None:
    if k in ("资产负债表", "财务状况表"):
        return "balance_sheet"
    if k in ("利润表", "损益表", "利润及利润分配表", "利润表及综合收益表"):
        return "income_statement"
    if k == "现金流量表":
        return "cash_flow"
    return None


def _en_kind(k: str) -> str | None:
    if "balance sheet" in k or "financial position" in k or "financial condition" in k:
        return "balance_sheet"
    if "cash flow" in k:
        return "cash_flow"
    if "equity" in k:
        return None
    if k.startswith("statement of comprehensive") or k.startswith("statements of comprehensive"):
        return None
    if "comprehensive" in k and not any(w in k for w in ("operations", "profit or loss", "income and")):
        return None
    return "income_statement"


_MAY_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])?\s*"
    r"(?:合并|母公司|公司|资产|利润|现金|损益|综合|股东|所有者|财务|unaudited|interim|condensed|consolidated|combined|"
    r"company|parent|separate|balance|statement|income)"
)


def find_titles(lines: list[str], max_join: int = 8) -> list[tuple[int, int, Title]]:
    """(first line, last line, title) for every title on a page; a title may span lines."""
    out: list[tuple[int, int, Title]] = []
    i = 0
    while i < len(lines):
        if not _MAY_START.match(unicodedata.normalize("NFKC", lines[i]).strip().lower()):
            i += 1
            continue
        found = None
        acc = ""
        for j in range(i, min(len(lines), i + max_join)):
            piece = lines[j].strip()
            if not piece:
                break
            acc = f"{acc} {piece}".strip() if acc else piece
            if len(acc) > 130:
                break
            t = match_title(acc)
            if t is not None:
                found = (i, j, t)
                break
        if found and j + 1 < len(lines) and re.match(r"^\s*(?:data|information|highlights|summary|components|items|details|captions)\b", lines[j + 1], re.IGNORECASE):
            found = None  # "Consolidated Statement of Operations Data:" heads a summary table
        if found and not _has_header(lines[found[1] + 1 : found[1] + 10]):
            found = None
        if found:
            out.append(found)
            i = found[1] + 1
        else:
            i += 1
    return out


_HEADER_HINT = re.compile(
    r"单位|币种|人民币|项目|附注|行次|\bin (?:thousands|millions|billions)\b|in millions|'000|"
    r"^\s*(?:\(?unaudited\)?|(?:19|20)\d{2}(?:\s+(?:19|20)\d{2})*|\d{4}\s*年.*(?:日|月|年度)\s*|"
    r"(?:year|years|three|six|nine|twelve|\d+)\s+(?:months?|weeks?)?\s*ended.*|"
    r"(?:as (?:at|of) )?(?:january|february|march|april|may|june|july|august|september|october|november|december)[\s\d,]*(?:(?:19|20)\d{2})?.*)\s*$",
    re.IGNORECASE,
)


def _has_header(lines: list[str]) -> bool:
    """A statement title is followed by its header: a unit, dates or column names."""
    return any(_HEADER_HINT.search(unicodedata.normalize("NFKC", x).strip()) for x in lines if x.strip())


def _value_lines(lines: list[str]) -> int:
    n = 0
    for line in lines:
        toks = line.split()
        if len(toks) >= 2 and is_value_token(toks[-1]) and re.search(r"\d", toks[-1]) and len(re.sub(r"\D", "", toks[-1])) >= 1:
            if not re.fullmatch(r"\d{1,3}", toks[-1]) or len(toks) > 2:
                n += 1
    return n


def locate_statements(page_texts: list[str], *, max_span: int = 6, max_gap: int = 8) -> list[Located]:
    """Every primary statement (balance sheet, income, cash flow) with its pages."""
    found: list[Located] = []
    pages_lines = [t.split("\n") for t in page_texts]
    # titles on every page, in reading order
    events: list[tuple[int, int, int, Title]] = []
    for p, lines in enumerate(pages_lines):
        tail = pages_lines[p + 1][:12] if p + 1 < len(pages_lines) else []
        for a, b, t in find_titles(lines + tail):
            if a >= len(lines):
                continue
            events.append((p, a, b, t))
    for idx, (p, a, b, t) in enumerate(events):
        if t.kind is None:
            continue
        if t.continued and found and (found[-1].kind, found[-1].scope) == (t.kind, t.scope):
            if p + 1 not in found[-1].pages:  # a "(续)" page continues the statement before it
                found[-1].pages.append(p + 1)
            continue
        nxt = events[idx + 1] if idx + 1 < len(events) else None
        # rows after the title on its page, then on the following pages
        pages: list[int] = []
        after = pages_lines[p][b + 1 :]
        stop_here = nxt is not None and nxt[0] == p
        if stop_here:
            after = pages_lines[p][b + 1 : nxt[1]]
        n_values = _value_lines(after)
        ended = any(END_MARK.search(x) for x in after)
        if n_values or (not stop_here and len(after) < 12):
            pages.append(p + 1)
        q = p + 1
        while not stop_here and not ended and q < len(pages_lines) and q - p < max_span:
            lines = pages_lines[q]
            upto = len(lines)
            if nxt is not None and nxt[0] == q:
                upto = nxt[1]
                stop_here = True
            body = lines[:upto]
            if any(_NOTES_HEAD.search(x) for x in body[:8]):
                break  # the notes begin
            nv = _value_lines(body)
            if nv == 0 and len([x for x in body if x.strip()]) <= 3 and not stop_here:
                q += 1  # a page holding only a footer
                continue
            if nv == 0 and not _statement_like(body):
                break
            pages.append(q + 1)
            n_values += nv
            if any(END_MARK.search(x) for x in body):
                break
            q += 1
        if n_values < 4:
            continue
        earlier = [f for f in found if f.kind == t.kind and f.scope == t.scope]
        if earlier and p + 1 > earlier[0].pages[-1] + max_gap:
            continue  # the primary statements are printed together; a far later copy is a note table
        occurrence = sum(1 for e in events[:idx] if e[0] == p and e[3].kind == t.kind and e[3].scope == t.scope)
        found.append(Located(kind=t.kind, scope=t.scope, title=t.text, pages=pages, title_line=a, occurrence=occurrence))
    return found


_NOTES_HEAD = re.compile(r"^\s*(?:notes? to (?:the )?(?:condensed )?(?:consolidated )?financial statements|(?:合并)?财务报表(?:项目)?附注|财务报表注释)", re.IGNORECASE)


def _statement_like(lines: list[str]) -> bool:
    """A continuation page of a Chinese template can hold many rows with empty cells."""
    rows = [x for x in lines if x.strip()]
    short = sum(1 for x in rows if len(x.strip()) <= 40)
    return len(rows) >= 8 and short >= 0.8 * len(rows)
