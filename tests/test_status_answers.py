"""Status questions in chat over the demo portfolio (built once per session through ``loanwatch demo``).

"How is X doing?" is answered as a briefing: grade and suggested classification, covenants
(thin or breached first), warnings (most severe first), year-on-year changes, the last
inspection, each with documents and pages. Expected content is computed here from the
stored snapshot through ``assistant.analytics``, not written out as fixed text. Clients
may be described by industry ("the toll road", 光伏项目) among the caller's visible clients.
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_UP, Decimal

import pytest


def _snapshot(store, ref: str):
    from assistant.store import load_snapshot
    from assistant.store.repo import get_client

    with store.session() as s:
        client_id = get_client(s, ref).id
    return load_snapshot(store, client_id)


def _assessed(store, ref: str):
    from assistant.analytics.assessment import assess
    from assistant.chat.portfolio import latest_span

    snap = _snapshot(store, ref)
    return snap, assess(snap, latest_span(snap))


def _pct(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):+}%"


def test_how_is_the_declining_borrower_doing_is_a_cited_briefing_in_chinese(demo_store):
    from assistant.chat.service import ask

    snap, a = _assessed(demo_store, "鼎盛化纤")
    out = ask("鼎盛化纤的经营情况怎么样？")
    text = out.answer
    assert out.value is None and snap.client.name in text
    assert f"风险评级 {a.grade.letter}（{a.grade.points}/{a.grade.max_points}分）" in text
    assert f"五级分类建议：{a.classification.category}" in text and "供客户经理参考" in text
    thin = [r for r in a.covenants if r.thin or r.status == "breach"]
    assert thin, "the seed story has covenants with thin headroom"
    fine = [r for r in a.covenants if r not in thin]
    parts = next(line for line in text.splitlines() if "契约：" in line).split("；")
    place = {id(r): next(i for i, part in enumerate(parts) if lx_zh(r.covenant.metric) in part) for r in a.covenants}
    assert max(place[id(r)] for r in thin) < min((place[id(r)] for r in fine), default=len(parts))
    for r in thin:  # thin or breached covenants come first, with their headroom
        assert f"余量{r.headroom:.1%}" in parts[place[id(r)]]
    positions = [text.index(x.message_zh) for x in a.alerts]
    severities = [x.severity for x in a.alerts]
    assert [s for _, s in sorted(zip(positions, severities))] == sorted(severities, key=["high", "medium", "low"].index)
    q3, q3_ly = a.span, a.span.same_span_last_year()
    now, before = snap.facts.get("revenue", q3).value, snap.facts.get("revenue", q3_ly).value
    assert f"营业收入 {now:,}" in text or f"营业收入 {now.quantize(Decimal('0.01')):,}" in text
    assert "同比" + _pct((now - before) / abs(before) * 100) in text
    ocf_now, ocf_before = snap.facts.get("net_cash_operating", q3).value, snap.facts.get("net_cash_operating", q3_ly).value
    assert _pct((ocf_now - ocf_before) / abs(ocf_before) * 100) in text
    visit = max(n.visit_date for n in snap.notes if n.visit_date is not None)
    assert f"最近一次现场检查：{visit.isoformat()}" in text and "减产或部分停工" in text
    cited = {(c.document, c.page) for c in out.citations}
    assert any(d.startswith("鼎盛化纤现场检查记录") for d, _ in cited)
    assert any("财务报表" in d for d, _ in cited) and all(d.startswith("鼎盛化纤") for d, _ in cited)
    assert out.understood["intent"] == "status"


def lx_zh(metric: str) -> str:
    from assistant.chat import lexicon as lx

    return lx.display_name(metric, "zh")


def test_the_toll_road_described_in_english_gets_an_english_briefing(demo_store):
    from assistant.chat.service import ask

    snap, a = _assessed(demo_store, "江华高速")
    out = ask("How is the toll road doing?")
    assert out.value is None and out.answer.startswith(snap.client.name)
    assert f"Risk grade {a.grade.letter} ({a.grade.points}/{a.grade.max_points} points)" in out.answer
    assert "Suggestion for the officer" in out.answer and "Covenants:" in out.answer
    assert "风险评级" not in out.answer and "year on year" in out.answer and "Last inspection" in out.answer
    assert out.citations and all(c.document.startswith("江华高速") for c in out.citations)


@pytest.mark.parametrize("question, ref", [
    ("Is the solar farm still sound?", "华信光伏"),
    ("光伏项目的风险状况", "华信光伏"),
    ("How is the wastewater plant doing?", "清源水务"),
    ("How is the hospital PPP doing?", "仁和医院PPP"),
    ("How is Huaxin Solar doing?", "华信光伏"),  # the demo's English alias
    ("Is Jincheng Property still sound?", "锦程置业"),
])
def test_described_and_english_named_clients_are_resolved(demo_store, question, ref):
    from assistant.chat.service import ask

    name = _snapshot(demo_store, ref).client.name
    out = ask(question)
    assert out.understood["company"] == name and out.answer.startswith(name) and not out.missing


def test_a_description_is_read_among_visible_clients_only(demo_store):
    from assistant.chat.service import ask

    out = ask("How is the toll road doing?", user="张伟")  # 张伟 looks after 华信光伏 only
    assert "江华" not in out.answer and not out.citations and out.missing == ["company"]
    assert ask("How is the solar farm doing?", user="张伟").answer.startswith("华信光伏")


def test_two_clients_fitting_a_description_are_listed_and_asked_about(demo_store):
    from assistant.chat.builtin import SnapshotSource
    from assistant.chat.service import answer_with

    toll = _snapshot(demo_store, "江华高速")
    other = dataclasses.replace(_snapshot(demo_store, "华信光伏"))
    other.client = dataclasses.replace(other.client, industry="高速公路")
    out = answer_with("收费公路那家怎么样？", SnapshotSource([toll, other]))
    assert toll.client.name in out.answer and other.client.name in out.answer and "哪一家" in out.answer
    assert out.value is None and out.missing == ["company"] and not out.citations


def test_the_briefing_agrees_with_loanwatch_status_for_every_demo_client(demo_store):
    from assistant.chat.service import ask
    from assistant.demo.portfolio import BORROWERS
    from assistant.status import client_status

    for b in BORROWERS:
        st = client_status(demo_store, b.alias)
        text = ask(f"{b.alias}的经营情况怎么样？").answer
        assert f"风险评级 {st['grade']}（" in text and f"五级分类建议：{st['classification']}" in text, b.alias
        assert sum(text.count(f"[{s}]") for s in "高中低") == len(st["alerts"]), b.alias
        assert all(a["message"] in text for a in st["alerts"]), b.alias


def test_collateral_and_guarantees_come_from_the_facility_records_with_cover_and_stale_valuations(demo_store):
    from assistant.analytics.book import STALE_VALUATION_DAYS, exposures
    from assistant.chat.service import ask

    snap = _snapshot(demo_store, "鼎盛化纤")
    [exposure] = exposures(snap)
    [collateral] = [x for x in exposure.securities if x.kind == "collateral"]
    [guarantee] = [x for x in exposure.securities if x.kind == "guarantee"]
    a = ask("鼎盛化纤有哪些担保和抵押？", engine="builtin", store=demo_store)
    assert a.understood["intent"] == "status" and a.citations == []  # facility records, not a document page
    text = a.answer
    assert collateral.description in text and f"{collateral.value:,}" in text and guarantee.provider in text
    pct = (exposure.coverage * 100).quantize(Decimal("0.1"))
    assert f"覆盖敞口 {pct}%" in text
    stale = (snap.as_of - collateral.valuation_date).days > STALE_VALUATION_DAYS
    assert ("已超过一年" in text) is stale  # said exactly when the valuation is more than a year old
    en = ask("What collateral and guarantees does Huaxin Solar have?", engine="builtin", store=demo_store).answer
    huaxin = exposures(_snapshot(demo_store, "华信光伏"))[0]
    assert en.startswith("Collateral and guarantees of") and f"{(huaxin.coverage * 100).quantize(Decimal('0.1'))}%" in en


def test_maturity_arrears_and_limit_come_from_the_facility_records(demo_store):
    from assistant.analytics.book import exposures
    from assistant.chat.service import ask

    for ref in ("鼎盛化纤", "华信光伏"):
        [e] = exposures(_snapshot(demo_store, ref))
        overdue = ask(f"{ref}有没有逾期？", engine="builtin", store=demo_store).answer
        first = overdue.splitlines()[0]
        if e.days_past_due:  # the lead sentence answers the question asked, from analytics.book
            assert f"逾期 {e.days_past_due} 天" in first and f"{e.overdue_amount:,}" in first
        else:
            assert "没有逾期" in first
        maturity = ask(f"{ref}的贷款什么时候到期？", engine="builtin", store=demo_store).answer
        assert maturity.splitlines()[0].startswith(f"{e.facility}到期日 {e.maturity.isoformat()}")
        limit = ask(f"{ref}的授信额度是多少？", engine="builtin", store=demo_store).answer
        assert f"额度 人民币{e.limit:,}元" in limit and "来源：贷款台账及还款计划" in limit
    assert any(e.days_past_due for e in exposures(_snapshot(demo_store, "鼎盛化纤")))  # the demo's late payer is covered
