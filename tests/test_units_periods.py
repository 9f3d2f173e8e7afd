"""Units, currency, report periods and column headers (extractors.units, extractors.periods)."""

import datetime as dt

import pytest

from extractors.models import Column
from extractors.periods import detect_report_period, parse_column, refine_year_starts
from extractors.units import detect_unit

D = dt.date


@pytest.mark.parametrize(
    ("text", "unit", "currency"),
    [
        ("单位:元 币种:人民币", 1, "CNY"),
        ("编制单位：某公司 2026年9月30日 单位：万元", 10_000, "CNY"),
        ("金额单位：人民币百万元", 1_000_000, "CNY"),
        ("单位：千元", 1_000, "CNY"),
        ("单位：亿元", 100_000_000, "CNY"),
        ("(In thousands, except share and per share data)", 1_000, None),
        ("$ in millions, except per share amounts (unaudited)", 1_000_000, "USD"),
        ("(Expressed in thousands of Hong Kong dollars) HK$'000", 1_000, "HKD"),
    ],
)
def test_units_and_currency(text, unit, currency):
    info = detect_unit(text)
    assert info.unit == unit
    assert info.currency == currency


def test_no_unit_printed_is_none_not_a_guess():
    assert detect_unit("Consolidated Balance Sheets").unit is None


def test_report_periods():
    annual = detect_report_period("2020 年 1—12 月")
    assert (annual.start, annual.end) == (D(2020, 1, 1), D(2020, 12, 31))
    assert detect_report_period("贵州茅台 2020 年年度报告").end == D(2020, 12, 31)
    half = detect_report_period("2023年半年度报告摘要")
    assert (half.start, half.end) == (D(2023, 1, 1), D(2023, 6, 30))
    q3 = detect_report_period("2026年第三季度报告")
    assert (q3.start, q3.end, q3.ytd_start) == (D(2026, 7, 1), D(2026, 9, 30), D(2026, 1, 1))
    month = detect_report_period("编制单位：某公司 2026年9月 单位：元")
    assert (month.start, month.end) == (D(2026, 9, 1), D(2026, 9, 30))


@pytest.mark.parametrize(
    ("header", "flow", "start", "end"),
    [
        ("Three Months Ended July 29, 2023", True, D(2023, 4, 30), D(2023, 7, 29)),  # 13 weeks
        ("Six Months Ended July 30, 2022", True, D(2022, 1, 30), D(2022, 7, 30)),
        ("Nine Months Ended September 30, 2026", True, D(2026, 1, 1), D(2026, 9, 30)),
        ("Three M on t hs Ended July 29, 2023", True, D(2023, 4, 30), D(2023, 7, 29)),  # letter-spaced
        ("Year ended December 31, 2017", True, D(2017, 1, 1), D(2017, 12, 31)),
        ("13 Weeks Ended January 28, 2023 (Unaudited)", True, D(2022, 10, 30), D(2023, 1, 28)),
        ("Six months ended 30 June 2026", True, D(2026, 1, 1), D(2026, 6, 30)),
        ("December 31, 2016", False, None, D(2016, 12, 31)),
        ("As at 30 June 2026 (Unaudited) HK$'000", False, None, D(2026, 6, 30)),
        ("2020 年 12 月 31 日", False, None, D(2020, 12, 31)),
        ("2019年度", True, D(2019, 1, 1), D(2019, 12, 31)),
        ("2026年1-9月", True, D(2026, 1, 1), D(2026, 9, 30)),
    ],
)
def test_absolute_headers(header, flow, start, end):
    col = parse_column(header, flow=flow, report=None)
    assert (col.period_start, col.period_end) == (start, end)


def test_relative_headers_resolve_against_the_report_period():
    annual = detect_report_period("2020 年 12 月 31 日")
    assert parse_column("期末余额", flow=False, report=annual).period_end == D(2020, 12, 31)
    assert parse_column("上年年末余额", flow=False, report=annual).period_end == D(2019, 12, 31)
    assert parse_column("年初余额", flow=False, report=annual).period_end == D(2019, 12, 31)
    cur = parse_column("本期发生额", flow=True, report=annual)
    prior = parse_column("上期发生额", flow=True, report=annual)
    assert (cur.period_start, cur.period_end) == (D(2020, 1, 1), D(2020, 12, 31))
    assert (prior.period_start, prior.period_end) == (D(2019, 1, 1), D(2019, 12, 31))
    month = detect_report_period("2026年9月")
    assert parse_column("本月数", flow=True, report=month).period_start == D(2026, 9, 1)
    ytd = parse_column("本年累计", flow=True, report=month)
    assert (ytd.period_start, ytd.period_end) == (D(2026, 1, 1), D(2026, 9, 30))


def test_relative_header_without_a_report_period_stays_unknown():
    col = parse_column("期末余额", flow=False, report=None)
    assert col.period_end is None and col.label == "期末余额"


def test_year_headers_under_a_years_ended_title():
    col = parse_column("December 31, 2015", flow=True, report=None, context="for the years ended")
    assert (col.period_start, col.period_end) == (D(2015, 1, 1), D(2015, 12, 31))


def test_53_week_year_starts_the_day_after_the_prior_year_end():
    cols = [
        Column(period_start=D(2023, 2, 5), period_end=D(2024, 2, 3), label="Fiscal 2023 (53 weeks)"),
        Column(period_start=D(2022, 1, 30), period_end=D(2023, 1, 28), label="Fiscal 2022"),
    ]
    cols[0] = parse_column("52 Weeks Ended February 3, 2024", flow=True, report=None)
    assert cols[0].period_start == D(2023, 2, 5)  # 52 weeks back: wrong by a week
    refined = refine_year_starts(cols)
    assert refined[0].period_start == D(2023, 1, 29)  # the day after the printed prior year end
    assert refined[1].period_start == D(2022, 1, 30)


def test_bare_year_headers_take_month_and_span_from_the_title_block():
    col = parse_column("2023", flow=True, report=None, context="CONSOLIDATED STATEMENTS OF INCOME Years ended June 30")
    assert (col.period_start, col.period_end) == (D(2022, 7, 1), D(2023, 6, 30))
    bs = parse_column("2023", flow=False, report=None, context="CONSOLIDATED BALANCE SHEETS As of June 30")
    assert (bs.period_start, bs.period_end) == (None, D(2023, 6, 30))
    zh = parse_column("2023年", flow=True, report=None)
    assert (zh.period_start, zh.period_end) == (D(2023, 1, 1), D(2023, 12, 31))
