"""Find the statement pages of a document from the fast pass (every page's plain text).

A statement starts at a title line — 合并资产负债表, 母公司利润表, 现金流量表, "Consolidated
Balance Sheets", "Statements of Operations", "Statement of Financial Position", … — printed
alone on its line (a table of contents prints a page number after it, a note mentions it
inside a sentence), followed by rows of figures. The statement continues on the next pages
until another title, an end mark (法定代表人 / "See accompanying notes") or a page without
figures; a page holding only a footer is stepped over. A title may sit at the foot of a page
(the statement then starts there and runs on the next page).

Titles are matched on a normalised line: NFKC, the traditional characters of statement titles
and units mapped to simplified ones (綜合財務狀況表 → 综合财务状况表), glyphs split by stray
spaces joined ("Incom e", "合 并 资 产 负 债 表"), a lost ligature read back ("Cash \ufffeows"),
and a signature line printed before the title on the same text line dropped ("公司负责人：…
会计机构负责人： 合并利润表"). A Hong Kong report's 綜合 is the consolidated scope (綜合收益表
is its income statement; 綜合全面收益表 the comprehensive-income one); 簡明/简明 and condensed
are kept out of the kind; a prospectus prints "表：发行人最近三年及一期末资产负债表".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from extractors.numbers import is_value_token

_ZH_KINDS = (r"资产负债表|财务状况表|利润及利润分配表|利润表及综合收益表|利润表|损益及其他全面收益表|损益及全面收益表|损益表|"
             r"收益表|现金流量表|综合收益表|全面收益表|股东权益变动表|所有者权益变动表|权益变动表")
# who prints it and for when: a prospectus ("表：发行人最近三年及一期末…"), a quarterly report
# ("合并年初到报告期末利润表", "本报告期"); 简明 (condensed) anywhere before the kind
_ZH_WHO = r"(?:表\d*(?:[-.]\d+)*)?(?:发行人|本公司|本集团|集团|担保人)?"
_ZH_WHEN = (r"(?:(?:最近|近)?[一二三两\d]+年(?:及|和|以及)?(?:最近)?(?:一期|[一二三\d]+季度)?末?|报告期(?:各期)?末?|"
            r"年初(?:到|至)报告期末|本报告期|\d{4}年(?:度|\d{1,2}-\d{1,2}月|第?[一二三四1-4]季度|半年度)?)?")
_ZH_TITLE = re.compile(
    rf"^{_ZH_WHO}{_ZH_WHEN}(?:简明)?(?P<scope>合并及(?:母公司|公司|银行|本行)|合并|母公司|本公司|公司|本行|银行|综合|集团)?(?:简明)?"
    rf"{_ZH_WHEN}(?P<kind>{_ZH_KINDS})(?:[(（](?P<scope2>合并|母公司|公司|本行)[)）])?(?:[(（](?:续|未经审计|经审计)[)）]|续表?)*$"
)
_EN_TITLE = re.compile(
    r"^(?:[a-z0-9.,&'\- ]{1,50}?(?:inc|corp|corporation|ltd|limited|plc|co|company|llc|n\.v|s\.a|group|holdings|bancorp)\.?,?"
    r"(?: and (?:its )?subsidiaries)? )?(?P<pre>(?:unaudited |interim |condensed |consolidated |combined |company |parent company |separate )*)"
    r"(?P<kind>balance sheets?|statements? of financial (?:position|condition)|statements? of (?:consolidated )?(?:operations|income|earnings|"
    r"profit or loss(?: and other comprehensive income)?|comprehensive (?:income|loss)|cash flows?|"
    r"(?:changes in )?(?:stockholders|shareholders)'? equity(?: \(deficit\))?|changes in equity|"
    r"operations and comprehensive (?:income|loss)|income and comprehensive income)|income statements?|"
    r"cash flows? statements?|comprehensive income statements?|(?:stockholders|shareholders)'? equity statements?|"
    r"statements? of comprehensive income)"
    r"(?: \((?:loss|deficit)\))?(?: and (?:other|supplemental) (?:information|data))?"
    r"(?P<post>(?: \((?:unaudited|continued|in [a-z ,]+)\))*|\s?[-–—]\s?\(?continued\)?| continued|)$"
)
# the same pattern for a title whose words all ran together or split apart ("con solidated b alance sheets")
_EN_TITLE_JOINED = re.compile(_EN_TITLE.pattern.replace(" ", ""))
# the traditional characters of statement titles, headers and units, and their simplified forms
_T2S = str.maketrans(
    "綜併財務狀況資產負債損現權變動東簡虧單幣萬億額於註報團會計結餘續營業稅總淨與應佔為該據類項間開發經濟銷貨準歸屬數個並說潤結損處擁",
    "综并财务状况资产负债损现权变动东简亏单币万亿额于注报团会计结余续营业税总净与应占为该据类项间开发经济销货准归属数个并说润结损处拥",
)
# the signature fields printed under a statement, each with or without the signer's name
_SIGNATURE = re.compile(r"^(?:(?:(?:公司|企业|单位|主管会计工作|会计机构|财务)?负责人|法定代表人|制表人|会计主管|编制人|复核人)"
                        r"\s*[:：]\s*(?:[\u4e00-\u9fff·]{2,4}\s+(?=\S*(?:负责人|法定代表人|制表人|会计主管|编制人|复核人)))?)+")


_TRADITIONAL = re.compile("[" + "".join(chr(c) for c in _T2S) + "]")


def to_simplified(text: str) -> str:
    """NFKC, and the traditional characters that statement titles and units use → simplified."""
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.translate(_T2S) if _TRADITIONAL.search(text) else text


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
    s = to_simplified(line).strip().lower()
    if not s.isascii():
        s = s.replace("’", "'").replace("‘", "'")
        if "\ufffe" in s:  # a lost ligature: "Cash \ufffeows", "\ufffenancing", "e\ufffeect"
            s = re.sub(r"\ufffe(?=nanc)", "fi", re.sub(r"\ufffe(?=ow)", "fl", s)).replace("\ufffe", "ff")
    return " ".join(s.split())


def match_title(text: str) -> Title | None:
    """The statement a title line names, or None when the line is not a title."""
    s = _norm(text)
    if not s or len(s) > 120:
        return None
    for n, cand in enumerate(_candidates(s)):
        t = _match_one(cand, text if n == 0 else _title_part(text, cand))
        if t is not None:
            return t
    return None


def _title_part(text: str, cand: str) -> str:
    """The printed title without the signature line before it."""
    shown = unicodedata.normalize("NFKC", text).strip()
    return shown[len(shown) - len(cand):] if len(cand) <= len(shown) else shown


def _candidates(s: str) -> list[str]:
    """The line, and the line less a signature printed before the title on the same line."""
    out = [s]
    m = _SIGNATURE.match(s)
    if m and m.end() < len(s):
        rest = s[m.end():].strip()
        out.append(rest)
        if " " in rest:
            out.append(rest.split(" ", 1)[1])  # the signer's name, then the title
    return out


def _match_one(s: str, text: str) -> Title | None:
    zh = re.sub(r"[\s:：]", "", s)
    zh = re.sub(r"^[一二三四五六七八九十]+、|^[(（][一二三四五六七八九十\d]+[)）]|^\d+[.、]", "", zh)
    m = _ZH_TITLE.match(zh)
    if m:
        kind = _zh_kind(m.group("kind"))
        # the parent alone: 母公司, 公司, 本行 / 银行 (a bank's own statements beside the group's)
        scope = "parent" if (m.group("scope") or m.group("scope2")) in ("母公司", "公司", "本公司", "本行", "银行") else "consolidated"
        return Title(kind, scope, text.strip(), continued="续" in zh)
    # as printed, then with every space dropped: a word split by a stray space ("incom e",
    # "b alance shee t") or words run together match the same title
    for en in dict.fromkeys((s, s.replace(" ", ""))):
        m = (_EN_TITLE if en == s else _EN_TITLE_JOINED).match(en)
        if m:
            pre = (m.group("pre") or "").replace(" ", "")
            parent = ("parentcompany" in en.replace(" ", "") or pre.startswith("company")) and "consolidated" not in pre
            return Title(_en_kind(m.group("kind")), "parent" if parent else "consolidated", text.strip(),
                         continued="continued" in en)
    return None


def _zh_kind(k: str) -> str | None:
    """The kind of a Chinese title (综合收益表 reaches here only after another scope, 合并综合收益表:
    comprehensive income; a Hong Kong 綜合收益表 matches as scope 綜合 + 收益表, its income statement)."""
    if k in ("资产负债表", "财务状况表"):
        return "balance_sheet"
    if k in ("利润表", "损益表", "利润及利润分配表", "利润表及综合收益表", "收益表", "损益及其他全面收益表", "损益及全面收益表"):
        return "income_statement"
    if k == "现金流量表":
        return "cash_flow"
    return None


def _en_kind(k: str) -> str | None:
    k = k.replace(" ", "")  # the kind as matched with or without its spaces
    if "balancesheet" in k or "financialposition" in k or "financialcondition" in k:
        return "balance_sheet"
    if "cashflow" in k:
        return "cash_flow"
    if "equity" in k:
        return None
    if k.startswith(("statementofcomprehensive", "statementsofcomprehensive")):
        return None
    if "comprehensive" in k and not any(w in k for w in ("operations", "profitorloss", "incomeand")):
        return None
    return "income_statement"


_MAY_START = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])?"
    r"(?:合并|母公司|公司|本公司|本集团|集团|本行|银行|资产|利润|现金|损益|收益|综合|简明|股东|所有者|财务|表|发行人|担保人|最近|近[一二三两\d]|"
    r"年初|本报告期|报告期|\d{4}年|unaudited|interim|condensed|consolidated|combined|company|parent|separate|balance|statement|"
    r"income|cash|comprehensive)"
)


# the characters a title line can begin with: numbering, the words of _MAY_START (in simplified
# and traditional forms) and the signature lines printed before a title (法定代表人, 公司负责人 …)
_FIRST_CHARS = frozenset("0123456789一二三四五六七八九十(（合母公本集银銀资資利现現损損收综綜简簡股所财財表发發担擔最近年报報"
                         "法企单單主会會制编編复復uicpsbUICPSB")


def _may_start(line: str) -> bool:
    """Cheap test: could a title begin on this line (glyphs joined, a signature before it dropped)?"""
    if len(line) > 130:
        return False  # longer than any title (find_titles would not join it either)
    head = line.lstrip()[:1]
    if not head or (head not in _FIRST_CHARS and unicodedata.is_normalized("NFKC", head)):
        return False
    s = _norm(line[:80])
    m = _SIGNATURE.match(s)
    if m:
        s = s[m.end():]
    return bool(_MAY_START.match(s.replace(" ", "").lstrip(":：")))


def find_titles(lines: list[str], max_join: int = 8) -> list[tuple[int, int, Title]]:
    """(first line, last line, title) for every title on a page; a title may span lines."""
    out: list[tuple[int, int, Title]] = []
    i = 0
    while i < len(lines):
        if not _may_start(lines[i]):
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
        if found and j + 1 < len(lines) and _SUMMARY_NEXT.match(lines[j + 1]):
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
    r"单位|币种|人民币|港元|美元|千元|万元|百万元|项目|附注|行次|截至|\bin (?:thousands|millions|billions)\b|in millions|'000|"
    r"^\s*\(?(?:dollars |\$ )?(?:in )?(?:millions|thousands|billions)\b|"
    r"^\s*(?:\(?unaudited\)?|(?:19|20)\d{2}(?:\s+(?:19|20)\d{2})*|\d{4}\s*年.*(?:日|月|年度)\s*|"
    r"(?:year|years|three|six|nine|twelve|\d+)\s+(?:months?|weeks?)?\s*ended.*|"
    r"(?:as (?:at|of) )?(?:january|february|march|april|may|june|july|august|september|october|november|december)[\s\d,]*(?:(?:19|20)\d{2})?.*)\s*$",
    re.IGNORECASE,
)


def _has_header(lines: list[str]) -> bool:
    """A statement title is followed by its header: a unit, dates or column names."""
    return any(_HEADER_HINT.search(to_simplified(x).strip()) for x in lines if x.strip())


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
        nxt = events[idx + 1] if idx + 1 < len(events) else None
        pages, n_values = _span(pages_lines, t.kind, p, b, nxt, max_span)
        prev = found[-1] if found else None
        if _repeated(t, a, p, prev, pages_lines):
            prev.pages = sorted(set(prev.pages) | set(pages))  # the same title printed again on the next page
            continue
        below_first_part = prev is not None and p + 1 in prev.pages and bool(_value_lines(pages_lines[p][:a]))
        if t.continued and prev is not None and (prev.kind, prev.scope) == (t.kind, t.scope) and not below_first_part:
            # a "(续)" page continues the statement before it; a "(续)" title below the end of the
            # first part on the same page is a part of its own, joined by the PDF extractor once read
            prev.pages = sorted(set(prev.pages) | set(pages or [p + 1]))
            continue
        if n_values < 4 or _contents(pages_lines[p][b + 1 :]):
            continue
        occurrence = sum(1 for e in events[:idx] if e[0] == p and e[3].kind == t.kind and e[3].scope == t.scope)
        found.append(Located(kind=t.kind, scope=t.scope, title=t.text, pages=pages, title_line=a, occurrence=occurrence))
    return _printed_together(found, max_gap)


def _printed_together(found: list[Located], max_gap: int) -> list[Located]:
    """The primary statements are printed together: of the copies of one statement, keep the one
    among the most other kinds of statement (a five-year summary "簡明綜合財務狀況表" in the
    highlights stands alone), and after it only parts within ``max_gap`` pages (a far later copy
    is a note table)."""
    def together(f: Located) -> int:
        return len({g.kind for g in found if abs(g.pages[0] - f.pages[0]) <= 2 * max_gap})

    score = [together(f) for f in found]
    keep: list[Located] = []
    for key in dict.fromkeys((f.kind, f.scope) for f in found):
        group = [i for i, f in enumerate(found) if (f.kind, f.scope) == key]
        anchor = found[next(i for i in group if score[i] == max(score[j] for j in group))]
        keep += [found[i] for i in group if found[i] is anchor or anchor.pages[0] <= found[i].pages[0] <= anchor.pages[-1] + max_gap]
    return [f for f in found if any(f is k for k in keep)]


def _contents(lines: list[str]) -> bool:
    """Lines that end in page numbers, one figure each ("Notes to … Statements 9", "Item 1A. Risk
    Factors 39"): a table of contents, whose title lines are followed by their dates."""
    refs: list[int] = []
    others = 0
    for line in lines[:40]:
        toks = line.split()
        if len(toks) < 2 or not re.search(r"\d", toks[-1]) or not is_value_token(toks[-1]):
            continue
        if re.fullmatch(r"\d{1,3}", toks[-1]) and not any(re.search(r"\d", t) and is_value_token(t) for t in toks[-2:-1]):
            refs.append(int(toks[-1]))
        else:
            others += 1
    # page references run in order through the document
    return len(refs) >= 3 and len(refs) >= 4 * others and refs == sorted(refs)


def _repeated(t: Title, a: int, p: int, prev: Located | None, pages_lines: list[list[str]]) -> bool:
    """The statement's own title printed again at the top of the next page (綜合財務狀況表 on
    three pages, no "continued"): the statement goes on, unless the page before printed its
    closing row (then it is another statement with the same title) or an end mark."""
    return (prev is not None and not t.continued and (prev.kind, prev.scope) == (t.kind, t.scope)
            and t.kind in _CLOSING and _norm(t.text) == _norm(prev.title) and prev.pages[-1] == p
            and not _value_lines(pages_lines[p][:a]) and not _closes(t.kind, pages_lines[p - 1])
            and not any(END_MARK.search(x) for x in pages_lines[p - 1]))  # (an end mark stops the reading; the
    # PDF extractor joins such parts by their periods and keys instead)


def _another_table(lines: list[str], own_head: list[str]) -> bool:
    """A page that opens with a table title of its own: a heading line, then its unit line
    ("SUPPLEMENTAL DATA – NET REVENUES" / "(In thousands)"). Running heads printed above the
    statement's own title (company name, "Table of Contents") and date lines are not headings."""
    from extractors.units import find_units

    seen = {_norm(x) for x in own_head}
    head = [x for x in lines[:8] if x.strip()][:6]
    for i, line in enumerate(head):
        if find_units(line):
            return any(re.search(r"[A-Za-z\u4e00-\u9fff]", x) and not re.search(r"\d", x) and _norm(x) not in seen
                       and not _HEADER_HINT.search(to_simplified(x).strip()) for x in head[:i])
    return False


# the row that closes a statement: after it, only the statement's supplement up to its end mark
_CLOSING = {
    "balance_sheet": re.compile(r"^\s*total liabilities,? (?:[a-z' ,]+ )?(?:and|&) (?:[a-z' ]+ )?(?:equity|deficit|capital)\b|"
                                r"^\s*负债(?:和|及|与)(?:所有者|股东)?权益(?:\(或股东权益\))?(?:总计|合计)", re.IGNORECASE),
    "cash_flow": re.compile(r"^\s*(?:cash|现金).*(?:\bend of (?:the )?(?:period|year|quarter|fiscal|month)|期末余额)|"
                            r"^\s*[六七八九]?、?期末现金及现金等价物余额", re.IGNORECASE),
}


def _closes(kind: str, lines: list[str]) -> bool:
    pat = _CLOSING.get(kind)
    return pat is not None and any(pat.search(to_simplified(x)) for x in lines)


def _span(pages_lines: list[list[str]], kind: str, p: int, b: int, nxt, max_span: int) -> tuple[list[int], int]:
    """The pages of a statement whose title ends on line ``b`` of page ``p``, and its value lines:
    rows after the title on its page, then on the following pages until the next title, an end
    mark, the notes or a page without figures. After the page that prints its closing row
    ("Total liabilities and equity", "Cash … at end of period", 期末现金及现金等价物余额) only a
    page that ends with the statement's end mark belongs to it (supplemental cash-flow
    information, "See accompanying notes"), not the untitled tables of a press release."""
    pages: list[int] = []
    after = pages_lines[p][b + 1 :]
    stop_here = nxt is not None and nxt[0] == p
    if stop_here:
        after = pages_lines[p][b + 1 : nxt[1]]
    n_values = _value_lines(after)
    ended = any(END_MARK.search(x) for x in after)
    closed = n_values > 0 and _closes(kind, after)
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
        if _another_table(body, pages_lines[p][: b + 9]):
            break  # an untitled table of a press release ("SUPPLEMENTAL DATA – NET REVENUES", "(In thousands)")
        marked = any(END_MARK.search(x) for x in body)
        if closed and not marked:
            break  # after its closing row only the statement's own supplement runs on, up to its end mark
        nv = _value_lines(body)
        if nv == 0 and len([x for x in body if x.strip()]) <= 3 and not stop_here:
            q += 1  # a page holding only a footer
            continue
        if nv == 0 and not _statement_like(body):
            break
        pages.append(q + 1)
        n_values += nv
        if marked:
            break
        closed = closed or _closes(kind, body)
        q += 1
    return pages, n_values


_NOTES_HEAD = re.compile(r"^\s*(?:notes? to (?:the )?(?:condensed )?(?:consolidated )?financial statements"
                         r"|(?:合并)?财务报表(?:项目)?附注|财务报表注释)", re.IGNORECASE)
_SUMMARY_NEXT = re.compile(r"^\s*(?:data|information|highlights|summary|components|items|details|captions)\b", re.IGNORECASE)


def _statement_like(lines: list[str]) -> bool:
    """A continuation page of a Chinese template can hold many rows with empty cells."""
    rows = [x for x in lines if x.strip()]
    short = sum(1 for x in rows if len(x.strip()) <= 40)
    return len(rows) >= 8 and short >= 0.8 * len(rows)


_KIND_NAMES = {"balance_sheet": "balance sheet", "income_statement": "income statement", "cash_flow": "cash-flow statement"}
PRIMARY_KINDS = tuple(_KIND_NAMES)


def missing_statement_warnings(extracted: list[tuple[str, str]], located: list[Located]) -> list[str]:
    """A document warning for every primary statement that did not come out, so that none is
    ever silently missing: ``extracted`` holds the (kind, scope) of the statements read.

    A document with none at all (a summary, a letter) gets one warning naming all three; one
    whose title was found but whose rows could not be read says where the title is."""
    kinds = {k for k, s in extracted if s == "consolidated"}
    if not extracted:
        seen = [f"{_KIND_NAMES[loc.kind]} titled {loc.title!r} on page {loc.pages[0] if loc.pages else '?'}"
                for loc in located if loc.scope == "consolidated"]
        if seen:
            return [f"no statement could be read: {'; '.join(seen)} found but no rows of figures could be read"]
        return [("no balance sheet, income statement or cash-flow statement found in this document "
                 "(no statement title followed by rows of figures)")]
    out = []
    for kind in PRIMARY_KINDS:
        if kind in kinds:
            continue
        titled = [loc for loc in located if loc.kind == kind and loc.scope == "consolidated"]
        parent = " (only the parent company's)" if (kind, "parent") in extracted else ""
        if titled:
            out.append(f"consolidated {_KIND_NAMES[kind]} titled {titled[0].title!r} on page {titled[0].pages[0] if titled[0].pages else '?'}"
                       f" could not be read{parent}")
        else:
            out.append(f"consolidated {_KIND_NAMES[kind]} not found in this document{parent}")
    return out
