"""Label normalisation, zh/en synonyms and the statement-level conventions (extractors.mapping)."""

from decimal import Decimal

import pytest

from extractors.mapping import MapRow, assign_keys, explain_keys, map_label, normalize, similar_key

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


# --- the broad lexicon (issue 10) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("label", "kind", "key"),
    [
        # US variants
        ("Cash generated by/(used in) investing activities", CF, "net_cash_investing"),
        ("Net cash used for investing activities", CF, "net_cash_investing"),
        ("Net cash (used in) / provided by operating activities", CF, "net_cash_operating"),
        ("Net Cash Provided by/(Used for) Financing Activities", CF, "net_cash_financing"),
        ("Cash provided by operations", CF, "net_cash_operating"),
        ("Net cash provided by continuing operating activities", CF, None),  # a part of the total
        ("Consolidated net income", IS, "net_profit"),
        ("Net earnings (loss)", IS, "net_profit"),
        ("Net income/(loss)", IS, "net_profit"),
        ("Income/(loss) before income taxes", IS, "total_profit"),
        ("Benefit (provision) for income taxes", IS, "income_tax"),
        ("Net Operating Revenues", IS, "revenue"),
        ("Less: Net (income) loss attributable to noncontrolling interests", IS, "minority_interest_income"),
        ("TOTAL LIABILITIES AND COMMON STOCKHOLDERS' INVESTMENT", BS, "total_liabilities_and_equity"),
        ("Total liabilities, temporary equity, and stockholders' equity", BS, "total_liabilities_and_equity"),
        ("Total capitalization and liabilities", BS, "total_liabilities_and_equity"),
        ("Total stockholders’equity", BS, "total_equity"),  # a glyph gap lost in the PDF
        ("Total common stockholders’ investment", BS, "total_equity"),
        ("Noncontrolling interest - preferred stock of subsidiary", BS, "minority_interests"),
        ("Redeemable noncontrolling interests", BS, None),  # mezzanine, not equity
        ("Net increase in cash and due from banks and deposits with banks", CF, "net_change_in_cash"),
        # CAS variants
        ("负债和所有者权益（或股东权益）总计", BS, "total_liabilities_and_equity"),
        ("负债及股东权益合计", BS, "total_liabilities_and_equity"),
        ("归属于母公司股东权益（或所有者权益）合计", BS, "equity_attributable_to_parent"),
        ("归属于母公司所有者（或股东）的净利润", IS, "net_profit_attributable_to_parent"),
        ("投资活动使用的现金流量净额", CF, "net_cash_investing"),
        ("筹资活动所用的现金流量净额", CF, "net_cash_financing"),
        ("五、现金及现金等价物净增加/(减少)额", CF, "net_change_in_cash"),
        ("六、年末现金及现金等价物余额 49", CF, "cash_end"),  # a note number after the label
        ("购建固定资产、无形资产及其他长期资产支付的现金", CF, "capex"),
        # Hong Kong, traditional characters
        ("總資產", BS, "total_assets"),
        ("權益總額", BS, "total_equity"),
        ("負債總額", BS, "total_liabilities"),
        ("流動資產總額", BS, "total_current_assets"),
        ("非流動資產總額", BS, "total_non_current_assets"),
        ("本公司擁有人應佔權益", BS, "equity_attributable_to_parent"),
        ("非控制性權益", BS, "minority_interests"),
        ("年內溢利", IS, "net_profit"),
        ("除稅前溢利", IS, "total_profit"),
        ("所得稅開支", IS, "income_tax"),
        ("經營溢利", IS, "operating_profit"),
        ("銷售成本", IS, "cost_of_revenue"),
        ("經營活動所得現金淨額", CF, "net_cash_operating"),
        ("融資活動所用現金淨額", CF, "net_cash_financing"),
        ("年末現金及現金等價物", CF, "cash_end"),
    ],
)
def test_broad_lexicon(label, kind, key):
    assert map_label(label, kind) == key


@pytest.mark.parametrize(
    ("label", "kind", "not_key"),
    [
        ("非流动资产合计", BS, "total_current_assets"),
        ("非流動資產總額", BS, "total_current_assets"),
        ("Total noncurrent assets", BS, "total_current_assets"),
        ("Total noncurrent liabilities", BS, "total_current_liabilities"),
        ("Selling, general and administrative expenses", IS, "selling_expenses"),
        ("Net cash used in investing activities", CF, "net_cash_financing"),
    ],
)
def test_lexicon_never_confuses_a_prefix_that_changes_the_figure(label, kind, not_key):
    assert map_label(label, kind) != not_key
    hit = similar_key(label, kind)
    assert hit is None or hit[0] != not_key


