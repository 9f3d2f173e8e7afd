"""``loanwatch status`` and ``loanwatch alerts`` through the real entry point, on the demo home.

Expected values are computed here from the store (facts, facilities), never copied from
the command's own output: the seed-story borrower must show its revenue decline, thin
headroom and warnings; the sound borrowers must stay quiet.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.test_demo import DEMO_DATE, run_cli

pytestmark = pytest.mark.slow

STORY = "鼎盛化纤制造有限公司"
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@pytest.fixture()
def snapshot(demo_store):
    """load(name) → the client's snapshot from the demo store (conftest's), as of the demo date."""
    from assistant.store import load_snapshot

    return lambda name: load_snapshot(demo_store, name, as_of=dt.date.fromisoformat(DEMO_DATE))


_CACHE: dict[tuple, object] = {}


def status_json(home, client, *extra):
    """The command's JSON (each distinct call runs once per session: the commands only read)."""
    key = ("status", str(home), client, *extra)
    if key not in _CACHE:
        _CACHE[key] = _status_json(home, client, *extra)
    return _CACHE[key]


def _status_json(home, client, *extra):
    out = run_cli("status", client, "--json", "--as-of", DEMO_DATE, "--no-record", *extra, home=home, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def alerts_json(home, *extra):
    key = ("alerts", str(home), *extra)
    if key not in _CACHE:
        _CACHE[key] = _alerts_json(home, *extra)
    return _CACHE[key]


def _alerts_json(home, *extra):
    out = run_cli("alerts", "--json", "--as-of", DEMO_DATE, *extra, home=home, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def _quarter(year: int, q: int):
    from assistant.domain import quarter_span

    return quarter_span(year, q)


# ---------------------------------------------------------------- the contract


def test_status_json_follows_the_contract(demo_home, snapshot):
    st = status_json(demo_home, "鼎盛化纤")
    assert list(st)[:1] == ["client"]
    for key in ("client", "period", "grade", "classification", "covenants", "alerts", "figures", "ratios"):
        assert key in st
    assert st["client"] == STORY and st["period"] == "2026Q3"
    assert st["grade"] in {"A", "B", "C", "D", "E", "NR"}
    assert st["classification"] in {"正常", "关注", "次级", "可疑", "损失"}
    assert st["classification_detail"]["suggestion"] is True and "建议" in st["classification_detail"]["label_zh"]
    for c in st["covenants"]:
        assert {"facility", "metric", "operator", "threshold", "value", "status", "headroom"} <= set(c)
    for a in st["alerts"]:
        assert {"client", "period", "rule", "severity", "message", "evidence"} <= set(a)
        assert all(set(e) >= {"document", "page"} for e in a["evidence"])
    for r in st["ratios"].values():
        assert {"value", "formula"} <= set(r)
    # figures: each value is the stored one, with its document and page (or the formula of a derived quarter)
    snap = snapshot(STORY)
    from assistant.periods import period_spans

    for key, f in st["figures"].items():
        assert {"value", "document", "page"} <= set(f)
        span = _point(f["period"]) if f["period"].count("-") == 2 else period_spans(f["period"])[0]
        fact = snap.facts.get(key, span)
        assert fact is not None, key
        assert (None if f["value"] is None else Decimal(str(f["value"]))) == fact.value, key
        assert f["document"] is not None or f.get("formula"), key
    assert st["figures"]["total_assets"]["document"] and st["figures"]["total_assets"]["page"]


def _point(label: str):
    from assistant.domain import Span

    return Span(dt.date.fromisoformat(label))


def test_alerts_json_follows_the_contract_and_is_sorted_by_severity(demo_home):
    rows = alerts_json(demo_home)
    assert rows, "the seed-story borrower must raise warnings"
    for a in rows:
        assert {"client", "period", "rule", "severity", "message", "evidence"} <= set(a)
    ranks = [SEVERITY_RANK[a["severity"]] for a in rows]
    assert ranks == sorted(ranks)
    high = alerts_json(demo_home, "--severity", "high")
    assert high and {a["severity"] for a in high} == {"high"}
    assert len(high) == sum(a["severity"] == "high" for a in rows)


# ---------------------------------------------------------------- the seed's story


def test_story_revenue_and_cash_flow_decline_raise_high_warnings(demo_home, snapshot):
    snap = snapshot(STORY)
    now, year_ago = _quarter(2026, 3), _quarter(2025, 3)
    revenue = snap.facts.value("revenue", now) / snap.facts.value("revenue", year_ago) - 1
    ocf = snap.facts.value("net_cash_operating", now) / snap.facts.value("net_cash_operating", year_ago) - 1
    assert revenue < Decimal("-0.25") and ocf < Decimal("-0.30")  # demand fell: sales and cash down a quarter or more

    st = status_json(demo_home, "鼎盛化纤")
    assert st["ratios"]["revenue_growth"]["value"] == pytest.approx(float(revenue), abs=1e-6)
    assert st["figures"]["revenue"]["value"] == pytest.approx(float(snap.facts.value("revenue", now)))
    rules = {a["rule"]: a for a in st["alerts"]}
    assert rules["revenue_decline"]["severity"] == "high" and rules["ocf_decline"]["severity"] == "high"
    assert f"{abs(revenue) * 100:.1f}%" in rules["revenue_decline"]["message"]
    assert st["grade"] not in {"A", "B"} and st["classification"] != "正常"


def test_story_covenant_headroom_is_thin_and_thinning(demo_home, snapshot):
    snap = snapshot(STORY)
    (facility,) = snap.facilities
    st = status_json(demo_home, "鼎盛化纤")
    by_metric = {c["metric"]: c for c in st["covenants"]}
    end = _point("2026-09-30")
    ratio = {
        "current_ratio": snap.facts.value("total_current_assets", end) / snap.facts.value("total_current_liabilities", end),
        "debt_to_assets": snap.facts.value("total_liabilities", end) / snap.facts.value("total_assets", end),
    }
    for cov in facility.covenants:
        if cov.metric not in ratio:
            continue
        value = ratio[cov.metric]
        room = (value - cov.threshold if cov.operator.startswith(">") else cov.threshold - value) / cov.threshold
        got = by_metric[cov.metric]
        assert got["status"] == "pass" and got["value"] == pytest.approx(float(value), abs=1e-6)
        assert got["headroom"] == pytest.approx(float(room), abs=1e-6) and room < Decimal("0.10")
        assert got["trend"] == "thinning"
    thin = [a for a in st["alerts"] if a["rule"] == "covenant_headroom_thin"]
    assert len(thin) == len(ratio)


def test_story_late_site_visit_reports_reduced_output(demo_home, snapshot):
    snap = snapshot(STORY)
    last = max(snap.notes, key=lambda n: n.visit_date)
    assert last.operating_status == "reduced" and "减产" in last.text and "停产" in last.text
    st = status_json(demo_home, "鼎盛化纤")
    (reduced,) = [a for a in st["alerts"] if a["rule"] == "operations_reduced"]
    assert reduced["evidence"][0]["document"] == last.document
    assert last.visit_date.isoformat() in reduced["message"]


def test_story_base_year_was_quiet(demo_home):
    st = status_json(demo_home, STORY, "--period", "2025Q3")
    assert st["period"] == "2025Q3"
    assert not {"revenue_decline", "ocf_decline", "covenant_headroom_thin"} & {a["rule"] for a in st["alerts"]}


# ---------------------------------------------------------------- sound borrowers stay quiet


def test_sound_borrowers_stay_quiet(demo_home, snapshot):
    from assistant.demo.portfolio import BORROWERS
    from assistant.status import client_status
    from assistant.store import open_store

    rows = alerts_json(demo_home)
    late = {b.name for b in BORROWERS if b.late_latest}  # sound, but its latest statements came late
    assert {a["client"] for a in rows} == {STORY} | late
    assert {a["rule"] for a in rows if a["client"] in late} == {"statements_late"}
    for b in BORROWERS:
        if b.story:
            continue
        snapshot(b.name)  # opens the demo store in this process
        st = client_status(open_store(), b.alias, as_of=dt.date.fromisoformat(DEMO_DATE))
        assert [a["rule"] for a in st["alerts"]] == (["statements_late"] if b.late_latest else []), b.name
        assert st["classification"] == "正常", b.name
        assert all(c["status"] == "pass" and c["headroom"] >= 0.10 for c in st["covenants"]), b.name
        snap = snapshot(b.name)
        growth = snap.facts.value("revenue", _quarter(2026, 3)) / snap.facts.value("revenue", _quarter(2025, 3)) - 1
        assert growth > 0, b.name


# ---------------------------------------------------------------- clients, periods, people


def test_short_names_and_near_spellings_resolve(demo_home, snapshot):
    from assistant.status import resolve_client
    from assistant.store import open_store

    snapshot(STORY)  # opens the demo store in this process
    with open_store().session() as s:
        assert resolve_client(s, "鼎盛").name == STORY
        assert resolve_client(s, "鼎盛化仟").name == STORY  # one character wrong
        assert resolve_client(s, "仁和医院PPP").name == "仁和医院投资建设有限公司"
    assert status_json(demo_home, "鼎盛")["client"] == STORY  # the same through the command


def test_unknown_or_ambiguous_client_exits_1_with_close_matches(demo_home):
    out = run_cli("status", "华", home=demo_home, timeout=120)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and out.stderr.startswith("loanwatch: ")
    assert "华信光伏电力有限公司" in out.stderr and "江华高速公路有限公司" in out.stderr
    out = run_cli("alerts", "--client", "不存在的公司", home=demo_home, timeout=120)
    assert out.returncode == 1 and out.stderr.count("\n") == 1


def test_a_period_with_no_figures_exits_1_naming_the_stored_ones(demo_home):
    out = run_cli("status", "华信光伏", "--period", "2019Q1", home=demo_home, timeout=120)
    assert out.returncode == 1 and "2019Q1" in out.stderr and "2026Q3" in out.stderr


def test_human_output_has_chinese_and_english_labels(demo_home):
    out = run_cli("status", "鼎盛化纤", "--as-of", DEMO_DATE, "--no-record", home=demo_home, timeout=120)
    assert out.returncode == 0, out.stderr
    for label in ("风险评级 grade", "Covenants", "预警 Warnings", "营业收入 Revenue", "建议分类"):
        assert label in out.stdout


def test_status_records_covenant_results_and_alerts_in_the_ledger(demo_home, snapshot):
    import sqlite3

    from assistant import ledger
    from assistant.status import record
    from assistant.store import open_store

    out = run_cli("status", "鼎盛化纤", "--json", "--as-of", DEMO_DATE, "--record", home=demo_home, timeout=120)
    assert out.returncode == 0, out.stderr  # the demo home has no users yet: recording runs as `setup`
    st = json.loads(out.stdout)
    snapshot(STORY)  # opens the demo store in this process
    assert record(open_store(), st)[1] == 0  # recording the same status again adds no alert
    db = sqlite3.connect(demo_home / "loanwatch.db")
    try:
        client_id = db.execute("select id from clients where name = ?", (STORY,)).fetchone()[0]
        alerts = db.execute("select rule from alerts where client_id = ? and period = '2026Q3'", (client_id,)).fetchall()
        results = db.execute("select count(*) from covenant_results r join covenants c on c.id = r.covenant_id "
                             "join facilities f on f.id = c.facility_id where f.client_id = ? and r.period = '2026Q3'",
                             (client_id,)).fetchone()[0]
    finally:
        db.close()
    assert sorted(r for (r,) in alerts) == sorted(a["rule"] for a in st["alerts"])  # recorded once, not twice
    assert results == len(st["covenants"])
    with open_store().session() as s:
        assert ledger.verify(s) == []
