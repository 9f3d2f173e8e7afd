"""The sum structure of statements (extractors.structure), banks, wrapped Chinese labels and the
core-figure warning — generated statements, each with a variant that must NOT be mapped."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from extractors.checks import check_statement, missing_core
from extractors.mapping import (
    MapRow,
    assign_keys,
    explain_keys,
    is_bank,
    join_wrapped,
    normalize,
)
from extractors.models import Column
from extractors.statements import build_statement
from extractors.structure import leaves, sum_tree

BS, IS, CF = "balance_sheet", "income_statement", "cash_flow"


def _balance_sheet(rng: random.Random, cols: int, blank: bool, heads: bool) -> tuple[list[MapRow], dict[str, int]]:
    """A classified balance sheet with random figures; totals printed without labels when ``blank``."""

    def amounts(n: int) -> list[list[Decimal]]:
        return [[Decimal(rng.randint(1, 9_999_999)) for _ in range(cols)] for _ in range(n)]

    def total(rows: list[list[Decimal]]) -> list[Decimal]:
        return [sum((r[c] for r in rows), Decimal(0)) for c in range(cols)]

    rows: list[MapRow] = []
    where: dict[str, int] = {}

    def add(label: str, values: list[Decimal | None], key: str | None = None) -> None:
        if key:
            where[key] = len(rows)
        rows.append(MapRow(label, values))

    def section(head: str | None, labels: list[str], total_label: str, key: str) -> list[Decimal]:
        if head and heads:
            add(head, [None] * cols)
        vals = amounts(len(labels))
        for lab, v in zip(labels, vals):
            add(lab, list(v))
        t = total(vals)
        add("" if blank else total_label, list(t), key)
        return t

    add("ASSETS", [None] * cols)
    tca = section("Current assets:", ["Cash and cash equivalents", "Accounts receivable, net", "Inventories",
                                      "Other current assets"][: rng.randint(2, 4)], "Total current assets", "total_current_assets")
    nca = amounts(rng.randint(2, 4))
    for lab, v in zip(["Property and equipment, net", "Goodwill", "Deferred taxes", "Other assets"], nca):
        add(lab, list(v))
    ta = [a + b for a, b in zip(tca, total(nca))]
    add("" if blank else "Total assets", ta, "total_assets")
    add("LIABILITIES AND SHAREHOLDERS' EQUITY", [None] * cols)
    tcl = section("Current liabilities:", ["Accounts payable", "Accrued and other liabilities", "Taxes payable"],
                  "Total current liabilities", "total_current_liabilities")
    ncl = amounts(2)
    for lab, v in zip(["Long-term lease obligations", "Other liabilities"], ncl):
        add(lab, list(v))
    tl = [a + b for a, b in zip(tcl, total(ncl))]
    add("Total liabilities", tl, "total_liabilities")
    add("Shareholders' equity:", [None] * cols)
    te = [a - b for a, b in zip(ta, tl)]
    retained = [e - Decimal(1000) for e in te]
    add("Common stock and paid-in capital", [Decimal(1000)] * cols)
    add("Retained earnings", retained)
    add("Total shareholders' equity", te, "total_equity")
    add("" if blank else "Total liabilities and shareholders' equity", ta, "total_liabilities_and_equity")
    return rows, where


@pytest.mark.parametrize("seed", range(12))
def test_unlabelled_totals_are_found_by_the_sums(seed):
    rng = random.Random(seed)
    rows, where = _balance_sheet(rng, cols=rng.choice([1, 2, 3]), blank=True, heads=bool(seed % 2))
    keys, notes = explain_keys(rows, BS)
    for key in ("total_assets", "total_liabilities_and_equity", "total_current_assets", "total_current_liabilities"):
        assert keys[where[key]] == key, (key, seed)
    assert len([k for k in keys if k]) == len({k for k in keys if k})  # one row per key
    assert sum("by the statement's sums" in n for n in notes) == 4  # every inference is said


@pytest.mark.parametrize("seed", range(6))
def test_labelled_totals_keep_their_labels_and_no_note(seed):
    rows, where = _balance_sheet(random.Random(seed), cols=2, blank=False, heads=True)
    keys, notes = explain_keys(rows, BS)
    assert all(keys[i] == k for k, i in where.items())
    assert not [n for n in notes if "sums" in n]


@pytest.mark.parametrize("seed", range(6))
def test_an_unlabelled_row_that_does_not_add_up_stays_without_a_key(seed):
    rng = random.Random(seed)
    rows, where = _balance_sheet(rng, cols=2, blank=True, heads=False)
    for key in ("total_current_assets", "total_assets"):
        i = where[key]
        rows[i].values = [rows[i].values[0] + 7, rows[i].values[1]]  # off in one column
    keys = assign_keys(rows, BS)
    assert keys[where["total_current_assets"]] is None
    assert keys[where["total_assets"]] is None


def test_a_labelled_row_that_says_something_else_is_not_taken_by_structure():
    rows = [MapRow(label, [Decimal(v)]) for label, v in [
        ("Cash", "3"), ("Receivables", "7"), ("Total other assets", "10"), ("Debt", "4"), ("Equity", "6"),
        ("Total debt and equity", "10")]]
    keys = assign_keys(rows, BS)
    assert keys[2] is None  # "other assets" is not the assets total by its label
    assert keys[5] is None  # nor is "debt and equity" the other side


def test_sum_tree_nests_subtotals():
    vals = [[Decimal(v)] for v in ("1", "2", "3", "5", "6", "11", "14")]  # 1+2=3, 5+6=11, 3+11=14
    nodes = sum_tree(vals)
    assert nodes[2].parts == [0, 1] and nodes[5].parts == [3, 4] and nodes[6].parts == [2, 5]
    assert leaves(nodes, 6) == [2, 0, 1, 5, 3, 4]
    assert not sum_tree([[Decimal(v)] for v in ("1", "2", "4")])[2].is_total


def test_net_profit_from_profit_before_tax_less_tax():
    rows = [MapRow(label, [Decimal(a), Decimal(b)]) for label, a, b in [
        ("Operating revenues", "3930", "3777"), ("Income before income taxes", "1640", "924"),
        ("Provision for income taxes", "377", "215"), ("Net income attributable to common shareholders", "1263", "709")]]
    keys, notes = explain_keys(rows, IS)
    assert keys[3] == "net_profit" and any("profit before tax less income tax" in n for n in notes)
    rows[3].values = [Decimal(1263), Decimal(700)]  # does not follow
    assert assign_keys(rows, IS)[3] is None


def test_revenue_as_the_total_under_a_revenues_heading():
    rows = [MapRow(label, [None if v is None else Decimal(v)]) for label, v in [
        ("Revenues", None), ("Casino", "2871"), ("Rooms", "830"), ("Food and beverage", "696"), ("", "4397"),
        ("Expenses", None), ("Casino", "1701"), ("Rooms", "419"), ("", "2120"), ("Operating income", "2277")]]
    keys = assign_keys(rows, IS)
    assert keys[4] == "revenue" and keys.count("revenue") == 1
    # a single-step statement: the "Expenses" block's total holds every operating cost (MGM's layout)
    assert keys[8] == "total_operating_costs"


def test_an_expenses_block_after_gross_profit_is_not_the_total_operating_costs():
    rows = [MapRow(label, [None if v is None else Decimal(v)]) for label, v in [
        ("Revenue", "4397"), ("Cost of sales", "1900"), ("Gross profit", "2497"),
        ("Expenses", None), ("Selling", "120"), ("Administrative", "100"), ("", "220"), ("Operating income", "2277")]]
    keys = assign_keys(rows, IS)
    assert keys[6] is None and "total_operating_costs" not in keys


# --- banks ---------------------------------------------------------------------------------------
def _bank_is() -> list[MapRow]:
    return [MapRow(label, [None if v is None else Decimal(v)]) for label, v in [
        ("一、营业收入", None), ("利息收入", "169863"), ("利息支出", "-81842"), ("利息净收入", "88021"),
        ("手续费及佣金收入", "27240"), ("手续费及佣金净收入", "23894"), ("投资收益", "20474"), ("营业收入合计", "131442"),
        ("二、营业支出", None), ("税金及附加", "-1271"), ("业务及管理费", "-38196"), ("四、营业利润", "51408"),
        ("五、利润总额", "51159"), ("减：所得税费用", "-8526"), ("六、净利润", "42633")]]


def test_a_bank_income_statement_is_recognised_and_its_revenue_is_营业收入():
    rows = _bank_is()
    keys, notes = explain_keys(rows, IS)
    assert is_bank([normalize(r.label) for r in rows], [any(v is not None for v in r.values) for r in rows], IS)
    k = dict(zip([r.label for r in rows], keys))
    assert k["营业收入合计"] == "revenue" and k["利息收入"] == "interest_income" and k["利息支出"] == "interest_expense"
    assert k["利息净收入"] is None and k["手续费及佣金净收入"] is None and k["六、净利润"] == "net_profit"
    assert any("bank" in n for n in notes)


def test_a_company_with_a_finance_arm_is_not_a_bank():
    rows = _bank_is() + [MapRow("营业成本", [Decimal(5)])]
    assert not any("bank" in n for n in explain_keys(rows, IS)[1])


def test_bank_balance_sheet_keeps_corporate_keys_only_where_they_mean_the_same():
    rows = [MapRow(label, [Decimal(v)]) for label, v in [
        ("Cash and due from banks", "25397"), ("Deposits with banks", "685675"), ("Loans, net of allowance for loan losses", "988306"),
        ("Accounts receivable", "114754"), ("Goodwill", "54588"), ("Total assets", "1868720"), ("Deposits", "1500000"),
        ("Total liabilities", "1600000"), ("Total stockholders' equity", "268720"),
        ("Total liabilities and stockholders' equity", "1868720")]]
    k = dict(zip([r.label for r in rows], assign_keys(rows, BS)))
    assert k["Cash and due from banks"] is None and k["Accounts receivable"] is None  # not a company's cash / receivables
    assert k["Goodwill"] == "goodwill" and k["Total assets"] == "total_assets" and k["Total stockholders' equity"] == "total_equity"


# --- Chinese labels wrapped over two rows --------------------------------------------------------
def test_wrapped_chinese_labels_join_when_the_joined_label_is_known():
    labels = ["经营活动产生的现金流", "七、79 量净额", "二、投资活动产生的现金流量：", "投资活动产生的现金流", "量净额",
              "收到其他与经营活动有关的", "七、78 现金"]
    valued = [False, True, False, True, False, False, True]
    assert join_wrapped(labels, valued, CF) == [[0, 1], [2], [3, 4], [5], [6]]


def test_wrapped_labels_with_figures_on_both_lines_do_not_join():
    assert join_wrapped(["所有者权益（或股东权", "益）合计"], [True, True], BS) == [[0], [1]]


def test_build_statement_joins_a_wrapped_label_and_keeps_its_figures():
    cols = [Column(label="2025年12月31日"), Column(label="2024年12月31日")]
    rows = [("资产总计", ["100", "90"], 1, None), ("负债合计", ["60", "50"], 1, None),
            ("所有者权益（或股东权", ["40", "40"], 1, (10, 500, 100, 510)), ("益）合计", ["", ""], 1, (10, 512, 60, 522)),
            ("负债和所有者权益（或", ["100", "90"], 1, None), ("股东权益）总计", ["", ""], 1, None)]
    st = build_statement(BS, "consolidated", "合并资产负债表", cols, rows, 1, "CNY", [1])
    assert [i.key for i in st.items] == ["total_assets", "total_liabilities", "total_equity", "total_liabilities_and_equity"]
    assert st.items[2].label == "所有者权益（或股东权益）合计" and st.items[2].bbox.bottom == 522
    assert not missing_core(st)


# --- a missing core figure is never silent ----------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "rows", "named"),
    [
        (BS, [("Cash", ["1"]), ("Total liabilities", ["2"])], ["total_assets", "total_liabilities_and_equity"]),
        (IS, [("Revenue", ["10"]), ("Operating income", ["2"])], ["net_profit"]),
        (CF, [("Net cash provided by operating activities", ["5"])], ["net_cash_investing", "net_cash_financing"]),
        (IS, [("营业收入", ["10"]), ("利润总额", ["2"])], ["net_profit"]),
    ],
)
def test_a_missing_core_figure_is_a_warning(kind, rows, named):
    st = build_statement(kind, "consolidated", "t", [Column(label="2026")], [(lab, cells, 1, None) for lab, cells in rows],
                         1, "USD", [1])
    core = [w for w in check_statement(st) if w.startswith("core figure not found")]
    assert len(core) == 1 and "核心科目缺失" in core[0]
    assert all(k in core[0] for k in named)


def test_a_complete_statement_has_no_core_warning():
    st = build_statement(IS, "consolidated", "t", [Column(label="2026")],
                         [("Revenue", ["10"], 1, None), ("Net income", ["2"], 1, None)], 1, "USD", [1])
    assert not [w for w in st.warnings if "core" in w]
