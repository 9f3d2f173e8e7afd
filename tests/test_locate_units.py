"""Finding statement titles (extractors.locate) and their printed units (extractors.units):
generated variants of every family, then real corpus reports the rules were not written for
(skipped when shared/data is absent)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors.locate import locate_statements, match_title
from extractors.units import choose_unit, detect_unit
from tests.test_layout import _pdf


# --- titles ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "kind", "scope", "shown"),
    [
        # split glyphs and stray spaces
        ("Consolidated Statement of Incom e", "income_statement", "consolidated", None),
        ("Balance Shee t", "balance_sheet", "consolidated", None),
        ("CONSOLIDATED B ALANCE SHEETS", "balance_sheet", "consolidated", None),
        ("合 并 资 产 负 债 表", "balance_sheet", "consolidated", None),
        ("Consolidated Statements of Cash \ufffeows", "cash_flow", "consolidated", None),
        # traditional characters; a Hong Kong report's 綜合 is the consolidated scope
        ("綜合財務狀況表", "balance_sheet", "consolidated", None),
        ("綜合收益表", "income_statement", "consolidated", None),
        ("綜合損益表", "income_statement", "consolidated", None),
        ("綜合損益及其他全面收益表", "income_statement", "consolidated", None),
        ("綜合現金流量表", "cash_flow", "consolidated", None),
        ("資產負債表", "balance_sheet", "consolidated", None),
        ("簡明綜合財務狀況表", "balance_sheet", "consolidated", None),
        ("简明合并利润表", "income_statement", "consolidated", None),
        # a bond prospectus; a quarterly report's period in the title; a bank's own statements
        ("表：发行人最近三年及一期末资产负债表", "balance_sheet", "consolidated", None),
        ("表：发行人近三年及一期利润表", "income_statement", "consolidated", None),
        ("表：发行人母公司现金流量表", "cash_flow", "parent", None),
        ("2、合并年初到报告期末利润表", "income_statement", "consolidated", None),
        ("银行利润表(续)", "income_statement", "parent", None),
        # a title printed on the signature line of the statement before it
        ("公司负责人： 主管会计工作负责人： 会计机构负责人： 合并利润表", "income_statement", "consolidated", "合并利润表"),
        ("法定代表人：张三 主管会计工作负责人：李四 会计机构负责人：王五 合并现金流量表", "cash_flow", "consolidated", "合并现金流量表"),
        # English variants
        ("CASH FLOWS STATEMENTS", "cash_flow", "consolidated", None),
        ("CONDENSED CONSOLIDATED STATEMENTS OF INCOME (LOSS)", "income_statement", "consolidated", None),
        ("Consolidated Condensed Statements of Income and Other Information", "income_statement", "consolidated", None),
        ("CONDENSED CONSOLIDATED STATEMENTS OF CASH FLOWS—(continued)", "cash_flow", "consolidated", None),
    ],
)
def test_title_families(line, kind, scope, shown):
    t = match_title(line)
    assert t is not None, line
    assert (t.kind, t.scope) == (kind, scope)
    assert t.text == (shown or line)


@pytest.mark.parametrize(
    "line",
    [
        "表：最近三年及一期发行人利润表主要科目情况",  # a note table about the statement
        "136 綜合收益表",  # a contents line, the page number first
        "綜合全面收益表",  # comprehensive income, not the income statement
        "合并综合收益表",
        "Consolidated Statements of Comprehensive Income (Loss)",
        "合并及银行股东权益变动表(续)",  # a title (it ends the statement before it), not a primary one
        # rows, then a signature, then a title: the rows are not a signature
        "股东权益合计 560,062,349.72 负债和股东权益总计 614,143,385.31 公司负责人： 会计机构负责人： 合并利润表",
    ],
)
def test_not_primary_titles(line):
    t = match_title(line)
    assert t is None or t.kind is None


def test_an_equity_statement_title_is_a_title_that_ends_the_one_before():
    t = match_title("合并及银行股东权益变动表")
    assert t is not None and t.kind is None


def _bs(title: str, year: int = 2026, closing: bool = True) -> str:
    rows = [f"货币资金 1 {year},000.00 900.00", "应收账款 2 500.00 400.00", "存货 3 300.00 200.00",
            "资产总计 3,800.00 3,400.00", "负债合计 1,000.00 900.00"]
    if closing:
        rows.append("负债和所有者权益总计 3,800.00 3,400.00")
    return "\n".join([title, f"{year} 年 12 月 31 日", "单位：元", "项目 附注 期末余额 上年年末余额", *rows])


def _is(title: str) -> str:
    return "\n".join([title, "2026 年度", "单位：元", "项目 附注 本期发生额 上期发生额", "一、营业收入 1 100.00 90.00",
                      "二、营业成本 2 60.00 50.00", "三、营业利润 40.00 40.00", "四、净利润 30.00 30.00"])


def _cf(title: str) -> str:
    return "\n".join([title, "2026 年度", "单位：元", "项目 附注 本期发生额 上期发生额", "经营活动产生的现金流量净额 100.00 90.00",
                      "投资活动产生的现金流量净额 -60.00 -50.00", "筹资活动产生的现金流量净额 -10.00 -5.00",
                      "期末现金及现金等价物余额 130.00 100.00"])


def test_a_summary_copy_far_from_the_statements_is_not_the_balance_sheet():
    summary = "財務概要\n" + _bs("簡明綜合財務狀況表", closing=False)
    filler = [f"第 {i} 页 管理层讨论与分析" for i in range(30)]
    pages = [summary, *filler, _is("綜合收益表"), _bs("綜合財務狀況表"), _cf("綜合現金流量表")]
    found = {(f.kind, f.scope): f.pages for f in locate_statements(pages)}
    assert found == {("income_statement", "consolidated"): [32], ("balance_sheet", "consolidated"): [33],
                     ("cash_flow", "consolidated"): [34]}


def test_a_contents_page_is_not_a_statement():
    contents = "\n".join(["TABLE OF CONTENTS", "Condensed Consolidated Balance Sheets", "June 2, 2026 and December 2, 2025 3",
                          "Condensed Consolidated Statements of Cash Flows", "Six Months Ended June 2, 2026 and June 3, 2025 4",
                          "Notes to Condensed Consolidated Financial Statements 5", "Item 2. Management's Discussion 25",
                          "Item 4. Controls and Procedures 38", "Item 1A. Risk Factors 39"])
    cf = "\n".join(["CONDENSED CONSOLIDATED STATEMENTS OF CASH FLOWS", "(In millions)", "Six Months Ended June 2, 2026 June 3, 2025",
                    "Net income $ 2,542 $ 2,444", "Net cash provided by operating activities 3,100 2,900",
                    "Net cash used for investing activities (700) (600)", "Net cash used for financing activities (1,900) (1,800)",
                    "Cash and cash equivalents at end of period $ 6,200 $ 5,700"])
    found = locate_statements([contents, "Financial statements follow", "Balance sheet page without title", cf])
    assert [(f.kind, f.pages) for f in found] == [("cash_flow", [4])]


def test_the_closing_row_ends_a_cash_flow_statement_before_the_next_untitled_table():
    cf = "\n".join(["Unaudited Condensed Consolidated Statement of Cash Flows", "(In millions)", "Three Months Ended June 30, 2026 2025",
                    "Net income $ 171 $ (531)", "Net cash provided by operating activities 601 228",
                    "Net cash used in investing activities (277) 1,992", "Net cash used in financing activities (70) (2,230)",
                    "Cash, cash equivalents and restricted cash at end of period $ 2,674 $ 1,772"])
    supplemental = "\n".join(["Unaudited Summary of Net Revenues", "(In billions, except per share amounts)",
                              "Total net revenues $ 2.54 $ 2.51 $ 2.51", "Diluted EPS 0.67 0.72 0.96", "Hedge gain 14 29 89",
                              "Foreign currency impact (9) (45) (67)"])
    (cf_found,) = locate_statements([cf, supplemental])
    assert cf_found.pages == [1]


def test_after_the_closing_row_the_supplement_runs_on_to_the_end_mark():
    cf = "\n".join(["Consolidated Statements of Cash Flows", "(In millions)", "Year Ended December 28, 2026 2025",
                    "Net income $ 854 $ 337", "Net cash provided by operating activities 493 34",
                    "Net cash used in investing activities (149) (170)", "Net cash provided by financing activities 53 (121)",
                    "Cash and cash equivalents at end of year $ 1,466 $ 1,078"])
    supplement = "\n".join(["Year Ended December 28, 2026 2025", "(In millions)", "Supplemental cash flow information:",
                            "Interest $ 67 $ 79", "Income taxes, net of refund $ (4) $ (8)", "Other $ 9 $ —",
                            "See accompanying notes to consolidated financial statements."])
    (found,) = locate_statements([cf, supplement, "NOTES TO CONSOLIDATED FINANCIAL STATEMENTS\nNote 1 … 12 13"])
    assert found.pages == [1, 2]


def test_a_press_release_table_with_its_own_heading_and_unit_ends_the_statement():
    """MGM's balance sheet closes on an unlabelled total; the next page opens another table."""
    bs = "\n".join(["Page 12 of 15", "EXAMPLE RESORTS INTERNATIONAL AND SUBSIDIARIES", "CONSOLIDATED BALANCE SHEETS",
                    "(In thousands, except share data)", "December 31, 2026 2025", "Cash and cash equivalents $ 2,915,176 $ 4,703,059",
                    "Total current assets 5,500,000 6,400,000", "$ 45,692,206 $ 40,899,116", "Total current liabilities 4,515,892 3,442,264",
                    "Total stockholders' equity 5,210,123 10,976,766", "$ 45,692,206 $ 40,899,116"])
    supplemental = "\n".join(["Page 13 of 15", "EXAMPLE RESORTS INTERNATIONAL AND SUBSIDIARIES", "SUPPLEMENTAL DATA – NET REVENUES",
                              "(In thousands)", "Three Months Ended December 31, 2026 2025", "Casino $ 1,290,000 $ 1,190,000",
                              "Rooms 600,000 550,000", "Food and beverage 500,000 450,000", "Total 2,390,000 2,190,000"])
    continued = "\n".join(["Page 13 of 15", "EXAMPLE RESORTS INTERNATIONAL AND SUBSIDIARIES", "December 31, 2026 2025",
                           "(In thousands)", "Other long-term obligations 256,282 319,914", "Retained earnings 4,794,239 4,340,588",
                           "Noncontrolling interests 378,594 4,906,121", "Total equity 5,210,123 10,976,766"])
    assert locate_statements([bs, supplemental])[0].pages == [1]
    assert locate_statements([bs, continued])[0].pages == [1, 2]  # its own running head and dates: a continuation


