"""Every built-in warning rule fires on a case built for it and stays quiet on a sound client."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from assistant.analytics.warnings import BUILTIN_RULES, evaluate, load_rules
from assistant.domain import Repayment
from assistant.errors import ConfigError
from tests.snapshot_builder import ASSESSED, D, documents, note, point, q, sound_client, sound_table

Q3_VISIT = dt.date(2026, 8, 20)


def _with(changes: dict) -> dict:
    """The sound table with some figures changed: {(span, key): value}."""
    table = sound_table()
    for (span, key), value in changes.items():
        table[span] = {**table[span], key: value}
    return table


def _late_documents():
    docs = documents()
    last = docs[-1]
    return docs[:-1] + [dataclasses.replace(last, received=dt.date(2026, 11, 18))]


def _missing_q3():
    table = sound_table()
    del table[q(2026, 3)], table[point(2026, 3)]
    return sound_client(table, documents=documents(until=(2026, 2)))


def _unpaid(*dues: dt.date):
    """The sound facility with unpaid instalments of 20 + 5 million due on ``dues`` (as of 2026-11-20)."""
    from tests.snapshot_builder import facility

    fac = facility()
    fac.schedule = [r for r in fac.schedule if r.due not in dues] + [Repayment(d, 20 * M, 5 * M) for d in dues]
    fac.schedule.sort(key=lambda r: r.due)
    return sound_client(facilities=[fac])


CASES = {
    "revenue_decline": lambda: sound_client(_with({(q(2026, 3), "revenue"): 150})),
    "ocf_negative": lambda: sound_client(_with({(q(2026, 3), "net_cash_operating"): -10})),
    "ocf_decline": lambda: sound_client(_with({(q(2026, 3), "net_cash_operating"): 30})),
    "leverage_rising": lambda: sound_client(_with({(point(2026, 3), "total_liabilities"): 580,
                                                   (point(2026, 3), "total_equity"): 420})),
    "leverage_high": lambda: sound_client(_with({(point(2026, 3), "total_liabilities"): 900,
                                                 (point(2026, 3), "total_equity"): 100})),
    "liquidity_falling": lambda: sound_client(_with({(point(2026, 3), "total_current_assets"): 250})),
    "liquidity_low": lambda: sound_client(_with({(point(2026, 3), "total_current_assets"): 180})),
    "covenant_breach": lambda: sound_client(_with({(point(2026, 3), "total_liabilities"): 750,
                                                   (point(2026, 3), "total_equity"): 250})),
    "covenant_headroom_thin": lambda: sound_client(_with({(point(2026, 3), "total_current_assets"): 250})),
    "dscr_low": lambda: sound_client(_with({(q(2026, 3), "net_cash_operating"): 20})),
    "construction_delay": lambda: sound_client(notes=[note(Q3_VISIT, progress_actual=D(55), progress_planned=D(75))]),
    "cost_overrun": lambda: sound_client(notes=[note(Q3_VISIT, cost_spent=D(450_000_000))]),
    "operations_stopped": lambda: sound_client(notes=[note(Q3_VISIT, operating_status="stopped")]),
    "operations_reduced": lambda: sound_client(notes=[note(Q3_VISIT, operating_status="reduced")]),
    "statements_late": lambda: sound_client(documents=_late_documents()),
    "source_contradiction": lambda: sound_client(notes=[note(Q3_VISIT, operating_status="stopped")]),
    "repayment_overdue": lambda: _unpaid(dt.date(2026, 9, 30)),
    "repayment_overdue_90": lambda: _unpaid(dt.date(2026, 8, 10)),  # 102 days before 2026-11-20
    "adverse_words": lambda: sound_client(notes=[note(Q3_VISIT, text="现场检查：项目公司涉及一起工程款诉讼，未发现停产，无欠薪。")]),
    "note_contradicts_decline": lambda: sound_client(_with({(q(2026, 3), "revenue"): 150})),
}


M = D(1_000_000)
REVENUE_2025Q3, REVENUE_2026Q3 = D(203) * M, (D(200) * D("1.08") + 3) * M  # sound_table(): 200 (+8 % in 2026) + quarter
REVENUE_2026Q2 = (D(200) * D("1.08") + 2) * M
OCF_2025Q3 = REVENUE_2025Q3 * D("0.25")  # flows(): operating cash flow is a quarter of revenue
VISIT = {"visit_date": "2026-08-20", "site": "光伏电站一期", "inspector": "王敏"}

# What each rule reports on its case, worked out by hand from the figures CASES changes
# (balances(): assets 1000, liabilities 500, current assets 320, current liabilities 200).
EXPECTED = {
    "revenue_decline": {"current": 150 * M, "prior": REVENUE_2025Q3, "prior_span": "2025Q3",
                        "change": 150 * M - REVENUE_2025Q3, "change_pct": "26.1%"},  # 53 / 203
    "ocf_negative": {"value": -10 * M, "limit": D(0), "operator": "<"},
    "ocf_decline": {"current": 30 * M, "prior": OCF_2025Q3, "prior_span": "2025Q3",
                    "relative": (30 * M - OCF_2025Q3) / OCF_2025Q3, "change_pct": "40.9%"},  # 20.75 / 50.75
    "leverage_rising": {"current": D("0.58"), "prior": D("0.50"), "prior_span": "2025Q3",  # 580 / 1000 against 500 / 1000
                        "change": D("0.08"), "change_pp": "8.0"},
    "leverage_high": {"value": D("0.90"), "limit": D("0.85"), "operator": ">"},  # 900 / 1000
    "liquidity_falling": {"current": D("1.25"), "prior": D("1.6"), "prior_span": "2026Q2",  # 250 / 200 against 320 / 200
                          "relative": D("-0.21875"), "change_pct": "21.9%"},
    "liquidity_low": {"value": D("0.9"), "limit": D(1), "operator": "<"},  # 180 / 200
    "covenant_breach": {"facility": "Project loan A", "metric_en": "Debt to assets", "value": D("0.75"),  # 750 / 1000
                        "operator": "<=", "threshold": D("0.70")},
    "covenant_headroom_thin": {"facility": "Project loan A", "metric_en": "Current ratio", "value": D("1.25"),
                               "operator": ">=", "threshold": D("1.2"), "headroom": "4.2%"},  # 0.05 / 1.2
    "dscr_low": {"value": D(1), "limit": D("1.2"), "operator": "<"},  # (20 + 5 interest) / (20 + 5) due in 2026Q3
    "construction_delay": {**VISIT, "actual": D(55), "planned": D(75), "gap": D(20)},
    "cost_overrun": {**VISIT, "spent": 450 * M, "budget": 500 * M, "spent_pct": D(90), "actual": D(70),
                     "excess_pp": D(20)},  # 90 % of the budget spent at 70 % progress
    "operations_stopped": {**VISIT, "status": "stopped"},
    "operations_reduced": {**VISIT, "status": "reduced"},
    "statements_late": {"period_end": "2026-09-30", "due": "2026-11-14", "received": "2026-11-18", "days_late": D(4),
                        "as_of": "2026-11-20"},  # 45 reporting days; received four days after
    "source_contradiction": {**VISIT, "status": "stopped", "current": REVENUE_2026Q3, "prior": REVENUE_2025Q3,
                             "basis": "year on year", "change_pct": "7.9%"},  # 16 / 203, while the site stood still
    "repayment_overdue": {"facility": "Project loan A", "due": "2026-09-30", "days": D(51), "amount": 25 * M,
                          "floor": "关注"},  # 2026-09-30 → 2026-11-20
    "repayment_overdue_90": {"facility": "Project loan A", "due": "2026-08-10", "days": D(102), "amount": 25 * M,
                             "floor": "次级"},
    "adverse_words": {"date": "2026-08-20", "source": "inspection", "words": "诉讼",  # 停产 and 欠薪 are negated
                      "excerpt": "现场检查：项目公司涉及一起工程款诉讼"},
    "note_contradicts_decline": {**VISIT, "status": "normal", "current": 150 * M, "prior": REVENUE_2026Q2,
                                 "basis": "quarter on quarter", "change_pct": "31.2%"},  # 68.2 / 218.2, the note says normal
}


def test_every_builtin_rule_has_a_case():
    assert {r.id for r in load_rules(BUILTIN_RULES)} == set(CASES) == set(EXPECTED)


def test_sound_client_raises_no_alert():
    assert evaluate(sound_client(), ASSESSED, load_rules(BUILTIN_RULES)) == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_case(rule_id):
    alerts = evaluate(CASES[rule_id](), ASSESSED, load_rules(BUILTIN_RULES))
    fired = [a for a in alerts if a.rule == rule_id]
    assert len(fired) == 1, [a.rule for a in alerts]
    alert = fired[0]
    assert alert.message_zh and alert.message_en and "{" not in alert.message_zh + alert.message_en
    assert alert.severity in ("low", "medium", "high")
    assert {k: alert.values.get(k) for k in EXPECTED[rule_id]} == EXPECTED[rule_id]
    if rule_id not in ("statements_late", "repayment_overdue", "repayment_overdue_90"):  # no document behind them
        assert alert.evidence, "every alert points at its documents"


def test_revenue_decline_message_values_and_evidence():
    alert = next(a for a in evaluate(CASES["revenue_decline"](), ASSESSED, load_rules(BUILTIN_RULES))
                 if a.rule == "revenue_decline")
    prior = D(203) * 1_000_000
    assert alert.values["current"] == D(150_000_000) and alert.values["prior"] == prior
    assert alert.values["relative"] == (D(150_000_000) - prior) / prior
    assert "26.1%" in alert.message_en and "2025Q3" in alert.message_zh
    assert {doc for doc, _ in alert.evidence} == {"statements_2026Q3.pdf", "statements_2025Q3.pdf"}


def test_statements_not_received_at_all():
    alerts = evaluate(_missing_q3(), ASSESSED, load_rules(BUILTIN_RULES))
    late = next(a for a in alerts if a.rule == "statements_late")
    assert late.values["period_end"] == "2026-09-30" and late.values["due"] == "2026-11-14"
    assert "not received as of 2026-11-20 (6 days overdue)" in late.message_en


def test_statements_received_late_cites_the_document():
    late = next(a for a in evaluate(CASES["statements_late"](), ASSESSED, load_rules(BUILTIN_RULES))
                if a.rule == "statements_late")
    assert late.values["days_late"] == 4 and late.evidence == [("statements_2026Q3.pdf", None)]


def test_rules_quiet_when_their_data_is_missing():
    table = _with({(q(2026, 3), "revenue"): 10, (q(2026, 3), "net_cash_operating"): 1})
    del table[q(2025, 3)]  # no like span for YoY: a fall cannot be measured, so nothing is claimed
    rules = [r for r in load_rules(BUILTIN_RULES) if r.condition.type == "change" and r.condition.basis == "yoy"]
    assert evaluate(sound_client(table), ASSESSED, rules) == []
    assert evaluate(sound_client(_with({(q(2026, 3), "revenue"): 10})), ASSESSED, rules)  # and it would with the data


def test_note_outside_the_span_does_not_count():
    snap = sound_client(notes=[note(dt.date(2026, 5, 10), operating_status="stopped")])
    assert not [a for a in evaluate(snap, ASSESSED, load_rules(BUILTIN_RULES)) if a.rule == "operations_stopped"]


def test_user_rules_file_replaces_builtin_set(home, monkeypatch, tmp_path):
    from assistant.config import reset_settings

    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n"
        "  - id: tight_liquidity\n    name_zh: 流动比率偏低\n    name_en: Tight liquidity\n    severity: low\n"
        "    condition: {type: threshold, metric: current_ratio, operator: '<', value: 2}\n"
        "    message_zh: 流动比率{value}\n    message_en: 'current ratio {value} under {limit}'\n",
        encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_RULES_FILE", str(path))
    reset_settings()
    alerts = evaluate(sound_client(), ASSESSED)
    assert [(a.rule, a.severity, a.message_en) for a in alerts] == [("tight_liquidity", "low", "current ratio 1.60 under 2.00")]


@pytest.mark.parametrize("body, where", [
    ("rules:\n  - id: x\n    name_zh: a\n    name_en: b\n    severity: urgent\n    condition: {type: reporting}\n"
     "    message_zh: m\n    message_en: m\n", "severity"),
    ("rules:\n  - id: x\n    name_zh: a\n    name_en: b\n    severity: low\n    condition: {type: eval, expr: '1'}\n"
     "    message_zh: m\n    message_en: m\n", "condition"),
    ("rules: [", "YAML"),
])
def test_bad_rules_file_is_a_config_error_naming_the_place(tmp_path, body, where):
    path = tmp_path / "rules.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_rules(path)
    assert where in str(err.value)


def test_rules_are_parsed_once_per_file_version(tmp_path):
    import os

    path = tmp_path / "rules.yaml"
    rule = ("rules:\n  - id: {id}\n    name_zh: a\n    name_en: b\n    severity: low\n"
            "    condition: {{type: threshold, metric: current_ratio, operator: '<', value: 2}}\n"
            "    message_zh: m\n    message_en: m\n")
    path.write_text(rule.format(id="first"), encoding="utf-8")
    one, two = load_rules(path), load_rules(path)
    assert [r.id for r in one] == ["first"] and one[0] is two[0]  # the second call did not re-parse
    one.clear()  # a caller's list is its own
    assert [r.id for r in load_rules(path)] == ["first"]
    path.write_text(rule.format(id="second_rule"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a later mtime, however coarse the clock
    assert [r.id for r in load_rules(path)] == ["second_rule"]


# ---------------------------------------------------------------- the bank's rules over notes, filings and repayment


@pytest.mark.parametrize("text, word, fires", [
    ("经检查，未发现停产情况。", "停产", False),
    ("企业无诉讼、无欠薪。", "诉讼", False),
    ("诉讼：无", "诉讼", False),
    ("There is no litigation pending.", "litigation", False),
    ("The borrower has not been in default.", "default", False),
    ("公司涉及一起诉讼，金额较大。", "诉讼", True),
    ("因资金紧张无法支付工资，出现欠薪。", "欠薪", True),  # 无法 is no negation of what follows
    ("无法偿还到期债务引发诉讼", "诉讼", True),
    ("The company is in default on its bonds.", "default", True),
    ("存在间歇性停产的可能。", "停产", True),
])
def test_keyword_mentions_respect_negation(text, word, fires):
    from assistant.analytics.warnings import mentions

    assert bool(mentions(text, word)) is fires
    assert mentions(text, word, negations=False)  # switched off, every mention counts


def test_keyword_rule_reads_filings_and_every_note_of_the_period():
    from assistant.domain import InspectionNote

    filing = InspectionNote(dt.date(2026, 9, 1), text="关于公司涉及重大诉讼的公告：公司于近日收到法院传票。",
                            document="诉讼公告.pdf", page=1)
    notes = [note(dt.date(2026, 7, 10), text="现场发现施工单位欠薪，工人聚集。"), note(Q3_VISIT, text="现场检查正常")]
    alerts = [a for a in evaluate(sound_client(notes=notes, filings=[filing]), ASSESSED, load_rules(BUILTIN_RULES))
              if a.rule == "adverse_words"]
    assert [(a.values["source"], a.values["words"]) for a in alerts] == [("inspection", "欠薪"), ("filing", "诉讼")]
    assert alerts[1].evidence == [("诉讼公告.pdf", 1)]
    old = InspectionNote(dt.date(2026, 5, 1), text="公司涉及诉讼", document="old.pdf", page=1)  # 2026Q2: not this period
    assert not [a for a in evaluate(sound_client(filings=[old]), ASSESSED, load_rules(BUILTIN_RULES)) if a.rule == "adverse_words"]


def test_a_cost_overrun_noted_before_a_normal_note_is_not_lost():
    notes = [note(dt.date(2026, 8, 17), cost_spent=D(450_000_000)), note(Q3_VISIT)]  # overrun, then a "normal" visit
    alerts = evaluate(sound_client(notes=notes), ASSESSED, load_rules(BUILTIN_RULES))
    (overrun,) = [a for a in alerts if a.rule == "cost_overrun"]
    assert overrun.values["visit_date"] == "2026-08-17"
    latest_only = [r.model_copy(update={"condition": r.condition.model_copy(update={"notes": "latest"})})
                   for r in load_rules(BUILTIN_RULES) if r.id == "cost_overrun"]
    assert evaluate(sound_client(notes=notes), ASSESSED, latest_only) == []  # the old reading lost it


def test_a_102_day_unpaid_instalment_raises_a_high_alert_and_suggests_at_least_substandard():
    from assistant.analytics import assess

    snap = CASES["repayment_overdue_90"]()
    a = assess(snap, ASSESSED)
    (alert,) = [x for x in a.alerts if x.rule == "repayment_overdue_90"]
    assert alert.severity == "high" and alert.values["days"] == 102
    assert "《商业银行金融资产风险分类办法》(2023)" in alert.message_zh and "逾期102天" in alert.message_zh
    assert a.classification.category == "次级" and a.classification.overdue_days == 102
    assert "逾期超过90天的至少归为次级类" in a.classification.reasons_zh[0]
    assert "repayment_overdue" not in {x.rule for x in a.alerts}  # one alert per delay, not one per band


def test_a_keyword_rule_is_written_in_the_rules_file(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("""rules:
  - id: seizure
    name_zh: 资产查封
    name_en: Assets seized
    severity: high
    condition: {type: keywords, words: [查封, seized], sources: [inspection]}
    message_zh: "{date}检查记录提及{words}：{excerpt}"
    message_en: "The note of {date} mentions {words_en}"
