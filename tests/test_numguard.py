"""The numeric guard: finding numbers as printed, and checking them against allowed values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from assistant.domain import Fact, Span
from assistant.numguard import (
    AllowedNumber,
    allowed_date,
    allowed_from_facts,
    check,
    drop_unsupported,
    find_numbers,
    harvest,
    split_sentences,
)


def one(text: str):
    found = find_numbers(text)
    assert len(found) == 1, found
    return found[0]


# ------------------------------------------------------------------ find_numbers


@pytest.mark.parametrize(
    "text, kind, value, printed",
    [
        ("1,234.56", "number", D("1234.56"), "1,234.56"),
        ("货币资金1.2亿", "amount", D("120000000"), "1.2亿"),
        ("借款3,500万元", "amount", D("35000000"), "3,500万"),
        ("毛利率12.3%", "percent", D("12.3"), "12.3%"),
        ("净利润为(1,234)", "number", D("-1234"), "(1,234)"),
        ("流动比率1.18倍", "multiple", D("1.18"), "1.18倍"),
        ("revenue of $5.4 billion", "amount", D("5400000000"), "$5.4 billion"),
        ("152.3 million", "amount", D("152300000"), "152.3 million"),
        ("coverage of 2.5x", "multiple", D("2.5"), "2.5x"),
        ("up 3.2 percentage points", "points", D("3.2"), "3.2 percentage points"),
        ("下降1.5个百分点", "points", D("1.5"), "1.5个百分点"),
        ("a fall of -7.25%", "percent", D("-7.25"), "-7.25%"),
        ("全角１２．５％", "percent", D("12.5"), "12.5%"),
        ("收入2000元", "amount", D("2000"), "2000元"),
        ("RMB1.2 billion", "amount", D("1200000000"), "RMB1.2 billion"),
        ("USD 5.4bn", "amount", D("5400000000"), "USD 5.4bn"),
    ],
)
def test_find_numbers_reads_amounts_units_and_signs(text, kind, value, printed):
    m = one(text)
    assert (m.kind, m.value, m.text) == (kind, value, printed)


def test_printed_precision_is_kept():
    m = one("1.50亿元")
    assert m.decimals == 2 and m.scale == D(10) ** 8 and m.mantissa == D("1.50")


@pytest.mark.parametrize(
    "text, kind, when, quarter",
    [
        ("二〇二六年九月三十日", "date", (2026, 9, 30), None),
        ("2026年9月30日", "date", (2026, 9, 30), None),
        ("2026-09-30", "date", (2026, 9, 30), None),
        ("September 30, 2026", "date", (2026, 9, 30), None),
        ("30 Sept 2026", "date", (2026, 9, 30), None),
        ("12/31/2017", "date", (2017, 12, 31), None),
        ("2026年9月末", "month", (2026, 9, None), None),
        ("2026年三季度", "quarter", (2026, None, None), 3),
        ("2026年第3季度", "quarter", (2026, None, None), 3),
        ("2026Q3财务报表.pdf", "quarter", (2026, None, None), 3),
        ("Q3 2026", "quarter", (2026, None, None), 3),
        ("三季度末", "quarter", (None, None, None), 3),
        ("2026H1", "half", (2026, None, None), 1),
        ("2026年上半年", "half", (2026, None, None), 1),
        ("二〇二六年", "year", (2026, None, None), None),
        ("FY2017", "year", (2017, None, None), None),
        ("fiscal 2017", "year", (2017, None, None), None),
        ("in 2017 the", "year", (2017, None, None), None),
    ],
)
def test_find_numbers_reads_dates_years_and_quarters(text, kind, when, quarter):
    m = one(text)
    assert (m.kind, m.when, m.quarter) == (kind, when, quarter)


@pytest.mark.parametrize("text", ["documents up to 2026-10-25.", "Paid on 10/25/2026.", "截至2026-10-25。",
                                  "资料截至2026-10-25，", "on 2026.10.25. Next"])
def test_iso_date_before_a_full_stop_or_glued_to_chinese_is_a_date(text):
    """Regression: "2026-10-25." was read as 2026, 10 and 25 (and failed the memo verifier)."""
    m = one(text)
    assert (m.kind, m.when) == ("date", (2026, 10, 25))
    assert check(text, [allowed_date(dt.date(2026, 10, 25))], allow_counts=False).ok


def test_a_decimal_after_a_date_is_not_swallowed():
    assert [m.kind for m in find_numbers("v 2026-10-25.5")] != ["date"]


def test_year_to_date_phrases_split_into_year_and_period():
    assert [(m.kind, m.text) for m in find_numbers("2026年前三季度")] == [("year", "2026年"), ("quarter", "三季度")]
    assert [(m.kind, m.text) for m in find_numbers("2026年1-9月")] == [("year", "2026年"), ("count", "1"), ("month", "9月")]
    assert check("2026年1-9月", [allowed_date(dt.date(2026, 9, 30))]).ok


def test_pages_markers_identifiers_and_counts_are_told_apart():
    found = find_numbers("见第49页及p. 12 [1]；合同编号JK2026-001，3项约定\n2. 下一节")
    kinds = [(m.kind, m.text) for m in found]
    assert ("page", "49") in kinds and ("page", "12") in kinds
    assert ("marker", "[1]") in kinds and ("marker", "2.") in kinds
    assert ("identifier", "JK2026-001") in kinds
    assert ("count", "3") in kinds


def test_unit_declaration_scales_the_bare_numbers_after_it_until_a_heading():
    text = "单位：万元\n| 货币资金 | 15,230 |\n\n# 下一节\n| 存货 | 15,230 |"
    first, second = find_numbers(text)
    assert first.value == D("152300000") and first.context_scaled
    assert second.value == D("15230") and not second.context_scaled

    (m,) = find_numbers("(in thousands)\nRevenue $ 4,512")
    assert m.value == D("4512000")

    (m,) = find_numbers("单位：万元\n手续费2000元")  # a number that states its unit keeps it
    assert m.value == D("2000") and not m.context_scaled


# ------------------------------------------------------------------ check

RATIO = AllowedNumber(D("1.1834"), "ratio", "current_ratio")
CASH = AllowedNumber(D("152300000"), "amount", "cash")
PERIOD = allowed_date(dt.date(2026, 9, 30))


@pytest.mark.parametrize(
    "text",
    ["流动比率为1.18", "流动比率为118.34%", "流动比率118.3%", "1.18倍", "1.1834", "1.2",
     "货币资金1.52亿元", "货币资金15,230万元", "cash of 152.3 million", "152,300,000", "1.5亿",
     "$152.3 million", "2026年三季度", "2026年9月末", "2026-09-30", "二〇二六年", "Q3", "9月30日"],
)
def test_check_accepts_allowed_values_after_scaling_and_rounding(text):
    result = check(text, [RATIO, CASH, PERIOD])
    assert result.ok, [m.text for m in result.unsupported]


@pytest.mark.parametrize(
    "text",
    ["流动比率为1.19", "流动比率为1.25倍", "118.35%", "1.18340001", "货币资金1.53亿元", "1.50亿元", "15,231万元",
     "cash of 152.4 million", "2025年", "2026年四季度", "2026-06-30", "12月", "150 million"],
)
def test_check_rejects_numbers_no_allowed_value_supports(text):
    result = check(text, [RATIO, CASH, PERIOD])
    assert not result.ok
    assert result.unsupported


def test_supported_mentions_name_the_fact_behind_them():
    result = check("流动比率为1.18，货币资金1.52亿元。", [RATIO, CASH])
    assert [(m.text, f.text) for m, f in result.supported] == [("1.18", "current_ratio"), ("1.52亿", "cash")]


def test_percent_facts_and_fraction_facts_are_not_confused():
    growth_pct = AllowedNumber(D("12.3"), "percent")
    assert check("增长12.3%", [growth_pct]).ok
    assert not check("增长0.123", [growth_pct]).ok  # a percent is not printed as a fraction
    fraction = AllowedNumber(D("0.123"), "ratio")
    assert check("增长12.3%", [fraction]).ok
    assert not check("增长12.3", [fraction]).ok


def test_a_loss_is_matched_by_magnitude():
    loss = AllowedNumber(D("-12340000"), "amount")
    assert check("净亏损1,234万元", [loss]).ok
    assert check("net loss of (12.34) million", [loss]).ok


def test_identifiers_and_pages_need_a_source():
    allowed = harvest('{"contract": "JK2026-001", "page": 49}')
    assert check("合同JK2026-001，见第49页", allowed).ok
    assert not check("合同JK2026-002", allowed).ok
    assert not check("见第50页", allowed).ok


def test_counts_are_allowed_unless_strict_and_zero_is_never_a_count():
    assert check("3项约定中有1项未满足", []).ok
    assert not check("3项约定中有1项未满足", [], allow_counts=False).ok
    assert not check("逾期金额为0", []).ok  # a zero must come from the facts, never fill a gap
    assert check("逾期金额为0", [AllowedNumber(D("0"), "amount")]).ok


def test_strict_counts_need_the_actual_count_not_any_equal_number():
    """共触发 10 项: ten scorecard points do not make ten warnings."""
    points = AllowedNumber(D(10), "number", "grade", "scorecard")
    assert not check("共触发 10 项预警。", [points], allow_counts=False).ok
    assert check("共触发 10 项预警。", [AllowedNumber(D(10), "count", "alerts")], allow_counts=False).ok
    assert not check("共触发 11 项预警。", [AllowedNumber(D(10), "count", "alerts")], allow_counts=False).ok
    assert not check("13 warning(s) fired.", [points, AllowedNumber(D(13), "number")], allow_counts=False).ok
    assert check("13 warning(s) fired.", [AllowedNumber(D(13), "count")], allow_counts=False).ok
    # a count is a bare integer: it supports "10" but never "10%" or "10倍"
    assert not check("毛利率10%", [AllowedNumber(D(10), "count")]).ok
    # chat's lenient default is unchanged, and a source's "3 项" is harvested as a count
    assert check("共触发 3 项预警。", []).ok
    assert check("其中 3 项为高风险。", harvest("高风险预警 3 项"), allow_counts=False).ok


def test_a_counted_number_under_a_unit_declaration_stays_a_count():
    text = "单位：万元\n| 货币资金 | 15,230 |\n共触发 4 项预警"
    count = find_numbers(text)[-1]
    assert count.counted and count.value == D(4) and not count.context_scaled


def test_number_under_a_unit_declaration_also_matches_at_face_value():
    text = "单位：万元\n| 货币资金 | 15,230 |\n流动比率1.18"
    assert check(text, [CASH, RATIO]).ok


def test_harvest_turns_a_tool_result_into_allowed_values():
    allowed = harvest('{"current_ratio": "1.1834", "period_end": "2026-09-30", "cash": "1.52亿"}')
    assert check("2026年9月末流动比率为1.18，货币资金1.52亿元。", allowed).ok
    assert not check("2026年6月末流动比率为1.18。", allowed).ok


def test_allowed_from_facts_types_figures_and_ratios():
    span = Span(dt.date(2026, 9, 30), dt.date(2026, 7, 1))
    facts = [
        Fact("revenue", D("152300000"), span, document="q3.pdf", page=3),
        Fact("gross_margin", D("0.2345"), span, source="derived", formula="(revenue − cost_of_revenue) / revenue"),
    ]
    allowed = allowed_from_facts(facts)
    assert check("2026年三季度营业收入1.52亿元，毛利率23.45%（q3.pdf，第3页）。", allowed).ok
    assert not check("毛利率0.2345亿元", allowed).ok  # a ratio is never an amount in 亿
    assert not check("毛利率24.45%", allowed).ok


# ------------------------------------------------------------------ sentences


def test_split_sentences_keeps_every_character_and_decimal_points():
    text = "流动比率为1.18。货币资金1.52亿元！Cash was $1.5 million. Next line\n最后"
    parts = split_sentences(text)
    assert "".join(parts) == text
    assert parts[0] == "流动比率为1.18。"
    assert "Cash was $1.5 million." in [p.strip() for p in parts]


def test_drop_unsupported_removes_only_the_sentences_with_bad_numbers():
    text = "流动比率为1.18。速动比率为0.95。请关注。"
    result = check(text, [RATIO])
    kept, dropped = drop_unsupported(text, result)
    assert kept == "流动比率为1.18。请关注。"
    assert dropped == ["速动比率为0.95。"]


def test_previous_quarter_in_chinese_is_not_a_quarter_number():
    """Regression: '上一季度' was read as Q1, so an unsupported '1' made zh memos unapprovable."""
    from assistant.numguard import check, find_numbers

    assert find_numbers("较上一季度下降，下一季度需关注") == []
    assert check("流动比率较上一季度下降。", []).ok
    assert [m.kind for m in find_numbers("2026年第三季度")] == ["quarter"]
