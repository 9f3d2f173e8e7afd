"""Words → lines → columns → rows (extractors.layout), and small generated PDFs end to end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors import layout
from extractors.layout import Word


def _line(y: float, *cells: tuple[str, float, float]) -> list[Word]:
    return [Word(text, x0, x1, y, y + 9) for text, x0, x1 in cells]


def _table(*lines: list[Word]):
    ls = layout.words_to_lines([w for line in lines for w in line])
    cols = layout.find_columns(ls)
    return ls, cols


def test_columns_align_on_digit_edges_despite_parentheses_and_dollar_signs():
    ls, cols = _table(
        _line(100, ("Revenues", 19, 53), ("$", 342, 347), ("11,692,713", 377, 416), ("$", 429, 433), ("8,830,669", 467, 502)),
        _line(114, ("Interest", 36, 63), ("expense", 65, 93), ("(238,204)", 385, 419), ("(150,114)", 471, 505)),
        _line(128, ("Other", 36, 60), ("—", 407, 416), ("30,828", 478, 502)),
        _line(142, ("Net", 19, 32), ("income", 34, 60), ("$", 342, 347), ("558,929", 388, 416), ("$", 429, 433), ("186,678", 474, 502)),
    )
    assert [round(c.right) for c in cols] == [416, 502]
    rows, _ = layout.lines_to_rows(ls, cols)
    assert [(r.label, r.cells) for r in rows] == [
        ("Revenues", ["11,692,713", "8,830,669"]),
        ("Interest expense", ["(238,204)", "(150,114)"]),
        ("Other", ["—", "30,828"]),
        ("Net income", ["558,929", "186,678"]),
    ]


def test_wrapped_english_label_is_joined_and_headings_stay_rows():
    ls, cols = _table(
        _line(100, ("OPERATING", 19, 65), ("ACTIVITIES:", 67, 114)),
        _line(114, ("Net", 19, 31), ("income", 33, 56), ("596", 427, 439), ("2,371", 496, 514)),
        _line(128, ("Depreciation", 36, 78), ("of", 80, 87), ("property", 89, 117), ("and", 119, 130)),
        _line(138, ("other", 36, 53), ("amortization", 55, 98), ("6,281", 421, 439), ("8,116", 496, 514)),
    )
    rows, _ = layout.lines_to_rows(ls, cols)
    assert [r.label for r in rows] == ["OPERATING ACTIVITIES:", "Net income", "Depreciation of property and other amortization"]
    assert rows[2].cells == ["6,281", "8,116"]
    assert rows[2].top == 128  # the box covers both printed lines


def test_note_column_headed_附注_is_not_a_value_column():
    ls, cols = _table(
        _line(78, ("项目", 172, 193), ("附注", 288, 309), ("2020年12月31日", 340, 425), ("2019年12月31日", 445, 526)),
        _line(92, ("货币资金", 106, 148), ("1", 296, 301), ("36,091,090,060.90", 341, 425), ("13,251,817,237.85", 447, 526)),
        _line(106, ("结算备付金", 106, 158)),
        _line(120, ("应收票据", 106, 148), ("3", 296, 301), ("1,532,728,979.67", 345, 425), ("1,463,000,645.08", 450, 526)),
        _line(134, ("债权投资", 106, 148), ("10", 294, 304), ("20,143,397.78", 369, 425)),
        _line(148, ("流动资产合计", 106, 169), ("185,652,154,956.94", 341, 425), ("159,024,472,009.08", 445, 526)),
    )
    note_range = layout.classify_columns(cols, [ls[0]], ls[1:])
    assert [c.role for c in cols] == ["note", "value", "value"]
    layout.header_texts(cols, [ls[0]])
    assert [c.header for c in cols if c.role == "value"] == ["2020年12月31日", "2019年12月31日"]
    rows, _ = layout.lines_to_rows(ls[1:], cols, note_range=note_range)
    assert [(r.label, r.cells, r.note) for r in rows] == [
        ("货币资金", ["36,091,090,060.90", "13,251,817,237.85"], "1"),
        ("结算备付金", ["", ""], None),
        ("应收票据", ["1,532,728,979.67", "1,463,000,645.08"], "3"),
        ("债权投资", ["20,143,397.78", ""], "10"),  # one figure, in the current-year column
        ("流动资产合计", ["185,652,154,956.94", "159,024,472,009.08"], None),
    ]


def test_percent_columns_are_dropped_and_stray_figures_are_not_columns():
    ls, cols = _table(
        _line(100, ("Net", 10, 25), ("sales", 27, 50), ("3,226,773", 300, 340), ("100.0%", 350, 380), ("2,729,388", 400, 440), ("100.0%", 450, 480)),
        _line(114, ("Cost", 10, 25), ("2,014,270", 300, 340), ("62.4%", 355, 380), ("1,702,059", 400, 440), ("62.4%", 455, 480)),
        _line(128, ("Interest", 10, 40), ("(4,378)", 305, 343), ("(0.1%)", 352, 383), ("467", 425, 440), ("0.1%", 460, 480)),
        _line(142, ("Income", 10, 40), ("451,996", 305, 340), ("14.0%", 355, 380), ("375,155", 405, 440), ("13.7%", 455, 480)),
        _line(156, ("Stores", 10, 40), ("2", 150, 155)),
    )
    assert [c.role for c in cols] == ["value", "percent", "value", "percent"]
    rows, _ = layout.lines_to_rows(ls, cols)
    assert rows[2].cells == ["(4,378)", "467"]
    assert rows[-1].label == "Stores 2" and rows[-1].cells == ["", ""]


def test_side_by_side_balance_sheet_splits_into_halves():
    lines = [
        _line(85, ("资产", 107, 123), ("行次", 197, 213), ("期末余额", 243, 275), ("年初余额", 321, 353),
              ("负债和所有者权益", 391, 460), ("行次", 533, 549), ("期末余额", 579, 611), ("年初余额", 657, 689)),
    ]
    data = [("货币资金", "1", "1,121.27", "885.35", "短期借款", "18", "515.47", "1,084.99"),
            ("应收账款", "2", "1,264.20", "1,218.59", "应付账款", "19", "963.93", "715.23"),
            ("存货", "3", "1,524.64", "782.36", "流动负债合计", "20", "1,479.40", "1,800.22"),
            ("资产总计", "4", "3,910.11", "2,886.30", "负债合计", "21", "1,479.40", "1,800.22")]
    for i, (a, an, a1, a2, b, bn, b1, b2) in enumerate(data):
        lines.append(_line(115 + 15 * i, (a, 51, 83), (an, 203, 207), (a1, 260, 295), (a2, 340, 373),
                           (b, 379 if "合计" in b else 387, 430), (bn, 537, 545), (b1, 600, 631), (b2, 680, 709)))
    ls = layout.words_to_lines([w for line in lines for w in line])
    split = layout.split_side_by_side(ls)
    assert split is not None and 300 < split < 380
    left = [layout.Line([w for w in line.words if w.x0 < split]) for line in ls]
    right = [layout.Line([w for w in line.words if w.x0 >= split]) for line in ls]
    out = []
    for half in (left, right):
        cols = layout.find_columns(half[1:])
        layout.classify_columns(cols, [half[0]], half[1:])
        assert [c.role for c in cols] == ["row_no", "value", "value"]
        rows, _ = layout.lines_to_rows(half[1:], cols)
        out += [(r.label, r.cells, r.row_no) for r in rows]
    assert out[0] == ("货币资金", ["1,121.27", "885.35"], "1")
    assert out[6] == ("流动负债合计", ["1,479.40", "1,800.22"], "20")
    assert [o[0] for o in out] == ["货币资金", "应收账款", "存货", "资产总计", "短期借款", "应付账款", "流动负债合计", "负债合计"]


def test_end_marks_stop_a_statement():
    ls, cols = _table(
        _line(100, ("Total", 10, 30), ("assets", 32, 60), ("1,000", 300, 330), ("900", 380, 400)),
        _line(114, ("Total", 10, 30), ("equity", 32, 60), ("400", 310, 330), ("300", 380, 400)),
        _line(128, ("See", 10, 25), ("accompanying", 27, 80), ("notes", 82, 100)),
        _line(142, ("Other", 10, 30), ("table", 32, 60), ("7", 320, 330), ("8", 390, 400)),
    )
    rows, ended = layout.lines_to_rows(ls, cols)
    assert ended and [r.label for r in rows] == ["Total assets", "Total equity"]


# ---- generated PDFs through the real pdfplumber / pypdfium2 path --------------------------------


def _pdf(path, pages):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for page in pages:
        for y, items in page:
            for x, text, align in items:
                c.setFont("STSong-Light", 9)
                if align == "r":
                    c.drawRightString(x, 842 - y, text)
                else:
                    c.drawString(x, 842 - y, text)
        c.showPage()
    c.save()
    return path


def test_us_statement_pdf_end_to_end(tmp_path):
    from extractors.pdf import extract_pdf

    rows = [("Revenues", "$", "11,692,713", "$", "8,830,669"), ("Cost of revenues", "", "7,659,666", "", "6,029,901"),
            ("Operating income", "", "838,679", "", "379,793"), ("Interest expense", "", "(238,204)", "", "(150,114)"),
            ("Income before income taxes", "", "485,321", "", "260,507"),
            ("Provision for (benefit from) income taxes", "", "(73,608)", "", "73,829"),
            ("Net income", "$", "558,929", "$", "186,678"), ("Earnings per share:", "", "", "", ""),
            ("Basic", "$", "1.29", "$", "0.44")]
    page = [(40, [(200, "NETFLIX, INC.", "l")]), (60, [(180, "CONSOLIDATED STATEMENTS OF OPERATIONS", "l")]),
            (72, [(200, "(in thousands, except per share data)", "l")]),
            (100, [(430, "Year ended December 31,", "l")]), (114, [(416, "2017", "r"), (502, "2016", "r")])]
    for i, (label, d1, v1, d2, v2) in enumerate(rows):
        items = [(20, label, "l")] + ([(342, d1, "l")] if d1 else []) + ([(416, v1, "r")] if v1 else [])
        items += ([(429, d2, "l")] if d2 else []) + ([(502, v2, "r")] if v2 else [])
        page.append((130 + 14 * i, items))
    page.append((300, [(150, "See accompanying notes to consolidated financial statements.", "l")]))
    result = extract_pdf(_pdf(tmp_path / "us.pdf", [page]))
    (st,) = result.statements
    assert (st.kind, st.unit, st.currency, st.pages) == ("income_statement", 1000, "USD", [1])
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (dt.date(2017, 1, 1), dt.date(2017, 12, 31)), (dt.date(2016, 1, 1), dt.date(2016, 12, 31))]
    assert st.value("revenue", 0) == Decimal("11692713000")
    assert st.value("income_tax", 0) == Decimal("-73608000")
    assert st.value("basic_eps", 1) == Decimal("0.44")  # per share: never scaled
    assert st.item("net_profit").page == 1 and st.item("net_profit").bbox is not None
    assert st.warnings == []  # 485,321 − (−73,608) = 558,929 holds


def test_chinese_statement_spanning_pages_with_title_at_the_foot(tmp_path):
    from extractors.pdf import extract_pdf

    cover = [(100, [(200, "示例科技股份有限公司", "l")]), (130, [(200, "2026 年半年度报告", "l")])]
    p2 = [(60, [(100, "其他内容", "l")]), (760, [(250, "合并利润表", "l")]), (775, [(250, "2026 年 1—6 月", "l")]),
          (790, [(420, "单位：万元 币种：人民币", "l")])]
    head = [(60, [(100, "项目", "l"), (290, "附注", "l"), (400, "本期发生额", "l"), (490, "上期发生额", "l")])]
    rows = [("一、营业总收入", "", "1,234.56", "1,000.00"), ("其中：营业收入", "七、1", "1,234.56", "1,000.00"),
            ("二、营业总成本", "", "1,000.00", "900.00"), ("其中：营业成本", "七、2", "800.00", "700.00"),
            ("财务费用", "七、3", "-10.00", "5.00"), ("其中：利息费用", "", "", ""), ("利息收入", "", "12.00", "-"),
            ("三、营业利润（亏损以“－”号填列）", "", "234.56", "100.00"),
            ("四、利润总额（亏损总额以“－”号填列）", "", "230.00", "100.00"), ("减：所得税费用", "七、4", "30.00", "25.00"),
            ("五、净利润（净亏损以“－”号填列）", "", "200.00", "75.00")]
    p3 = list(head)
    for i, (label, note, a, b) in enumerate(rows):
        p3.append((80 + 15 * i, [(100, label, "l")] + ([(280, note, "l")] if note else []) + ([(460, a, "r")] if a else [])
                   + ([(550, b, "r")] if b else [])))
    p3.append((80 + 15 * len(rows), [(100, "法定代表人：张三", "l")]))
    result = extract_pdf(_pdf(tmp_path / "zh.pdf", [cover, p2, p3]))
    assert result.company == "示例科技股份有限公司"
    (st,) = result.statements
    assert (st.kind, st.scope, st.unit, st.currency) == ("income_statement", "consolidated", 10000, "CNY")
    assert st.pages == [3]
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)), (dt.date(2025, 1, 1), dt.date(2025, 6, 30))]
    assert st.value("revenue", 0) == Decimal("12345600.00")
    assert st.value("financial_expenses", 0) == Decimal("-100000.00")
    assert st.item("interest_expense").values == [None, None]  # printed empty: null, never 0
    assert st.value("interest_income", 1) is None  # "-" is not reported
    assert st.item("revenue").note == "七、1"
    assert st.item("revenue").label == "其中：营业收入"
    assert st.warnings == []


def test_identity_failure_is_a_warning_not_a_fix(tmp_path):
    from extractors.models import Column
    from extractors.statements import build_statement

    cols = [Column(period_end=dt.date(2026, 6, 30), label="期末余额")]
    rows = [("资产总计", ["100.00"], 1, None), ("负债合计", ["60.00"], 1, None), ("所有者权益合计", ["30.00"], 1, None),
            ("负债和所有者权益总计", ["100.00"], 1, None)]
    st = build_statement("balance_sheet", "consolidated", "资产负债表", cols, rows, 1, "CNY", [1])
    assert st.value("total_equity", 0) == Decimal("30.00")  # kept as printed
    assert len(st.warnings) == 1 and "total liabilities" in st.warnings[0]


def test_parentheses_printed_apart_from_the_number_are_reattached():
    ls, cols = _table(
        _line(100, ("Revenue", 10, 50), ("1,000", 300, 330), ("900", 380, 400)),
        _line(114, ("Loss", 10, 30), ("(12", 310, 330), (")", 331, 334), ("(", 370, 373), ("5", 375, 400)),
        _line(128, ("Net", 10, 30), ("988", 310, 330), ("895", 380, 400)),
    )
    rows, _ = layout.lines_to_rows(ls, cols)
    assert rows[1].cells == ["(12)", "(5"]
    from extractors.numbers import parse_number

    assert [parse_number(c) for c in rows[1].cells] == [Decimal("-12"), Decimal("-5")]


def test_unit_printed_between_dates_and_rows_does_not_hide_the_header():
    lines = [
        _line(80, ("Year", 300, 320), ("Ended", 322, 345), ("December", 347, 385), ("31,", 387, 398)),
        _line(94, ("2023", 310, 330), ("2022", 380, 400)),
        _line(108, ("(in", 10, 20), ("millions)", 22, 60)),
        _line(122, ("Revenue", 10, 50), ("1,000", 300, 330), ("900", 380, 400)),
        _line(136, ("Net", 10, 30), ("income", 32, 60), ("88", 318, 330), ("95", 390, 400)),
    ]
    ls = layout.words_to_lines([w for line in lines for w in line])
    cols = layout.find_columns(ls)
    header = layout.find_header_lines(ls, 3, cols)
    layout.header_texts(cols, header)
    assert [c.header for c in cols] == ["Year Ended December 31, 2023", "Year Ended December 31, 2022"]


def test_consolidated_and_parent_columns_in_one_table_become_two_statements():
    from extractors.models import Column
    from extractors.pdf import split_by_scope
    from extractors.statements import build_statement

    d = dt.date
    cols = [Column(period_end=d(2026, 12, 31), label="本集团 期末余额"), Column(period_end=d(2025, 12, 31), label="本集团 期初余额"),
            Column(period_end=d(2026, 12, 31), label="本行 期末余额"), Column(period_end=d(2025, 12, 31), label="本行 期初余额")]
    rows = [("资产总计", ["100", "90", "80", "70"], 5, None), ("负债合计", ["60", "50", "45", "40"], 5, None),
            ("所有者权益合计", ["40", "40", "35", "30"], 5, None)]
    st = build_statement("balance_sheet", "consolidated", "资产负债表", cols, rows, 1_000_000, "CNY", [5])
    group, bank = split_by_scope(st)
    assert (group.scope, bank.scope) == ("consolidated", "parent")
    assert group.value("total_assets", 1) == Decimal("90000000") and bank.value("total_assets", 0) == Decimal("80000000")
    assert group.warnings == [] and bank.warnings == []
    group_only = build_statement("balance_sheet", "consolidated", "t", cols[:2], [(r[0], r[1][:2], r[2], r[3]) for r in rows], 1, "CNY", [5])
    assert split_by_scope(group_only) == [group_only]  # nothing to split


def test_10q_three_and_nine_month_groups_with_years_below(tmp_path):
    from extractors.pdf import extract_pdf

    page = [(40, [(220, "ACME HOLDINGS, INC.", "l")]),
            (55, [(150, "CONDENSED CONSOLIDATED STATEMENTS OF OPERATIONS", "l")]),
            (68, [(200, "(in thousands, except per share data)", "l")]),
            (90, [(300, "Three Months Ended", "l"), (450, "Nine Months Ended", "l")]),
            (102, [(305, "September 30,", "l"), (455, "September 30,", "l")]),
            (114, [(330, "2026", "r"), (390, "2025", "r"), (480, "2026", "r"), (540, "2025", "r")])]
    data = [("Revenue", "1,000", "900", "3,100", "2,700"), ("Cost of revenue", "600", "560", "1,900", "1,700"),
            ("Operating income", "150", "120", "420", "380"), ("Income before income taxes", "140", "110", "400", "360"),
            ("Provision for income taxes", "(30)", "(25)", "(90)", "(80)"), ("Net income", "110", "85", "310", "280"),
            ("Net income per share, basic", "1.10", "0.85", "3.10", "2.80")]
    for i, (label, *vals) in enumerate(data):
        items = [(20, label, "l")] + [(x, v, "r") for x, v in zip((330, 390, 480, 540), vals)]
        page.append((130 + 14 * i, items))
    (st,) = extract_pdf(_pdf(tmp_path / "q.pdf", [page])).statements
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)), (dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        (dt.date(2026, 1, 1), dt.date(2026, 9, 30)), (dt.date(2025, 1, 1), dt.date(2025, 9, 30))]
    assert st.value("revenue", 2) == Decimal("3100000")
    assert st.value("income_tax", 3) == Decimal("-80000")
    assert st.value("basic_eps", 0) == Decimal("1.10")
    assert st.warnings == []


def test_a_share_third_quarter_income_statement(tmp_path):
    from extractors.pdf import extract_pdf

    cover = [(100, [(200, "示例电气股份有限公司", "l")]), (130, [(200, "2026 年第三季度报告", "l")])]
    page = [(50, [(250, "合并利润表", "l")]), (64, [(250, "2026 年 1—9 月", "l")]),
            (78, [(60, "编制单位：示例电气股份有限公司", "l"), (420, "单位：元 币种：人民币 审计类型：未经审计", "l")]),
            (95, [(100, "项目", "l"), (330, "2026 年前三季度", "l"), (460, "2025 年前三季度", "l")]),
            (107, [(340, "（1-9 月）", "l"), (470, "（1-9 月）", "l")])]
    data = [("一、营业总收入", "5,000,000.00", "4,000,000.00"), ("其中：营业收入", "5,000,000.00", "4,000,000.00"),
            ("二、营业总成本", "4,200,000.00", "3,500,000.00"), ("三、营业利润（亏损以“－”号填列）", "800,000.00", "500,000.00"),
            ("四、利润总额（亏损总额以“－”号填列）", "790,000.00", "505,000.00"), ("减：所得税费用", "190,000.00", "105,000.00"),
            ("五、净利润（净亏损以“－”号填列）", "600,000.00", "400,000.00")]
    for i, (label, a, b) in enumerate(data):
        page.append((125 + 15 * i, [(100, label, "l"), (420, a, "r"), (550, b, "r")]))
    (st,) = extract_pdf(_pdf(tmp_path / "q3.pdf", [cover, page])).statements
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (dt.date(2026, 1, 1), dt.date(2026, 9, 30)), (dt.date(2025, 1, 1), dt.date(2025, 9, 30))]
    assert st.value("net_profit", 1) == Decimal("400000.00")
    assert st.warnings == []


@pytest.mark.parametrize(
    ("line", "kind", "scope"),
    [
        ("合并资产负债表", "balance_sheet", "consolidated"),
        ("母公司利润表", "income_statement", "parent"),
        ("资产负债表（母公司）", "balance_sheet", "parent"),
        ("CONSOLIDATED STATEMENTS OF CASH FLOWS", "cash_flow", "consolidated"),
        ("Condensed Consolidated Statements of Earnings", "income_statement", "consolidated"),
        ("APPLE INC. CONSOLIDATED BALANCE SHEETS", "balance_sheet", "consolidated"),
        ("Consolidated Statement of Financial Position", "balance_sheet", "consolidated"),
        ("CONDENSED CONSOLIDATED INTERIM STATEMENT OF PROFIT OR LOSS", "income_statement", "consolidated"),
    ],
)
def test_statement_titles(line, kind, scope):
    from extractors.locate import match_title

    t = match_title(line)
    assert (t.kind, t.scope) == (kind, scope)


@pytest.mark.parametrize(
    "line",
    ["Consolidated Balance Sheets 40", "Consolidated Statements of Comprehensive Income",
     "资产负债表日后事项", "on our Condensed Consolidated Balance Sheets, was", "Notes to Consolidated Financial Statements"],
)
def test_not_primary_statement_titles(line):
    from extractors.locate import match_title

    t = match_title(line)
    assert t is None or t.kind is None


def test_locate_skips_contents_pages_and_follows_continuations():
    from extractors.locate import locate_statements

    pages = [
        "目录\n合并资产负债表 49\n合并利润表 53",
        "合并资产负债表\n2026 年 6 月 30 日\n单位：元\n项目 附注 期末余额 上年年末余额\n货币资金 1 1,000.00 900.00\n"
        "应收账款 2 500.00 400.00\n存货 3 300.00 200.00\n流动资产合计 1,800.00 1,500.00",
        "固定资产 4 2,000.00 1,900.00\n资产总计 3,800.00 3,400.00\n负债合计 1,000.00 900.00\n"
        "所有者权益合计 2,800.00 2,500.00\n法定代表人：张三",
        "合并利润表\n2026 年 1—6 月\n单位：元\n项目 附注 本期发生额 上期发生额\n一、营业收入 1 100.00 90.00\n"
        "二、营业成本 2 60.00 50.00\n三、营业利润 40.00 40.00\n四、利润总额 40.00 40.00",
    ]
    found = locate_statements(pages)
    assert [(f.kind, f.pages) for f in found] == [("balance_sheet", [2, 3]), ("income_statement", [4])]


def test_title_repeated_on_the_next_page_continues_the_statement(tmp_path):
    from extractors.pdf import extract_pdf

    def page(rows, top_rows):
        p = [(50, [(200, "CONSOLIDATED BALANCE SHEETS", "l")]), (62, [(220, "(in millions)", "l")]),
             (80, [(380, "December 31,", "l")]), (92, [(400, "2026", "r"), (480, "2025", "r")])]
        for i, (label, a, b) in enumerate(rows):
            p.append((110 + 14 * i, [(20, label, "l"), (400, a, "r"), (480, b, "r")]))
        return p

    p1 = page([("Cash and cash equivalents", "100", "90"), ("Inventories", "50", "40"), ("Total current assets", "150", "130"),
               ("Goodwill", "20", "20"), ("Total assets", "170", "150")], None)
    p2 = page([("Accounts payable", "30", "25"), ("Total current liabilities", "30", "25"), ("Long-term debt", "40", "45"),
               ("Total liabilities", "70", "70"), ("Total stockholders' equity", "100", "80"),
               ("Total liabilities and stockholders' equity", "170", "150")], None)
    p2.append((220, [(20, "See accompanying notes.", "l")]))
    (st,) = extract_pdf(_pdf(tmp_path / "two.pdf", [p1, p2])).statements
    assert st.pages == [1, 2]
    assert st.value("cash", 0) == Decimal("100000000") and st.value("total_liabilities", 1) == Decimal("70000000")
    assert st.warnings == []


@pytest.mark.parametrize("engine", ["pdfium", "pdfplumber"])
def test_both_word_engines_read_the_same_statement(tmp_path, engine):
    from extractors.pdf import extract_pdf

    page = [(50, [(200, "CONSOLIDATED STATEMENTS OF OPERATIONS", "l")]), (62, [(220, "(in thousands)", "l")]),
            (80, [(360, "Year Ended December 31,", "l")]), (92, [(400, "2026", "r"), (480, "2025", "r")])]
    data = [("Revenues", "$", "1,234,567", "$", "987,654"), ("Cost of revenues", "", "(700,000)", "", "(600,000)"),
            ("Operating income", "", "534,567", "", "387,654"), ("Net income", "$", "400,000", "$", "300,000")]
    for i, (label, d1, a, d2, b) in enumerate(data):
        items = [(20, label, "l"), (400, a, "r"), (480, b, "r")] + ([(330, d1, "l"), (420, d2, "l")] if d1 else [])
        page.append((110 + 14 * i, items))
    (st,) = extract_pdf(_pdf(tmp_path / "e.pdf", [page]), engine=engine).statements
    assert [i.printed for i in st.items] == [["1,234,567", "987,654"], ["(700,000)", "(600,000)"], ["534,567", "387,654"],
                                            ["400,000", "300,000"]]
    assert st.value("cost_of_revenue", 1) == Decimal("-600000000")


def test_left_aligned_headers_of_a_spreadsheet_export_go_to_their_own_cells():
    # Excel/LibreOffice export: text left-aligned in its cell, numbers right-aligned, so
    # 上年同期金额 starts just right of the first column's digits (nearest by centre to it)
    header = _line(80, ("项目", 55, 77), ("本期金额", 334, 378), ("上年同期金额", 452.6, 518.6))
    ls, cols = _table(
        header,
        _line(100, ("营业收入", 55, 99), ("1,220.36", 401.6, 450.6), ("1,132.01", 503.7, 552.6)),
        _line(114, ("营业成本", 55, 99), ("774.02", 412.1, 450.6), ("822.44", 514.3, 552.8)),
        _line(128, ("净利润", 55, 88), ("237.65", 412.1, 450.6), ("131.41", 514.3, 552.8)),
    )
    layout.header_texts(cols, [ls[0]])
    assert [c.header for c in cols] == ["本期金额", "上年同期金额"]
    # a header centred over its column is unchanged by the rule
    centred = layout.words_to_lines(_line(80, ("本期金额", 404, 448), ("上年同期金额", 486, 552)))
    for c in cols:
        c.header = ""
    layout.header_texts(cols, centred)
    assert [c.header for c in cols] == ["本期金额", "上年同期金额"]


def test_left_aligned_dashes_of_a_spreadsheet_export_stay_in_their_cells():
    # text cells ("-") are left-aligned, numbers right-aligned: the second dash starts just
    # right of the first column's digits and must not join it; the first must not join the label
    numbers = [_line(100 + 14 * i, (f"项目{i}", 59, 93), (f"{i + 1}3,034,008.48", 380.5, 446.9),
                     (f"{i + 1}4,242,108.57", 484.7, 551.1)) for i in range(10)]
    dashes = [_line(y, (label, 59, 93), ("-", 344.1, 347.1), ("-", 448.4, 451.4))
              for y, label in ((93, "合同资产"), (275, "商誉"))]
    ls, cols = _table(dashes[0], *numbers, dashes[1])
    assert [round(c.right) for c in cols] == [447, 551]
    rows, _ = layout.lines_to_rows(ls, cols)
    assert [(r.label, r.cells) for r in rows if r.label in ("合同资产", "商誉", "项目0")] == [
        ("合同资产", ["-", "-"]),
        ("项目0", ["13,034,008.48", "14,242,108.57"]),
        ("商誉", ["-", "-"]),
    ]


def test_numbers_stored_as_text_printed_left_aligned_form_columns():
    # accounting software exports amounts as text: left-aligned in their cells, ragged right
    amounts = [("1,220,360.00", "1,132,010.00"), ("5,780.00", "7,710.00"), ("38.10", "38.04"), ("774,020.00", "822,440.00"),
               ("-5.64", "-4.75"), ("317,350.00", "173,850.00"), ("2.00", "1.00")]
    lines = [_line(100 + 14 * i, (f"项目{i}", 55, 99), (a, 331.1, 331.1 + 5.6 * len(a)), (b, 453.5, 453.5 + 5.6 * len(b)))
             for i, (a, b) in enumerate(amounts)]
    ls, cols = _table(*lines)
    assert len(cols) == 2
    rows, _ = layout.lines_to_rows(ls, cols)
    assert [r.cells for r in rows] == [list(pair) for pair in amounts]
    # right-aligned amounts of differing widths keep their digit-edge columns
    ls, cols = _table(*[_line(100 + 14 * i, (f"项目{i}", 55, 99), (a, 380 - 5.6 * len(a), 380), (b, 480 - 5.6 * len(b), 480))
                        for i, (a, b) in enumerate(amounts)])
    assert [round(c.right) for c in cols] == [380, 480]


@pytest.mark.parametrize("text, parts", [
    ("3,399.64流动负债合计", ["3,399.64", "流动负债合计"]),
    ("流动资产合计4,479.66", ["流动资产合计", "4,479.66"]),
    ("(1,234.00)其他", ["(1,234.00)", "其他"]),
    ("123.45万元", ["123.45万元"]),  # a unit stays with its amount
    ("2026年", ["2026年"]),
    ("七、1", ["七、1"]),
])
def test_an_amount_glued_to_the_next_cells_label_is_split(text, parts):
    # spreadsheet exports pad cells by about a point: a right-aligned amount touches the label
    # of the next (side-by-side) cell and the word engines read them as one word
    lines = layout.words_to_lines([Word(text, 300, 420, 100, 109)])
    words = lines[0].words
    assert [w.text for w in words] == parts
    assert words[0].x0 == 300 and words[-1].x1 == 420
    assert all(a.x1 <= b.x0 for a, b in zip(words, words[1:]))


def test_a_left_aligned_dash_in_the_first_column_is_that_columns_not_the_labels():
    numbers = [_line(100 + 14 * i, (f"项目{i}", 55, 99), (f"{i + 1}0.36", 401.6, 450.6), (f"{i + 1}2.01", 503.7, 552.6))
               for i in range(8)]
    dash = _line(300, ("资产减值损失", 66, 130), ("-", 334.3, 337.3), ("-", 453.5, 456.5))
    # a dash in the label's run before a figure of the same column stays with the label
    mixed = _line(314, ("Revenue", 55, 90), ("—", 362.0, 368.0), ("1,234", 425.6, 450.6), ("1,000", 527.6, 552.6))
    ls, cols = _table(*numbers, dash, mixed)
    assert [round(c.right) for c in cols] == [451, 553]
    rows, _ = layout.lines_to_rows(ls, cols)
    got = {r.label: r.cells for r in rows}
    assert got["资产减值损失"] == ["-", "-"]
    assert got["Revenue —"] == ["1,234", "1,000"]


def test_left_aligned_spanning_and_year_headers_of_a_spreadsheet_export():
    # "Three Months Ended" typed in the first cell of its pair and overflowing; the years
    # left-aligned in their cells, the first one far left of the figures in a wide cell
    span = _line(60, ("Three Months Ended September 30,", 187.5, 287.1), ("Nine Months Ended September 30,", 374.7, 470.8))
    years = _line(74, ("2026", 187.5, 201.5), ("2025", 338.0, 352.0), ("2026", 374.7, 388.7), ("2025", 520.8, 534.8))
    rows = [_line(100 + 14 * i, (f"Item {i}", 54, 90), (f"{i + 1}31,071", 305.6, 337.0), (f"{i + 1}33,286", 342.3, 373.7),
                  (f"{i + 1}93,721", 488.4, 519.8), (f"{i + 1}87,067", 525.2, 556.6)) for i in range(5)]
    ls, cols = _table(span, years, *rows)
    assert len(cols) == 4
    layout.header_texts(cols, ls[:2])
    assert [c.header for c in cols] == [
        "Three Months Ended September 30, 2026", "Three Months Ended September 30, 2025",
        "Nine Months Ended September 30, 2026", "Nine Months Ended September 30, 2025",
    ]


def _chars(*runs: tuple[str, float, float]) -> list[tuple[str, float, float, float, float]]:
    """Characters of (text, x0, advance) runs: glyphs of a run touch (0.03 pt apart)."""
    out = []
    for text, x0, advance in runs:
        for k, ch in enumerate(text):
            out.append((ch, x0 + k * (advance + 0.03), x0 + k * (advance + 0.03) + advance, 100.0, 109.0))
    return out


@pytest.mark.parametrize("runs, texts", [
    ((("1", 299.9, 4.26), ("1,121.27", 305.4, 4.26)), ["1", "1,121.27"]),  # row number + amount, 1.24 pt apart
    ((("18", 610.0, 4.26), ("515.47", 619.8, 4.26)), ["18", "515.47"]),
    ((("2026", 100.0, 4.26),), ["2026"]),
    ((("11,121.27", 300.0, 4.26),), ["11,121.27"]),  # one number, evenly spaced: never split
    ((("12", 100.0, 4.26), ("34", 109.7, 4.26)), ["1234"]),  # no amount on the right: kept
])
def test_a_row_number_glued_to_the_next_cells_amount_is_split_in_both_engines(runs, texts):
    from extractors import words

    chars = _chars(*runs)
    assert [w.text for w in words.chars_to_words(chars)] == texts
    plumber = {"text": "".join(c[0] for c in chars), "x0": chars[0][1], "x1": chars[-1][2], "top": 100.0, "bottom": 109.0,
               "chars": [dict(text=c[0], x0=c[1], x1=c[2], top=c[3], bottom=c[4]) for c in chars]}
    assert [w["text"] for w in words._split_plumber_word(plumber)] == texts


def test_header_cells_wrapped_in_narrow_columns_are_read_whole():
    # a word processor's PDF: the date headers wrap ("日" on a second line), 项目 is centred
    # between the two lines, and the two dates sit closer than the usual group gap
    dates = _line(60, ("2026", 195.8, 220.8), ("年", 222.7, 231.7), ("9", 233.5, 239.8), ("月", 241.5, 250.5),
                  ("30", 252.3, 264.8), ("2025", 271.1, 296.1), ("年", 298.0, 307.0), ("12", 308.8, 321.3),
                  ("月", 323.1, 332.1), ("31", 333.9, 346.4))
    label = _line(67, ("项目", 104.7, 122.7))
    tail = _line(74, ("日", 225.8, 234.8), ("日", 304.3, 313.3))
    rows = [_line(100 + 14 * i, (f"项目{i}", 34, 70), (f"{i + 1}9,437", 194.6, 226.0), (f"{i + 1}0,274", 268.9, 300.3))
            for i in range(5)]
    ls, cols = _table(dates, label, tail, *rows)
    header = layout.find_header_lines(ls, 3, cols)
    assert [line.text for line in header][0].startswith("2026")
    layout.header_texts(cols, header)
    assert [c.header.replace(" ", "") for c in cols] == ["2026年9月30日", "2025年12月31日"]


def test_two_english_dates_in_one_header_group_are_split_between_columns():
    head = _line(60, ("30", 279.1, 291.6), ("June", 294.2, 317.0), ("2026", 320.1, 345.1),
                 ("31", 350.1, 362.6), ("December", 365.7, 417.0), ("2025", 420.2, 445.2))
    rows = [_line(100 + 14 * i, (f"Item {i}", 34, 70), (f"{i + 1}31,454", 310.0, 340.0), (f"{i + 1}84,509", 400.0, 430.0))
            for i in range(5)]
    ls, cols = _table(head, *rows)
    layout.header_texts(cols, ls[:1])
    assert [c.header for c in cols] == ["30 June 2026", "31 December 2025"]
    # one spanning English header is not split: its gaps are all alike
    span = layout.words_to_lines(_line(60, ("Three", 300, 320), ("Months", 323, 350), ("Ended", 353, 375),
                                       ("September", 378, 415), ("30,", 418, 428)))
    for c in cols:
        c.header = ""
    layout.header_texts(cols, span)
    assert [c.header for c in cols] == ["Three Months Ended September 30,"] * 2


def test_left_aligned_figures_continue_onto_the_next_page(tmp_path):
    # a word processor's PDF: amounts left-aligned in their cells, so a continuation page
    # with shorter amounts has other right edges but the same left edges
    from extractors.pdf import extract_pdf

    head = [(60, [(250, "利润表", "l")]), (80, [(100, "编制单位：示例有限公司", "l"), (420, "单位：元", "l")]),
            (100, [(100, "项目", "l"), (300, "本期金额", "l"), (420, "上期金额", "l")])]
    rows = [("一、营业收入", "77,450,778.18", "67,201,052.29"), ("减：营业成本", "50,374,713.75", "40,508,453.13"),
            ("销售费用", "887,688.42", "1,045,530.02"), ("二、营业利润", "26,188,376.01", "25,647,069.14"),
            ("三、利润总额", "26,188,376.01", "25,647,069.14"), ("减：所得税费用", "6,547,094.00", "6,411,767.29"),
            ("四、净利润", "19,641,282.01", "19,235,301.85")]
    p1 = list(head) + [(120 + 15 * i, [(100, label, "l"), (300, a, "l"), (420, b, "l")]) for i, (label, a, b) in enumerate(rows)]
    p2 = [(60, [(100, "项目", "l"), (300, "本期金额", "l"), (420, "上期金额", "l")]),
          (80, [(100, "（一）基本每股收益", "l"), (300, "0.55", "l"), (420, "1.19", "l")]),
          (95, [(100, "（二）稀释每股收益", "l"), (300, "0.55", "l"), (420, "1.19", "l")])]
    result = extract_pdf(_pdf(tmp_path / "left.pdf", [p1, p2]))
    (st,) = result.statements
    assert st.pages == [1, 2]
    assert st.value("revenue", 0) == Decimal("77450778.18")
    assert st.value("basic_eps", 1) == Decimal("1.19")


def test_a_wrapped_column_header_high_on_a_continuation_page_is_kept(tmp_path):
    # the title sits at the foot of page 1; page 2 starts with the column header within the
    # top margin band, its dates wrapped over two lines around 项目 (word processor export)
    from extractors.pdf import extract_pdf

    p1 = [(60, [(100, "其他内容", "l")]), (770, [(250, "现金流量表", "l")]),
          (785, [(100, "编制单位：示例有限公司", "l"), (420, "单位：元", "l")])]
    p2 = [(36, [(300, "2026年1-9", "l"), (420, "2025年1-9", "l")]), (43, [(100, "项目", "l")]),
          (50, [(310, "月", "l"), (430, "月", "l")])]
    rows = [("销售商品、提供劳务收到的现金", "222,865.00", "215,065.00"), ("收到的税费返还", "491.00", "955.00"),
            ("经营活动现金流入小计", "223,356.00", "216,020.00"), ("购买商品、接受劳务支付的现金", "137,300.00", "120,100.00"),
            ("经营活动现金流出小计", "137,300.00", "120,100.00"), ("经营活动产生的现金流量净额", "86,056.00", "95,920.00")]
    p2 += [(80 + 15 * i, [(100, label, "l"), (380, a, "r"), (500, b, "r")]) for i, (label, a, b) in enumerate(rows)]
    result = extract_pdf(_pdf(tmp_path / "top.pdf", [p1, p2]))
    (st,) = result.statements
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (dt.date(2026, 1, 1), dt.date(2026, 9, 30)), (dt.date(2025, 1, 1), dt.date(2025, 9, 30))]
    assert st.value("net_cash_operating", 1) == Decimal("95920.00")


def test_first_row_of_a_left_aligned_continuation_page_is_data():
    from extractors.pdf import _first_data

    # left-aligned figures: the column's digit edge is its widest figure's, so a short first
    # figure ends far left of it; its left edge still sits on the column's
    rows = [("税金及附加", "247,181.38", "293,677.16"), ("销售费用", "53,126,854.30", "32,043,966.98"),
            ("管理费用", "655.29", "613.78"), ("研发费用", "655,296.29", "613,787.61"),
            ("财务费用", "53,638,757.47", "42,603,320.22"), ("其他收益", "155.29", "913.78")]
    ls, cols = _table(_line(40, ("项目", 34, 52), ("本年金额", 200.6, 236.6), ("上年金额", 274.9, 310.9)),
                      *[_line(52 + 15 * i, (label, 34, 88), (a, 200.6, 200.6 + 5.05 * len(a)), (b, 274.9, 274.9 + 5.05 * len(b)))
                        for i, (label, a, b) in enumerate(rows)])
    assert _first_data(ls, cols) == 1


def test_a_preparer_line_whose_date_was_cut_by_the_side_by_side_split_is_not_data():
    from extractors.pdf import _first_data

    # the left half of "编制单位：… 2026 年 9 | 月 30 日": a trailing "9" near the last column
    rows = [_line(100 + 14 * i, (f"项目{i}", 34, 70), (f"{i + 1},177.09", 127.9, 167.9), (f"{i + 6}05.33", 189.2, 220.6))
            for i in range(5)]
    ls, cols = _table(_line(60, ("编制单位：示例有限公司", 34, 187), ("2026", 189.8, 212.7), ("年", 214.5, 223.5), ("9", 225.3, 231.0)),
                      _line(75, ("资产", 59.7, 77.7), ("期末余额", 135.1, 171.1), ("年初余额", 188.4, 224.4)), *rows)
    assert _first_data(ls, cols) == 2


def test_figures_inside_a_labels_parenthesis_do_not_split_the_page_in_halves():
    """JPMorgan's balance sheet: "Securities borrowed (included $66,277 and $52,983 at fair value) 179,516 160,635"."""
    def row(y, words, a, b):
        x, cells = 52.0, []
        for w in words.split():
            cells.append((w, x, x + 6 * len(w)))
            x += 6 * len(w) + 3
        return _line(y, *cells, (a, 497 - 6 * len(a), 497), (b, 558 - 6 * len(b), 558))

    lines = [row(100 + 11 * i, text, a, b) for i, (text, a, b) in enumerate([
        ("Cash and due from banks", "25,397", "24,874"),
        ("Securities borrowed (included $66,277 and $52,983 at fair value)", "179,516", "160,635"),
        ("Trading assets (included assets pledged of $117,020 and $130,645)", "544,052", "503,126"),
        ("Loans (included $50,767 and $44,474 at fair value)", "1,011,307", "1,012,853"),
        ("Deposits (included $14,107 and $14,484 at fair value)", "2,278,112", "2,144,257"),
        ("Short-term borrowings (included $20,002 and $16,893 at fair value)", "54,978", "45,208"),
    ])]
    ls = layout.words_to_lines([w for line in lines for w in line])
    assert layout.split_side_by_side(ls) is None
    rows, _ = layout.lines_to_rows(ls, layout.find_columns(ls))
    assert rows[1].label.startswith("Securities borrowed") and rows[1].cells == ["179,516", "160,635"]


def test_amounts_at_the_foot_of_a_page_are_a_row_not_a_page_number():
    from extractors.pdf import _margin

    figures = layout.Line(_line(760, ("3,771,071,627.99", 320, 391), ("3,541,471,440.88", 460, 531)))
    page_number = layout.Line(_line(800, ("7", 290, 295), ("/", 297, 300), ("17", 302, 310)))
    assert not _margin(figures, 842)
    assert _margin(page_number, 842)
