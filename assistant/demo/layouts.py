"""From a ``StatementSpec`` to printable blocks: one block per printed statement.

A block is what a page shows: the title lines, the column headers, and the rows with their
printed text and their true base-unit values. The PDF and Excel writers only place blocks;
every number's text is decided here, from the truth, so the two never disagree.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.demo import figures as F
from assistant.demo import periods as P
from assistant.demo import templates as T
from extractors.models import Column

BS, IS, CF = "balance_sheet", "income_statement", "cash_flow"
FigureSet = dict[str, Decimal | None]

UNIT_ZH = {1: "元", 1000: "千元", 10000: "万元", 1000000: "百万元", 100000000: "亿元"}


@dataclass
class Row:
    """One printed row: a heading (``key`` None, no cells) or a row of values."""

    key: str | None  # figure key: canonical, ``_private`` (printed, no canonical key) or None
    label: str
    indent: int = 0
    values: list[Decimal | None] = field(default_factory=list)  # base units, sign as printed
    printed: list[str] = field(default_factory=list)
    note: str | None = None
    row_no: str | None = None
    per_share: bool = False
    total: bool = False
    page: int = 0  # set by the writer
    label_lines: list[str] = field(default_factory=list)  # set by the writer when it wraps

    @property
    def heading(self) -> bool:
        return self.key is None

    @property
    def canonical_key(self) -> str | None:
        return None if self.key is None or self.key.startswith("_") else self.key


@dataclass
class Block:
    kind: str
    scope: str
    lang: str  # zh | en
    title: str
    lines: list[str]  # sub-title lines under the title (company, date, unit)
    columns: list[Column]
    headers: list[list[tuple[str, int, int]]]  # header rows of (text, first value col, last value col)
    rows: list[Row]
    unit: int
    currency: str
    right_rows: list[Row] | None = None  # side-by-side balance sheet: the right half
    label_header: str = "项目"
    note_header: str | None = None  # 附注 / Note column when printed
    row_no_header: str | None = None  # 行次 column when printed
    pages: list[int] = field(default_factory=list)

    def all_rows(self) -> list[Row]:
        return self.rows + (self.right_rows or [])


@dataclass(frozen=True)
class Style:
    """How a layout prints: ruling, fonts, decimals, signs and page behaviour."""

    ruling: str = "rows"  # none | rows | grid
    font_size: float = 9.0
    row_height: float = 15.0
    landscape: bool = False
    decimals: int = 2
    negative: str = "minus"  # minus: -1,234.56 ; paren: (1,234)
    dash: str = "-"  # what an empty cell prints ("" leaves it blank)
    dollar: bool = False  # "$" before the first row's and the totals' numbers
    repeat_header: bool = True  # continuation pages repeat title and column headers
    values_on_last_line: bool = True  # a wrapped label's numbers sit on its last line
    label_width: float = 220.0
    value_width: float = 95.0
    start_new_page: bool = True  # each statement on its own page


LAYOUTS: dict[str, dict] = {
    "sme_side_by_side": dict(kinds=(BS,), unit=10000, currency="CNY", lang="zh",
                             style=Style(ruling="grid", font_size=8, row_height=15, landscape=True,
                                         label_width=150, value_width=78, dash="")),
    "sme_income": dict(kinds=(IS,), unit=1, currency="CNY", lang="zh",
                       style=Style(ruling="rows", label_width=230, value_width=100)),
    "listed_notes": dict(kinds=(BS, IS, CF), unit=1, currency="CNY", lang="zh", minority=True, shares=True,
                         style=Style(ruling="none", font_size=9, row_height=17, label_width=230,
                                     value_width=105, repeat_header=True)),
    "consolidated_parent": dict(kinds=(BS, IS), unit=1, currency="CNY", lang="zh", minority=True,
                                shares=True, scopes=("consolidated", "parent"),
                                style=Style(ruling="rows", label_width=235, value_width=110, dash="—")),
    "multipage": dict(kinds=(BS, CF), unit=1000, currency="CNY", lang="zh",
                      style=Style(ruling="rows", font_size=10, row_height=24, decimals=0,
                                  repeat_header=False, start_new_page=False, label_width=260,
                                  value_width=110)),
    "ifrs_interim": dict(kinds=(BS, IS), unit=1000, currency="HKD", lang="en", minority=True, shares=True,
                         style=Style(ruling="none", decimals=0, negative="paren", dash="—",
                                     label_width=250, value_width=90, row_height=14)),
    "us_10q": dict(kinds=(IS, BS, CF), unit=1000, currency="USD", lang="en", shares=True,
                   style=Style(ruling="none", decimals=0, negative="paren", dash="—", dollar=True,
                               label_width=215, value_width=72, row_height=14, font_size=8.5)),
    "unruled_text": dict(kinds=(BS, IS), unit=1, currency="CNY", lang="zh",
                         style=Style(ruling="none", label_width=120, value_width=120, row_height=14,
                                     dash="")),
    "ruled_grid": dict(kinds=(IS, CF), unit=1000000, currency="CNY", lang="zh",
                       style=Style(ruling="grid", label_width=250, value_width=105, row_height=16)),
}


@dataclass
class StatementSpec:
    """What to print: company, report period, layout, unit, currency, scopes and figures.

    ``figures`` maps ``(scope, kind)`` to one ``{key: Decimal | None}`` per column, in the
    order of :meth:`columns` (see :func:`assistant.demo.figures.make_balance_sheet` and
    friends; Chinese sign convention: costs positive). Missing sets are generated from
    ``seed`` with :meth:`make_figures`, consistent with each other. ``unit``/``currency``/
    ``kinds``/``scopes`` default to the layout's own.
    """

    company: str
    period_end: dt.date
    span: str = "quarter"  # the current reporting span ending at period_end
    layout: str = "sme_side_by_side"
    unit: int | None = None
    currency: str | None = None
    scopes: tuple[str, ...] | None = None
    kinds: tuple[str, ...] | None = None
    figures: dict[tuple[str, str], list[FigureSet]] = field(default_factory=dict)
    seed: int = 0
    scale: float = 80_000_000.0  # about the total assets, in base units
    leverage: float = 1.0  # liabilities multiplier for generated balance sheets (1.8 ≈ 80 % debt)
    cost_ratio: float | None = None  # 营业成本 / 营业收入 for generated spans (≥ 0.9 makes a loss)

    def __post_init__(self) -> None:
        if self.layout not in LAYOUTS:
            raise ValueError(f"unknown layout {self.layout!r}; choose one of {sorted(LAYOUTS)}")
        if self.span not in P.SPANS:
            raise ValueError(f"unknown span {self.span!r}; choose one of {P.SPANS}")
        meta = LAYOUTS[self.layout]
        self.unit = self.unit or meta["unit"]
        self.currency = self.currency or meta["currency"]
        self.scopes = tuple(self.scopes or meta.get("scopes", ("consolidated",)))
        self.kinds = tuple(self.kinds or meta["kinds"])

    @property
    def style(self) -> Style:
        return LAYOUTS[self.layout]["style"]

    @property
    def quantum(self) -> Decimal:
        """The base-unit value of the smallest printed digit."""
        return Decimal(self.unit) / (Decimal(10) ** self.style.decimals)

    def columns(self, kind: str) -> list[Column]:
        return [c for c, _ in _columns(self, kind)]

    def make_figures(self) -> None:
        """Fill every missing ``(scope, kind)`` with generated, internally consistent figures."""
        meta = LAYOUTS[self.layout]
        rng = random.Random(f"{self.seed}/{self.layout}/{self.company}/{self.period_end}")
        q = self.quantum
        for scope in self.scopes:
            minority = bool(meta.get("minority")) and scope == "consolidated"
            factor = 1.0 if scope == "consolidated" else 0.7
            bs_cols = self.columns(BS)
            balances = [
                F.make_balance_sheet(rng, self.scale * factor * (1 - 0.06 * i), q, minority=minority,
                                     leverage=self.leverage)
                for i in range(len(bs_cols))
            ]
            if BS in self.kinds:
                self.figures.setdefault((scope, BS), balances)
            shares = Decimal(int(self.scale * factor / 8)) if meta.get("shares") else None
            if IS in self.kinds and (scope, IS) not in self.figures:
                self.figures[(scope, IS)] = [
                    F.make_income_statement(rng, self._revenue(c) * factor, q, minority=minority, shares=shares,
                                            cost_ratio=self.cost_ratio)
                    for c in self.columns(IS)
                ]
            if CF in self.kinds and (scope, CF) not in self.figures:
                sets = []
                for i, col in enumerate(self.columns(CF)):
                    revenue = self._revenue(col) * factor
                    if self.layout == "us_10q":
                        income = F.make_income_statement(rng, revenue, q, cost_ratio=self.cost_ratio)
                        sets.append(F.make_us_cash_flow(rng, income["net_profit"], revenue, q))
                    else:
                        cash_end = balances[0]["cash"] if i == 0 and col.period_end == bs_cols[0].period_end else None
                        sets.append(F.make_cash_flow(rng, revenue, q, cash_end=cash_end))
                self.figures[(scope, CF)] = sets

    def _revenue(self, col: Column) -> float:
        days = (col.period_end - col.period_start).days + 1
        return self.scale * 0.9 * days / 365


def _columns(spec: StatementSpec, kind: str) -> list[tuple[Column, str]]:
    """The value columns of ``kind`` in ``spec.layout``, with a short header text each."""
    end = spec.period_end
    lay = spec.layout
    if kind == BS:
        prior = P.prior_year_end(end)
        labels = {
            "sme_side_by_side": ("期末余额", "年初余额"),
            "listed_notes": ("期末余额", "上年年末余额"),
            "consolidated_parent": ("期末余额", "期初余额"),
            "multipage": (P.zh_date(end), P.zh_date(prior)),
            "ifrs_interim": (P.en_date_uk(end), P.en_date_uk(prior)),
            "us_10q": (P.en_date_us(end), P.en_date_us(prior)),
            "unruled_text": ("本年年末余额", "上年年末余额"),
        }.get(lay, ("期末余额", "年初余额"))
        return [(Column(period_end=end, label=labels[0]), labels[0]),
                (Column(period_end=prior, label=labels[1]), labels[1])]
    cur = (P.span_start(end, spec.span), end)
    ytd = (P.ytd_start(end), end)
    prev = (P.prior_year(cur[0]), P.prior_year(end))
    prev_ytd = (P.prior_year(ytd[0]), P.prior_year(end))

    def col(span: tuple[dt.date, dt.date], label: str) -> tuple[Column, str]:
        return Column(period_start=span[0], period_end=span[1], label=label), label

    if lay == "sme_income":
        if cur != ytd:
            return [col(cur, "本月数" if spec.span == "month" else "本期金额"), col(ytd, "本年累计")]
        return [col(cur, "本期金额"), col(prev, "上期金额")]
    if lay == "us_10q" and kind == IS and cur != ytd:
        a = f"{P.months_word(*cur)} Months Ended"
        b = f"{P.months_word(*ytd)} Months Ended"
        return [col(cur, f"{a} {P.en_date_us(cur[1])}"), col(prev, f"{a} {P.en_date_us(prev[1])}"),
                col(ytd, f"{b} {P.en_date_us(ytd[1])}"), col(prev_ytd, f"{b} {P.en_date_us(prev_ytd[1])}")]
    if lay in ("us_10q", "ifrs_interim"):
        word = "Year Ended" if ytd[0].month == 1 and end.month == 12 else f"{P.months_word(*ytd)} Months Ended"
        fmt = P.en_date_us if lay == "us_10q" else P.en_date_uk
        return [col(ytd, f"{word} {fmt(ytd[1])}"), col(prev_ytd, f"{word} {fmt(prev_ytd[1])}")]
    if lay == "multipage":
        return [col(ytd, P.zh_span_title(*ytd)), col(prev_ytd, P.zh_span_title(*prev_ytd))]
    if lay == "ruled_grid":
        return [col(cur, "本期金额"), col(prev, "上年同期金额")]
    if lay == "unruled_text":
        return [col(ytd, "本年金额"), col(prev_ytd, "上年金额")]
    return [col(ytd, "本期发生额"), col(prev_ytd, "上期发生额")]


# ----------------------------------------------------------------------------------------
# figures → printed rows


def _ifrs_income(f: FigureSet) -> FigureSet:
    """Chinese-convention income figures → IFRS lines, costs negative; totals unchanged."""
    z = Decimal(0)
    g = lambda k: f.get(k) or z  # noqa: E731
    cost = g("cost_of_revenue") + g("taxes_and_surcharges")
    other = g("_other_income") + g("non_operating_income") - g("non_operating_expenses")
    out: FigureSet = {
        "revenue": g("revenue"), "cost_of_revenue": -cost, "_gross_profit": g("revenue") - cost,
        "selling_expenses": -g("selling_expenses"), "admin_expenses": -g("admin_expenses"),
        "rd_expenses": -g("rd_expenses"), "_other_income": other,
        "credit_impairment_losses": f.get("credit_impairment_losses"),
    }
    out["operating_profit"] = (out["_gross_profit"] + out["selling_expenses"] + out["admin_expenses"]
                               + out["rd_expenses"] + other + g("credit_impairment_losses"))
    out["financial_expenses"] = -g("financial_expenses")
    out["investment_income"] = f.get("investment_income")
    out["total_profit"] = f["total_profit"]
    out["income_tax"] = -g("income_tax")
    out["net_profit"] = f["net_profit"]
    for k in ("net_profit_attributable_to_parent", "minority_interest_income", "basic_eps", "diluted_eps"):
        if k in f:
            out[k] = f[k]
    assert out["operating_profit"] + out["financial_expenses"] + g("investment_income") == out["total_profit"]
    return out


def _us_income(f: FigureSet) -> FigureSet:
    z = Decimal(0)
    g = lambda k: f.get(k) or z  # noqa: E731
    cost = g("cost_of_revenue") + g("taxes_and_surcharges")
    admin = g("admin_expenses") - g("credit_impairment_losses")
    out: FigureSet = {
        "revenue": g("revenue"), "cost_of_revenue": cost, "_gross_profit": g("revenue") - cost,
        "rd_expenses": g("rd_expenses"), "selling_expenses": g("selling_expenses"), "admin_expenses": admin,
    }
    out["_total_operating_expenses"] = g("rd_expenses") + g("selling_expenses") + admin
    out["operating_profit"] = out["_gross_profit"] - out["_total_operating_expenses"]
    out["interest_expense"] = -g("financial_expenses")
    out["_other_income"] = (g("_other_income") + g("investment_income") + g("non_operating_income")
                            - g("non_operating_expenses"))
    out["total_profit"] = f["total_profit"]
    out["income_tax"] = f["income_tax"]
    out["net_profit"] = f["net_profit"]
    for k in ("basic_eps", "diluted_eps"):
        if k in f:
            out[k] = f[k]
    assert out["operating_profit"] + out["interest_expense"] + out["_other_income"] == out["total_profit"]
    return out


def _us_balance(f: FigureSet) -> FigureSet:
    z = Decimal(0)
    g = lambda k: f.get(k) or z  # noqa: E731
    out = {k: f.get(k) for k in ("cash", "accounts_receivable", "inventory", "total_current_assets",
                                 "fixed_assets", "goodwill", "intangible_assets", "total_assets",
                                 "accounts_payable", "short_term_borrowings",
                                 "current_portion_non_current_liabilities", "total_current_liabilities",
                                 "long_term_borrowings", "total_liabilities", "paid_in_capital",
                                 "capital_reserve", "total_equity", "total_liabilities_and_equity")}
    out["_prepaid_and_other"] = sum(g(k) for k in ("prepayments", "notes_receivable", "other_receivables",
                                                    "contract_assets", "_other_current_assets"))
    out["_other_assets"] = sum(g(k) for k in ("long_term_equity_investments", "construction_in_progress",
                                               "_deferred_tax_assets"))
    out["_accrued"] = sum(g(k) for k in ("notes_payable", "advances_from_customers", "_employee_benefits_payable",
                                          "taxes_payable", "_other_payables"))
    out["_other_long_term_liabilities"] = g("_deferred_income")
    out["retained_earnings"] = g("surplus_reserve") + g("retained_earnings") + g("minority_interests")
    return out


def _convert(layout: str, kind: str, f: FigureSet) -> FigureSet:
    if layout == "ifrs_interim" and kind == IS:
        return _ifrs_income(f)
    if layout == "us_10q" and kind == IS:
        return _us_income(f)
    if layout == "us_10q" and kind == BS:
        return _us_balance(f)
    return f


def _template(layout: str, kind: str) -> T.T:
    if layout == "ifrs_interim":
        return {BS: T.IFRS_BALANCE, IS: T.IFRS_INCOME}[kind]
    if layout == "us_10q":
        return {BS: T.US_BALANCE, IS: T.US_INCOME, CF: T.US_CASH_FLOW}[kind]
    if kind == BS:
        return T.ZH_BALANCE_ASSETS + T.ZH_BALANCE_LIABILITIES
    if kind == IS:
        return T.ZH_INCOME_SME if layout in ("sme_income", "unruled_text", "multipage") else T.ZH_INCOME
    return T.ZH_CASH_FLOW


def format_amount(value: Decimal | None, unit: int, style: Style, *, per_share: bool = False) -> str:
    """The printed text of a base-unit value; refuses a value the print would round."""
    if value is None:
        return style.dash
    decimals = 2 if per_share else style.decimals
    shown = value if per_share else value / Decimal(unit)
    q = Decimal(1).scaleb(-decimals)
    if shown.quantize(q) != shown:
        raise ValueError(
            f"{value} is not printable with {decimals} decimals in units of {unit}; "
            "generate figures with StatementSpec.quantum"
        )
    text = f"{abs(shown):,.{decimals}f}"
    if shown < 0:
        return f"({text})" if style.negative == "paren" else f"-{text}"
    return text


_TOTAL_PREFIXES = ("total", "net_cash", "net_change", "net_profit", "cash_end", "operating_profit")


def _rows(spec: StatementSpec, kind: str, scope: str, template: T.T, sets: list[FigureSet],
          notes: bool) -> list[Row]:
    style = spec.style
    rows: list[Row] = []
    note_no = 0
    for key, label, indent in template:
        if key is None:
            rows.append(Row(key=None, label=label, indent=indent))
            continue
        if key not in sets[0]:
            continue
        per_share = key.endswith("_eps")
        values = [s.get(key) for s in sets]
        printed = [format_amount(v, spec.unit, style, per_share=per_share) for v in values]
        row = Row(key=key, label=label, indent=indent, values=values, printed=printed, per_share=per_share,
                  total=key.startswith(_TOTAL_PREFIXES) or label.startswith("Total"))
        if notes and not row.total and not key.startswith("_") and not per_share:
            note_no += 1
            row.note = f"七、{note_no}" if LAYOUTS[spec.layout]["lang"] == "zh" else str(6 + note_no)
        rows.append(row)
    return rows


def _titles(spec: StatementSpec, kind: str, scope: str) -> tuple[str, list[str]]:
    end = spec.period_end
    if spec.layout == "ifrs_interim":
        title = {BS: "CONDENSED CONSOLIDATED INTERIM STATEMENT OF FINANCIAL POSITION",
                 IS: "CONDENSED CONSOLIDATED INTERIM STATEMENT OF PROFIT OR LOSS"}[kind]
        col = spec.columns(kind)[0]
        when = (f"As at {P.en_date_uk(end)}" if kind == BS else
                f"For the {P.months_word(col.period_start, col.period_end).lower()} months ended {P.en_date_uk(end)}")
        return title, [spec.company, when, "(Expressed in thousands of Hong Kong dollars)"]
    if spec.layout == "us_10q":
        title = {BS: "CONDENSED CONSOLIDATED BALANCE SHEETS", IS: "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS",
                 CF: "CONDENSED CONSOLIDATED STATEMENTS OF CASH FLOWS"}[kind]
        unit = "(in thousands, except per share data)" if kind == IS else "(in thousands)"
        return title, [spec.company, unit, "(unaudited)"]
    base = {BS: "资产负债表", IS: "利润表", CF: "现金流量表"}[kind]
    if spec.layout in ("listed_notes", "consolidated_parent"):
        base = ("合并" if scope == "consolidated" else "母公司") + base
    if kind == BS:
        when = P.zh_date(end)
    else:
        col = spec.columns(kind)[0]
        when = P.zh_span_title(col.period_start, col.period_end)
    unit = f"单位：{UNIT_ZH[spec.unit]}"
    if spec.layout in ("listed_notes", "consolidated_parent"):
        return base, [when, f"编制单位：{spec.company}    {unit}    币种：人民币"]
    return base, [f"编制单位：{spec.company}    {when}    {unit}"]


def _headers(spec: StatementSpec, kind: str) -> list[list[tuple[str, int, int]]]:
    cols = _columns(spec, kind)
    n = len(cols)
    if spec.layout in ("us_10q", "ifrs_interim") and kind != BS:
        groups: list[tuple[str, int, int]] = []
        for i in range(0, n, 2):
            text = cols[i][1].rsplit(" ", 1)[0] if spec.layout == "us_10q" else cols[i][1].rsplit(" ", 1)[0]
            groups.append((text.rstrip(",") + ("," if spec.layout == "us_10q" else ""), i, i + 1))
        years = [(str(c.period_end.year), i, i) for i, (c, _) in enumerate(cols)]
        rows = [groups, years]
    elif spec.layout in ("us_10q", "ifrs_interim"):
        rows = [[(label, i, i) for i, (_, label) in enumerate(cols)]]
    else:
        return [[(label, i, i) for i, (_, label) in enumerate(cols)]]
    if spec.layout == "ifrs_interim":
        rows.append([("(Unaudited)" if i == 0 else ("(Audited)" if kind == BS else "(Unaudited)"), i, i)
                     for i in range(n)])
        rows.append([("HK$'000", i, i) for i in range(n)])
    return rows


def build_blocks(spec: StatementSpec) -> list[Block]:
    """Every statement ``spec`` prints, in print order, with printed texts and true values."""
    spec.make_figures()
    blocks: list[Block] = []
    lang = LAYOUTS[spec.layout]["lang"]
    notes = spec.layout in ("listed_notes", "ifrs_interim")
    for scope in spec.scopes:
        for kind in spec.kinds:
            sets = [_convert(spec.layout, kind, s) for s in spec.figures[(scope, kind)]]
            if len(sets) != len(spec.columns(kind)):
                raise ValueError(f"{scope} {kind}: {len(sets)} figure sets for {len(spec.columns(kind))} columns")
            title, lines = _titles(spec, kind, scope)
            block = Block(kind=kind, scope=scope, lang=lang, title=title, lines=lines,
                          columns=spec.columns(kind), headers=_headers(spec, kind), rows=[],
                          unit=spec.unit, currency=spec.currency,
                          label_header="项目" if lang == "zh" else "",
                          note_header=("附注" if lang == "zh" else "Note") if notes else None,
                          row_no_header="行次" if spec.layout in ("sme_side_by_side", "sme_income") else None)
            if spec.layout == "sme_side_by_side" and kind == BS:
                block.rows = _rows(spec, kind, scope, T.ZH_BALANCE_ASSETS, sets, notes)
                block.right_rows = _rows(spec, kind, scope, T.ZH_BALANCE_LIABILITIES, sets, notes)
                block.label_header = "资产"
            else:
                block.rows = _rows(spec, kind, scope, _template(spec.layout, kind), sets, notes)
            if block.row_no_header:
                n = 0
                for row in block.all_rows():
                    if not row.heading:
                        n += 1
                        row.row_no = str(n)
            blocks.append(block)
    return blocks