def test_the_same_title_printed_again_continues_until_the_closing_row():
    first = _bs("綜合財務狀況表", closing=False)
    second = "\n".join(["綜合財務狀況表", "於二零二六年十二月三十一日", "附註 人民幣百萬元 人民幣百萬元", "應付賬款 7 1,000 900",
                        "負債總額 1,000 900", "權益總額 2,800 2,500", "負債和所有者權益總計 3,800 3,400"])
    parent = _bs("綜合財務狀況表", year=2025)  # after the closing row: another statement with the same title
    found = locate_statements([first, second, parent])
    assert [(f.kind, f.pages) for f in found] == [("balance_sheet", [1, 2]), ("balance_sheet", [3])]


def test_a_continued_title_below_the_first_part_joins_it(tmp_path):
    """先锋新材's layout: the assets end mid-page, the signatures, then "合并资产负债表（续）"
    and the liabilities on the same page; the next statement's title on the signature line."""
    from extractors.pdf import extract_pdf

    def rows(y, items):
        return [(y + 15 * i, [(60, label, "l"), (420, a, "r"), (540, b, "r")]) for i, (label, a, b) in enumerate(items)]

    head = [(78, [(60, "编制单位：示例股份有限公司", "l"), (400, "金额单位：人民币元", "l")]),
            (92, [(60, "项 目", "l"), (360, "2026 年 12 月 31 日", "l"), (470, "2025 年 12 月 31 日", "l")])]
    p1 = [(50, [(250, "合并资产负债表", "l")]), (64, [(250, "2026 年 12 月 31 日", "l")]), *head,
          *rows(110, [("货币资金", "1,000.00", "900.00"), ("应收账款", "500.00", "400.00"), ("流动资产合计", "1,500.00", "1,300.00"),
                      ("固定资产", "2,300.00", "2,100.00"), ("非流动资产合计", "2,300.00", "2,100.00"), ("资产总计", "3,800.00", "3,400.00")]),
          (215, [(60, "公司负责人：", "l"), (250, "主管会计工作负责人：", "l"), (430, "会计机构负责人：", "l")]),
          (250, [(250, "合并资产负债表（续）", "l")]), (264, [(250, "2026 年 12 月 31 日", "l")]),
          *[(y + 200, items) for y, items in head],
          *rows(310, [("短期借款", "600.00", "500.00"), ("流动负债合计", "600.00", "500.00")])]
    p2 = [*rows(60, [("长期借款", "400.00", "400.00"), ("负债合计", "1,000.00", "900.00"), ("股本", "2,000.00", "2,000.00"),
                     ("未分配利润", "800.00", "500.00"), ("所有者权益合计", "2,800.00", "2,500.00"),
                     ("负债和所有者权益总计", "3,800.00", "3,400.00")]),
          (160, [(60, "公司负责人：", "l"), (250, "主管会计工作负责人：", "l"), (430, "会计机构负责人：", "l"), (520, "合并利润表", "l")]),
          (180, [(250, "2026 年度", "l")]), (195, [(60, "编制单位：示例股份有限公司", "l"), (400, "金额单位：人民币元", "l")]),
          (210, [(60, "项 目", "l"), (380, "2026 年度", "l"), (490, "2025 年度", "l")]),
          *rows(228, [("一、营业总收入", "5,000.00", "4,000.00"), ("其中：营业收入", "5,000.00", "4,000.00"),
                      ("二、营业总成本", "4,200.00", "3,500.00"), ("三、营业利润", "800.00", "500.00"),
                      ("四、利润总额", "790.00", "505.00"), ("五、净利润", "600.00", "400.00")])]
    result = extract_pdf(_pdf(tmp_path / "sig.pdf", [p1, p2]))
    bs = next(s for s in result.statements if s.kind == "balance_sheet")
    assert bs.value("total_assets", 0) == Decimal("3800.00")
    assert bs.value("total_liabilities_and_equity", 0) == Decimal("3800.00")
    assert bs.value("short_term_borrowings", 0) == Decimal("600.00")
    inc = next(s for s in result.statements if s.kind == "income_statement")
    assert inc.title == "合并利润表" and inc.value("net_profit", 1) == Decimal("400.00")


