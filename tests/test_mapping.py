"""Label normalisation, zh/en synonyms and the statement-level conventions (extractors.mapping)."""

from decimal import Decimal

import pytest

from extractors.mapping import MapRow, assign_keys, map_label, normalize

BS, IS, CF = "balance_sheet", "income_statement", "cash_flow"


@pytest.mark.parametrize(
    ("label", "norm"),
    [
        ("一、营业总收入", "营业总收入"),
        ("其中：营业收入", "营业收入"),
        ("减：所得税费用", "所得税费用"),
        ("（一）基本每股收益(元/股)", "基本每股收益"),
        ("五、净利润（净亏损以“－”号填列）", "净利润"),
        ("实收资本（或股本）", "实收资本"),
        ("Property and equipment, net", "property and equipment"),
        ("Net income (loss)", "net income"),
        ("Debt (Note 11)", "debt"),
        ("Total stockholders’ equity", "total stockholders' equity"),
        ("ＦＵＬＬ－ＷＩＤＴＨ", "full-width"),
    ],
)
def test_normalize(label, norm):
    assert normalize(label) == norm


@pytest.mark.parametrize(
    ("label", "kind", "key"),
    [
        ("货币资金", BS, "cash"),
        ("Cash and cash equivalents", BS, "cash"),
        ("负债和所有者权益（或股东权益）总计", BS, "total_liabilities_and_equity"),
        ("Total liabilities and shareholders’ equity", BS, "total_liabilities_and_equity"),
        ("Non-current operating lease liabilities", BS, "lease_liabilities"),
        ("Accumulated deficit", BS, "retained_earnings"),
        ("2.少数股东损益（净亏损以“-”号填列）", IS, "minority_interest_income"),
        ("Provision for (benefit from) income taxes", IS, "income_tax"),
        ("Earnings before income tax expense and equity in income (loss) of affiliates", IS, "total_profit"),
        ("Loss before income tax", IS, "total_profit"),
        ("Impairment losses on financial assets", IS, "credit_impairment_losses"),
        ("Net cash (used in) provided by operating activities", CF, "net_cash_operating"),
        ("六、期末现金及现金等价物余额", CF, "cash_end"),
        ("Cash, cash equivalents and restricted cash at end of period", CF, "cash_end"),
        ("Purchases of property and equipment", CF, "capex"),
    ],
)
def test_synonyms(label, kind, key):
    assert map_label(label, kind) == key


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Selling, general and administrative expenses", IS),  # straddles two keys
        ("Technology and content", IS),
        ("Short-term borrowings and current portion of long-term debt", BS),
        ("Accounts payable and accrued liabilities", BS),
        ("Deferred revenue", BS),
        ("Cash and cash equivalents, beginning of year", CF),
        ("Cash and cash equivalents", CF),  # the balance-sheet key never leaks into another kind
    ],
)
def test_combined_and_foreign_rows_stay_unmapped(label, kind):
    assert map_label(label, kind) is None


def _rows(*pairs):
    return [MapRow(label, [None if v is None else Decimal(v) for v in values]) for label, values in pairs]


def test_two_rows_never_share_a_key_and_headings_yield_to_figures():
    keys = assign_keys(_rows(("Cost of revenue:", [None]), ("Hardware costs", ["1"]), ("Total cost of revenue", ["10"]),
                             ("Cost of sales", ["12"])), IS)
    assert keys == [None, None, "cost_of_revenue", None]


def test_us_total_stockholders_equity_before_nci_is_the_parents():
    keys = assign_keys(_rows(("Total stockholders' equity", ["90"]), ("Noncontrolling interests", ["10"]),
                             ("Total equity", ["100"])), BS)
    assert keys == ["equity_attributable_to_parent", "minority_interests", "total_equity"]
    assert assign_keys(_rows(("Total stockholders' equity", ["90"])), BS) == ["total_equity"]