""", encoding="utf-8")
    rules = load_rules(path)
    quiet = sound_client(notes=[note(Q3_VISIT, text="未发现资产被查封。")])
    loud = sound_client(notes=[note(Q3_VISIT, text="厂区部分设备已被法院查封。")])
    assert evaluate(quiet, ASSESSED, rules) == []
    (alert,) = evaluate(loud, ASSESSED, rules)
    assert alert.message_zh == "2026-08-20检查记录提及查封：厂区部分设备已被法院查封"


def test_a_positive_note_while_revenue_falls_and_a_negative_note_while_it_rises_both_fire():
    falling = evaluate(CASES["note_contradicts_decline"](), ASSESSED, load_rules(BUILTIN_RULES))
    rising = evaluate(CASES["source_contradiction"](), ASSESSED, load_rules(BUILTIN_RULES))
    assert "note_contradicts_decline" in {a.rule for a in falling} and "source_contradiction" not in {a.rule for a in falling}
    assert "source_contradiction" in {a.rule for a in rising} and "note_contradicts_decline" not in {a.rule for a in rising}
    small = sound_client(_with({(q(2026, 3), "revenue"): 200}))  # −8 % QoQ: under the 20 % the rule asks for
    assert "note_contradicts_decline" not in {a.rule for a in evaluate(small, ASSESSED, load_rules(BUILTIN_RULES))}
