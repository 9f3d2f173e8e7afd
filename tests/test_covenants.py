"""Covenant logic: operators, pass/breach, sign-aware headroom, frequency, grace, trend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.analytics.covenants import check_covenant, check_covenants, headroom, is_test_date, passes
from assistant.domain import Covenant, Facility, Fact, FactSet, Repayment, Span, quarter_span

D = Decimal


@pytest.mark.parametrize(
    "value, op, threshold, ok",
    [(D("1.2"), ">=", D("1.2"), True), (D("1.2"), ">", D("1.2"), False), (D("1.3"), ">", D("1.2"), True),
     (D("0.7"), "<=", D("0.7"), True), (D("0.7"), "<", D("0.7"), False), (D("0.69"), "<", D("0.7"), True),
     (D("1.1"), ">=", D("1.2"), False), (D("0.75"), "<=", D("0.7"), False)],
)
def test_operators(value, op, threshold, ok):
    assert passes(value, op, threshold) is ok


def test_headroom_sign_follows_the_operator():
    assert headroom(D("1.5"), ">=", D("1.2")) == (D("0.3"), D("0.25"))  # room above a floor
    assert headroom(D("1.0"), ">=", D("1.2"))[1] == D("-0.2") / D("1.2")  # below the floor: negative
    assert headroom(D("0.56"), "<=", D("0.70")) == (D("0.14"), D("0.2"))  # room under a cap
    assert headroom(D("0.77"), "<=", D("0.70"))[1] == D("-0.07") / D("0.70")  # above the cap: negative
    assert headroom(D("5"), ">=", D("0")) == (D("5"), None)  # zero threshold: margin only


def _balances(current_assets: dict[Span, int]) -> FactSet:
    fs = FactSet()
    for span, ca in current_assets.items():
        fs.add(Fact("total_current_assets", D(ca), span, document=f"{span.label}.pdf", page=3))
        fs.add(Fact("total_current_liabilities", D(100), span, document=f"{span.label}.pdf", page=3))
    return fs


def _point(y, q):
    return Span(quarter_span(y, q).end)


def test_breach_pass_value_and_inputs():
    fs = _balances({_point(2026, 3): 110})
    fac = Facility("Loan A", D(100), covenants=[Covenant("current_ratio", ">=", D("1.2"))])
    r = check_covenant(fs, fac, fac.covenants[0], quarter_span(2026, 3))
    assert (r.status, r.value, r.threshold, r.operator) == ("breach", D("1.1"), D("1.2"), ">=")
    assert r.headroom == D("-0.1") / D("1.2") and r.margin == D("-0.1")
    assert {f.document for f in r.inputs} == {"2026-09-30.pdf"}
    fs.add(Fact("total_current_assets", D(150), _point(2026, 3)))
    assert check_covenant(fs, fac, fac.covenants[0], quarter_span(2026, 3)).status == "pass"


def test_missing_metric_is_unknown_with_reason_not_a_breach():
    fac = Facility("Loan A", D(100), covenants=[Covenant("current_ratio", ">=", D("1.2"))])
    r = check_covenant(FactSet(), fac, fac.covenants[0], quarter_span(2026, 3))
    assert r.status == "unknown" and "流动资产合计 missing for 2026-09-30" in r.reason


def test_headroom_trend_thinning_over_last_quarters():
    fs = _balances({_point(2025, 4): 160, _point(2026, 1): 150, _point(2026, 2): 140, _point(2026, 3): 125})
    fac = Facility("Loan A", D(100), covenants=[Covenant("current_ratio", ">=", D("1.2"))])
    r = check_covenant(fs, fac, fac.covenants[0], quarter_span(2026, 3))
    assert [s.end for s, _ in r.headroom_trend] == [dt.date(2025, 12, 31), dt.date(2026, 3, 31),
                                                    dt.date(2026, 6, 30), dt.date(2026, 9, 30)]
    assert [h for _, h in r.headroom_trend] == [(D(x) / 100 - D("1.2")) / D("1.2") for x in (160, 150, 140, 125)]
    assert r.trend == "thinning" and r.thin
    fs2 = _balances({_point(2026, 2): 130, _point(2026, 3): 170})
    assert check_covenant(fs2, fac, fac.covenants[0], quarter_span(2026, 3)).trend == "widening"


def test_frequency_decides_test_dates():
    semi = Covenant("current_ratio", ">=", D("1.2"), frequency="semiannual")
    annual = Covenant("current_ratio", ">=", D("1.2"), frequency="annual")
    assert is_test_date(semi, dt.date(2026, 6, 30)) and not is_test_date(semi, dt.date(2026, 9, 30))
    assert is_test_date(annual, dt.date(2026, 12, 31)) and not is_test_date(annual, dt.date(2026, 6, 30))
    fs = _balances({_point(2026, 3): 100})
    fac = Facility("Loan A", D(100), covenants=[semi])
    r = check_covenant(fs, fac, semi, quarter_span(2026, 3))
    assert r.status == "not_tested" and "not a test date" in r.reason


def test_semiannual_flow_covenant_uses_six_month_figures_when_present():
    h1 = Span(dt.date(2026, 6, 30), dt.date(2026, 1, 1))
    fs = FactSet()
    fs.add(Fact("net_profit", D(-5), quarter_span(2026, 2)))
    fs.add(Fact("net_profit", D(20), h1))
    cov = Covenant("net_profit", ">", D(0), frequency="semiannual")
    fac = Facility("Loan A", D(100), covenants=[cov])
    r = check_covenant(fs, fac, cov, quarter_span(2026, 2))
    assert r.span == h1 and r.value == D(20) and r.status == "pass"


def test_grace_period_gives_cure_date_and_in_grace_flag():
    fs = _balances({_point(2026, 3): 100})
    cov = Covenant("current_ratio", ">=", D("1.2"), grace_days=30)
    fac = Facility("Loan A", D(100), covenants=[cov])
    early = check_covenant(fs, fac, cov, quarter_span(2026, 3), as_of=dt.date(2026, 10, 20))
    late = check_covenant(fs, fac, cov, quarter_span(2026, 3), as_of=dt.date(2026, 11, 20))
    assert early.cure_by == dt.date(2026, 10, 30) and early.in_grace
    assert late.status == "breach" and not late.in_grace


def test_dscr_covenant_uses_the_facility_schedule_only():
    q3 = quarter_span(2026, 3)
    fs = FactSet()
    fs.add(Fact("net_cash_operating", D(100), q3))
    mine = Facility("A", D(1), covenants=[Covenant("dscr", ">=", D("1.2"))],
                    schedule=[Repayment(dt.date(2026, 9, 20), D(40), D(10), paid_on=dt.date(2026, 9, 20))])
    other = Facility("B", D(1), schedule=[Repayment(dt.date(2026, 9, 20), D(400), D(10))])
    results = check_covenants(fs, [mine, other], q3)
    assert len(results) == 1
    assert results[0].value == D(110) / D(50) and results[0].status == "pass"