def test_a_missing_statement_is_named_in_a_document_warning(tmp_path):
    from extractors.pdf import extract_pdf

    page = [(50, [(200, "CONSOLIDATED BALANCE SHEETS", "l")]), (62, [(220, "(in millions)", "l")]),
            (80, [(380, "December 31,", "l")]), (92, [(400, "2026", "r"), (480, "2025", "r")])]
    for i, (label, a, b) in enumerate([("Cash", "100", "90"), ("Total assets", "170", "150"), ("Total liabilities", "70", "70"),
                                       ("Total stockholders' equity", "100", "80"),
                                       ("Total liabilities and stockholders' equity", "170", "150")]):
        page.append((110 + 14 * i, [(20, label, "l"), (400, a, "r"), (480, b, "r")]))
    result = extract_pdf(_pdf(tmp_path / "bs.pdf", [page]))
    assert [s.kind for s in result.statements] == ["balance_sheet"]
    assert "consolidated income statement not found in this document" in result.warnings
    assert "consolidated cash-flow statement not found in this document" in result.warnings

    letter = [(50, [(60, "Dear shareholders, our results for 2026 are discussed below.", "l")])]
    none = extract_pdf(_pdf(tmp_path / "letter.pdf", [letter]))
    assert none.statements == [] and len(none.warnings) == 1
    assert "no balance sheet, income statement or cash-flow statement found" in none.warnings[0]


