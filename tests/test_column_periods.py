"""Every statement column gets its period, from its own words, or is refused with a warning.

Each mechanism is tested on a generated case and, where the corpus is present, on a real
report (``shared/data/corpus``) that it was not written for.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.periods import (
    detect_report_period,
    document_period,
    parse_column,
    resolve_columns,
    settle_default_span,
)
from tests.test_layout import _pdf  # the page writer of the layout tests (words placed at x, y)

D = dt.date


# ---- the column's own words -------------------------------------------------------------------

@pytest.mark.parametrize(("header", "start", "end"), [
    ("Thirty-nine weeks ended October 29, 2022", D(2022, 1, 30), D(2022, 10, 29)),  # 39 weeks, never "nine weeks"
    ("Twenty-six Weeks Ended July 29, 2023", D(2023, 1, 29), D(2023, 7, 29)),
    ("Fifty-three weeks ended February 3, 2024", D(2023, 1, 29), D(2024, 2, 3)),
    ("截至2025年6月30日止六个月", D(2025, 1, 1), D(2025, 6, 30)),
    ("截至2025年9月30日止三个月", D(2025, 7, 1), D(2025, 9, 30)),
])
def test_span_words_in_the_header(header, start, end):
    col = parse_column(header, flow=True, report=None)
    assert (col.period_start, col.period_end) == (start, end)


def test_quarters_ended_in_the_title_block_is_a_quarter():
    col = parse_column("2023", flow=True, report=None, context="Dollars in millions Quarters Ended June 30, 2023 2022")
    assert (col.period_start, col.period_end) == (D(2023, 4, 1), D(2023, 6, 30))


def test_bare_years_under_a_hong_kong_title_block():
    col = parse_column("2025年", flow=True, report=None, context="截至6月30日止六个月")
    assert (col.period_start, col.period_end) == (D(2025, 1, 1), D(2025, 6, 30))


Q3 = "某公司 2025 年第三季度报告"


@pytest.mark.parametrize("headers", [
    ["本期(7-9月)", "上年同期(7-9月)", "本年累计(1-9月)", "上年同期(1-9月)"],
    ["本季度", "上年同期", "年初至本期末", "上年同期"],
    ["本报告期", "上年同期", "年初至报告期末", "上年同期"],
    ["本年累计(1-9月)", "上年同期(1-9月)", "本期(7-9月)", "上年同期(7-9月)"],  # the order does not matter
])
def test_quarter_and_year_to_date_columns_each_from_their_own_words(headers):
    report = document_period(Q3)
    columns, warnings = resolve_columns(headers, flow=True, report=report)
    quarter, ytd = (D(2025, 7, 1), D(2025, 9, 30)), (D(2025, 1, 1), D(2025, 9, 30))
    prior_quarter, prior_ytd = (D(2024, 7, 1), D(2024, 9, 30)), (D(2024, 1, 1), D(2024, 9, 30))
    expected = [quarter, prior_quarter, ytd, prior_ytd] if "7-9" in headers[0] or headers[0] in ("本季度", "本报告期") else [
        ytd, prior_ytd, quarter, prior_quarter]
    assert [(c.period_start, c.period_end) for c in columns] == expected
    assert warnings == []


def test_a_bare_本期_in_a_third_quarter_report_is_refused_with_a_warning_naming_it():
    columns, warnings = resolve_columns(["本期金额", "上期金额"], flow=True, report=document_period(Q3))
    assert [c.period_end for c in columns] == [None, None]
    assert warnings[0].startswith("column 1 '本期金额' has no period: ") and "quarter or the year to date" in warnings[0]
    assert warnings[1].startswith("column 2 '上期金额' has no period: ")


def test_a_title_block_that_names_the_span_settles_a_bare_本期():
    columns, warnings = resolve_columns(["本期金额", "上期金额"], flow=True, report=detect_report_period("2025 年 1-9 月"))
    assert [(c.period_start, c.period_end) for c in columns] == [(D(2025, 1, 1), D(2025, 9, 30)), (D(2024, 1, 1), D(2024, 9, 30))]
    assert warnings == []


@pytest.mark.parametrize(("title", "start"), [
    ("2、合并年初到报告期末利润表", D(2025, 1, 1)), ("合并年初至报告期末现金流量表", D(2025, 1, 1)),
    ("合并本报告期利润表", D(2025, 7, 1)), ("合并利润表 2025年7-9月", D(2025, 7, 1))])
def test_the_statement_title_settles_a_bare_本期_in_a_third_quarter_report(title, start):
    report = settle_default_span(document_period(Q3), title)
    columns, warnings = resolve_columns(["本期发生额", "上期发生额"], flow=True, report=report)
    assert [(c.period_start, c.period_end) for c in columns] == [(start, D(2025, 9, 30)), (start.replace(year=2024), D(2024, 9, 30))]
    assert warnings == []
    assert settle_default_span(document_period(Q3), "合并利润表").definite is False


def test_上年同期_without_a_current_column_before_it_is_refused():
    columns, warnings = resolve_columns(["上年同期", "本季度"], flow=True, report=document_period(Q3))
    assert columns[0].period_end is None and "follows no current-year column" in warnings[0]
    assert (columns[1].period_start, columns[1].period_end) == (D(2025, 7, 1), D(2025, 9, 30))


# ---- the report period: the cover's name for the report, never another date ------------------

def test_the_cover_names_the_report_not_its_publication_date():
    cover = "北京某某科技股份有限公司\n2014 年年度报告\n2015 年 04 月\n二O一五年四月二十二日"
    assert detect_report_period(cover).end == D(2015, 4, 30)  # what a title-block reader would take
    rp = document_period(cover)
    assert (rp.start, rp.end) == (D(2014, 1, 1), D(2014, 12, 31))


def test_two_report_names_on_the_cover_are_ambiguous():
    assert document_period("2025 年半年度报告 … 详见 2024 年年度报告") is None
    assert document_period("ANNUAL REPORT PURSUANT TO SECTION 13 For the fiscal year ended January 28, 2023").end == D(2023, 1, 28)


def test_a_bare_year_is_refused_unless_month_and_day_are_printed_somewhere():
    col, why = resolve_columns(["2022"], flow=True, report=None)
    assert col[0].period_end is None and "without its month and day" in why[0]
    fiscal = document_period("For the fiscal year ended January 28, 2023")  # a 52/53-week retailer
    cols, why = resolve_columns(["2023", "2022"], flow=False, report=fiscal)
    assert cols[0].period_end == D(2023, 1, 28) and cols[1].period_end is None and why[0].startswith("column 2 '2022'")
    calendar = document_period("For the fiscal year ended June 30, 2019")
    cols, why = resolve_columns(["2019", "2018"], flow=True, report=calendar)
    assert [(c.period_start, c.period_end) for c in cols] == [(D(2018, 7, 1), D(2019, 6, 30)), (D(2017, 7, 1), D(2018, 6, 30))]


def test_a_start_counted_in_weeks_is_noted_unless_a_printed_end_confirms_it():
    cols, notes = resolve_columns(["Three Months Ended Apr 1, 2023", "Three Months Ended Apr 2, 2022"], flow=True, report=None)
    assert [c.period_start for c in cols] == [D(2023, 1, 1), D(2022, 1, 2)]  # Intel's Q1 2022 had 14 weeks: Dec 26
    assert [n.split(":")[0] for n in notes] == ["column 1 'Three Months Ended Apr 1, 2023' starts on 2023-01-01",
                                                "column 2 'Three Months Ended Apr 2, 2022' starts on 2022-01-02"]
    years, notes = resolve_columns(["Dec 26, 2020", "Dec 28, 2019", "Dec 29, 2018"], flow=True, report=None,
                                   context="Years Ended")
    assert years[0].period_start == D(2019, 12, 29) and [n.split(" '")[0] for n in notes] == ["column 3"]
    _, notes = resolve_columns(["Thirteen weeks ended October 29, 2022"], flow=True, report=None)
    assert notes == []  # printed in weeks: nothing counted


def test_a_named_quarter_only_on_a_calendar_that_fixes_it():
    q2 = document_period("For the quarterly period ended June 30, 2023")
    cols, why = resolve_columns(["Q2 2023", "Q2 2022"], flow=True, report=q2)
    assert [(c.period_start, c.period_end) for c in cols] == [(D(2023, 4, 1), D(2023, 6, 30)), (D(2022, 4, 1), D(2022, 6, 30))]
    retail = document_period("For the quarterly period ended July 29, 2023")
    cols, why = resolve_columns(["Q2 2023"], flow=True, report=retail)
    assert cols[0].period_end is None and "fiscal calendar" in why[0]


# ---- generated PDFs through the real word engines --------------------------------------------

def _rows(top, rows, xs=(460, 550), label_x=100, step=15):
    out = []
    for i, (label, *values) in enumerate(rows):
        out.append((top + step * i, [(label_x, label, "l")] + [(x, v, "r") for x, v in zip(xs, values) if v]))
    return out


def test_header_at_the_foot_of_the_page_before_dates_the_columns(tmp_path):
    from extractors.pdf import extract_pdf

    cover = [(100, [(200, "示例科技股份有限公司", "l")]), (130, [(200, "2026 年年度报告", "l")])]
    foot = [(60, [(100, "其他内容", "l")]), (700, [(250, "合并现金流量表", "l")]), (715, [(480, "单位：元", "l")]),
            (730, [(100, "项目", "l"), (400, "2026 年度", "l"), (490, "2025 年度", "l")]),
            (745, [(100, "一、经营活动产生的现金流量：", "l")]),
            (760, [(100, "销售商品、提供劳务收到的现", "l")]), (767, [(460, "1,000.00", "r"), (550, "900.00", "r")]),
            (774, [(90, "金", "l")])]
    rows = [("收到的税费返还", "10.00", "9.00"), ("经营活动现金流入小计", "1,010.00", "909.00"),
            ("经营活动产生的现金流量净额", "300.00", "200.00"), ("投资活动产生的现金流量净额", "-100.00", "-50.00"),
            ("筹资活动产生的现金流量净额", "-50.00", "-20.00")]
    nxt = _rows(80, rows) + [(80 + 15 * len(rows), [(100, "法定代表人：张三", "l")])]
    (st,) = extract_pdf(_pdf(tmp_path / "cf.pdf", [cover, foot, nxt])).statements
    assert [(c.period_start, c.period_end) for c in st.columns] == [(D(2026, 1, 1), D(2026, 12, 31)), (D(2025, 1, 1), D(2025, 12, 31))]
    first = st.items[0]
    # the row on the page before keeps its figures and its page (its wrapped tail "金" is the label reader's business)
    assert (first.label[:13], first.printed, first.page) == ("销售商品、提供劳务收到的现", ["1,000.00", "900.00"], 2)
    assert st.item("net_cash_operating").page == 3 and st.value("net_cash_operating", 1) == Decimal(200)
    assert not any(w.startswith("column ") for w in st.warnings)


def test_dates_above_a_unit_line_and_unaudited_date_a_10q(tmp_path):
    from extractors.pdf import extract_pdf

    page = [(60, [(200, "CONDENSED CONSOLIDATED STATEMENT OF INCOME", "l")]),
            (80, [(330, "Three Months Ended", "l"), (470, "Six Months Ended", "l")]),
            (90, [(355, "June 30,", "l"), (497, "June 30,", "l")]),
            (100, [(345, "2023", "r"), (415, "2022", "r"), (486, "2023", "r"), (556, "2022", "r")]),
            (112, [(375, "(In millions, except per share amounts)", "l")]), (124, [(420, "(Unaudited)", "l")])]
    rows = [("Net revenues", "2,540", "2,422", "5,050", "4,905"), ("Cost of net revenues", "718", "663", "1,418", "1,352"),
            ("Operating income", "480", "400", "900", "800"), ("Income before income taxes", "450", "380", "850", "700"),
            ("Provision for income taxes", "(50)", "(30)", "(100)", "(60)"), ("Net income", "400", "350", "750", "640")]
    body = _rows(140, rows, xs=(345, 415, 486, 556), label_x=20, step=12)
    (st,) = extract_pdf(_pdf(tmp_path / "q.pdf", [page + body])).statements
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (D(2023, 4, 1), D(2023, 6, 30)), (D(2022, 4, 1), D(2022, 6, 30)), (D(2023, 1, 1), D(2023, 6, 30)), (D(2022, 1, 1), D(2022, 6, 30))]
    assert st.unit == 1_000_000 and st.value("revenue", 2) == Decimal(5050000000)


def test_dates_printed_beside_the_unit_in_the_label_cell(tmp_path):
    from extractors.pdf import extract_pdf

    page = [(50, [(34, "Consolidated Statements of Cash Flows", "l")]),
            (70, [(34, "Years Ended (In Millions)", "l"), (385, "Dec 26, 2020", "l"), (455, "Dec 28, 2019", "l"),
                  (525, "Dec 29, 2018", "l")])]
    rows = [("Net income", "20,899", "21,048", "21,053"), ("Net cash provided by operating activities", "35,384", "33,145", "29,432"),
            ("Net cash used for investing activities", "(21,524)", "(14,405)", "(11,239)"),
            ("Net cash used for financing activities", "(12,185)", "(17,565)", "(18,607)")]
    body = _rows(84, rows, xs=(439, 508, 577), label_x=34, step=13)
    (st,) = extract_pdf(_pdf(tmp_path / "cf.pdf", [page + body])).statements
    assert [c.period_end for c in st.columns] == [D(2020, 12, 26), D(2019, 12, 28), D(2018, 12, 29)]
    assert st.columns[1].period_start == D(2018, 12, 30)  # the day after the prior year's printed end
    assert st.items[0].label == "Net income"  # the header line is not a row


def test_an_inc_dec_column_is_no_period_and_is_dropped(tmp_path):
    from extractors.pdf import extract_pdf

    page = [(54, [(136, "CONDENSED CONSOLIDATED STATEMENT OF INCOME (UNAUDITED)", "l")]),
            (85, [(30, "Dollars in millions, except per share data", "l")]),
            (100, [(30, "Quarters Ended June 30,", "l"), (405, "2023", "r"), (464, "2022", "r"), (514, "Inc/ (Dec)", "l")])]
    rows = [("Total revenues", "6,497.5", "5,718.4", "779.1"), ("Operating income", "3,000.0", "2,000.0", "1,000.0"),
            ("Income before provision for income taxes", "3,000.0", "1,500.0", "1,500.0"),
            ("Provision for income taxes", "600.0", "300.0", "300.0"), ("Net income", "2,400.0", "1,200.0", "1,200.0")]
    body = _rows(115, rows, xs=(403, 463, 522), label_x=30, step=12)
    (st,) = extract_pdf(_pdf(tmp_path / "mcd.pdf", [page + body])).statements
    assert [(c.period_start, c.period_end) for c in st.columns] == [(D(2023, 4, 1), D(2023, 6, 30)), (D(2022, 4, 1), D(2022, 6, 30))]
    assert st.item("net_profit").printed == ["2,400.0", "1,200.0"]


def _zh_income(tmp_path, cover_lines, headers):
    from extractors.pdf import extract_pdf

    cover = [(100 + 30 * i, [(200, text, "l")]) for i, text in enumerate(["示例科技股份有限公司", *cover_lines])]
    xs = (300, 370, 440, 510)[: len(headers)]
    page = [(60, [(250, "合并利润表", "l")]), (75, [(480, "单位：元", "l")]),
            (90, [(100, "项目", "l")] + [(x - 45, h, "l") for x, h in zip(xs, headers)])]
    rows = [("一、营业总收入", "300.00", "200.00", "900.00", "600.00"), ("其中：营业收入", "300.00", "200.00", "900.00", "600.00"),
            ("四、利润总额", "60.00", "40.00", "180.00", "120.00"), ("减：所得税费用", "10.00", "5.00", "30.00", "20.00"),
            ("五、净利润", "50.00", "35.00", "150.00", "100.00")]
    body = _rows(105, [(r[0], *r[1: 1 + len(headers)]) for r in rows], xs=xs)
    body.append((105 + 15 * len(rows), [(100, "法定代表人：张三", "l")]))
    (st,) = extract_pdf(_pdf(tmp_path / "q3.pdf", [cover, page + body])).statements
    return st


def test_a_third_quarter_report_headed_本季度_年初至本期末(tmp_path):
    st = _zh_income(tmp_path, ["2025 年第三季度报告"], ["本季度", "上年同期", "年初至本期末", "上年同期"])
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (D(2025, 7, 1), D(2025, 9, 30)), (D(2024, 7, 1), D(2024, 9, 30)), (D(2025, 1, 1), D(2025, 9, 30)), (D(2024, 1, 1), D(2024, 9, 30))]
    assert st.value("net_profit", 2) == Decimal("150.00")  # the year to date is the third column, not the first


def test_a_third_quarter_report_headed_only_本期金额_is_refused_not_guessed(tmp_path):
    st = _zh_income(tmp_path, ["2025 年第三季度报告"], ["本期金额", "上期金额"])
    assert [c.period_end for c in st.columns] == [None, None]
    assert next(w for w in st.warnings if w.startswith("column ")).startswith("column 1 '本期金额' has no period")


def test_a_publication_date_on_the_cover_is_not_the_report_period(tmp_path):
    st = _zh_income(tmp_path, ["2014 年年度报告", "2015 年 04 月"], ["本期发生额", "上期发生额"])
    assert [(c.period_start, c.period_end) for c in st.columns] == [(D(2014, 1, 1), D(2014, 12, 31)), (D(2013, 1, 1), D(2013, 12, 31))]


# ---- real reports the mechanisms were not written for -----------------------------------------



def _periods(result, kind, scope="consolidated"):
    st = next(s for s in result.statements if s.kind == kind and s.scope == scope)
    return [(c.period_start, c.period_end) for c in st.columns]


@pytest.mark.parametrize(("doc", "kind", "scope", "expected"), [
    # the header printed at the foot of the page before the figures
    ("苏常柴_2019年", "cash_flow", "consolidated", [(D(2019, 1, 1), D(2019, 12, 31)), (D(2018, 1, 1), D(2018, 12, 31))]),
    ("贵州茅台_2025", "cash_flow", "parent", [(D(2025, 1, 1), D(2025, 12, 31)), (D(2024, 1, 1), D(2024, 12, 31))]),
    # dates above "(In millions …)" and "(Unaudited)"
    ("PAYPAL_2023Q2_10Q", "cash_flow", "consolidated", [(D(2023, 1, 1), D(2023, 6, 30)), (D(2022, 1, 1), D(2022, 6, 30))]),
    # years beside the unit in the label cell
    ("WALMART_2024Q1_10Q", "income_statement", "consolidated", [(D(2023, 2, 1), D(2023, 4, 30)), (D(2022, 2, 1), D(2022, 4, 30))]),
    # whole number words: thirty-nine weeks
    ("FOOTLOCKER_2023Q3_10Q", "cash_flow", "consolidated", [(D(2022, 1, 30), D(2022, 10, 29)), (D(2021, 1, 31), D(2021, 10, 30))]),
    # the cover's report name, not its publication date (was 2026-01-31)
    ("指南针_2025", "balance_sheet", "parent", [(None, D(2025, 12, 31)), (None, D(2024, 12, 31))]),
])
@pytest.mark.real_data
def test_real_columns_are_dated(corpus, doc, kind, scope, expected):
    assert _periods(corpus(doc), kind, scope) == expected


@pytest.mark.real_data
def test_real_fiscal_year_names_without_dates_are_refused(corpus):
    """Foot Locker's "2022" is the fiscal year that ended 28 January 2023: it was read as calendar 2022."""
    st = next(s for s in corpus("FOOTLOCKER_2023_10K").statements if s.kind == "income_statement")
    assert all(c.period_end is None for c in st.columns)
    assert [w.split(":")[0] for w in st.warnings if w.startswith("column ")] == [
        "column 1 '2022' has no period", "column 2 '2021' has no period", "column 3 '2020' has no period"]