# --- near-miss labels: similarity with a threshold, confirmed by the statement -----------------
@pytest.mark.parametrize(
    ("label", "kind", "key"),
    [
        ("TOTALASSETS", BS, "total_assets"),  # a lost glyph gap
        ("Totalcurrent liabilities", BS, "total_current_liabilities"),
        ("Cost ofgoods sold", IS, "cost_of_revenue"),
        ("Net cash used in nancing activities", CF, "net_cash_financing"),  # a dropped "fi" ligature
        ("Net cash provided by operating activites", CF, "net_cash_operating"),  # one typo in a long word
    ],
)
def test_near_miss_labels_are_similar(label, kind, key):
    hit = similar_key(label, kind)
    assert hit is not None and hit[0] == key and hit[1] >= 0.9


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("Total current asets and deposits", BS),  # a word more: below the threshold
        ("Total other current assets", BS),  # a word more
        ("Net cash used in refinancing", CF),
        ("Interest and dividend income", IS),
        ("Total comprehensive income", IS),
    ],
)
def test_labels_below_the_threshold_stay_without_a_key(label, kind):
    assert similar_key(label, kind) is None


def test_a_near_miss_total_maps_only_when_the_identity_agrees():
    ok = _rows(("Cash", ["30"]), ("Total current assets", ["30"]), ("Land", ["70"]), ("TOTALASSETS", ["100"]),
               ("Debt", ["60"]), ("Equity", ["40"]), ("Total liabilities and equity", ["100"]))
    keys, notes = explain_keys(ok, BS)
    assert keys[3] == "total_assets" and any("TOTALASSETS".lower() in n.lower() for n in notes)  # said, not silent
    bad = _rows(("Cash", ["30"]), ("Total current assets", ["30"]), ("Land", ["70"]), ("TOTALASSETS", ["101"]),
                ("Debt", ["60"]), ("Equity", ["40"]), ("Total liabilities and equity", ["100"]))
    assert explain_keys(bad, BS)[0][3] is None


def test_a_near_miss_never_takes_a_key_another_row_holds():
    keys = assign_keys(_rows(("Cost of goods sold", ["5"]), ("Cost ofgoods sold", ["6"])), IS)
    assert keys == ["cost_of_revenue", None]


def test_near_miss_cash_flow_total_confirmed_by_the_change_in_cash():
    rows = _rows(("Net cash provided by operating activities", ["10", "8"]),
                 ("Net cash used in investing activities", ["-4", "-2"]),
                 ("Net cash used in nancing activities", ["-3", "-1"]),
                 ("Net increase in cash and cash equivalents", ["3", "5"]))
    assert assign_keys(rows, CF)[2] == "net_cash_financing"
    rows[2].values = [Decimal(-3), Decimal(-9)]  # the identity fails in one column
    assert assign_keys(rows, CF)[2] is None


def test_eps_figure_on_the_row_under_a_per_share_heading():
    keys = assign_keys(_rows(("Net income attributable to common shareholders", ["1263"]),
                             ("Basic earnings per share: (a)", [None]),
                             ("Net income attributable to common shareholders", ["6.96"]),
                             ("Diluted earnings per share: (a)", [None]),
                             ("Net income attributable to common shareholders", ["6.95"]),
                             ("Weighted average common shares outstanding:", [None]), ("Basic", ["182"])), IS)
    assert keys[2] == "basic_eps" and keys[4] == "diluted_eps" and keys[6] is None


def test_total_revenues_and_other_income_is_the_top_line_when_alone():
    assert assign_keys(_rows(("Crude oil and products", ["5"]), ("Other income", ["1"]), ("Total revenues and other income", ["6"])), IS) \
        == [None, None, "revenue"]


def test_parent_equity_before_a_noncontrolling_heading_and_total_equity():
    keys = assign_keys(_rows(("Total stockholders' equity attributable to Boston Properties, Inc.", ["5709"]),
                             ("Noncontrolling interests:", [None]), ("Common units of the Operating Partnership", ["603"]),
                             ("Property partnerships", ["1574"]), ("Total equity", ["7886"])), BS)
    assert keys[0] == "equity_attributable_to_parent" and keys[4] == "total_equity"
    same = assign_keys(_rows(("Total shareholders' equity", ["90"]), ("Total equity", ["90"])), BS)
    assert same[0] != "equity_attributable_to_parent"  # no NCI between, same figure: not the parent's share


def test_eps_of_continuing_operations_is_not_the_eps():
    keys = assign_keys(_rows(("Basic earnings per share:", [None]), ("Income from continuing operations", ["0.62"]),
                             ("Loss from discontinued operations", ["-0.02"]), ("Net income attributable to AES", ["0.60"]),
                             ("Diluted earnings per share:", [None]), ("Income from continuing operations", ["0.61"])), IS)
    assert keys[3] == "basic_eps" and keys[1] is None and keys[5] is None


