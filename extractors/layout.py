"""Words → lines → value columns → rows, from word positions (ruled or not).

The pipeline of one page region::

    words_to_lines → split_side_by_side → find_columns → header_texts → lines_to_rows

* Lines: words clustered by their vertical middle.
* Value columns: the trailing run of number/dash tokens of every line, clustered by the right
  edge of their digits (a closing parenthesis or ``%`` sticks out). A column headed
  附注/Note or 行次 is a note / row-number column; a column of percentages is dropped.
* Labels: the words left of the run; a label line without values that wraps onto the next
  line is joined to it, also around a line of its figures printed between the two halves; a
  CJK label goes on at the label column's left edge (or under its own start when a bracket is
  left open), so a line indented under a label, or back at the ordinary rows' indentation, is
  a row of its own; a 附注 printed as text ("七、1", alone or apart after the label) is moved
  out of the label.
* The classic SME balance sheet printed as two halves side by side (资产 … ‖ 负债和所有者权益 …)
  is split into two halves that are read one after the other.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from extractors.numbers import CURRENCY_MARKS, fold, is_dash, is_value_token

#: Column heads shared with the Excel reader: a note-reference column and a row-number (行次) column.
NOTE_HEAD = re.compile(r"^(?:附注|注释|注|附注编号|notes?|note\s*ref)$", re.IGNORECASE)
_LABEL_HEAD = re.compile(r"^(?:项目|项\s*目|科目|资产|items?)$", re.IGNORECASE)
ROWNO_HEAD = re.compile(r"^(?:行次|行号|栏次|line|行)$", re.IGNORECASE)
_END_MARK = re.compile(
    r"^(?:法定代表人|公司负责人|企业负责人|单位负责人|主管会计工作负责人|会计机构负责人|制表人|"
    r"see accompanying notes|see notes to|the accompanying notes|see the accompanying notes|"
    r"(?:exhibit|schedule|appendix)\s+[\w.-]+$)",
    re.IGNORECASE,
)
_UNIT_LINE = re.compile(r"单位|币种|编制单位|in thousands|in millions|in billions|except per share|except share", re.IGNORECASE)
_YEAR_TOKEN = re.compile(r"^(?:19|20)\d{2}$")
# what dates a column: a year, a month, a span word or a relative period word
PERIOD_WORDS = re.compile(
    r"(?:19|20)\d{2}|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b(?:ended|ending|weeks?|months?|quarters?)\b|"
    r"本期|上期|本年|上年|期末|期初|年初|年末|本月|本季|同期|累计|余额|发生额|金额|年度|月|日",
    re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def digit_right(self) -> float:
        """The right edge of the digits: a trailing ')' or '%' is printed past the column edge."""
        t = self.text.rstrip()
        extra = len(t) - len(t.rstrip(")）%"))
        if extra and len(t) > extra:
            return self.x1 - (self.x1 - self.x0) * extra / len(t)
        return self.x1


@dataclass
class Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def text(self) -> str:
        return join_words(self.words)


@dataclass
class ValueColumn:
    right: float  # digit right edge (median)
    left: float  # leftmost token x0
    role: str = "value"  # value | note | row_no | percent
    header: str = ""


@dataclass
class Row:
    label: str
    cells: list[str]  # printed text per value column ('' when empty)
    top: float
    bottom: float
    x0: float
    x1: float
    note: str | None = None
    row_no: str | None = None
    cut: bool = False  # a CJK label whose last line reaches the label column's edge (it may go on on the next page)
    tail: bool = False  # a page's first row: a value-less CJK line at the label column's left edge


@dataclass
class PageTable:
    columns: list[ValueColumn]  # value columns only, left to right
    rows: list[Row] = field(default_factory=list)
    header_found: bool = False
    ended: bool = False  # an end mark (法定代表人 / See accompanying notes) was reached
    side_by_side: bool = False


def join_words(words: list[Word]) -> str:
    out = ""
    prev: Word | None = None
    for w in words:
        if prev is not None and not (_CJK.search(prev.text[-1:]) and _CJK.search(w.text[:1]) and w.x0 - prev.x1 < 4):
            out += " "
        out += w.text
        prev = w
    return out


def to_words(raw: list[dict]) -> list[Word]:
    """pdfplumber word dicts → ``Word`` (text as printed; comparisons fold with NFKC)."""
    return [Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"])) for w in raw]


def _merge_punctuation(words: list[Word]) -> list[Word]:
    """Re-attach a lone ")", "%" or "(" printed apart from its number ("(1,234 )", "( 56")."""
    out: list[Word] = []
    i = 0
    while i < len(words):
        w = words[i]
        t = fold(w.text)
        if t in (")", "%", ")%", "%)") and out and w.x0 - out[-1].x1 < 4 and re.search(r"\d$", fold(out[-1].text)):
            p = out[-1]
            out[-1] = Word(p.text + w.text, p.x0, w.x1, min(p.top, w.top), max(p.bottom, w.bottom))
        elif t in ("(", "$(", "-", "−") and i + 1 < len(words) and words[i + 1].x0 - w.x1 < 4 and re.match(r"\d", fold(words[i + 1].text)):
            n = words[i + 1]
            out.append(Word(w.text.replace("$", "") + n.text, w.x0, n.x1, min(w.top, n.top), max(w.bottom, n.bottom)))
            i += 1
        else:
            out.append(w)
        i += 1
    return out


# an amount (grouped or with decimals) glued to a CJK label: adjacent spreadsheet cells printed
# with almost no padding ("3,399.64流动负债合计", "合计4,479.66"); units (元, 万元, 年) stay attached
_AMOUNT = r"\(?-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)\)?"
_GLUED_AFTER = re.compile(rf"^({_AMOUNT})([\u4e00-\u9fff].*)$")
_GLUED_BEFORE = re.compile(rf"^(.*[\u4e00-\u9fff：）:)])({_AMOUNT})$")
_UNIT_CHARS = set("元万亿千百十年月日个股次倍%％")


def _split_glued(w: Word) -> list[Word]:
    """Split an amount from a CJK label it touches; the cut is placed by character widths."""
    t = w.text
    m = _GLUED_AFTER.match(t)
    if m and m.group(2)[0] in _UNIT_CHARS:
        m = None
    m = m or _GLUED_BEFORE.match(t)
    if not m:
        return [w]
    weight = [2.0 if _CJK.match(ch) or ord(ch) > 0xFF00 else 1.0 for ch in t]
    cut = w.x0 + (w.x1 - w.x0) * sum(weight[: len(m.group(1))]) / sum(weight)
    return [Word(m.group(1), w.x0, cut, w.top, w.bottom), Word(m.group(2), cut, w.x1, w.top, w.bottom)]


def words_to_lines(words: list[Word], tolerance: float = 3.0) -> list[Line]:
    lines: list[Line] = []
    words = [part for w in words for part in _split_glued(w)]
    for w in sorted(words, key=lambda w: ((w.top + w.bottom) / 2, w.x0)):
        mid = (w.top + w.bottom) / 2
        if lines:
            last = lines[-1]
            lmid = statistics.median((x.top + x.bottom) / 2 for x in last.words)
            if abs(mid - lmid) <= tolerance:
                last.words.append(w)
                continue
        lines.append(Line([w]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
        line.words = _merge_punctuation(line.words)
    return lines


def trailing_run(line: Line) -> tuple[list[Word], list[Word]]:
    """(label words, value words) — the value run is the trailing numbers/dashes of the line."""
    words = line.words
    i = len(words)
    while i > 0 and (is_value_token(words[i - 1].text) or fold(words[i - 1].text) in CURRENCY_MARKS):
        i -= 1
    label, run = words[:i], [w for w in words[i:] if fold(w.text) not in CURRENCY_MARKS]
    # a currency mark directly after the label belongs to the first value
    return label, run


def _segments(line: Line) -> list[tuple[str, list[Word]]]:
    segs: list[tuple[str, list[Word]]] = []
    depth = 0  # a figure inside the label's open parenthesis ("(included $66,277 and …") is label text
    for w in line.words:
        kind = "v" if depth <= 0 and (is_value_token(w.text) or fold(w.text) in CURRENCY_MARKS) else "t"
        if kind == "t":
            depth += w.text.count("(") + w.text.count("（") - w.text.count(")") - w.text.count("）")
        if segs and segs[-1][0] == kind:
            segs[-1][1].append(w)
        else:
            segs.append((kind, [w]))
    return segs


def split_side_by_side(lines: list[Line]) -> float | None:
    """The x where a two-halves balance sheet splits, or None for an ordinary layout."""
    starts: list[float] = []
    valued = 0
    for line in lines:
        segs = _segments(line)
        kinds = "".join(k for k, _ in segs)
        if "v" in kinds:
            valued += 1
        m = re.search(r"tv+t", kinds)
        if m and kinds.endswith("v"):
            # the second text segment starts the right half
            idx = kinds.index("t", kinds.index("v"))
            seg_words = segs[idx][1]
            if _CJK.search(join_words(seg_words)) or any(c.isalpha() for c in join_words(seg_words)):
                starts.append(seg_words[0].x0)
    if valued >= 4 and len(starts) >= max(3, valued // 3):
        # the right half's labels start at its left edge; indented ones start further right
        starts.sort()
        low = starts[len(starts) // 10]
        # and most of them start there: words that merely follow a figure inside a label ("(included
        # $267,613 and $238,015 at fair value)") start anywhere
        if sum(1 for x in starts if low - 3 <= x <= low + 40) >= 0.6 * len(starts):
            return low - 2
    return None


def find_columns(lines: list[Line], tolerance: float = 9.0) -> list[ValueColumn]:
    """Cluster the digit right edges of the value runs into columns (left to right)."""
    points: list[tuple[float, Word]] = []
    for line in lines:
        _, run = trailing_run(line)
        if _is_year_header(line):
            continue
        for w in run:
            points.append((w.digit_right, w))
    points.sort(key=lambda p: p[0])
    clusters: list[list[tuple[float, Word]]] = []
    for p in points:
        if clusters and p[0] - statistics.median(x for x, _ in clusters[-1]) <= tolerance:
            clusters[-1].append(p)
        else:
            clusters.append([p])
    n_valued = sum(1 for line in lines if trailing_run(line)[1])
    if n_valued < 2:
        return []  # a title at the foot of a page, a page number: no table here
    minimum = 2 if n_valued >= 4 else 1
    left_aligned = _left_aligned(points, clusters, minimum)
    if left_aligned:
        clusters = left_aligned
    cols: list[ValueColumn] = []
    for cl in clusters:
        if len(cl) < minimum:
            continue
        toks = [w for _, w in cl]
        right = max(x for x, _ in cl) if left_aligned else statistics.median(x for x, _ in cl)
        col = ValueColumn(right=right, left=min(w.x0 for w in toks))
        nums = [fold(w.text) for w in toks if not is_dash(w.text)]
        if nums and sum(1 for t in nums if t.endswith("%") or t.endswith("%)")) >= 0.7 * len(nums):
            col.role = "percent"
        cols.append(col)
    # a cluster far thinner than the main columns is stray figures (an exhibit number, a footnote)
    biggest = max((len(cl) for cl in clusters if len(cl) >= minimum), default=0)
    counts = {id(c): len(cl) for c, cl in zip(cols, [cl for cl in clusters if len(cl) >= minimum])}
    return [c for c in cols if counts[id(c)] >= max(minimum, 0.2 * biggest)]


def _left_aligned(points: list[tuple[float, Word]], by_right: list[list[tuple[float, Word]]], minimum: int,
                  tolerance: float = 2.0) -> list[list[tuple[float, Word]]] | None:
    """Clusters by left edge when the figures are printed left-aligned (numbers stored as text).

    Chosen only when the left edges line up (within ``tolerance``) in fewer columns than the
    ragged right edges and hold nearly every figure; right-aligned figures of differing
    widths never line up on the left.
    """
    clusters: list[list[tuple[float, Word]]] = []
    for p in sorted(points, key=lambda p: p[1].x0):
        if clusters and p[1].x0 - clusters[-1][0][1].x0 <= tolerance:
            clusters[-1].append(p)
        else:
            clusters.append([p])
    kept = [cl for cl in clusters if len(cl) >= minimum]
    right = [cl for cl in by_right if len(cl) >= minimum]
    if not kept or len(kept) >= len(right) or sum(len(cl) for cl in kept) < 0.9 * len(points):
        return None
    return kept


def _is_year_header(line: Line) -> bool:
    label, run = trailing_run(line)
    return not label and bool(run) and all(_YEAR_TOKEN.match(fold(w.text)) for w in run)


def _groups(words: list[Word], gap: float = 7.0) -> list[list[Word]]:
    groups: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if groups and w.x0 - groups[-1][-1].x1 <= gap:
            groups[-1].append(w)
        else:
            groups.append([w])
    return groups


def classify_columns(columns: list[ValueColumn], header_lines: list[Line], lines: list[Line]) -> tuple[float, float] | None:
    """Mark note / row-number columns from their headers; return a text-note x-range, if any."""
    note_range = None
    for line in header_lines:
        for g in _groups(line.words, gap=4.0):
            text = join_words(g).replace(" ", "")
            role = "note" if NOTE_HEAD.match(text) else "row_no" if ROWNO_HEAD.match(text) else None
            if not role:
                continue
            gx0, gx1 = g[0].x0, g[-1].x1
            centre = (gx0 + gx1) / 2
            best = None
            for c in columns:
                if c.role != "value":
                    continue
                if c.left - 12 <= centre <= c.right + 12 or gx0 - 12 <= c.right <= gx1 + 25:
                    best = c
                    break
            if best is not None and _small_ints(best, lines):
                best.role = role
            elif role == "note":
                note_range = (gx0 - 12, gx1 + 12)
    # fallback: a leftmost column of small integers beside real amounts is a note column
    values = [c for c in columns if c.role == "value"]
    if len(values) >= 3 and _small_ints(values[0], lines) and not _small_ints(values[1], lines):
        values[0].role = "note"
    return note_range


def _tokens_of(col: ValueColumn, lines: list[Line]) -> list[str]:
    out = []
    for line in lines:
        _, run = trailing_run(line)
        for w in run:
            if abs(w.digit_right - col.right) <= 9:
                out.append(fold(w.text))
    return out


def _small_ints(col: ValueColumn, lines: list[Line]) -> bool:
    toks = [t for t in _tokens_of(col, lines) if not is_dash(t)]
    return bool(toks) and all(re.fullmatch(r"\d{1,3}", t) for t in toks)


def header_texts(columns: list[ValueColumn], header_lines: list[Line]) -> None:
    """Give each value column the header words above it (nearest group per header line).

    A line with one group per column, each inside its cell, is read in order; a line with
    fewer groups that start exactly where such cells start (left-aligned spreadsheet cells,
    "Three Months Ended" over its years) spans from that cell to the next group's.
    """
    values = [c for c in columns if c.role == "value"]
    if not values:
        return
    plan: list[tuple[Line, list[list[Word]] | None, list[list[Word]]]] = []
    starts: list[tuple[float, int]] = []  # (x0 of an in-order header, its column)
    for line in header_lines:
        all_groups = _split_dates(_groups(line.words), values)
        groups = [g for g in all_groups if g[-1].x1 >= values[0].left - 40]
        # a period header left-aligned in a wide first cell starts far left of the figures
        wide = [g for g in all_groups if not _role_header(g)
                and (g[-1].x1 >= values[0].left - 40 or re.search(r"\d", join_words(g)))]
        ordered = _in_order(values, wide) or _in_order(values, [g for g in groups if not _role_header(g)])
        if ordered:
            starts += [(g[0].x0, i) for i, g in enumerate(ordered)]
        plan.append((line, ordered, groups))
    for line, ordered, groups in plan:
        if ordered:
            for c, g in zip(values, ordered):
                c.header = f"{c.header} {join_words(g)}".strip()
            continue
        if not groups:
            continue
        spans = _spans(values, [g for g in groups if not _role_header(g)], starts) or _spans(
            values, [g for g in _split_dates(_groups(line.words), values) if not _role_header(g)], starts)
        if spans:
            for c, g in zip(values, spans):
                if g is not None:
                    c.header = f"{c.header} {join_words(g)}".strip()
            continue
        for c in values:
            centre = (c.left + c.right) / 2
            best = min(groups, key=lambda g: abs((g[0].x0 + g[-1].x1) / 2 - centre))
            if len(groups) > 1 and not (best[0].x0 - 60 <= centre <= best[-1].x1 + 60):
                continue
            text = join_words(best)
            c.header = f"{c.header} {text}".strip()


# a column of changes between two periods is no period of its own: dropped like a percentage column
CHANGE_HEAD = re.compile(r"(?:\$|%)?(?:inc(?:rease)?\.?/?\(?dec(?:rease)?\.?\)?|change|variance|"
                         r"增减(?:额|变动|比例|幅度)?|变动(?:额|比例|幅度)?|同比(?:增减)?)(?:%|\(%\))?", re.IGNORECASE)


def drop_change_columns(columns: list[ValueColumn]) -> None:
    """Mark the value columns headed Inc/(Dec), Change, 增减 or 变动 as dropped."""
    for c in columns:
        if c.role == "value" and c.header and CHANGE_HEAD.fullmatch(re.sub(r"\s+", "", fold(c.header))):
            c.role = "percent"


_YEAR_IN = re.compile(r"(?:19|20)\d{2}")


def _split_dates(groups: list[list[Word]], values: list[ValueColumn]) -> list[list[Word]]:
    """Split a group holding two dates over two columns ("30 June 2026  31 December 2025",
    "2026年9月30  2025年12月31" from narrow cells) at its widest gap, when that gap is clearly
    the widest and a year stands on both sides."""
    out: list[list[Word]] = []
    for g in groups:
        centres = [c for c in values if g[0].x0 <= (c.left + c.right) / 2 <= g[-1].x1]
        gaps = [b.x0 - a.x1 for a, b in zip(g, g[1:])]
        if len(centres) < 2 or len(gaps) < 2:
            out.append(g)
            continue
        k = max(range(len(gaps)), key=lambda i: gaps[i])
        others = gaps[:k] + gaps[k + 1:]
        left, right = g[: k + 1], g[k + 1:]
        if gaps[k] >= 1.3 * max(others) and _YEAR_IN.search(join_words(left)) and _YEAR_IN.search(join_words(right)):
            out += [left, right]
        else:
            out.append(g)
    return out


def _spans(values: list[ValueColumn], groups: list[list[Word]], starts: list[tuple[float, int]],
           tolerance: float = 1.5) -> list[list[Word] | None] | None:
    """Per column, the spanning group whose start is that of a cell at or left of it, or None."""
    if not groups or not starts or len(groups) >= len(values):
        return None
    firsts: list[int] = []
    for g in groups:
        hits = [i for x0, i in starts if abs(x0 - g[0].x0) <= tolerance]
        if not hits or (firsts and min(hits) <= firsts[-1]):
            return None
        firsts.append(min(hits))
    out: list[list[Word] | None] = [None] * len(values)
    for j, (g, first) in enumerate(zip(groups, firsts)):
        last = firsts[j + 1] if j + 1 < len(firsts) else len(values)
        for i in range(first, last):
            out[i] = g
    return out


def _role_header(group: list[Word]) -> bool:
    text = join_words(group).replace(" ", "")
    return bool(NOTE_HEAD.match(text) or ROWNO_HEAD.match(text))


def _in_order(values: list[ValueColumn], groups: list[list[Word]]) -> list[list[Word]] | None:
    """The groups, when there is one per value column and each starts within its column's cell.

    A cell runs from the previous column's digit edge to its own, so a header printed
    left-aligned in the cell (spreadsheet exports) is far from the digits' centre yet in its cell.
    """
    if len(groups) != len(values) or len(values) < 2:
        return None
    previous = None
    for c, g in zip(values, groups):
        if g[0].x0 > c.right + 10 or (previous is not None and g[0].x0 < previous.right - 10):
            return None
        previous = c
    return groups


def find_header_lines(lines: list[Line], first_data: int, columns: list[ValueColumn]) -> list[Line]:
    """The lines just above the first data row that sit over the value columns."""
    values = [c for c in columns if c.role != "percent"]
    if not values:
        return []
    boundary = min(c.left for c in values) - 25
    out: list[Line] = []
    for line in reversed(lines[:first_data]):
        text = line.text
        if len(out) >= 5:
            break
        over_values = [w for w in line.words if w.x1 >= boundary]
        if _UNIT_LINE.search(text):
            if out and any(PERIOD_WORDS.search(x.text) for x in out):
                break  # the unit line above a dated header block ends it
            if not over_values or _UNIT_LINE.search(join_words(over_values)):
                continue  # "(in millions)" printed between the dates (or "(Unaudited)") and the rows
            out.append(Line(over_values))  # "(In millions) 2023 2022": keep the part over the columns
            continue
        if max(w.x1 for w in line.words) < boundary:
            if out and _LABEL_HEAD.match(text.replace(" ", "")):
                continue  # 项目 centred beside a header cell that wraps over two lines
            if out and not NOTE_HEAD.match(text.replace(" ", "")):
                # a left-only line above the header block (a title or a section name) ends it
                if any(ROWNO_HEAD.match(w.text) or NOTE_HEAD.match(w.text) for w in line.words):
                    out.append(line)
                    continue
                break
            continue
        out.append(line)
    return list(reversed(out))


def lines_to_rows(
    lines: list[Line], columns: list[ValueColumn], *, note_range: tuple[float, float] | None = None, tolerance: float = 14.0
) -> tuple[list[Row], bool]:
    """Rows of a region: label, one printed cell per value column, provenance box."""
    values = [c for c in columns if c.role == "value"]
    rows: list[Row] = []
    pending: list[Line] = []  # label lines waiting for their values (wrapped labels)
    rights: list[float] = []
    ended = False
    parsed = []
    for line in lines:
        if _END_MARK.match(line.text.strip()):
            ended = True
            break
        label_words, run = trailing_run(line)
        if _is_year_header(line):
            continue
        cells = [""] * len(values)
        note = row_no = None
        stray: list[Word] = []
        placed: list[tuple[Word, ValueColumn | None, bool]] = []  # (word, column, at its digit edge)
        for w in run:
            col = min(columns, key=lambda c: abs(c.right - w.digit_right)) if columns else None
            if col is not None and abs(col.right - w.digit_right) <= tolerance and w.x0 < col.right:
                placed.append((w, col, True))
                continue
            # a leading dash, when every other figure of the run sits at a column's digit edge
            first_dash = w is run[0] and len(run) <= len(values) and all(
                any(abs(c.right - o.digit_right) <= tolerance for c in columns) for o in run[1:])
            placed.append((w, _cell_of(columns, w, first_dash=first_dash), False))
        at_edge = {id(c) for _, c, edge in placed if edge}
        for w, col, edge in placed:
            if col is None or (not edge and id(col) in at_edge):
                stray.append(w)  # a cell holds one figure: one at the digit edge wins
                continue
            if col.role == "value":
                i = values.index(col)
                cells[i] = f"{cells[i]} {w.text}".strip() if cells[i] else w.text
            elif col.role == "note":
                note = w.text
            elif col.role == "row_no":
                row_no = w.text
            # percent columns are dropped
        if stray:  # unplaced tokens ("(Note 6)") stay with the label
            label_words = sorted(label_words + stray, key=lambda w: w.x0)
        if note_range is not None:
            kept = []
            for w in label_words:
                # a note alone on a line of figures (the label wraps around it) starts within the range
                if (kept or w.x0 >= note_range[0] - 5) and note_range[0] <= (w.x0 + w.x1) / 2 <= note_range[1]:
                    note = f"{note} {w.text}".strip() if note else w.text
                else:
                    kept.append(w)
            label_words = kept
        if note is None and label_words and _NOTE_REF.fullmatch(join_words(label_words).replace(" ", "")):
            # a note reference alone on a line of figures ("七、68" between the halves of a wrapped
            # label, no note column found) is the row's note, not a label of its own
            note, label_words = join_words(label_words).replace(" ", ""), []
        elif note is None and len(label_words) > 1 and _NOTE_REF.fullmatch(label_words[-1].text) and (
                label_words[-1].x0 - label_words[-2].x1 >= line.bottom - line.top):
            # a note reference printed apart after the label, in a cell of its own that no note
            # column was found for ("收到其他与投资活动有关的   七、78")
            note, label_words = label_words[-1].text, label_words[:-1]
        # a row number printed right after the label (行次 without a header) stays out of the label
        parsed.append((line, label_words, cells, note, row_no))
        text_words = _without_note_ref(label_words)
        if text_words and re.search(r"[A-Za-z\u4e00-\u9fff]", join_words(text_words)):
            rights.append((max(w.x1 for w in text_words), line.bottom - line.top))
    # labels stay left of the figures: a line running across the columns (a sub-title) is no edge
    first_left = min((c.left for c in values), default=1e9)
    kept_rights = [r for r, _ in rights if r < first_left]
    label_right = _wrap_edge(kept_rights)
    labels = {id(line): join_words(lw).strip() for line, lw, _, _, _ in parsed}
    wrap = _Wrap(label_right, max(kept_rights, default=1e9), {id(line): _without_note_ref(lw) for line, lw, _, _, _ in parsed},
                 _left_edge([lw for _, lw, _, _, _ in parsed if lw and lw[-1].x1 < first_left]))

    notes = {id(line): note for line, _, _, note, _ in parsed}
    wrap.outdented = any(_outdented_tail(a, b, wrap) for a, b in zip(parsed, parsed[1:]))

    def _row_of(line: Line, cells: list[str], note: str | None, row_no: str | None) -> Row:
        return Row(labels.get(id(line)) or line.text, cells, line.top, line.bottom, line.words[0].x0, line.words[-1].x1,
                   note or notes.get(id(line)), row_no)

    def _flush(lines_: list[Line]) -> None:
        # value-less label lines become rows, the lines of a wrapped label joined into one
        groups: list[list[Line]] = []
        for p in lines_:
            if groups and _continues(groups[-1][-1], p, wrap, strict=True):
                groups[-1].append(p)
            else:
                groups.append([p])
        for g in groups:
            row = _row_of(g[0], [""] * len(values), None, None)
            if len(g) > 1:
                row.label = _tidy_join(" ".join(labels.get(id(p)) or p.text for p in g))
                row.bottom = max(p.bottom for p in g)
                row.x0 = min(p.words[0].x0 for p in g)
                row.x1 = max(p.words[-1].x1 for p in g)
                row.note = row.note or next((notes[id(p)] for p in g if notes.get(id(p))), None)
            rows.append(row)

    last_valued: Line | None = None  # the line holding the figures of the last row
    last_head: Line | None = None  # the last line of that row's label
    for line, label_words, cells, note, row_no in parsed:
        has_values = any(cells)
        label = join_words(label_words).strip()
        if not has_values and not row_no:  # (a note printed beside a label whose figures follow)
            if label and not pending and last_valued is not None and last_head is not None and rows and _continues_forward(
                    last_head, last_valued, line, wrap):
                # the tail of a wrapped label whose figures sit on its first line, or on a line of
                # their own between its two halves
                row = rows[-1]
                row.label = _tidy_join(f"{row.label} {label}")
                row.bottom, row.x1 = max(row.bottom, line.bottom), max(row.x1, line.words[-1].x1)
                row.cut = False
                last_valued = last_head = None
                continue
            last_valued = last_head = None
            if label:
                if pending and (_continues(pending[-1], line, wrap) or _share_description(pending, line, labels)):
                    pending.append(line)
                else:
                    _flush(pending)
                    pending = [line]
            continue
        box_lines = [line]
        if pending and _share_description(pending, line, labels):
            # "Common stock, $0.01 par value:" / "Authorized shares — 5,000" / "Outstanding shares — 477  5  5"
            label = " ".join(labels[id(p)] for p in pending) + " " + label
            box_lines = pending + [line]
        elif pending and (_continues(pending[-1], line, wrap) or not label):
            chain = _wrapped_chain(pending, wrap)
            _flush(pending[: len(pending) - len(chain)])
            label = " ".join([labels.get(id(p), "") for p in chain] + ([label] if label else []))
            label = _tidy_join(label)
            box_lines = chain + [line]
            note = note or next((notes[id(p)] for p in chain if notes.get(id(p))), None)
        else:
            _flush(pending)
        pending = []
        if not label and not has_values:
            continue
        if label and not re.search(r"[A-Za-z\u4e00-\u9fff]", label):
            continue  # a page number or a stray figure, not a row
        top = min(x.top for x in box_lines)
        bottom = max(x.bottom for x in box_lines)
        x0 = min(w.x0 for x in box_lines for w in x.words)
        x1 = max(w.x1 for x in box_lines for w in x.words)
        rows.append(Row(label, cells, top, bottom, x0, x1, note, row_no))
        last_valued = line
        last_head = next((x for x in reversed(box_lines) if wrap.words.get(id(x))), None)
        rows[-1].cut = last_head is not None and bool(_CJK.search(label)) and wrap.label_right(last_head) >= (
            wrap.longest - 2.5 * (last_head.bottom - last_head.top))
    _flush(pending)
    if rows and parsed and not any(parsed[0][2]) and rows[0].top == parsed[0][0].top:
        first = parsed[0][0]
        text = rows[0].label
        rows[0].tail = bool(_CJK.search(text[:1])) and not _ROW_START.match(text) and not text.endswith((":", "：")) and (
            first.words[0].x0 <= wrap.left + 0.4 * (first.bottom - first.top))
    return rows, ended


def continues_across_pages(last: Row, first: Row) -> bool:
    """Is ``first``, a page's first row, the rest of the label of ``last``, the previous page's last
    row ("经营活动产生的现金流" / page break / "量净额")? The label of ``last`` reached the edge of
    its column, ``first`` has no figures and starts at the column's left edge, left of ``last``."""
    return last.cut and first.tail and first.x0 < last.x0 - 2 and not any(first.cells) and not first.note