def test_common_stock_only_when_one_row_is_printed():
    one = assign_keys(_rows(("Common stock, $0.01 par value", ["5"]),), BS)
    two = assign_keys(_rows(("Class A common stock", ["1"]), ("Class B common stock", ["2"])), BS)
    assert one == ["paid_in_capital"] and two == [None, None]


def test_revenue_conventions():
    only_total = assign_keys(_rows(("Net product sales", ["6"]), ("Total net sales", ["10"])), IS)
    assert only_total == [None, "revenue"]
    both = assign_keys(_rows(("Net sales", ["9"]), ("Other revenue", ["1"]), ("Total revenue", ["10"])), IS)
    assert both == ["revenue", None, "total_operating_revenue"]


def test_total_operating_expenses_only_when_it_includes_cost_of_sales():
    amazon = _rows(("Total net sales", ["100"]), ("Cost of sales", ["60"]), ("Total operating expenses", ["90"]),
                   ("Operating income", ["10"]))
    block = _rows(("Total net revenue", ["100"]), ("Total cost of revenue", ["60"]), ("Total operating expenses", ["50"]),
                  ("Operating loss", ["-10"]))
    assert assign_keys(amazon, IS)[2] == "total_operating_costs"
    assert assign_keys(block, IS)[2] is None


def test_eps_rows_under_a_per_share_heading_but_not_share_counts():
    keys = assign_keys(_rows(("Earnings per share:", [None]), ("Basic", ["1.29"]), ("Diluted", ["1.25"]),
                             ("Weighted-average common shares outstanding:", [None]), ("Basic", ["431885"]),
                             ("Diluted", ["446814"])), IS)
    assert keys == [None, "basic_eps", "diluted_eps", None, None, None]


def test_chinese_interest_items_only_under_financial_expenses():
    keys = assign_keys(_rows(("一、营业总收入", ["10"]), ("其中：营业收入", ["8"]), ("利息收入", ["2"]),
                             ("财务费用", ["-1"]), ("其中：利息费用", [None]), ("利息收入", ["3"])), IS)
    assert keys == ["total_operating_revenue", "revenue", None, "financial_expenses", "interest_expense", "interest_income"]


def test_ifrs_attribution_heading():
    keys = assign_keys(_rows(("Profit for the period", ["28"]), ("Profit attributable to:", [None]),
                             ("Owners of the Company", ["26"]), ("Non-controlling interests", ["2"])), IS)
    assert keys == ["net_profit", None, "net_profit_attributable_to_parent", "minority_interest_income"]


@pytest.mark.parametrize(
    ("label", "kind", "key"),
    [
        ("Net cash provided by (used in) operating activities", CF, "net_cash_operating"),
        ("Cash used in investing activities", CF, "net_cash_investing"),
        ("Cash flows from operating activities", CF, None),  # the section heading
        ("Proceeds from issuance of long-term debt, net of issuance costs", CF, "borrowings_received"),
        ("Proceeds from short-term borrowings", CF, None),
        ("Payments of finance lease obligations", CF, None),
        ("Net income per share attributable to common stockholders, basic", IS, "basic_eps"),
        ("Weighted-average shares used in computing net income per share, basic", IS, None),
        ("Interest income (expense), net", IS, "interest_expense"),  # a net figure
        ("Accounts receivable, net of allowance for doubtful accounts of $12 and $10", BS, "accounts_receivable"),
        ("Long-term debt, net of current portion", BS, "long_term_borrowings"),
        ("主营业务收入", IS, "revenue"),
    ],
)
def test_general_rules_beyond_the_synonym_table(label, kind, key):
    assert map_label(label, kind) == key


def test_cash_end_under_a_cash_heading():
    keys = assign_keys(_rows(("Cash, cash equivalents and restricted cash:", [None]), ("Beginning of period", ["5"]),
                             ("End of period", ["7"])), CF)
    assert keys == [None, None, "cash_end"]