# --- units ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "unit", "currency"),
    [
        ("Year Ended December 31 (Millions, except per share amounts) 2022 2021", 1_000_000, None),
        ("(In millions)", 1_000_000, None),
        ("(Dollars in millions, except per share)", 1_000_000, "USD"),
        ("Dollars and shares in millions, except per share data", 1_000_000, "USD"),
        ("$ in millions", 1_000_000, "USD"),
        ("€ in millions", 1_000_000, "EUR"),
        ("(in thousands of U.S. dollars)", 1_000, "USD"),
        ("In Millions, except Per Share data", 1_000_000, None),
        ("(In Million s, except per share amounts)", 1_000_000, None),
        ("(amounts in thousands)", 1_000, None),
        ("US$ million", 1_000_000, "USD"),
        ("RMB'000 RMB'000", 1_000, "CNY"),
        ("HK$’000", 1_000, "HKD"),
        ("(除特别注明外，金额单位均为人民币百万元)", 1_000_000, "CNY"),
        ("附註 人民幣百萬元 人民幣百萬元", 1_000_000, "CNY"),
        ("附註 千港元 千港元", 1_000, "HKD"),
        ("注：单位为万元", 10_000, "CNY"),
        ("项目 2025 年末（万元） 2024 年末（万元）", 10_000, "CNY"),
        ("以人民币千元列示", 1_000, "CNY"),
        ("单位：元 币种：人民币", 1, "CNY"),
    ],
)
def test_printed_unit_variants(text, unit, currency):
    info = detect_unit(text)
    assert (info.unit, info.currency) == (unit, currency)