def _without_note_ref(words: list[Word]) -> list[Word]:
    """The label words less a trailing note reference printed in the label's cell ("长期股权投资 十九、3"):
    where the label's text ends, for the wrap tests."""
    if len(words) > 1 and _NOTE_REF.fullmatch(words[-1].text):
        return words[:-1]
    return words


# a note reference as printed beside a label: 七、1 / 七.33 / 十九、5 / 60(1) / 五(一)3
_NOTE_REF = re.compile(
    r"(?:附注)?(?:[一二三四五六七八九十]+[、.．]\d+(?:[.．、]\d+)*(?:[(（]\d+[)）])?"
    r"|\d+(?:[.．]\d+)*[(（][\d一二三四五六七八九十]+[)）]\d*|[一二三四五六七八九十]+[(（][\d一二三四五六七八九十]+[)）]\d*)")
_SHARES_DESC = re.compile(r"^(?:authorized|issued|outstanding|issued and outstanding)\b[^:]*\bshares?\b", re.IGNORECASE)


def _cell_of(columns: list[ValueColumn], w: Word, *, first_dash: bool = False) -> ValueColumn | None:
    """The column whose cell holds ``w``: right of the previous column's digits, not past its own.

    Spreadsheet exports print text cells ("-", numbers stored as text) left-aligned, away
    from the right-aligned digits of the same column.
    """
    for i, c in enumerate(columns):
        if w.digit_right > c.right + 2:
            continue
        # the first cell is bounded by its own width; a label's figure ("Note 6") further left
        # stays, but a leading dash of a run of placed figures is the first cell's
        left = columns[i - 1].right + 0.5 if i else c.left - (c.right - c.left)
        return c if w.x0 >= left or (i == 0 and first_dash and is_dash(w.text)) else None
    return None


