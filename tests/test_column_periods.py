"""Every statement column gets its period, from its own words, or is refused with a warning.

Each mechanism is tested on a generated case and, where the corpus is present, on a real
report (``shared/data/corpus``) that it was not written for.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.models import Column
from extractors.periods import (
    date_fiscal_years,
    detect_report_period,
    document_period,
    fiscal_year_ends,
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


@pytest.mark.parametrize("title, ends", [
    ("Fiscal years ended December 28, 2019, December 29, 2018 and December 30, 2017", [D(2019, 12, 28), D(2018, 12, 29), D(2017, 12, 30)]),
    # a fiscal year named for the year it starts in
    ("Fiscal years ended February 3, 2024, January 28, 2023 and January 29, 2022", [D(2024, 2, 3), D(2023, 1, 28), D(2022, 1, 29)]),
])
def test_year_headers_take_their_ends_from_the_title_block(title, ends):
    """PepsiCo's 2018 column was dated 2018-12-28 (the title's first month and day given to every year): silently wrong."""
    years = [str(e.year - (1 if e.month < 3 else 0)) for e in ends]
    cols, warnings = resolve_columns(years, flow=True, report=None, context=title)
    assert [c.period_end for c in cols] == ends
    assert [c.period_start for c in cols[:2]] == [ends[1] + dt.timedelta(days=1), ends[2] + dt.timedelta(days=1)]
    assert [w.split(":")[0] for w in warnings] == [f"column 3 '{years[2]}' starts on {cols[2].period_start}"]  # no prior end printed


@pytest.mark.parametrize("headers", [["2019", "2018"], ["2017", "2018", "2019"]])
def test_each_year_header_takes_the_title_date_of_its_year(headers):
    title = "Fiscal years ended December 28, 2019, December 29, 2018 and December 30, 2017"
    cols, _ = resolve_columns(headers, flow=False, report=None, context=title)
    printed = {2019: D(2019, 12, 28), 2018: D(2018, 12, 29), 2017: D(2017, 12, 30)}
    assert [c.period_end for c in cols] == [printed[int(h)] for h in headers]


def test_title_dates_of_other_years_date_no_year_header():
    """Year ends printed on different days for other years: the first one's month and day is no year's — refused, not guessed."""
    cols, warnings = resolve_columns(["2019", "2018"], flow=False, report=None, context="Years ended December 28, 2021 and December 29, 2020")
    assert [c.period_end for c in cols] == [None, None] and len(warnings) == 2 and "different days" in warnings[0]
    # one month and day for every year ("December 31, 2021 and 2020") still dates each year
    cols, _ = resolve_columns(["2019", "2018"], flow=False, report=None, context="As of December 31")
    assert [c.period_end for c in cols] == [D(2019, 12, 31), D(2018, 12, 31)]


def test_fiscal_year_ends_stated_in_words_chain_and_a_broken_one_is_dropped():
    text = ("Our fiscal year end is a 52-week or 53-week period. Fiscal year 2022, 2021, and 2020 represented the 52 weeks "
            "ended January 28, 2023, January 29, 2022, and February 1, 2020, respectively.")
    assert fiscal_year_ends(text) == {2022: (D(2023, 1, 28), 52), 2021: (D(2022, 1, 29), 52), 2020: (D(2021, 1, 30), None)}
    # a consistent statement keeps every year; two ends for one year keep neither
    good = "Fiscal years 2019 and 2018 were the 52 weeks ended September 28, 2019 and September 29, 2018."
    assert fiscal_year_ends(good) == {2019: (D(2019, 9, 28), 52), 2018: (D(2018, 9, 29), 52)}
    assert fiscal_year_ends(good + " Fiscal year 2019 was the 52 weeks ended October 5, 2019.") == {2018: (D(2018, 9, 29), 52)}


def test_bare_fiscal_years_take_the_stated_ends():
    ends = {2022: (D(2023, 1, 28), 52), 2021: (D(2022, 1, 29), 52), 2020: (D(2021, 1, 30), None)}
    cols = [Column(label=y) for y in ("2022", "2021", "2020", "2019")]
    warnings = [f"column {i + 1} '{c.label}' has no period: why" for i, c in enumerate(cols)]
    date_fiscal_years(cols, warnings, ends, flow=True)
    assert [(c.period_start, c.period_end) for c in cols] == [
        (D(2022, 1, 30), D(2023, 1, 28)), (D(2021, 1, 31), D(2022, 1, 29)), (D(2020, 2, 2), D(2021, 1, 30)), (None, None)]
    assert [w.split(":")[0] for w in warnings] == ["column 4 '2019' has no period", "column 3 '2020' starts on 2020-02-02"]


@pytest.mark.parametrize("headers, context, flow, expected", [
    (["二零二五年 千港元", "二零二四年 千港元"], "綜合損益表 截至二零二五年三月三十一日止年度", True,
     [(D(2024, 4, 1), D(2025, 3, 31)), (D(2023, 4, 1), D(2024, 3, 31))]),
    (["二零二五年 千港元", "二零二四年 千港元"], "綜合財務狀況表 於二零二五年三月三十一日", False, [(None, D(2025, 3, 31)), (None, D(2024, 3, 31))]),
    (["2024 HK$'000", "2023 HK$'000"], "Year ended March 31", True, [(D(2023, 4, 1), D(2024, 3, 31)), (D(2022, 4, 1), D(2023, 3, 31))]),
])
def test_unit_words_in_a_column_header_date_nothing(headers, context, flow, expected):
    """ALCO's "二零二五年 千港元" was left undated; its balance sheet's "於…三月三十一日" was read as December 31."""
    cols, warnings = resolve_columns(headers, flow=flow, report=None, context=context)
    assert [(c.period_start, c.period_end) for c in cols] == expected and not warnings
    assert cols[0].label.endswith(("千港元", "HK$'000"))  # the printed header is kept


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
def test_real_fiscal_year_names_take_the_ends_the_report_states(corpus):
    """Foot Locker's "2022" is the fiscal year that ended 28 January 2023 (it was read as calendar 2022,
    then refused): its note "Fiscal year 2022, 2021, and 2020 represented the 52 weeks ended January 28,
    2023, January 29, 2022, and February 1, 2020" dates the columns; the 2020 end printed there breaks
    the chain (a typo: fiscal 2020 ended January 30, 2021), so 2020 ends the day before 2021 starts and
    its start is counted, with the note that says so."""
    st = next(s for s in corpus("FOOTLOCKER_2023_10K").statements if s.kind == "income_statement")
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (D(2022, 1, 30), D(2023, 1, 28)), (D(2021, 1, 31), D(2022, 1, 29)), (D(2020, 2, 2), D(2021, 1, 30))]
    assert [w.split(":")[0] for w in st.warnings if w.startswith("column ")] == ["column 3 '2020' starts on 2020-02-02"]
