"""Risk grade (scorecard + published models) and the five-category suggestion, with reasons."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from assistant.analytics import assess
from assistant.analytics.classification import LABEL_EN, LABEL_ZH, classify, overdue_items
from assistant.analytics.models import altman_z2, ohlson_o
from assistant.analytics.scorecard import Grade
from assistant.domain import Fact, FactSet, Repayment, Span
from tests.snapshot_builder import ASSESSED, D, M, facility, point, q, sound_client, sound_table

FY = Span(dt.date(2026, 12, 31), dt.date(2026, 1, 1))


def _fy_facts(**over) -> FactSet:
    values = {"total_assets": 1000, "total_liabilities": 600, "total_equity": 400, "total_current_assets": 300,
              "total_current_liabilities": 250, "retained_earnings": 80}
    flows = {"total_profit": 50, "interest_expense": 20, "net_profit": 40, "net_cash_operating": 90}
    fs = FactSet()
    for k, v in {**values, **over}.items():
        if k in values:
            fs.add(Fact(k, D(v) * M, Span(FY.end), document="fy.pdf", page=4))
    for k, v in {**flows, **{k: v for k, v in over.items() if k in flows}}.items():
        fs.add(Fact(k, D(v) * M, FY, document="fy.pdf", page=6))
    fs.add(Fact("net_profit", D(over.get("prior_net_profit", 30)) * M, FY.same_span_last_year(), document="fy25.pdf"))
    return fs


def test_altman_z2_from_hand_computed_components():
    r = altman_z2(_fy_facts(), FY)
    x1, x2, x3, x4 = D(50) / 1000, D(80) / 1000, D(70) / 1000, D(400) / 600
    assert r.components["X1"] == x1 and r.components["X2"] == x2 and r.components["X3"] == x3
    assert r.score == D("6.56") * x1 + D("3.26") * x2 + D("6.72") * x3 + D("1.05") * x4
    assert r.zone == "grey" and r.components["EMS"] == r.score + D("3.25")  # 2.0 lies in 1.10–2.60
    assert r.note == "" and {f.document for f in r.inputs} == {"fy.pdf"}


def test_altman_zones_and_missing_inputs_named():
    assert altman_z2(_fy_facts(total_equity=900, total_liabilities=100, retained_earnings=400), FY).zone == "safe"
    assert altman_z2(_fy_facts(total_current_assets=100, total_equity=50, total_liabilities=950,
                               retained_earnings=-200), FY).zone == "distress"
    fs = _fy_facts()
    del fs.facts[("retained_earnings", Span(FY.end))]
    r = altman_z2(fs, FY)
    assert r.score is None and r.reason == "未分配利润 missing for 2026-12-31"


def test_altman_annualises_quarter_flows():
    fs = FactSet()
    for k, v in {"total_assets": 1000, "total_liabilities": 600, "total_equity": 400, "total_current_assets": 300,
                 "total_current_liabilities": 250, "retained_earnings": 80}.items():
        fs.add(Fact(k, D(v), point(2026, 3)))
    fs.add(Fact("total_profit", D(10), q(2026, 3)))
    fs.add(Fact("interest_expense", D(5), q(2026, 3)))
    r = altman_z2(fs, q(2026, 3))
    assert r.components["X3"] == D(60) / 1000 and "annualised ×4.00" in r.note


def test_ohlson_o_score_from_hand_computed_inputs():
    r = ohlson_o(_fy_facts(), FY)
    ta, tl, ca, cl, ni, ni0, ocf = 1000e6, 600e6, 300e6, 250e6, 40e6, 30e6, 90e6
    o = (-1.32 - 0.407 * math.log(ta / 1e6) + 6.03 * tl / ta - 1.43 * (ca - cl) / ta + 0.0757 * cl / ca
         - 1.72 * 0 - 2.37 * ni / ta - 1.83 * ocf / tl + 0.285 * 0 - 0.521 * (ni - ni0) / (abs(ni) + abs(ni0)))
    assert float(r.score) == pytest.approx(o, rel=1e-12)
    assert float(r.probability) == pytest.approx(1 / (1 + math.exp(-o)), rel=1e-12)
    assert r.components["OENEG"] == 0 and r.components["INTWO"] == 0


def test_ohlson_flags_and_missing_prior_year():
    r = ohlson_o(_fy_facts(total_liabilities=1200, net_profit=-10, prior_net_profit=-5), FY)
    assert r.components["OENEG"] == 1 and r.components["INTWO"] == 1
    fs = _fy_facts()
    del fs.facts[("net_profit", FY.same_span_last_year())]
    assert "净利润 missing for 2025" in ohlson_o(fs, FY).reason


def test_sound_client_grade_a_and_normal_with_reasons():
    a = assess(sound_client(), ASSESSED)
    assert a.grade.letter == "A" and (a.grade.points, a.grade.max_points) == (100, 100)
    assert "scorecard 100/100 = 100% → A" in a.grade.reasons
    assert any(r.startswith("dscr: 2.390 >= 1.5 → 15/15") for r in a.grade.reasons)
    assert [m.model for m in a.models] == ["altman_z2", "ohlson_o"] and all(m.score is not None for m in a.models)
    c = a.classification
    assert (c.category, c.english, c.overdue_days) == ("正常", "normal", 0)
    assert c.label_zh == LABEL_ZH and c.label_en == LABEL_EN and "Suggestion for the officer" in c.label_en


def _weak_table():
    table = sound_table()
    table[point(2026, 3)] = {**table[point(2026, 3)], "total_liabilities": 900, "total_equity": 100,
                             "total_current_assets": 180}
    table[q(2026, 3)] = {**table[q(2026, 3)], "revenue": 150, "net_profit": -20, "net_cash_operating": 10,
                         "total_profit": -20}
    return table


def test_weak_client_grade_and_classification_reasons():
    a = assess(sound_client(_weak_table()), ASSESSED)
    assert a.grade.letter in ("D", "E")
    by_key = {f.key: f for f in a.grade.factors}
    assert by_key["debt_to_assets"].points == 0 and by_key["covenants"].points == 0 and by_key["warnings"].points == 0
    assert "breach" in by_key["covenants"].explanation
    c = a.classification
    assert c.category in ("关注", "次级")
    assert any("covenant debt_to_assets <= 0.70 breached" in r for r in c.reasons)
    assert any(r.startswith("high-severity warning(s):") and "revenue_decline" in r for r in c.reasons)


def test_unmeasurable_client_is_not_rated():
    a = assess(sound_client({point(2026, 3): {"total_assets": 1000}}, facilities=[], notes=[]), ASSESSED)
    assert a.grade.letter == "NR"
    assert any("not rated" in r for r in a.grade.reasons)
    assert any(r.startswith("current_ratio: not measured: 流动资产合计 missing") for r in a.grade.reasons)
    assert any("not rated" in r and "obtain the statements" in r for r in a.classification.reasons)


def test_distress_model_moves_grade_one_notch_worse():
    from assistant.analytics.models import ModelResult
    from assistant.analytics.scorecard import grade

    ratios = assess(sound_client(), ASSESSED).ratios
    distress = ModelResult("ohlson_o", "Ohlson", D(3), probability=D("0.95"), zone="distress")
    g = grade(ratios, [], [], [distress], span_months=3)
    assert g.letter == "B" and any("one notch worse: A → B" in r for r in g.reasons)


def _grade(letter: str) -> Grade:
    return Grade(letter, 0, 100, [], [], [])


@pytest.mark.parametrize("days, category", [(30, "关注"), (91, "次级"), (271, "可疑"), (361, "损失")])
def test_overdue_days_set_the_regulator_floor(days, category):
    as_of = dt.date(2026, 11, 20)
    due = as_of - dt.timedelta(days=days)
    fac = facility(schedule=[Repayment(due, D(100), D(5))])
    c = classify(_grade("A"), [], [], [fac], as_of)
    assert (c.category, c.overdue_days) == (category, days)
    assert c.reasons[0].startswith(f"Project loan A: instalment due {due.isoformat()} unpaid, {days} days overdue as of "
                                   f"2026-11-20 (《商业银行金融资产风险分类办法》(2023)")
    assert c.reasons[0].endswith(f"→ at least {category}")
    more = {"关注": "at least special mention", "次级": "more than 90 days", "可疑": "more than 270 days", "损失": "360 days → loss"}
    assert more[category] in c.reasons[0] and "《商业银行金融资产风险分类办法》(2023)" in c.reasons_zh[0]


def test_short_payment_is_overdue_and_paid_instalments_are_not():
    as_of = dt.date(2026, 11, 20)
    fac = facility(schedule=[
        Repayment(dt.date(2026, 6, 30), D(100), D(5), paid_on=dt.date(2026, 7, 20), paid_amount=D(105)),  # late, paid
        Repayment(dt.date(2026, 9, 30), D(100), D(5), paid_on=dt.date(2026, 9, 30), paid_amount=D(60)),  # paid short
        Repayment(dt.date(2026, 12, 31), D(100), D(5)),  # not yet due
    ])
    items = overdue_items([fac], as_of)
    assert [(o.due, o.days) for o in items] == [(dt.date(2026, 9, 30), 51)]


def test_grade_sets_floor_and_worst_floor_wins():
    as_of = dt.date(2026, 11, 20)
    assert classify(_grade("C"), [], [], [], as_of).category == "关注"
    assert classify(_grade("E"), [], [], [], as_of).category == "次级"
    fac = facility(schedule=[Repayment(as_of - dt.timedelta(days=300), D(1), D(0))])
    c = classify(_grade("E"), [], [], [fac], as_of)
    assert c.category == "可疑" and c.reasons[0].endswith("→ at least 可疑") and c.reasons[1] == "risk grade E → at least 次级"