def _share_description(pending: list[Line], line: Line, labels: dict[int, str]) -> bool:
    """A stock heading ending in ':' whose indented share-count lines end on the valued line."""
    head = pending[0]
    if not labels.get(id(head), "").endswith(":") or not _SHARES_DESC.match(labels.get(id(line), "")):
        return False
    rest = pending[1:]
    return all(_SHARES_DESC.match(labels.get(id(p), "")) and p.words[0].x0 > head.words[0].x0 + 3 for p in rest) and line.words[0].x0 > head.words[0].x0 + 3


def _wrap_edge(rights: list[float]) -> float:
    """The right edge where labels wrap: the longest labels, when at least two reach it."""
    if not rights:
        return 1e9
    edge = max(rights)
    return edge if sum(1 for r in rights if r >= edge - 6) >= 2 else 1e9


def _tidy_join(label: str) -> str:
    # CJK halves of a wrapped label are joined without a space
    return re.sub(r"(?<=[\u4e00-\u9fff（(）)、，,“”－])\s+(?=[\u4e00-\u9fff（(）)“”])", "", label)


@dataclass
class _Wrap:
    """What the wrap tests know of a region: the label column's wrap edge (where at least two
    labels end), the longest label, each line's label words (note references and figures left
    out) and the left edge of the CJK labels."""

    edge: float
    longest: float
    words: dict[int, list[Word]]
    left: float
    outdented: bool = False  # the region's wrapped labels go on at the column's left edge

    def label_right(self, line: Line) -> float:
        words = self.words.get(id(line))
        if words is None:
            words = trailing_run(line)[0]
        return max((w.x1 for w in words), default=0.0)


