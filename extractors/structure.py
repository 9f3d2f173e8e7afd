"""The sum structure of a statement: which rows are totals of which rows, checked column by column.

A printed statement is a tree of sums: "Total current assets" is the sum of the rows above it,
"Total assets" the sum of that subtotal and the non-current rows, "Total liabilities and equity"
equals total assets. ``sum_tree`` recovers the tree from the figures alone (every column must
agree exactly), so a total whose label is missing, glued or unusual can still be recognised,
and a key mapped by its label can be confirmed:

    rows_to_items → items_to_subtotals (a stack: a row equal to the sum of the last k items
    replaces them) → subtotals_to_keys (position and section give the canonical key)

``infer_keys`` gives a key only to a row whose label is empty, generic ("Total", "合计") or
consistent with the key (an assets total must say assets), never to a row another key holds,
and returns one note per key it gave, for the statement's warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

_BS, _IS, _CF = "balance_sheet", "income_statement", "cash_flow"
_MAX_PARTS = 60


@dataclass
class Node:
    row: int
    parts: list[int] = field(default_factory=list)  # the rows (items) it is the sum of; empty for a leaf

    @property
    def is_total(self) -> bool:
        return len(self.parts) >= 2


def _vec(values: Sequence[Decimal | None]) -> tuple[Decimal | None, ...]:
    return tuple(values)


def _equal(a: Sequence[Decimal | None], b: Sequence[Decimal | None], tol: Decimal = Decimal(0)) -> bool:
    """Equal in every column printed in both, and at least one such column with a non-zero figure."""
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    return bool(pairs) and any(x != 0 for x, _ in pairs) and all(abs(x - y) <= tol for x, y in pairs) and all(
        (x is None) == (y is None) for x, y in zip(a, b))


def sum_tree(values: Sequence[Sequence[Decimal | None]], tol: Decimal = Decimal(0)) -> dict[int, Node]:
    """The subtotal rows of a statement and the rows each one sums (top to bottom, nested)."""
    stack: list[Node] = []
    nodes: dict[int, Node] = {}
    for i, vals in enumerate(values):
        if not any(v is not None for v in vals):
            continue
        node = Node(i)
        total = [Decimal(0)] * len(vals)
        seen = [False] * len(vals)
        for k in range(1, min(len(stack), _MAX_PARTS) + 1):
            item = values[stack[-k].row]
            for c, v in enumerate(item):
                if v is not None and c < len(total):
                    total[c] += v
                    seen[c] = True
            if k >= 2 and _equal(vals, [t if s else None for t, s in zip(total, seen)], tol):
                node.parts = [n.row for n in stack[-k:]]
                del stack[-k:]
                break
        stack.append(node)
        nodes[i] = node
    return nodes


def leaves(nodes: dict[int, Node], row: int) -> list[int]:
    """Every row under a subtotal, nested subtotals included."""
    out: list[int] = []
    for p in nodes[row].parts:
        out.append(p)
        if nodes[p].is_total:
            out.extend(leaves(nodes, p))
    return out


_GENERIC = re.compile(r"^(?:total|totals|subtotal|sub-total|合计|小计|总计|总额|合共|总计金额)?$")
# what a label must say (when it says anything beyond "Total") to take a key by structure
_SAYS: dict[str, Callable[[str], bool]] = {
    "total_assets": lambda n: bool(re.search(r"assets|资产", n)) and not re.search(
        r"current|流动|net assets|净资产|other|long-term|fixed|intangible|regulatory|其他|长期|固定|无形", n),
    "total_liabilities_and_equity": lambda n: bool(re.search(r"liabilit|负债", n)) and bool(
        re.search(r"equity|capital|investment|deficit|权益", n)),
    "total_current_assets": lambda n: bool(re.search(r"(?<!non)(?<!non-)current assets|(?<!非)流动资产", n)),
    "total_current_liabilities": lambda n: bool(re.search(r"(?<!non)(?<!non-)current liabilities|(?<!非)流动负债", n)),
    "total_liabilities": lambda n: bool(re.search(r"liabilit|负债", n)) and not re.search(
        r"current|流动|equity|权益|capital", n),
    "total_equity": lambda n: bool(re.search(r"equity|investment|deficit|权益", n)) and not re.search(r"liabilit|负债", n),
    "net_profit": lambda n: bool(re.search(r"income|earnings|profit|loss|利润|溢利|亏损", n)) and not re.search(
        r"before|comprehensive|per share|综合|每股|税前|continuing|持续", n),
    "revenue": lambda n: bool(re.search(r"revenue|sales|收入|营业额", n)),
    "total_non_current_assets": lambda n: bool(re.search(r"non-?current assets|long-term assets|非流动资产", n)),
}
# a section heading and the key of the total that closes it
_HEAD_TOTAL: dict[str, list[tuple[re.Pattern[str], str]]] = {
    _BS: [(re.compile(r"^(?:total )?current assets$|^流动资产$"), "total_current_assets"),
          (re.compile(r"^current liabilities$|^流动负债$"), "total_current_liabilities"),
          (re.compile(r"^non-?current assets$|^非流动资产$"), "total_non_current_assets"),
          (re.compile(r"^non-?current liabilities$|^非流动负债$"), "total_non_current_liabilities"),
          (re.compile(r"^本公司(?:权益持有人|拥有人|股东)应占权益$|^equity attributable to (?:owners|equity holders|shareholders) of the company$"),
           "equity_attributable_to_parent")],
    _IS: [(re.compile(r"^(?:net )?(?:operating )?(?:revenues?|sales)$|^营业收入$|^收入$"), "revenue"),
          # a single-step statement's "Expenses" block (no gross profit above it): all the operating costs
          (re.compile(r"^(?:operating )?(?:costs and )?expenses$|^operating costs$"), "total_operating_costs")],
    _CF: [],
}
_CURRENT_ASSET_KEYS = {"cash", "trading_financial_assets", "notes_receivable", "accounts_receivable", "prepayments",
                       "other_receivables", "inventory", "contract_assets"}
_CURRENT_LIABILITY_KEYS = {"short_term_borrowings", "notes_payable", "accounts_payable", "advances_from_customers",
                           "contract_liabilities", "taxes_payable", "current_portion_non_current_liabilities"}
_EQUITY_KEYS = {"paid_in_capital", "capital_reserve", "surplus_reserve", "retained_earnings",
                "equity_attributable_to_parent", "minority_interests"}


@dataclass
class _Ctx:
    norms: list[str]
    values: list[list[Decimal | None]]
    keys: list[str | None]
    nodes: dict[int, Node]
    notes: list[str] = field(default_factory=list)

    def where(self, key: str) -> int | None:
        return next((i for i, k in enumerate(self.keys) if k == key and any(v is not None for v in self.values[i])), None)

    def can(self, row: int, key: str) -> bool:
        """The row is free, the key not yet given, and the label empty, generic or consistent with the key."""
        n = self.norms[row]
        return self.where(key) is None and self.keys[row] is None and bool(
            _GENERIC.match(n) or _SAYS.get(key, lambda _: False)(n))

    def give(self, row: int, key: str, why: str) -> bool:
        if not self.can(row, key):
            return False
        n = self.norms[row]
        self.keys[row] = key
        shown = f"row '{n}'" if n else "an unlabelled row"
        self.notes.append(f"{shown} → {key} by the statement's sums ({why})")
        return True


def infer_keys(kind: str, norms: list[str], values: list[list[Decimal | None]], keys: list[str | None]) -> list[str]:
    """Fill ``keys`` in place from the sum structure; return one note per key given."""
    ctx = _Ctx(norms, values, keys, sum_tree(values))
    _heading_totals(kind, ctx)
    if kind == _BS:
        _balance_sheet(ctx)
    elif kind == _IS:
        _revenue(ctx)
        _net_profit(ctx)
    return ctx.notes


def _heading_totals(kind: str, ctx: _Ctx) -> None:
    """"Current assets:" … an unlabelled total of exactly the rows under the heading."""
    for i, node in ctx.nodes.items():
        if not node.is_total or ctx.keys[i] is not None:
            continue
        first = min(node.parts)
        h = first - 1
        heads = _HEAD_TOTAL.get(kind, [])
        # back over blank lines and template rows printed without figures (股本 "–") to the heading
        while h >= 0 and not any(v is not None for v in ctx.values[h]) and not any(p.match(ctx.norms[h]) for p, _ in heads) \
                and (not ctx.norms[h] or ctx.keys[h] is not None):
            h -= 1
        if h < 0 or any(v is not None for v in ctx.values[h]):
            continue
        for pattern, key in heads:
            if not pattern.match(ctx.norms[h]):
                continue
            if key == "total_operating_costs" and any(re.match(r"gross (?:profit|margin)|毛利", n) for n in ctx.norms[:h]):
                continue  # after a gross profit the block holds the operating expenses only
            ctx.give(i, key, f"the total of the rows under '{ctx.norms[h]}'")


def _balance_sheet(ctx: _Ctx) -> None:
    totals = [i for i, n in ctx.nodes.items() if n.is_total]
    ta, tle = ctx.where("total_assets"), ctx.where("total_liabilities_and_equity")
    # the two sides: an assets total and, further down, a total equal to it
    if ta is None or tle is None:
        pairs = [(a, b) for a in totals for b in totals if a < b and _equal(ctx.values[a], ctx.values[b])
                 and b - a >= 3 and len(leaves(ctx.nodes, b)) >= 2]
        if ta is not None:
            pairs = [(a, b) for a, b in pairs if a == ta] or [(ta, b) for b in totals
                                                              if b > ta and _equal(ctx.values[ta], ctx.values[b])]
        elif tle is not None:
            pairs = [(a, b) for a, b in pairs if b == tle] or [(a, tle) for a in totals
                                                               if a < tle and _equal(ctx.values[a], ctx.values[tle])]
        if ta is None and tle is None:  # both by structure: both labels must agree
            pairs = [(a, b) for a, b in pairs if ctx.can(a, "total_assets") and ctx.can(b, "total_liabilities_and_equity")]
        if pairs:
            a, b = pairs[0]
            if ta is None:
                ctx.give(a, "total_assets", "the total of the assets, equal to the total of the other side")
            if tle is None:
                ctx.give(b, "total_liabilities_and_equity", "equal to the total of the assets")
        ta, tle = ctx.where("total_assets"), ctx.where("total_liabilities_and_equity")
    tca = ctx.where("total_current_assets")
    if ta is None and tca is not None:
        # the other side's total lost: the first total that holds the current-assets total is the assets total
        holder = next((i for i in sorted(totals) if i > tca and tca in ctx.nodes[i].parts), None)
        if holder is not None:
            ctx.give(holder, "total_assets", "the total holding the current assets and the rows after them")
            ta = ctx.where("total_assets")
    if ta is not None and ctx.nodes.get(ta) is not None and ctx.nodes[ta].is_total:
        subs = [p for p in ctx.nodes[ta].parts if ctx.nodes[p].is_total]
        tca = ctx.where("total_current_assets")
        if len(ctx.nodes[ta].parts) == 2 and len(subs) == 2 and tca in subs and ctx.where("total_non_current_assets") is None:
            other = next(p for p in subs if p != tca)
            if not {ctx.keys[r] for r in leaves(ctx.nodes, other)} & _CURRENT_ASSET_KEYS:
                ctx.give(other, "total_non_current_assets", "with the current assets' total it makes up the total assets")
        if subs and ctx.where("total_current_assets") is None:
            first = subs[0]
            if {ctx.keys[r] for r in leaves(ctx.nodes, first)} & _CURRENT_ASSET_KEYS:
                ctx.give(first, "total_current_assets", "the first subtotal of the assets, holding its current items")
    if tle is None or ctx.nodes.get(tle) is None or not ctx.nodes[tle].is_total:
        return
    parts = ctx.nodes[tle].parts
    if ctx.where("total_current_liabilities") is None:
        for s in sorted(r for r in leaves(ctx.nodes, tle) if ctx.nodes[r].is_total):
            under = {ctx.keys[r] for r in leaves(ctx.nodes, s)}
            if under & _CURRENT_LIABILITY_KEYS and not under & _EQUITY_KEYS:
                ctx.give(s, "total_current_liabilities", "the first subtotal of the liabilities, holding its current items")
                break
    if len(parts) == 2 and all(ctx.nodes[p].is_total for p in parts):
        tl, te = parts
        if ctx.where("total_liabilities") is None and not ({ctx.keys[r] for r in leaves(ctx.nodes, tl)} & _EQUITY_KEYS):
            ctx.give(tl, "total_liabilities", "with the equity total it makes up the other side")
        if ctx.where("total_equity") is None and {ctx.keys[r] for r in leaves(ctx.nodes, te)} & _EQUITY_KEYS:
            ctx.give(te, "total_equity", "with the liabilities total it makes up the other side")


def _net_profit(ctx: _Ctx) -> None:
    """No net-profit row mapped: the first row after the tax line equal to profit before tax less tax."""
    if ctx.where("net_profit") is not None:
        return
    tp, tax = ctx.where("total_profit"), ctx.where("income_tax")
    if tp is None or tax is None or tax < tp:
        return
    a, t = ctx.values[tp], ctx.values[tax]
    for sign in (Decimal(-1), Decimal(1)):
        expected = [x + sign * y if x is not None and y is not None else None for x, y in zip(a, t)]
        if any(e is None for e in expected):
            continue
        for r in range(tax + 1, min(tax + 4, len(ctx.values))):
            if ctx.keys[r] is None and _equal(ctx.values[r], expected):
                if ctx.give(r, "net_profit", "profit before tax less income tax"):
                    return


def _revenue(ctx: _Ctx) -> None:
    """No revenue row mapped: a total of the rows above the cost of revenue whose gross profit the
    statement prints (total − cost = the row after the cost) is the revenue, e.g. revenue by segment
    with an unlabelled total (Hong Kong 綜合收益表)."""
    if ctx.where("revenue") is not None or ctx.where("total_operating_revenue") is not None:
        return
    cost = ctx.where("cost_of_revenue")
    if cost is None:
        return
    totals = [i for i, n in ctx.nodes.items() if n.is_total and i < cost and min(n.parts) <= 2]
    if not totals:
        return
    r = max(totals)
    if any(any(v is not None for v in ctx.values[j]) for j in range(r + 1, cost)):
        return  # the total must close the rows just above the cost
    for sign in (Decimal(-1), Decimal(1)):
        expected = [x + sign * y if x is not None and y is not None else None
                    for x, y in zip(ctx.values[r], ctx.values[cost])]
        if any(e is None for e in expected):
            continue
        for g in range(cost + 1, min(cost + 3, len(ctx.values))):
            if _equal(ctx.values[g], expected):
                ctx.give(r, "revenue", "the total above the cost of revenue, less which the gross profit is printed")
                return


# --- sections ------------------------------------------------------------------------------------
# The section a row sits in gives the meaning of labels that are printed in more than one of them
# ("Term debt" under current and under non-current liabilities, Hong Kong 借款 / 應付票據, "Balance, end
# of period" under a cash heading). A heading opens a section; a subtotal that closes one (Total
# current assets, 流动负债合计) ends it, and what follows a current total on its side is non-current
# until the next heading or closing total. The rows a section total sums (``sum_tree``) are in that
# section whatever the headings say (a heading lost at a page's top).
_SECTION_HEADS: dict[str, list[tuple[re.Pattern[str], str | None]]] = {
    _BS: [(re.compile(r"^current assets$|^流动资产$"), "current_assets"),
          (re.compile(r"non-?current assets|long-term assets|^非流动资产$"), "non_current_assets"),
          (re.compile(r"^current liabilities$|^流动负债$"), "current_liabilities"),
          (re.compile(r"non-?current liabilities|long-term liabilities|^非流动负债$"), "non_current_liabilities"),
          (re.compile(r"liabilit|负债"), "liabilities"),
          (re.compile(r"equity|deficit|权益"), "equity"),
          (re.compile(r"^assets$|^资产$"), "assets")],
    _CF: [(re.compile(r"operating|经营"), "operating"),
          (re.compile(r"investing|投资"), "investing"),
          (re.compile(r"financing|筹资|融资"), "financing"),
          (re.compile(r"^cash(?: and| cash| equivalents| restricted| including)*\b(?!.*(?:paid|received|activit))"), "cash")],
}
_CLOSES: dict[str, str | None] = {
    "total_current_assets": "non_current_assets", "total_non_current_assets": "assets", "total_assets": None,
    "total_current_liabilities": "non_current_liabilities", "total_non_current_liabilities": "liabilities",
    "total_liabilities": None, "equity_attributable_to_parent": "equity", "total_equity": None,
    "total_liabilities_and_equity": None,
    "net_cash_operating": None, "net_cash_investing": None, "net_cash_financing": None,
}
_SECTION_OF_TOTAL = {"total_current_assets": "current_assets", "total_non_current_assets": "non_current_assets",
                     "total_current_liabilities": "current_liabilities", "total_non_current_liabilities": "non_current_liabilities"}


def row_sections(kind: str, norms: Sequence[str], values: Sequence[Sequence[Decimal | None]],
                 keys: Sequence[str | None]) -> list[str | None]:
    """The section of every row (None where no heading or total says), for a balance sheet or a
    cash-flow statement (see the comment above)."""
    heads = _SECTION_HEADS.get(kind)
    out: list[str | None] = [None] * len(norms)
    if not heads:
        return out
    state: str | None = None
    for i, n in enumerate(norms):
        valued = any(v is not None for v in values[i])
        if not valued and n and keys[i] is None:
            hit = next((sec for pattern, sec in heads if pattern.search(n)), "")
            if hit:
                state = hit
            elif kind == _CF:
                state = None  # "Supplemental disclosures": the block is over
            out[i] = state
            continue
        out[i] = state
        if valued and keys[i] in _CLOSES:
            state = _CLOSES[keys[i]]
    if kind == _BS:
        nodes = sum_tree(values)
        for i, k in enumerate(keys):
            sec = _SECTION_OF_TOTAL.get(k or "")
            if sec and i in nodes and nodes[i].is_total:
                for r in leaves(nodes, i):
                    out[r] = sec
    return out
