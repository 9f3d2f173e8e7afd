"""Lines → rows (extractors.layout.lines_to_rows): wrapped labels, headings and notes.

Each mechanism is tested on generated lines (positions as a word engine reads them) and, where
the corpus is present, on a real report it was not tuned on.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from extractors import layout
from extractors.layout import Word
from extractors.mapping import MapRow, assign_keys

CH = 9.0  # width of one CJK character in these generated lines


def _cjk(text: str, x0: float) -> tuple[str, float, float]:
    return (text, x0, x0 + CH * len(text))


def _line(y: float, *cells: tuple[str, float, float]) -> list[Word]:
    return [Word(text, x0, x1, y, y + 9) for text, x0, x1 in cells]


def _fig(a: str, b: str) -> tuple[tuple[str, float, float], tuple[str, float, float]]:
    return (a, 400 - 5 * len(a), 400), (b, 500 - 5 * len(b), 500)


def _rows(*lines: list[Word], note_range=None):
    ls = layout.words_to_lines([w for line in lines for w in line])
    cols = layout.find_columns(ls)
    rows, _ = layout.lines_to_rows(ls, cols, note_range=note_range)
    return rows


def test_a_cjk_label_wrapped_around_a_line_of_its_figures_is_one_row():
    # 归属于母公司所有者权益（或股 / 3,413,782,550.16 … / 东权益）合计: the figures sit between the halves,
    # the rest of the label starts at the label column's left edge
    rows = _rows(
        _line(100, _cjk("所有者权益（或股东权益）：", 90)),
        _line(116, _cjk("未分配利润", 100), *_fig("1,642,166,591.47", "1,546,962,118.30")),
        _line(132, _cjk("归属于母公司所有者权益（或股", 100)),
        _line(137, *_fig("3,413,782,550.16", "3,197,082,278.43")),
        _line(142, _cjk("东权益）合计", 90)),
        _line(158, _cjk("少数股东权益", 100), *_fig("357,289,077.83", "344,389,162.45")),
        _line(174, _cjk("负债和所有者权益（或股东权", 110)),
        _line(179, *_fig("11,172,221,301.98", "10,807,979,962.49")),
        _line(184, _cjk("益）总计", 90)),
    )
    assert [(r.label, r.cells) for r in rows] == [
        ("所有者权益（或股东权益）：", ["", ""]),
        ("未分配利润", ["1,642,166,591.47", "1,546,962,118.30"]),
        ("归属于母公司所有者权益（或股东权益）合计", ["3,413,782,550.16", "3,197,082,278.43"]),
        ("少数股东权益", ["357,289,077.83", "344,389,162.45"]),
        ("负债和所有者权益（或股东权益）总计", ["11,172,221,301.98", "10,807,979,962.49"]),
    ]
    assert (rows[2].top, rows[2].bottom) == (132, 151)  # the box covers the three printed lines


def test_sub_items_printed_empty_under_a_row_with_a_note_stay_rows():
    # 其中：营业收入 七.33 | figures, then the finance-company rows indented under it, empty
    head = _line(80, _cjk("项目", 150), ("附注", 282, 300), ("2025年度", 360, 400), ("2024年度", 460, 500))
    body = [
        _line(96, _cjk("一、营业总收入", 90), *_fig("4,474,018,978.75", "4,904,912,355.69")),
        _line(112, _cjk("其中：营业收入", 90), ("七.33", 280, 300), *_fig("4,474,018,978.75", "4,904,912,355.69")),
        _line(128, _cjk("利息收入", 121)),
        _line(144, _cjk("已赚保费", 121)),
        _line(160, _cjk("二、营业总成本", 90), *_fig("3,533,710,798.90", "3,792,661,197.73")),
        _line(176, _cjk("其中：营业成本", 90), ("七.33", 280, 300), *_fig("2,983,735,053.33", "3,278,980,192.10")),
        _line(192, _cjk("利息支出", 121)),
        # long labels make the wrap edge (x 270), which the note after 其中：营业收入 passes
        _line(208, _cjk("加：公允价值变动收益（损失以“－”号填", 90), ("七.41", 280, 300), *_fig("9,136,242.46", "24,463,237.31")),
        _line(224, _cjk("资产处置收益（损失以“－”号填列）合计", 90), ("七.44", 280, 300), *_fig("1,452,467.75", "329,546.95")),
    ]
    ls = layout.words_to_lines([w for line in [head, *body] for w in line])
    cols = layout.find_columns(ls)
    note_range = layout.classify_columns(cols, [ls[0]], ls[1:])
    rows, _ = layout.lines_to_rows(ls[1:], cols, note_range=note_range)
    assert [(r.label, r.note) for r in rows] == [
        ("一、营业总收入", None), ("其中：营业收入", "七.33"), ("利息收入", None), ("已赚保费", None),
        ("二、营业总成本", None), ("其中：营业成本", "七.33"), ("利息支出", None),
        ("加：公允价值变动收益（损失以“－”号填", "七.41"), ("资产处置收益（损失以“－”号填列）合计", "七.44"),
    ]
    assert rows[1].cells == ["4,474,018,978.75", "4,904,912,355.69"]


def test_an_empty_sub_item_row_is_not_glued_to_the_ordinary_row_after_it():
    # 其中：数据资源 (indented, empty) / 商誉 (back at the ordinary rows' indentation, with figures);
    # two labels of the same length make an edge that 其中：数据资源 nearly reaches
    rows = _rows(
        _line(100, _cjk("非流动资产：", 62)),
        _line(116, _cjk("其他非流动金融资产", 71), *_fig("182,266,900.00", "184,823,600.00")),
        _line(132, _cjk("其他权益工具投资额", 71), *_fig("461,522,307.31", "454,654,899.64")),
        _line(148, _cjk("无形资产", 71), *_fig("1,621,272,429.59", "1,573,357,219.38")),
        _line(164, _cjk("其中：数据资源", 80)),
        _line(180, _cjk("开发支出", 71)),
        _line(196, _cjk("其中：数据资源", 80)),
        _line(212, _cjk("商誉", 71), *_fig("3,146,497.53", "3,146,497.53")),
    )
    assert [(r.label, r.cells[0]) for r in rows][3:] == [
        ("无形资产", "1,621,272,429.59"), ("其中：数据资源", ""), ("开发支出", ""), ("其中：数据资源", ""),
        ("商誉", "3,146,497.53"),
    ]


def test_a_wrapped_label_without_figures_is_one_row_but_equal_labels_are_not_joined():
    rows = _rows(
        _line(100, _cjk("流动负债：", 90)),
        _line(116, _cjk("合同负债", 100), *_fig("3,229,817,717.34", "2,687,753,054.20")),
        # two complete labels of the same length, empty, at the ordinary indentation
        _line(132, _cjk("卖出回购金融资产款", 100)),
        _line(148, _cjk("吸收存款及同业存放", 100)),
        # a label with a first-line indent wrapped to the left edge, printed empty
        _line(164, _cjk("（二）终止经营净利润（净亏损", 110)),
        _line(180, _cjk("以“－”号填列）", 90)),
        _line(196, _cjk("应付职工薪酬", 100), *_fig("129,790,497.51", "114,509,548.80")),
    )
    assert [r.label for r in rows] == [
        "流动负债：", "合同负债", "卖出回购金融资产款", "吸收存款及同业存放", "（二）终止经营净利润（净亏损以“－”号填列）",
        "应付职工薪酬",
    ]
    assert rows[4].cells == ["", ""] and (rows[4].top, rows[4].bottom) == (164, 189)


def test_where_labels_wrap_to_the_left_edge_an_indented_line_does_not_continue_the_one_above():
    # 保户储金及投资款净增加额 (complete, empty) / 收取利息、手续费及佣金的现 / figures / 金
    rows = _rows(
        _line(100, _cjk("一、经营活动产生的现金流量：", 90)),
        _line(116, _cjk("收到原保险合同保费取得的", 100)),
        _line(127, _cjk("现金", 90)),
        _line(143, _cjk("保户储金及投资款净增加额", 100)),
        _line(159, _cjk("收取利息、手续费及佣金的现", 100)),
        _line(164, ("60(1)", 268, 294), *_fig("2,525,372,050.12", "3,122,827,833.43")),
        _line(169, _cjk("金", 90)),
        _line(185, _cjk("经营活动现金流入小计", 110), *_fig("186,128,798,765.94", "200,086,334,660.56")),
    )
    assert [(r.label, r.cells[0], r.note) for r in rows] == [
        ("一、经营活动产生的现金流量：", "", None), ("收到原保险合同保费取得的现金", "", None), ("保户储金及投资款净增加额", "", None),
        ("收取利息、手续费及佣金的现金", "2,525,372,050.12", "60(1)"), ("经营活动现金流入小计", "186,128,798,765.94", None),
    ]


def test_labels_wrapped_under_their_own_indentation_are_still_joined():
    # no label goes on at the left edge here: the rest of a label starts under its first line
    rows = _rows(
        _line(100, _cjk("加：其他收益", 52), *_fig("183,727.13", "159,313.99")),
        _line(114, _cjk("投资收益（损失以“－", 61)),
        _line(126, _cjk("”号填列）", 61), *_fig("92,938.06", "297,449.89")),
        _line(140, _cjk("信用减值损失（损失以", 61)),
        _line(152, _cjk("“-”号填列）", 61), *_fig("-221,453.08", "-75,661.63")),
    )
    assert [(r.label, r.cells[0]) for r in rows] == [
        ("加：其他收益", "183,727.13"), ("投资收益（损失以“－”号填列）", "92,938.06"), ("信用减值损失（损失以“-”号填列）", "-221,453.08")]


def test_an_empty_complete_label_is_not_the_first_line_of_the_indented_row_under_it():
    # 一年内到期的非流动资产 (empty) / 其他流动资产 (figures), both at the ordinary indentation and
    # as long as the longest labels: nothing is left open, so they are two rows
    rows = _rows(
        _line(100, _cjk("流动资产合计", 57), *_fig("897,052,108.00", "948,599,272.00")),
        _line(116, _cjk("一年内到期的非流动资产", 66)),
        _line(132, _cjk("其他流动资产", 66), *_fig("17,873,778.00", "35,659,316.00")),
        _line(148, _cjk("其他非流动金融资产合计", 66), *_fig("1.00", "2.00")),
    )
    assert [(r.label, r.cells[0]) for r in rows] == [
        ("流动资产合计", "897,052,108.00"), ("一年内到期的非流动资产", ""), ("其他流动资产", "17,873,778.00"),
        ("其他非流动金融资产合计", "1.00")]


def test_a_note_reference_alone_on_the_figures_line_is_the_rows_note():
    # no note column: 七、68 printed on the figures line between the halves of the label
    rows = _rows(
        _line(100, _cjk("加：其他收益", 100), *_fig("116,071,990.93", "106,528,657.20")),
        _line(116, _cjk("投资收益（损失以“－”号填", 121)),
        _line(121, ("七、68", 265, 290), *_fig("9,226,680.34", "20,750,417.97")),
        _line(126, _cjk("列）", 90)),
        _line(142, _cjk("三、营业利润（亏损以“－”号填列）", 90), *_fig("1,460,008,947.55", "1,681,311,791.55")),
    )
    assert [(r.label, r.cells, r.note) for r in rows][1] == ("投资收益（损失以“－”号填列）", ["9,226,680.34", "20,750,417.97"], "七、68")
    assert len(rows) == 3


def test_a_note_reference_printed_apart_after_the_label_is_the_rows_note():
    rows = _rows(
        _line(100, _cjk("应收账款", 100), ("十九、1", 240, 272), *_fig("2,972,632,912.88", "2,913,734,399.45")),
        _line(116, _cjk("收到其他与投资活动有关的", 100), ("七、78", 247, 278)),
        _line(121, ("28,714,513.23", 435, 500)),
        _line(126, _cjk("现金", 90)),
        _line(142, _cjk("其中：十、1类资产", 100), *_fig("1.00", "2.00")),  # text after it: a label
    )
    assert [(r.label, r.note) for r in rows] == [
        ("应收账款", "十九、1"), ("收到其他与投资活动有关的现金", "七、78"), ("其中：十、1类资产", None)]
    assert rows[1].cells == ["", "28,714,513.23"]


def test_an_english_label_wrapped_after_a_semicolon_takes_the_figures_of_its_second_line():
    rows = _rows(
        _line(100, ("Shareholders’", 19, 70), ("equity:", 72, 95)),
        _line(114, ("Common", 36, 66), ("stock", 68, 88), ("and", 90, 104), ("additional", 106, 146), ("paid-in", 148, 176),
              ("capital,", 178, 206), ("$0.00001", 208, 244), ("par", 246, 258), ("value:", 260, 284), ("12,600,000", 286, 326),
              ("shares", 328, 352), ("authorized;", 354, 398)),
        _line(124, ("4,443,236", 44, 80), ("and", 82, 96), ("4,754,986", 98, 134), ("shares", 136, 160), ("issued", 162, 186),
              ("and", 188, 202), ("outstanding,", 204, 252), ("respectively", 254, 298), ("45,174", 478, 502), ("40,201", 560, 584)),
        _line(138, ("Retained", 36, 70), ("earnings", 72, 104), ("45,898", 478, 502), ("70,400", 560, 584)),
    )
    assert [r.cells for r in rows] == [["", ""], ["45,174", "40,201"], ["45,898", "70,400"]]
    assert rows[1].label.startswith("Common stock and additional paid-in capital") and rows[1].label.endswith("respectively")


def test_a_heading_over_indented_rows_closed_by_an_unlabelled_total_takes_no_key():
    rows = [
        MapRow("Operating income", [Decimal(371378)], 19.6),
        MapRow("Non-operating income (expense)", [None], 19.6),
        MapRow("Interest expense, net of amounts capitalized", [Decimal(-111945)], 30.4),
        MapRow("Other, net", [Decimal(23693)], 29.5),
        MapRow("", [Decimal(-88693)], 340.0),
        MapRow("Income before income taxes", [Decimal(282685)], 19.6),
    ]
    keys = assign_keys(rows, "income_statement")
    assert keys[1] is None and keys[0] == "operating_profit" and keys[5] == "total_profit"
    # a template row printed empty (no block under it) keeps its key: a null figure, printed so
    bs = [MapRow("商誉", [None, None], 71.0), MapRow("长期待摊费用", [Decimal(1), Decimal(2)], 71.0)]
    assert assign_keys(bs, "balance_sheet")[0] == "goodwill"
    # without positions (a spreadsheet) nothing changes
    assert assign_keys([MapRow(r.label, r.values) for r in rows], "income_statement")[1] == "non_operating_income"


def test_figures_low_on_the_page_are_not_a_page_number():
    from extractors.pdf import _margin

    figures = layout.Line([Word("3,771,071,627.99", 307, 380, 708, 718), Word("3,541,471,440.88", 420, 493, 708, 718)])
    page_number = layout.Line([Word("7", 297, 302, 770, 779), Word("/", 304, 306, 770, 779), Word("17", 308, 318, 770, 779)])
    assert not _margin(figures, 842)
    assert _margin(page_number, 842)


def test_empty_rows_at_the_top_of_a_continuation_page_are_kept(tmp_path):
    from extractors.pdf import extract_pdf
    from tests.test_layout import _pdf

    head = [(60, [(250, "合并资产负债表", "l")]), (75, [(250, "2026 年 6 月 30 日", "l")]),
            (90, [(420, "单位：元 币种：人民币", "l")]),
            (105, [(100, "项目", "l"), (380, "2026年6月30日", "l"), (480, "2025年12月31日", "l")])]
    p1 = head + [(120, [(100, "流动资产：", "l")]), (135, [(110, "货币资金", "l"), (460, "1,000.00", "r"), (560, "900.00", "r")]),
                 (150, [(110, "流动资产合计", "l"), (460, "1,000.00", "r"), (560, "900.00", "r")]),
                 (165, [(100, "非流动资产：", "l")]), (180, [(110, "无形资产", "l"), (460, "100.00", "r"), (560, "90.00", "r")])]
    p2 = [(40, [(250, "示例公司 2026 年半年度报告", "l")]), (80, [(110, "商誉", "l")]), (95, [(110, "长期待摊费用", "l")]),
          (110, [(110, "非流动资产合计", "l"), (460, "100.00", "r"), (560, "90.00", "r")]),
          (125, [(110, "资产总计", "l"), (460, "1,100.00", "r"), (560, "990.00", "r")]),
          (140, [(100, "法定代表人：张三", "l")])]
    result = extract_pdf(_pdf(tmp_path / "bs.pdf", [p1, p2]))
    (st,) = result.statements
    goodwill = st.item("goodwill")
    assert goodwill is not None and goodwill.values == [None, None] and goodwill.page == 2
    assert st.value("total_assets", 0) == Decimal("1100.00")


def _cf_pages(p2_top):
    head = [(60, [(250, "合并现金流量表", "l")]), (75, [(250, "2026 年 1—6 月", "l")]),
            (90, [(420, "单位：元 币种：人民币", "l")]),
            (105, [(100, "项目", "l"), (380, "2026年半年度", "l"), (480, "2025年半年度", "l")])]
    p1 = head + [(120, [(90, "一、经营活动产生的现金流量：", "l")]),
                 (135, [(100, "销售商品、提供劳务收到的现金", "l"), (460, "1,000.00", "r"), (560, "900.00", "r")]),
                 (150, [(100, "收到其他与经营活动有关的现金", "l"), (460, "10.00", "r"), (560, "9.00", "r")]),
                 (165, [(110, "经营活动现金流入小计", "l"), (460, "1,010.00", "r"), (560, "909.00", "r")]),
                 (180, [(100, "购买商品、接受劳务支付的现金", "l"), (460, "600.00", "r"), (560, "500.00", "r")]),
                 (195, [(110, "经营活动现金流出小计", "l"), (460, "600.00", "r"), (560, "500.00", "r")])]
    p2 = [(40, [(250, "示例公司 2026 年半年度报告", "l")])] + p2_top + [
        (140, [(90, "二、投资活动产生的现金流量：", "l")]),
        (155, [(100, "收回投资收到的现金", "l"), (460, "5.00", "r"), (560, "4.00", "r")]),
        (170, [(100, "法定代表人：张三", "l")])]
    return [p1, p2]


def test_a_label_wrapped_around_its_figures_atop_a_continuation_page_keeps_them(tmp_path):
    from extractors.pdf import extract_pdf
    from tests.test_layout import _pdf

    top = [(86, [(120, "经营活动产生的现金流", "l")]), (92, [(460, "410.00", "r"), (560, "409.00", "r")]),
           (98, [(90, "量净额", "l")])]
    (st,) = extract_pdf(_pdf(tmp_path / "cf.pdf", _cf_pages(top))).statements
    item = st.item("net_cash_operating")
    assert item is not None and item.label == "经营活动产生的现金流量净额" and item.page == 2
    assert st.value("net_cash_operating", 0) == Decimal("410.00")


def test_a_label_wrapped_over_a_page_break_is_one_row(tmp_path):
    from extractors.pdf import extract_pdf
    from tests.test_layout import _pdf

    pages = _cf_pages([])
    # the last row of page 1 reaches the label column's edge; the rest of its label opens page 2
    pages[0].append((210, [(100, "支付的各项税费及其他与经营活动有关的现", "l"), (460, "7.00", "r"), (560, "6.00", "r")]))
    pages[1].insert(1, (90, [(90, "金", "l")]))
    (st,) = extract_pdf(_pdf(tmp_path / "cf.pdf", pages)).statements
    labels = [i.label for i in st.items]
    assert "支付的各项税费及其他与经营活动有关的现金" in labels and "金" not in labels
    assert st.items[labels.index("支付的各项税费及其他与经营活动有关的现金")].printed == ["7.00", "6.00"]


def _real(shared_data, lang: str, name: str):
    pdf = shared_data / "corpus" / lang / name
    if not pdf.exists():
        pytest.skip(f"{pdf} not found")
    from extractors.pdf import extract_pdf

    return extract_pdf(pdf)


def _statement(result, kind: str, scope: str = "consolidated"):
    return next(st for st in result.statements if st.kind == kind and st.scope == scope)


@pytest.mark.real_data
def test_wrapped_cjk_totals_of_a_report_not_tuned_on(shared_data):
    # 拓普集团 H1 2025: equity totals wrapped around their figures, capex and profit rows wrapped
    result = _real(shared_data, "zh", "拓普集团_2025_半年度报告.pdf")
    bs = _statement(result, "balance_sheet")
    assert bs.item("total_equity").label == "所有者权益（或股东权益）合计"
    assert bs.value("total_equity", 0) == Decimal("22611212022.10")
    assert bs.value("total_liabilities_and_equity", 0) == Decimal("40232736739.10")
    assert bs.item("equity_attributable_to_parent").label == "归属于母公司所有者权益（或股东权益）合计"
    labels = [i.label for i in _statement(result, "income_statement").items]
    assert "其中：对联营企业和合营企业的投资收益" in labels
    assert "四、利润总额（亏损总额以“－”号填列）" in labels


@pytest.mark.real_data
def test_cas_rows_are_not_glued_in_a_report_not_tuned_on(shared_data):
    # 宝信软件 2025: empty template rows after a row with figures stayed glued to it
    result = _real(shared_data, "zh", "宝信软件_2025_年度报告.pdf")
    bs = _statement(result, "balance_sheet")
    assert bs.value("short_term_borrowings", 0) == Decimal("19117556.95")
    assert bs.item("short_term_borrowings").label == "短期借款"
    assert bs.value("paid_in_capital", 0) == Decimal("2870778802.00")
    is_ = _statement(result, "income_statement")
    assert is_.item("cost_of_revenue").label == "其中：营业成本"
    assert is_.item("investment_income").label == "投资收益（损失以“－”号填列）"
    assert is_.value("investment_income", 0) == Decimal("9226680.34")


@pytest.mark.real_data
def test_a_us_label_wrapped_after_a_semicolon_in_a_report_not_tuned_on(shared_data):
    # Kraft Heinz 10-K 2019: "Common stock, … (5,000 shares authorized; … 2019;" / "… 2018)  12  12"
    result = _real(shared_data, "en", "KRAFTHEINZ_2019_10K.pdf")
    bs = _statement(result, "balance_sheet")
    assert bs.value("paid_in_capital", 0) == Decimal("12000000")
