"""Hong Kong statements: dates in Chinese numerals, a spanning title-block date, revenue by segment
with an unlabelled total, 盈利/耗用 wording — generated cases and the real 腾讯控股 2019 report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.mapping import map_label
from extractors.periods import chinese_numeral_dates, resolve_columns
from extractors.structure import infer_keys

D = dt.date


@pytest.mark.parametrize(("text", "expected"), [
    ("二零一九年十二月三十一日", "2019年12月31日"),
    ("二〇二五年三月三十一日", "2025年3月31日"),
    ("截至十二月三十一日止年度 二零一九年", "截至2019年12月31日止年度 "),
    ("於十二月三十一日 二零一八年", "于2018年12月31日 "),
    ("截至六月三十日止六個月 二零二五年", "截至2025年6月30日止六个月 "),
    # numerals that are no date stay as printed
    ("第三十一条", "第三十一条"), ("三十二日", "三十二日"), ("十三月", "十三月"), ("一二三四五", "一二三四五"),
])
def test_chinese_numeral_dates(text, expected):
    assert chinese_numeral_dates(text) == expected


def test_hong_kong_headers_are_dated():
    cols, warnings = resolve_columns(["截至十二月三十一日止年度 二零一九年 人民幣百萬元", "截至十二月三十一日止年度 二零一八年 人民幣百萬元"],
                                     flow=True, report=None)
    assert [(c.period_start, c.period_end) for c in cols] == [(D(2019, 1, 1), D(2019, 12, 31)), (D(2018, 1, 1), D(2018, 12, 31))]
    assert warnings == []
    cols, _ = resolve_columns(["於十二月三十一日 二零一九年", "於十二月三十一日 二零一八年"], flow=False, report=None)
    assert [c.period_end for c in cols] == [D(2019, 12, 31), D(2018, 12, 31)]


def test_a_spanning_title_date_yields_to_each_columns_own_year():
    # the title block's date printed over both columns used to date the prior-year column 2019 too
    heads = ["截至二零一九年十二月三十一日止年度 截至十二月三十一日止年度 二零一九年 人民幣百萬元",
             "截至二零一九年十二月三十一日止年度 截至十二月三十一日止年度 二零一八年 人民幣百萬元 (附註2.2)"]
    cols, _ = resolve_columns(heads, flow=True, report=None)
    assert [(c.period_start, c.period_end) for c in cols] == [(D(2019, 1, 1), D(2019, 12, 31)), (D(2018, 1, 1), D(2018, 12, 31))]
    assert cols[1].label.startswith("截至2019年12月31日止年度")  # the label keeps the whole header


def test_shared_words_that_date_nothing_are_kept():
    cols, _ = resolve_columns(["Years Ended December 31, 2019", "Years Ended December 31, 2018"], flow=True, report=None)
    assert [c.period_end for c in cols] == [D(2019, 12, 31), D(2018, 12, 31)]


@pytest.mark.parametrize(("label", "kind", "key"), [
    ("年度盈利", "income_statement", "net_profit"),
    ("期內盈利", "income_statement", "net_profit"),
    ("收入成本", "income_statement", "cost_of_revenue"),
    ("投資活動耗用現金流量淨額", "cash_flow", "net_cash_investing"),
    ("現金及現金等價物增加╱（減少）淨額", "cash_flow", "net_change_in_cash"),
])
def test_hong_kong_wording(label, kind, key):
    assert map_label(label, kind) == key


def _v(*xs):
    return [Decimal(x) for x in xs]


def test_revenue_is_the_total_above_cost_whose_gross_profit_is_printed():
    norms = ["增值服务", "网络广告", "", "收入成本", "毛利"]
    values = [_v(200, 150), _v(100, 70), _v(300, 220), _v(-180, -120), _v(120, 100)]
    keys = [None, None, None, "cost_of_revenue", None]
    notes = infer_keys("income_statement", norms, values, keys)
    assert keys[2] == "revenue" and any("revenue" in n for n in notes)


def test_no_revenue_when_the_gross_profit_does_not_agree():
    norms = ["增值服务", "网络广告", "", "收入成本", "毛利"]
    values = [_v(200, 150), _v(100, 70), _v(300, 220), _v(-180, -120), _v(121, 100)]
    keys = [None, None, None, "cost_of_revenue", None]
    infer_keys("income_statement", norms, values, keys)
    assert keys[2] is None


@pytest.mark.real_data
def test_tencent_2019_statements_are_dated_and_core_complete(shared_data):
    pdf = shared_data / "corpus" / "zh" / "腾讯控股_2019_年报.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found")
    from extractors.pipeline import extract_file

    r = extract_file(pdf)
    by = {st.kind: st for st in r.statements if st.scope == "consolidated"}
    assert set(by) == {"balance_sheet", "income_statement", "cash_flow"}
    cf = by["cash_flow"]
    assert [(c.period_start, c.period_end) for c in cf.columns] == [(D(2019, 1, 1), D(2019, 12, 31)), (D(2018, 1, 1), D(2018, 12, 31))]
    assert cf.value("net_cash_investing", 0) == Decimal("-116170000000")
    inc = by["income_statement"]
    assert inc.value("revenue", 0) == Decimal("377289000000") and inc.value("net_profit", 0) == Decimal("95888000000")
    assert not any("核心科目缺失" in w or "no period" in w for st in by.values() for w in st.warnings)


@pytest.mark.parametrize(("header", "flow", "expected"), [
    ("2024 年末", False, (None, D(2024, 12, 31))),
    ("2025 年 3 月末", False, (None, D(2025, 3, 31))),
    ("2024 年度", True, (D(2024, 1, 1), D(2024, 12, 31))),
    ("2024 年度", False, (None, D(2024, 12, 31))),
])
def test_chinese_year_words_say_what_they_mean_whatever_the_report(header, flow, expected):
    from extractors.periods import ReportPeriod

    q1 = ReportPeriod(D(2025, 3, 31), D(2025, 1, 1), D(2025, 1, 1))  # a first-quarter report's period
    cols, warnings = resolve_columns([header], flow=flow, report=q1)
    assert (cols[0].period_start, cols[0].period_end) == expected and warnings == []


def test_a_bare_year_beside_a_column_with_its_months_is_refused():
    # a prospectus's parent statements: "2024 年" beside "2025 年 1-3 月" was dated as January–March 2024
    from extractors.periods import ReportPeriod

    q1 = ReportPeriod(D(2025, 3, 31), D(2025, 1, 1), D(2025, 1, 1))
    cols, warnings = resolve_columns(["2025 年 1-3 月", "2024 年", "2023 年"], flow=True, report=q1)
    assert (cols[0].period_start, cols[0].period_end) == (D(2025, 1, 1), D(2025, 3, 31))
    assert [c.period_end for c in cols[1:]] == [None, None]
    assert len(warnings) == 2 and all("names its months" in w for w in warnings)


@pytest.mark.parametrize(("label", "kind", "key"), [
    ("銷售及市場推廣開支", "income_statement", "selling_expenses"),
    ("財務成本淨額", "income_statement", "financial_expenses"),
    ("使用權資產 2.2,", "balance_sheet", "right_of_use_assets"),  # a note reference after the label
    ("租賃負債 2.2,", "balance_sheet", "lease_liabilities"),
    ("物業、設備及器材", "balance_sheet", "fixed_assets"),
    ("投資物業", "balance_sheet", "investment_property"),
    ("股本溢價", "balance_sheet", "capital_reserve"),
    ("保留盈利", "balance_sheet", "retained_earnings"),
    ("購買物業、設備及器材、在建工程與投資物業", "cash_flow", "capex"),
    ("長期借款所得款項", "cash_flow", "borrowings_received"),
    ("償還長期借款", "cash_flow", "debt_repaid"),
    ("短期借款 1", "balance_sheet", "short_term_borrowings"),
])
def test_hong_kong_statement_wording(label, kind, key):
    assert map_label(label, kind) == key


def test_hong_kong_eps_and_attribution_under_their_headings():
    from extractors.mapping import MapRow, assign_keys

    rows = [("年度盈利", ["95888"]), ("下列人士應佔：", [None]), ("本公司權益持有人", ["93310"]), ("非控制性權益", ["2578"]),
            ("", ["95888"]), ("歸屬於本公司權益持有人的每股盈利（每股人民幣元）", [None]), ("－基本", ["9.856"]), ("－攤薄", ["9.643"])]
    keys = assign_keys([MapRow(label, [Decimal(v) if v else None for v in vals]) for label, vals in rows], "income_statement")
    assert keys[0] == "net_profit" and keys[2] == "net_profit_attributable_to_parent" and keys[3] == "minority_interest_income"
    assert keys[6] == "basic_eps" and keys[7] == "diluted_eps"


def test_hong_kong_heading_totals():
    norms = ["非流动负债", "借款", "租赁负债", "", "流动负债", "应付账款", "借款", ""]
    values = [[None], _v(104), _v(8), _v(112), [None], _v(80), _v(22), _v(102)]
    keys: list = [None, None, "lease_liabilities", None, None, "accounts_payable", None, None]
    infer_keys("balance_sheet", norms, values, keys)
    assert keys[3] == "total_non_current_liabilities" and keys[7] == "total_current_liabilities"