_LATIN_WRAP_END = (",", ";", "and", "of", "for", "in", "to", "from", "the", "-", "—")


def _continues(prev: Line, nxt: Line, wrap: _Wrap, *, strict: bool = False) -> bool:
    """Does ``nxt`` continue the label of the value-less line ``prev``? ``strict``: without
    figures to follow, a CJK line starting where an indented ``prev`` starts is not taken as its
    tail (two complete labels of the same length end at the same edge)."""
    ptext = prev.text.strip()
    ntext = nxt.text.strip()
    if not ptext or not ntext or ptext.endswith((":", "：")):
        return False
    if nxt.top - prev.bottom > (prev.bottom - prev.top) * 1.6:
        return False
    first = ntext[0]
    if first.isalpha() and first.islower():
        return True
    if _CJK.search(ptext):
        if _ROW_START.match(ntext) or ntext.endswith((":", "：")):
            return False
        return _cjk_wrap(prev, nxt, wrap, strict=strict)
    return ptext.endswith(_LATIN_WRAP_END)


_ROW_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]|加[:：]|减[:：]|其中[:：])")


def _cjk_wrap(head: Line, tail: Line, wrap: _Wrap, *, strict: bool = False) -> bool:
    """Is the CJK line ``tail`` where the label of ``head`` goes on after reaching the label column's edge?

    A line indented under ``head`` is a row of its own ("其中：营业收入" / "利息收入"). A line
    left of ``head`` continues it only from the left edge of the label column (the rest of a
    label printed with a first-line indent) and when ``head`` ends within a few characters of
    the longest label (an opening quote or bracket never ends a line, so a line may break early);
    a line back at the indentation of the ordinary rows is a row ("其中：数据资源" /
    "商誉"). A line starting where ``head`` starts continues it when ``head`` reaches the
    column's wrap edge.
    """
    head_x0, tail_x0 = head.words[0].x0, tail.words[0].x0
    right = wrap.label_right(head)
    char = head.bottom - head.top
    at_left = tail_x0 <= wrap.left + 0.4 * char
    if tail_x0 > head_x0 + 2:
        return False
    if tail_x0 < head_x0 - 2:
        return at_left and right >= wrap.longest - 2.5 * char
    if not at_left and (strict or wrap.outdented or not _unfinished(head, tail)):
        # an indented line under an indented line of the same start is a row of its own where
        # wrapped labels go on at the column's left edge, and elsewhere unless the first line
        # leaves a bracket or quote open or the second starts by closing one
        return False
    return right >= wrap.edge - 14