@pytest.mark.parametrize("text", ["Total revenue grew 5% to $2,540 million", "本集团营业收入人民币1,000百万元",
                                  "每股盈利（每股人民幣元）", "基本每股收益（元/股）",
                                  "Consolidated Balance Sheets"])
def test_a_figure_or_a_per_share_label_is_not_a_unit(text):
    assert detect_unit(text).unit is None


def test_unit_from_the_title_block_has_no_warning():
    c = choose_unit("合并资产负债表 2026年12月31日 单位：万元", ["x"], [1])
    assert (c.unit, c.source, c.warning) == (10_000, "title block", None)


def test_unit_printed_on_the_page_before_is_warned():
    pages = ["利润表 … 法定代表人：张三\n合并资产负债表\n2026年12月31日\n单位：百万元", "货币资金 1,000 900\n资产总计 3,800 3,400"]
    c = choose_unit("合并资产负债表 2026年12月31日", pages, [2])
    assert c.unit == 1_000_000 and "百万元" in c.warning and "page 1" in c.warning


def test_unit_stated_once_for_the_document_is_warned():
    pages = ["财务报表\n除特别注明外，金额单位均为人民币百万元", "审计报告", "无关", "合并利润表\n2026年度\n营业收入 1,000 900"]
    c = choose_unit("合并利润表 2026年度", pages, [4], ["1,000", "900"])
    assert (c.unit, c.currency) == (1_000_000, "CNY")
    assert c.warning.startswith("unit 百万元 taken from page 1")


def test_no_unit_and_small_whole_figures_is_warned_not_silent():
    pages = ["Cover", "CONSOLIDATED BALANCE SHEETS\nDecember 31, 2026 2025\nTotal assets $ 45,123 $ 41,002"]
    c = choose_unit("CONSOLIDATED BALANCE SHEETS December 31, 2026 2025", pages, [2], ["45,123", "41,002", "12,345"])
    assert c.unit == 1 and c.warning.startswith("no unit printed; read as units of one")
    # figures with cents (a Chinese statement in 元) are plausibly units of one
    assert choose_unit("资产负债表", ["资产负债表"], [1], ["1,234,567.89", "2,345.10"]).warning is None


def test_a_pdf_statement_takes_the_document_unit_with_a_warning(tmp_path):
    from extractors.pdf import extract_pdf

    note = [(50, [(60, "财务报表", "l")]), (70, [(60, "除特别注明外，金额单位均为人民币百万元", "l")])]
    page = [(50, [(250, "合并利润表", "l")]), (64, [(250, "2026 年度", "l")]),
            (92, [(100, "项目", "l"), (380, "2026 年度", "l"), (490, "2025 年度", "l")])]
    for i, (label, a, b) in enumerate([("一、营业总收入", "5,000", "4,000"), ("其中：营业收入", "5,000", "4,000"),
                                       ("二、营业总成本", "4,200", "3,500"), ("三、营业利润", "800", "500"),
                                       ("四、利润总额", "790", "505"), ("五、净利润", "600", "400")]):
        page.append((110 + 15 * i, [(100, label, "l"), (420, a, "r"), (550, b, "r")]))
    filler = [(50, [(60, "审计报告正文", "l")])]
    result = extract_pdf(_pdf(tmp_path / "doc_unit.pdf", [note, filler, page]))
    (st,) = [s for s in result.statements if s.kind == "income_statement"]
    assert st.unit == 1_000_000 and st.value("net_profit", 0) == Decimal("600000000")
    assert any(w.startswith("unit 百万元 taken from page 1") for w in st.warnings)


