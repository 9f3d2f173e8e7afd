"""Portfolio answers: question kinds, the cached client rows and their invalidation, and answers
over the demo portfolio (who needs attention, thin headroom, exit and support candidates,
rankings, exposure, several clients side by side, a metric over quarters).

Expected content is computed here from the stored snapshots through ``assistant.analytics``
(or the facility records), not written out as fixed text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest

from tests.checkers import confirm_corrections

# ---------------------------------------------------------------- understanding (no store)

def _clients():
    from assistant.chat.understand import ClientName

    return [ClientName(1, "华信光伏电力有限公司", ("华信光伏", "Huaxin Solar"), "光伏发电"),
            ClientName(2, "江华高速公路有限公司", ("江华高速", "Jianghua Expressway"), "收费公路"),
            ClientName(3, "清源水务环保有限公司", ("清源水务", "Qingyuan Water"), "污水处理"),
            ClientName(4, "鼎盛化纤制造有限公司", ("鼎盛化纤", "Dingsheng Chemical Fibre"), "化纤制造")]


@pytest.mark.parametrize("question, kind", [
    ("哪些客户需要重点关注？", "attention"),
    ("Who needs attention?", "attention"),
    ("哪些客户的约束条款余量不足？", "headroom"),
    ("Which of my clients breached a covenant?", "breach"),
    ("哪些客户应该考虑退出？", "exit"),
    ("Which clients should we support?", "support"),
    ("资产负债率最高的三家客户", "rank"),
    ("敞口最大的客户是哪家？", "exposure"),
    ("Exposure by industry", "exposure"),
    ("未来30天内哪些客户有还款到期？", "due"),
    ("比较华信光伏和江华高速", "compare"),
    ("清源水务二季度和三季度的资产负债率对比", "trend"),
    ("鼎盛化纤近四个季度经营现金流趋势", "trend"),
    ("江华高速的DSCR趋势如何?", "trend"),
])
def test_portfolio_question_kinds(question, kind):
    from assistant.chat.understand import understand

    p = understand(question, _clients())
    assert p.intent == "portfolio" and p.portfolio.kind == kind


def test_a_single_figure_question_stays_a_figure_question():
    from assistant.chat.understand import understand

    # 前三季度 is the year to date (January to September), never "the previous three quarters"
    for q in ("江华高速2026年第三季度营业收入是多少元?", "鼎盛化纤2026年三季度末的流动比率是多少?",
              "江华高速2026年前三季度营业收入是多少", "清源水务母公司2026年前三个季度的净利润是多少"):
        assert understand(q, _clients()).intent == "figure", q


def test_a_company_that_is_not_a_client_is_never_read_as_a_book_question():
    """Regression: 长虹华意压缩机 held 压缩 (an exit word) and was answered with the exit candidates."""
    from assistant.chat.understand import understand

    for q in ("长虹华意压缩机股份有限公司2019年的研发人员占职工人数的比例是多少？", "贵州茅台的营业收入最高是多少"):
        p = understand(q, _clients())
        assert p.intent == "figure" and p.company is not None and p.company.client_id is None


def test_trend_reads_the_count_and_named_quarters():
    from assistant.chat.understand import understand

    p = understand("鼎盛化纤近四个季度经营现金流趋势", _clients())
    assert p.portfolio.n == 4 and p.portfolio.metric == "net_cash_operating" and p.portfolio.clients == (4,)
    p = understand("清源水务2026年二季度和三季度的资产负债率对比", _clients())
    assert p.portfolio.quarters == ((2026, 2), (None, 3))
    p = understand("Compare Huaxin Solar, Jianghua Expressway and Qingyuan Water on current ratio", _clients())
    assert p.portfolio.kind == "compare" and p.portfolio.clients == (1, 2, 3)


# ---------------------------------------------------------------- the cached rows


def _statement(end: dt.date, revenue: Decimal, assets: Decimal):
    from extractors.models import Column, LineItem, Statement

    start = dt.date(end.year, end.month - 2, 1)
    bs = Statement(kind="balance_sheet", columns=[Column(period_end=end, label="期末余额")], pages=[1], items=[
        LineItem(key="total_assets", label="资产总计", values=[assets], page=1),
        LineItem(key="total_liabilities", label="负债合计", values=[assets / 2], page=1),
        LineItem(key="total_current_assets", label="流动资产合计", values=[assets / 3], page=1),
        LineItem(key="total_current_liabilities", label="流动负债合计", values=[assets / 5], page=1)])
    inc = Statement(kind="income_statement", columns=[Column(period_start=start, period_end=end, label="本期金额")], pages=[2],
                    items=[LineItem(key="revenue", label="营业收入", values=[revenue], page=2),
                           LineItem(key="net_profit", label="净利润", values=[revenue / 10], page=2)])
    return [bs, inc]


def _store_quarter(s, client, end: dt.date, revenue: Decimal, assets: Decimal) -> None:
    from assistant.store import repo
    from extractors.models import ExtractionResult

    name = f"{client.name}{end.isoformat()}.pdf"
    sha = hashlib.sha256(name.encode()).hexdigest()
    repo.store_document(s, client, sha256=sha, kind="statement", name=name, stored_path="-", pages=2,
                        received=end + dt.timedelta(days=20),
                        extraction=ExtractionResult(file=name, sha256=sha, pages=2, company=client.name,
                                                    statements=_statement(end, revenue, assets)), actor="test")


@pytest.fixture()
def small_store(tmp_path, monkeypatch):
    from assistant.config import reset_settings
    from assistant.store import close_stores, open_store, repo

    monkeypatch.setenv("LOANWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOANWATCH_TODAY", "2026-11-15")
    monkeypatch.delenv("LOANWATCH_DB_URL", raising=False)
    reset_settings()
    close_stores()
    store = open_store()
    with store.transaction() as s:
        for i, name in enumerate(("甲公司有限公司", "乙公司有限公司", "丙公司有限公司")):
            c = repo.add_client(s, name, aliases=[name[:3]], industry="制造", actor="test")
            _store_quarter(s, c, dt.date(2026, 6, 30), Decimal(100_000_000 + i), Decimal(1_000_000_000))
            _store_quarter(s, c, dt.date(2026, 9, 30), Decimal(120_000_000 + i), Decimal(1_000_000_000))
    yield store
    close_stores()
    reset_settings()


def test_rows_are_built_once_and_rebuilt_only_for_the_client_whose_data_changed(small_store):
    from assistant.chat.board import Board
    from assistant.store import repo

    board = Board()
    with small_store.session() as s:
        ids = {c.name: c.id for c in repo.list_clients(s)}
    rows = board.rows(small_store, frozenset(ids.values()))
    assert board.built == 3 and rows[ids["乙公司有限公司"]].figures["revenue"].value == Decimal(120_000_001)
    board.rows(small_store, frozenset(ids.values()))
    assert board.built == 3  # nothing changed: nothing rebuilt

    with small_store.transaction() as s:  # an officer's correction of one client's figure: pending, rebuilt, not applied
        repo.set_figure(s, repo.get_client(s, "乙公司有限公司"), "2026Q3", "revenue", Decimal(99), reason="typo", by="zhang")
    rows = board.rows(small_store, frozenset(ids.values()))
    assert board.built == 4 and rows[ids["乙公司有限公司"]].figures["revenue"].value == Decimal(120_000_001)
    confirm_corrections(small_store)  # a second person confirms it: that client's row again, now with the value
    rows = board.rows(small_store, frozenset(ids.values()))
    assert board.built == 5 and rows[ids["乙公司有限公司"]].figures["revenue"].value == Decimal(99)
    assert rows[ids["甲公司有限公司"]].figures["revenue"].value == Decimal(120_000_000)

    with small_store.transaction() as s:  # a new statement for another client: its latest quarter moves
        _store_quarter(s, repo.get_client(s, "丙公司有限公司"), dt.date(2026, 12, 31), Decimal(7), Decimal(2_000_000_000))
    rows = board.rows(small_store, frozenset(ids.values()))
    assert board.built == 6 and rows[ids["丙公司有限公司"]].period == "2026Q4"
    assert rows[ids["丙公司有限公司"]].figures["revenue"].value == Decimal(7)

    with small_store.transaction() as s:  # an alert recorded is an output, not an input: no rebuild
        repo.add_alert(s, ids["甲公司有限公司"], "2026Q3", "revenue_decline", "high", "test", [], actor="test")
    board.rows(small_store, frozenset(ids.values()))
    assert board.built == 6


def test_a_new_facility_changes_the_exposure_answer(small_store):
    from assistant.chat.service import ask
    from assistant.domain import Facility, Repayment
    from assistant.store import repo

    before = ask("敞口最大的客户是哪家？", store=small_store)
    assert not [i for i in before.items if not i.get("unknown")]  # no facility recorded: none listed as exposure
    with small_store.transaction() as s:
        fac = Facility(name="流动资金贷款", amount=Decimal(50_000_000), drawn=Decimal(40_000_000), schedule=[
            Repayment(dt.date(2026, 6, 20), Decimal(10_000_000), Decimal(500_000), dt.date(2026, 6, 20), Decimal(10_500_000)),
            Repayment(dt.date(2026, 12, 20), Decimal(30_000_000), Decimal(500_000))])
        repo.upsert_facility(s, repo.get_client(s, "乙公司有限公司"), fac, actor="test")
    after = ask("敞口最大的客户是哪家？", store=small_store)
    listed = [i for i in after.items if not i.get("unknown")]
    assert [i["client"] for i in listed] == ["乙公司有限公司"] and after.value == Decimal(30_000_000)  # 40m drawn − 10m repaid


# ---------------------------------------------------------------- over the demo portfolio


def _rows(store):
    from assistant.chat.board import client_row
    from assistant.store import load_snapshots
    from assistant.store.repo import list_clients

    with store.session() as s:
        ids = [c.id for c in list_clients(s)]
    return {r.name: r for r in (client_row(sn) for sn in load_snapshots(store, ids).values())}


def test_attention_is_ordered_by_severity_with_reasons_and_sources(demo_store):
    from assistant.chat.portfolio_answers import needs_attention, severity_key
    from assistant.chat.service import ask

    rows = _rows(demo_store)
    want = [r.name for r in sorted((r for r in rows.values() if needs_attention(r)), key=severity_key)]
    assert want  # the demo's declining borrower at least
    out = ask("哪些客户需要重点关注？")
    assert [i["client"] for i in out.items if not i.get("unknown")] == want
    first = rows[want[0]]
    assert first.category in out.answer and out.citations
    for c in first.covenants:
        if c.thin:
            assert f"{c.value:.3f}" in out.answer  # the covenant's value, as measured


def test_headroom_lists_thin_covenants_with_their_figures(demo_store):
    from assistant.chat.service import ask

    rows = _rows(demo_store)
    thin = {(r.name, c.covenant.metric) for r in rows.values() for c in r.covenants if c.thin or c.status == "breach"}
    out = ask("Which clients have thin covenant headroom?")
    assert {(i["client"], i["metric"]) for i in out.items if not i.get("unknown")} == thin
    for i in out.items:
        if not i.get("unknown"):
            assert f"{i['headroom'] * 100:.1f}%" in out.answer


def test_trend_gives_each_quarter_with_a_chart_and_sources(demo_store):
    from assistant.chat.builtin import metric_value
    from assistant.chat.service import ask
    from assistant.domain import quarter_span
    from tests.test_status_answers import _snapshot

    out = ask("鼎盛化纤近四个季度经营现金流趋势")
    snap = _snapshot(demo_store, "鼎盛化纤")
    assert len(out.items) == 4 and out.chart["series"][0]["name"] == snap.client.name
    for item in out.items:
        year, q = int(item["period"][:4]), int(item["period"][-1])
        assert item["value"] == metric_value(snap, "net_cash_operating", quarter_span(year, q), True).value
    assert out.citations and all(c.page for c in out.citations)


def test_two_named_quarters_and_a_covenant_line(demo_store):
    from assistant.chat.service import ask

    out = ask("清源水务二季度和三季度的资产负债率对比")
    assert [i["period"][-2:] for i in out.items] == ["Q2", "Q3"]
    assert out.chart["threshold"] is not None and "贷款约定" in out.answer and "total_liabilities / total_assets" in out.answer


def test_compare_lists_every_named_client(demo_store):
    from assistant.chat.service import ask

    out = ask("比较华信光伏和江华高速")
    assert {i["client"] for i in out.items} == {"华信光伏电力有限公司", "江华高速公路有限公司"}
    assert "评级" in out.answer and out.citations


def test_exposure_is_the_schedule_s_unpaid_principal(demo_store):
    from assistant.chat.service import ask
    from tests.test_status_answers import _snapshot

    snap = _snapshot(demo_store, "江华高速")
    fac = snap.facilities[0]
    repaid = sum((p.principal for p in fac.schedule if p.paid_on is not None and p.paid_on <= snap.as_of), Decimal(0))
    out = ask("江华高速的贷款余额是多少？")
    assert out.value == (fac.drawn or fac.amount) - repaid


def test_a_client_with_no_figures_is_listed_as_such_never_as_passing(demo_store):
    from assistant.chat.builtin import SnapshotSource
    from assistant.chat.service import answer_with
    from assistant.domain import ClientProfile, ClientSnapshot
    from assistant.store import load_snapshots
    from assistant.store.repo import list_clients

    with demo_store.session() as s:
        ids = [c.id for c in list_clients(s)]
    snaps = list(load_snapshots(demo_store, ids).values())
    empty = ClientSnapshot(ClientProfile(999, "空白新客户有限公司", ["空白新客户"], "制造"), as_of=snaps[0].as_of)
    source = SnapshotSource(snaps + [empty])
    for q in ("Which clients should we support?", "哪些客户的约束条款余量不足？", "流动比率最高的三家客户"):
        out = answer_with(q, source)
        listed = {i["client"] for i in out.items if not i.get("unknown")}
        assert "空白新客户有限公司" not in listed
        assert "空白新客户有限公司" in out.answer  # named among those that cannot be assessed


def test_only_visible_clients_are_answered(demo_store):
    from assistant.chat.service import ask
    from assistant.store.repo import get_client

    with demo_store.session() as s:
        mine = {get_client(s, "华信光伏").id, get_client(s, "鼎盛化纤").id}
    out = ask("Rank clients by current ratio", client_ids=mine)
    assert {i["client"] for i in out.items} == {"华信光伏电力有限公司", "鼎盛化纤制造有限公司"}
    out = ask("Exposure by industry", client_ids=mine)
    assert {c for g in out.items for c in g.get("clients", [])} == {"华信光伏电力有限公司", "鼎盛化纤制造有限公司"}


def test_the_app_draws_a_trend_answer_with_a_legend_and_the_covenant_line(demo_store):
    from assistant.chat.service import ask
    from ui.charts import answer_chart

    out = ask("江华高速的DSCR趋势如何?")
    fig = answer_chart(out.chart, "zh")
    names = [t.name for t in fig.data]
    assert names[0] == "江华高速公路有限公司" and any(n.startswith("约束 >=") for n in names)
    assert fig.layout.showlegend and len(fig.data[0].x) == len(out.items)
    assert [float(v) for v in fig.data[0].y] == [float(i["value"]) for i in out.items]


@pytest.mark.parametrize("question", ["哪些客户的流动比率低于1.5?", "Which clients have a debt-to-assets ratio above 45%?",
                                      "哪些客户的营业收入低于2亿?", "哪些客户的偿债备付率低于2?", "哪些客户有预警?",
                                      "哪些客户违反了契约?"])
def test_the_cached_rows_answer_exactly_as_the_snapshots_do(demo_store, question):
    """Threshold, warning and breach questions read the cached rows when no period is named: same answer as before."""
    from assistant.chat import portfolio as P
    from assistant.chat.service import scoped_source
    from assistant.chat.understand import understand

    source = scoped_source()
    p = understand(question, source.clients())
    snaps = [source.snapshot(c.id) for c in source.clients()]
    by_snapshots = {"threshold": P._threshold, "warnings": P._warnings, "breach": P._breaches}[p.portfolio.kind](p, snaps)
    assert P.answer_portfolio(p, source).answer == by_snapshots.answer


def test_editing_the_rules_file_rebuilds_every_row(small_store, tmp_path, monkeypatch):
    from assistant.analytics.warnings import BUILTIN_RULES
    from assistant.chat.board import Board
    from assistant.config import reset_settings
    from assistant.store import repo

    rules = tmp_path / "rules.yaml"
    rules.write_text(BUILTIN_RULES.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_RULES_FILE", str(rules))
    reset_settings()
    board = Board()
    with small_store.session() as s:
        ids = frozenset(c.id for c in repo.list_clients(s))
    board.rows(small_store, ids)
    assert board.built == 3
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# the bank's own edit\n", encoding="utf-8")
    board.rows(small_store, ids)
    assert board.built == 6