def test_a_net_figure_is_not_similar_to_one_side():
    assert assign_keys(_rows(("Nonoperating (income) expense, net", ["338"]),), IS) == [None]
    assert assign_keys(_rows(("Nonoperating expense", ["338"]),), IS) == ["non_operating_expenses"]


@pytest.mark.parametrize(("label", "key"), [
    ("Long-term debt due within one year", "current_portion_non_current_liabilities"),
    ("Long-term debt maturing within one year", "current_portion_non_current_liabilities"),
    ("Long-term debt", "long_term_borrowings"),
    ("Long-term debt, less current portion", "long_term_borrowings"),
])
def test_long_term_debt_due_within_one_year_is_the_current_portion(label, key):
    # Walmart's "Long-term debt due within one year" was stored as long_term_borrowings (3,975 for 38,120)
    assert map_label(label, "balance_sheet") == key


@pytest.mark.parametrize(("label", "key"), [
    ("Net (decrease) / increase in cash & cash equivalents, including restricted", "net_change_in_cash"),
    ("Net increase (decrease) in cash, cash equivalents, restricted cash and restricted cash equivalents during the year",
     "net_change_in_cash"),
    ("Cash & cash equivalents, including restricted, at end of year", "cash_end"),
    ("Cash, Cash Equivalents, Restricted Cash and Restricted Cash Equivalents at End of Year", "cash_end"),
    ("Cash and cash equivalents at end of year", "cash_end"),
    ("Less restricted cash & cash equivalents, included in Investments", None),
    ("Cash, cash equivalents and restricted cash at beginning of period", None),
])
def test_closing_cash_named_with_restricted_cash(label, key):
    # the reconciled closing row (with restricted cash) is printed first and keeps cash_end (Boeing, Coca-Cola)
    assert map_label(label, "cash_flow") == key


def test_the_first_closing_cash_row_keeps_the_key():
    rows = [MapRow("Cash, cash equivalents and restricted cash at end of year", [Decimal(7813)]),
            MapRow("Less restricted cash", [Decimal(176)]),
            MapRow("Cash and cash equivalents at end of year", [Decimal(7637)])]
    assert assign_keys(rows, "cash_flow") == ["cash_end", None, None]


@pytest.mark.parametrize(("label", "kind", "key"), [
    ("Trade accounts receivable, less allowances of $524 and $501, respectively", "balance_sheet", "accounts_receivable"),
    ("Equity method investments", "balance_sheet", "long_term_equity_investments"),
    ("Reinvested earnings", "balance_sheet", "retained_earnings"),
    ("Capital in excess of par value", "balance_sheet", "capital_reserve"),
    ("Equity Attributable to Shareowners of The Coca-Cola Company", "balance_sheet", "equity_attributable_to_parent"),
    ("Equity attributable to noncontrolling interests", "balance_sheet", "minority_interests"),
    ("Earnings from operations", "income_statement", "operating_profit"),
    ("Interest and debt expense", "income_statement", "interest_expense"),
    ("Consolidated net income attributable to Walmart", "income_statement", "net_profit_attributable_to_parent"),
    ("Consolidated net income attributable to noncontrolling interest", "income_statement", "minority_interest_income"),
    ("Property, plant and equipment additions", "cash_flow", "capex"),
    ("New borrowings", "cash_flow", "borrowings_received"),
    ("Issuances of debt", "cash_flow", "borrowings_received"),
    ("Debt repayments", "cash_flow", "debt_repaid"),
    ("Payments of debt", "cash_flow", "debt_repaid"),
    # near words that are other figures stay unmapped
    ("Net income attributable to", "income_statement", None),
    ("Equity securities", "balance_sheet", None),
])
def test_us_label_families(label, kind, key):
    # Boeing, Coca-Cola and Walmart wording (own corpus gold)
    assert map_label(label, kind) == key


def test_income_attributable_to_common_shareholders_is_not_the_parents_share():
    # after preferred dividends: not net_profit_attributable_to_parent (and the EPS rows under it stay the EPS's)
    assert map_label("Net income attributable to common shareholders", "income_statement") is None


@pytest.mark.parametrize(("label", "key"), [
    ("Proceeds from issuance of term debt, net", "borrowings_received"),
    ("Repayments of term debt", "debt_repaid"),
    ("Payments for acquisition of property, plant and equipment", "capex"),
    ("Cash, cash equivalents and restricted cash, ending balances", "cash_end"),
    ("Payments for dividends and dividend equivalents", "dividends_and_interest_paid"),
    ("Proceeds from/(Repayments of) commercial paper, net", None),
    ("Cash, cash equivalents and restricted cash, beginning balances", None),
])
def test_cash_flow_wording_of_term_debt_and_balances(label, key):
    # Apple 10-K wording (own corpus gold)
    assert map_label(label, "cash_flow") == key