# --- real reports the rules were not written for --------------------------------------------
def _located(shared_data, name):
    from extractors.document import open_pdf

    path = next((shared_data / "corpus").rglob(name), None)
    if path is None:
        pytest.skip(f"{name} is not in the corpus")
    texts = open_pdf(path).page_texts
    first: dict[tuple[str, str], list[int]] = {}
    for f in locate_statements(texts):
        first.setdefault((f.kind, f.scope), f.pages)  # the extractor keeps the first of a kind
    return first, texts


@pytest.mark.real_data
def test_real_hong_kong_annual_report_traditional_titles(shared_data):
    found, texts = _located(shared_data, "腾讯控股_2019_年报.pdf")
    assert found[("income_statement", "consolidated")] == [137]
    assert found[("balance_sheet", "consolidated")] == [139, 140, 141]
    assert found[("cash_flow", "consolidated")][0] == 146
    assert detect_unit(texts[136][:300]).unit == 1_000_000


@pytest.mark.real_data
def test_real_results_announcement_in_hong_kong_dollars(shared_data):
    found, texts = _located(shared_data, "ALCO_00328_FY2025_全年業績公告.pdf")
    assert found[("income_statement", "consolidated")][0] == 2 and found[("balance_sheet", "consolidated")][0] == 5
    assert detect_unit(texts[4][:200]) == detect_unit("千港元") and detect_unit("千港元").currency == "HKD"


@pytest.mark.real_data
def test_real_bond_prospectus_tables(shared_data):
    found, _ = _located(shared_data, "安徽省铁路发展基金_2025_可续期公司债券募集说明书.pdf")
    assert found[("balance_sheet", "consolidated")][0] == 144
    assert found[("income_statement", "consolidated")][0] == 146
    assert found[("cash_flow", "consolidated")][0] == 147
    assert found[("balance_sheet", "parent")][0] == 148


@pytest.mark.real_data
def test_real_titles_on_signature_lines(shared_data):
    found, _ = _located(shared_data, "先锋新材_2025_年度报告.pdf")
    assert found[("income_statement", "consolidated")][0] == 62
    assert found[("cash_flow", "consolidated")][0] == 63


@pytest.mark.real_data
def test_real_quarterly_report_period_in_the_title(shared_data):
    found, _ = _located(shared_data, "海伦钢琴_2025Q3_第三季度报告.pdf")
    assert found[("income_statement", "consolidated")][0] == 8
    assert found[("cash_flow", "consolidated")][0] == 10


@pytest.mark.real_data
def test_real_us_title_variants(shared_data):
    assert _located(shared_data, "MICROSOFT_2019_10K.pdf")[0][("cash_flow", "consolidated")] == [54]
    assert _located(shared_data, "PAYPAL_2023Q2_10Q.pdf")[0][("income_statement", "consolidated")] == [5]
    assert _located(shared_data, "INTEL_2023Q1_EARNINGS.pdf")[0][("income_statement", "consolidated")] == [6]
    cf = _located(shared_data, "EBAY_2023Q2_EARNINGS.pdf")[0][("cash_flow", "consolidated")]
    assert cf[-1] == 9  # not the non-GAAP tables on the pages after


@pytest.mark.real_data
def test_real_unit_printed_as_millions_without_in(shared_data):
    found, texts = _located(shared_data, "AMERICANEXPRESS_2022_10K.pdf")
    p = found[("income_statement", "consolidated")][0]
    assert detect_unit("\n".join(texts[p - 1].split("\n")[:4])).unit == 1_000_000
