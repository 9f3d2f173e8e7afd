"""Every ratio of FIGURES.md from inputs built here; null reasons; like-span growth; DSCR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.analytics.ratios import RATIO_KEYS, compute_ratio, compute_ratios
from assistant.analytics.trends import change, trends
from assistant.domain import Covenant, Facility, Fact, FactSet, Repayment, Span, quarter_span

D = Decimal
Q3 = quarter_span(2026, 3)
END = Span(Q3.end)
OPEN = Span(dt.date(2026, 6, 30))


def _facts(**by_span) -> FactSet:
    fs = FactSet()
    for span, values in by_span.values():
        for key, value in values.items():
            fs.add(Fact(key, None if value is None else D(str(value)), span, document="q3.pdf", page=2))
    return fs


BAL = {"total_assets": 2000, "total_liabilities": 1300, "total_equity": 700, "total_current_assets": 900,
       "total_current_liabilities": 600, "inventory": 150, "cash": 240, "accounts_receivable": 300,
       "accounts_payable": 200, "total_non_current_liabilities": 700}
OPENING = {"accounts_receivable": 260, "inventory": 130, "accounts_payable": 180}
FLOW = {"revenue": 1000, "cost_of_revenue": 700, "operating_profit": 120, "net_profit": 80, "total_profit": 100,
        "interest_expense": 25, "rd_expenses": 30, "selling_expenses": 40, "admin_expenses": 50,
        "financial_expenses": 20, "net_cash_operating": 150, "capex": 60}


@pytest.fixture()
def facts() -> FactSet:
    return _facts(a=(END, BAL), b=(OPEN, OPENING), c=(Q3, FLOW))


EXPECTED = {
    "debt_to_assets": D(1300) / D(2000),
    "current_ratio": D(900) / D(600),
    "quick_ratio": (D(900) - D(150)) / D(600),
    "cash_ratio": D(240) / D(600),
    "gross_margin": (D(1000) - D(700)) / D(1000),
    "operating_margin": D(120) / D(1000),
    "net_margin": D(80) / D(1000),
    "roe": D(80) / D(700),
    "roa": D(80) / D(2000),
    "rd_to_revenue": D(30) / D(1000),
    "interest_coverage": (D(100) + D(25)) / D(25),
    "ocf_to_current_liabilities": D(150) / D(600),
    "non_current_liabilities_share": D(700) / D(1300),
    "working_capital": D(300),
    "free_cash_flow": D(90),
    "cost_ratio": D("0.7"),
    "selling_expense_ratio": D("0.04"),
    "admin_expense_ratio": D("0.05"),
    "financial_expense_ratio": D("0.02"),
    "three_expense_ratio": D(110) / D(1000),
    "rd_to_net_profit": D(30) / D(80),
    # 92 days in Q3 replace the 365 of the annual formula
    "days_sales_outstanding": D(92) * ((D(260) + D(300)) / 2) / D(1000),
    "days_inventory_outstanding": D(92) * ((D(130) + D(150)) / 2) / D(700),
    "days_payable_outstanding": D(92) * ((D(180) + D(200)) / 2) / D(700),
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_ratio_from_hand_computed_inputs(facts, key):
    r = compute_ratio(facts, Q3, key)
    assert r.reason is None
    assert r.value == pytest.approx(EXPECTED[key], rel=D("1e-20"))
    assert r.inputs and all(f.document == "q3.pdf" for f in r.inputs)
    assert r.formula


def test_every_ratio_of_figures_md_is_computed():
    assert set(RATIO_KEYS) == set(EXPECTED) | {"revenue_growth", "net_profit_growth", "total_assets_growth", "dscr"}


def test_roe_is_for_the_span_and_says_it_is_not_annualised(facts):
    r = compute_ratio(facts, Q3, "roe")
    assert "not annualised" in r.note


def test_days_ratio_uses_the_days_of_the_span(facts):
    nine_months = Span(Q3.end, dt.date(2026, 1, 1))
    fs = _facts(a=(END, BAL), b=(Span(dt.date(2025, 12, 31)), OPENING), c=(nine_months, FLOW))
    r = compute_ratio(fs, nine_months, "days_sales_outstanding")
    assert r.value == D(273) * ((D(260) + D(300)) / 2) / D(1000)
    assert "273 days" in r.note


def test_missing_input_gives_none_with_reason_naming_it(facts):
    del facts.facts[("total_current_liabilities", END)]
    r = compute_ratio(facts, Q3, "current_ratio")
    assert r.value is None
    assert r.reason == "流动负债合计 missing for 2026-09-30"
    assert compute_ratio(facts, Q3, "ocf_to_current_liabilities").reason == "流动负债合计 missing for 2026-09-30"


def test_printed_empty_input_is_not_reported_not_zero(facts):
    facts.add(Fact("inventory", None, END))
    r = compute_ratio(facts, Q3, "quick_ratio")
    assert r.value is None and "存货 not reported" in r.reason


def test_zero_denominator_gives_none_not_zero(facts):
    facts.add(Fact("revenue", D(0), Q3))
    r = compute_ratio(facts, Q3, "net_margin")
    assert r.value is None and "营业收入 is zero for 2026Q3" in r.reason


def test_missing_opening_balance_named_for_averages(facts):
    del facts.facts[("accounts_receivable", OPEN)]
    r = compute_ratio(facts, Q3, "days_sales_outstanding")
    assert r.value is None and r.reason == "应收账款 missing for 2026-06-30"


def test_negative_printed_costs_are_used_by_magnitude(facts):
    facts.add(Fact("cost_of_revenue", D(-700), Q3))
    assert compute_ratio(facts, Q3, "gross_margin").value == D("0.3")


def test_growth_compares_like_spans_only():
    q3_last = quarter_span(2025, 3)
    nine = Span(Q3.end, dt.date(2026, 1, 1))
    nine_last = Span(q3_last.end, dt.date(2025, 1, 1))
    fs = _facts(a=(Q3, {"revenue": 300, "net_profit": 30}), b=(q3_last, {"revenue": 250, "net_profit": 40}),
                c=(nine, {"revenue": 900}), d=(nine_last, {"revenue": 1000}),
                e=(quarter_span(2026, 2), {"revenue": 100}),  # a previous quarter: not the comparison
                f=(END, {"total_assets": 1100}), g=(Span(q3_last.end), {"total_assets": 1000}))
    assert compute_ratio(fs, Q3, "revenue_growth").value == D(50) / D(250)
    assert compute_ratio(fs, Q3, "net_profit_growth").value == D(-10) / D(40)
    assert compute_ratio(fs, nine, "revenue_growth").value == D(-100) / D(1000)
    assert compute_ratio(fs, Q3, "total_assets_growth").value == D("0.1")
    h1 = Span(dt.date(2026, 6, 30), dt.date(2026, 1, 1))
    fs.add(Fact("revenue", D(600), h1))
    r = compute_ratio(fs, h1, "revenue_growth")  # H1 2025 not reported: no cross-span substitute
    assert r.value is None and r.reason == "营业收入 missing for 2025H1"


def _facility(schedule) -> Facility:
    return Facility("Loan", D(1000), covenants=[Covenant("dscr", ">=", D("1.2"))], schedule=schedule)


def test_dscr_from_schedule_with_interest_paid_from_schedule():
    fs = _facts(a=(Q3, {"net_cash_operating": 90}))
    fac = _facility([Repayment(dt.date(2026, 8, 15), D(50), D(10), paid_on=dt.date(2026, 8, 15)),
                     Repayment(dt.date(2026, 11, 15), D(50), D(9))])  # next quarter: not in Q3
    r = compute_ratio(fs, Q3, "dscr", facilities=[fac])
    assert r.value == (D(90) + D(10)) / (D(50) + D(10))
    assert "from the repayment schedule" in r.note


def test_dscr_prefers_interest_paid_from_cash_flow_statement():
    fs = _facts(a=(Q3, {"net_cash_operating": 90, "interest_paid": -12}))
    fac = _facility([Repayment(dt.date(2026, 9, 30), D(50), D(10), paid_on=dt.date(2026, 9, 30))])
    r = compute_ratio(fs, Q3, "dscr", facilities=[fac])
    assert r.value == (D(90) + D(12)) / D(60)
    assert "cash-flow statement" in r.note
    assert {f.key for f in r.inputs} == {"net_cash_operating", "interest_paid"}


def test_dscr_without_debt_service_in_span_is_none_with_reason():
    fs = _facts(a=(Q3, {"net_cash_operating": 90}))
    r = compute_ratio(fs, Q3, "dscr", facilities=[_facility([Repayment(dt.date(2026, 12, 31), D(50), D(10))])])
    assert r.value is None and "no principal or interest due in 2026Q3" in r.reason


def test_compute_ratios_returns_every_key_with_value_or_reason(facts):
    results = compute_ratios(facts, Q3)
    assert list(results) == list(RATIO_KEYS)
    for r in results.values():
        assert (r.value is None) == (r.reason is not None)


def test_trend_changes_qoq_and_yoy():
    q2, q3_last = quarter_span(2026, 2), quarter_span(2025, 3)
    fs = _facts(a=(Q3, {"revenue": 80}), b=(q2, {"revenue": 100}), c=(q3_last, {"revenue": 64}),
                d=(END, {"total_assets": 500}), e=(Span(q2.end), {"total_assets": 500}))
    qoq = change(fs, "revenue", Q3, "qoq")
    assert (qoq.prior_span, qoq.absolute, qoq.relative, qoq.direction) == (q2, D(-20), D("-0.2"), "down")
    yoy = change(fs, "revenue", Q3, "yoy")
    assert (yoy.prior_span, yoy.absolute, yoy.relative, yoy.direction) == (q3_last, D(16), D("0.25"), "up")
    assert change(fs, "total_assets", Q3, "qoq").direction == "flat"
    nine = Span(Q3.end, dt.date(2026, 1, 1))
    assert change(fs, "revenue", nine, "qoq") is None  # no quarter-on-quarter for a 9-month span
    missing = change(fs, "net_profit", Q3, "yoy")
    assert missing.absolute is None and "net_profit missing" in missing.reason
    keys = {(c.key, c.basis) for c in trends(fs, Q3, ["revenue", "current_ratio"])}
    assert keys == {("revenue", "qoq"), ("revenue", "yoy"), ("current_ratio", "qoq"), ("current_ratio", "yoy")}


def test_growth_finds_the_like_span_of_a_52_53_week_year():
    q4 = Span(dt.date(2023, 1, 28), dt.date(2022, 10, 30))  # Ulta-style fiscal Q4
    q4_prior = Span(dt.date(2022, 1, 29), dt.date(2021, 10, 31))
    fs = _facts(a=(q4, {"revenue": 3226}), b=(q4_prior, {"revenue": 2729}),
                c=(Span(dt.date(2021, 1, 30), dt.date(2020, 11, 1)), {"revenue": 1}))
    assert compute_ratio(fs, q4, "revenue_growth").value == D(3226 - 2729) / D(2729)
    assert change(fs, "revenue", q4, "yoy").prior_span == q4_prior


def test_analytics_never_touch_the_database():
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[1] / "assistant" / "analytics"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    assert not name.startswith(("sqlalchemy", "assistant.store", "chromadb", "psycopg")), (path.name, name)


def _gold_facts(path) -> FactSet:
    import json

    fs = FactSet()
    for line in path.read_text(encoding="utf-8").splitlines():
        g = json.loads(line, parse_float=D)
        start = None if g["period_start"] is None else dt.date.fromisoformat(g["period_start"])
        span = Span(dt.date.fromisoformat(g["period_end"]), start)
        value = None if g["value"] is None else D(str(g["value"]))
        fs.add(Fact(g["key"], value, span, document=g["doc"], page=g["page"], label=g["label"]))
    return fs


@pytest.mark.real_data
def test_ratios_on_real_gold_figures(shared_data):
    growth_found = 0
    for path in sorted((shared_data / "real").glob("*.gold.jsonl")):
        fs = _gold_facts(path)
        for span in fs.spans(points=False):
            results = compute_ratios(fs, span)
            for r in results.values():
                assert (r.value is None) == (r.reason is not None), (path.name, span, r.key)
                assert all(f.document and f.page for f in r.inputs)
            gm = results["gross_margin"]
            if gm.value is not None:
                assert 0 < gm.value < 1, (path.name, span.label, gm.value)
            if results["revenue_growth"].value is not None:
                growth_found += 1
    assert growth_found >= 5  # every report with a comparative column, 52/53-week years included


@pytest.mark.real_data
def test_moutai_printed_empty_interest_is_a_reason_not_zero(shared_data):
    fs = _gold_facts(shared_data / "real" / "贵州茅台2020年年度报告.gold.jsonl")
    fy2020 = Span(dt.date(2020, 12, 31), dt.date(2020, 1, 1))
    r = compute_ratio(fs, fy2020, "interest_coverage")
    assert r.value is None and r.reason == "利息费用 not reported (printed empty) for 2020"
    dso = compute_ratio(fs, fy2020, "days_sales_outstanding")  # Moutai prints 应收账款 empty
    assert dso.value is None and dso.reason.startswith("应收账款 not reported (printed empty) for 2019-12-31")
    dio = compute_ratio(fs, fy2020, "days_inventory_outstanding")
    assert dio.value is not None and "366 days" in dio.note  # 2020 is a leap year