def _unfinished(head: Line, tail: Line) -> bool:
    text = head.text
    opened = text.count("（") + text.count("(") - text.count("）") - text.count(")")
    quoted = text.count("“") - text.count("”")
    return opened > 0 or quoted > 0 or tail.text.strip()[:1] in "）)”’、，,"



def _left_edge(labels: list[list[Word]]) -> float:
    """The left edge of the CJK label column, where wrapped labels go on: the leftmost start of a
    label that is not a numbered section heading ("六、…" is often printed further left)."""
    cjk = [lw for lw in labels if lw and _CJK.search(join_words(lw))]
    plain = [lw[0].x0 for lw in cjk if not _ROW_START.match(join_words(lw))]
    return min(plain or [lw[0].x0 for lw in cjk] or [0.0])


def _outdented_tail(prev, cur, wrap: _Wrap) -> bool:
    """A value-less CJK line at the label column's left edge right after an indented label: the
    rest of a label printed with a first-line indent (the region's wrapping style)."""
    pline, plabel = prev[0], prev[1]
    line, label, cells = cur[0], cur[1], cur[2]
    if any(cells) or not label or not plabel or not _CJK.search(join_words(label)[:1]):
        return False
    text = join_words(label)
    char = line.bottom - line.top
    return (not _ROW_START.match(text) and not text.endswith((":", "："))
            and label[0].x0 <= wrap.left + 0.4 * char < plabel[0].x0 - 2
            and line.top - pline.bottom < 1.2 * char)


def _continues_forward(head: Line, valued: Line, nxt: Line, wrap: _Wrap) -> bool:
    """Is the value-less CJK line ``nxt`` the tail of the label whose last line is ``head`` and
    whose figures sit on ``valued`` (the same line, or a line of figures below ``head``)?"""
    ntext = nxt.text.strip()
    if not wrap.words.get(id(head)) or not ntext or not _CJK.search(ntext) or _ROW_START.match(ntext) or ntext.endswith((":", "：")):
        return False
    if nxt.top - max(valued.bottom, head.bottom) > (head.bottom - head.top) * 1.2:
        return False
    if not _cjk_wrap(head, nxt, wrap):
        return False  # the row above was not cut at the edge of the label column
    return max(w.x1 for w in nxt.words) < wrap.edge - 14 or ntext[0] in "(（)）"


def _wrapped_chain(pending: list[Line], wrap: _Wrap) -> list[Line]:
    chain = [pending[-1]]
    for i in range(len(pending) - 1, 0, -1):
        if _continues(pending[i - 1], pending[i], wrap):
            chain.insert(0, pending[i - 1])
        else:
            break
    return chain



