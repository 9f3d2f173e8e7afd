"""Statements flagged for review: stored, shown, kept out of decisions until a second person confirms.

Also: parent-company questions answer from the parent's own statements (or say none is
stored), and the issuer's printed short names become client aliases.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from assistant import ledger
from assistant.access import add_user
from assistant.domain import Covenant, Facility, Span
from assistant.errors import AccessDeniedError, ConfigError, NotFoundError
from assistant.ingest import ingest
from assistant.review import confirm, flagged
from assistant.status import client_status
from assistant.store import close_stores, load_snapshot, open_store, repo
from tests.checkers import confirm_corrections

END = dt.date(2026, 9, 30)
COMPANY = "示例能源股份有限公司"
COVER = ["证券代码：600999    证券简称：示例能源", f"{COMPANY} 2026年第三季度报告"]


@pytest.fixture()
def store(home):
    st = open_store()
    yield st
    close_stores()


def _report(path: Path, *, planted: bool, layout: str = "listed_notes", cover: list[str] | None = None,
            company: str = COMPANY) -> Path:
    """A generated quarterly report; ``planted``: total assets printed 1,000,000 too high (identity fails)."""
    from assistant.demo import StatementSpec, render_pdf

    spec = StatementSpec(company=company, period_end=END, layout=layout, seed=3)
    spec.make_figures()
    if planted:
        spec.figures[("consolidated", "balance_sheet")][0]["total_assets"] += Decimal(1_000_000)
    render_pdf(spec, path, cover=cover)
    return path


def _users(store, client: str) -> None:
    with store.transaction() as s:
        add_user(s, "maker", "officer", "maker-password-1", clients=[client])
        add_user(s, "checker", "reviewer", "checker-password-1")


def _cli(*args: str) -> int:
    """Run the real entry point in this process; its exit status (typer exits 0 after a command)."""
    from assistant.cli import main

    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _covenant(store, client: str) -> None:
    with store.transaction() as s:
        repo.upsert_facility(s, repo.get_client(s, client), Facility(
            name="流贷", amount=Decimal(10_000_000), covenants=[Covenant("debt_to_assets", "<=", Decimal("0.70"))]))


def _flagged_client(store, tmp_path) -> str:
    """The planted report ingested by ``maker`` (the client's officer); ``checker`` is a reviewer."""
    (r,) = ingest([_report(tmp_path / "planted.pdf", planted=True, cover=COVER)], store=store, index=False,
                  actor="maker").results
    assert r.status == "stored", r.reason
    _users(store, r.client)
    _covenant(store, r.client)
    return r.client


def _english(store, client: str) -> str:
    with store.transaction() as s:
        repo.update_client(s, repo.get_client(s, client), aliases=["Sample Energy"])
    return "Sample Energy"


# ---------------------------------------------------------------- flagged at ingest, shown everywhere


def test_a_statement_with_a_planted_problem_is_flagged_and_its_figures_unconfirmed(store, tmp_path):
    client = _flagged_client(store, tmp_path)
    (r,) = ingest([_report(tmp_path / "again.pdf", planted=True, cover=COVER + ["（重报）"])], store=store,
                  index=False, actor="maker").results
    assert len(r.flagged) == 1 and r.flagged[0].startswith("balance_sheet: ")
    assert "total assets" in r.flagged[0] and "FLAGGED FOR REVIEW" in r.line()
    rows = flagged(store)
    assert {(f.kind, f.client) for f in rows} == {("balance_sheet", client)} and len(rows) == 2
    assert all(f.uploaded_by == "maker" and f.warnings for f in rows)
    snap = load_snapshot(store, client)
    assert snap.facts.get("total_assets", Span(END)).unconfirmed
    assert snap.facts.get("revenue", next(s for s in snap.facts.spans(points=False) if s.end == END)).unconfirmed is None


def test_a_clean_report_is_not_flagged(store, tmp_path):
    (r,) = ingest([_report(tmp_path / "clean.pdf", planted=False, cover=COVER)], store=store, index=False).results
    assert r.status == "stored" and r.flagged == [] and "FLAGGED" not in r.line()
    assert flagged(store) == []
    assert all(f.unconfirmed is None for f in load_snapshot(store, r.client).facts)


def test_status_shows_the_flag_and_tests_the_covenant_as_unconfirmed(store, tmp_path):
    client = _flagged_client(store, tmp_path)
    st = client_status(store, client)
    (cov,) = st["covenants"]
    assert cov["status"] == "unconfirmed" and cov["value"] is not None  # measured, shown, not decided
    assert "flagged for review" in cov["reason"]
    assert st["figures"]["total_assets"]["unconfirmed"]
    assert "unconfirmed" not in st["figures"].get("revenue", {})
    assert [f["kind"] for f in st["review"]["flagged"]] == ["balance_sheet"]
    assert st["ratios"]["debt_to_assets"]["unconfirmed"]
    assert any("flagged for review" in reason for reason in st["grade_detail"]["reasons"])
    assert any("flagged for review" in reason for reason in st["classification_detail"]["reasons"])
    factor = next(x for x in st["grade_detail"]["reasons"] if x.startswith("debt_to_assets:"))
    assert "not measured" in factor and "unconfirmed" in factor
    for key in ("client", "period", "grade", "classification", "covenants", "alerts", "figures", "ratios"):
        assert key in st  # CONTRACT.md's fields are all still there


def test_status_cli_text_and_json_show_the_flag(store, tmp_path, capsys):
    client = _flagged_client(store, tmp_path)
    assert _cli("status", client, "--json", "--no-record") == 0
    st = json.loads(capsys.readouterr().out)
    assert st["review"]["flagged"] and st["covenants"][0]["status"] == "unconfirmed"
    assert _cli("status", client, "--no-record") == 0
    out = capsys.readouterr().out
    assert "FLAGGED FOR REVIEW" in out and "unconfirmed" in out


# ---------------------------------------------------------------- confirmation: four eyes, ledger


def test_the_uploader_cannot_confirm_and_a_second_user_releases_the_figures(store, tmp_path):
    client = _flagged_client(store, tmp_path)
    (f,) = flagged(store)
    with pytest.raises(AccessDeniedError, match="second person"):
        confirm(store, f"S{f.statement_id}", by="maker", reason="checked")
    with pytest.raises(NotFoundError):
        confirm(store, f"S{f.statement_id}", by="nobody", reason="checked")
    with pytest.raises(ConfigError):
        confirm(store, f"S{f.statement_id}", by="checker", reason="  ")
    (row,) = confirm(store, f"D{f.document_id}", by="checker", reason="total assets checked on the page")
    assert (row.confirmed_by, row.uploaded_by, row.statement_id) == ("checker", "maker", f.statement_id)
    assert flagged(store) == []
    st = client_status(store, client)
    assert st["covenants"][0]["status"] == "pass" and st["review"]["flagged"] == []
    assert "unconfirmed" not in st["figures"]["total_assets"]
    with store.session() as s:
        entry = ledger.head(s)
        assert (entry.action, entry.actor, entry.entity) == ("statement.confirm", "checker", "statement_review")
        assert ledger.verify(s) == []
    with pytest.raises(ConfigError, match="nothing flagged"):
        confirm(store, f"S{f.statement_id}", by="checker", reason="again")


def test_an_officer_of_another_client_cannot_confirm(store, tmp_path):
    _flagged_client(store, tmp_path)
    with store.transaction() as s:
        repo.add_client(s, "其他客户有限公司")
        add_user(s, "stranger", "officer", "stranger-password", clients=["其他客户有限公司"])
    (f,) = flagged(store)
    with pytest.raises(AccessDeniedError):
        confirm(store, f"S{f.statement_id}", by="stranger", reason="checked")


def test_review_cli_lists_and_confirms(store, tmp_path, capsys, monkeypatch):
    _flagged_client(store, tmp_path)
    assert _cli("review", "list", "--json") == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["ref"] == f"S{item['statement_id']}" and item["uploaded_by"] == "maker" and item["warnings"]
    assert _cli("review", "list") == 0
    assert "1 statement(s) flagged for review" in capsys.readouterr().out
    monkeypatch.setenv("LOANWATCH_PASSWORD", "maker-password-1")
    assert _cli("review", "confirm", item["ref"], "--as", "maker", "--reason", "mine") == 1
    assert "second person" in capsys.readouterr().err
    assert _cli("review", "confirm", item["ref"], "--by", "checker", "--reason", "checked p.2") == 1  # maker's password
    assert "unknown user or wrong password for 'checker'" in capsys.readouterr().err
    monkeypatch.setenv("LOANWATCH_PASSWORD", "checker-password-1")
    assert _cli("review", "confirm", item["ref"], "--by", "checker", "--reason", "checked p.2") == 0  # --by: deprecated alias
    assert "confirmed by checker (ingested by maker)" in capsys.readouterr().out
    assert _cli("review", "list") == 0
    assert "nothing flagged for review" in capsys.readouterr().out


def test_a_correction_releases_that_figure_only(store, tmp_path):
    client = _flagged_client(store, tmp_path)
    snap = load_snapshot(store, client)
    right = snap.facts.value("total_assets", Span(END)) - Decimal(1_000_000)
    with store.transaction() as s:
        repo.set_figure(s, repo.get_client(s, client), END.isoformat(), "total_assets", right,
                        reason="p.2 total assets misprinted; equals liabilities + equity", by="maker")
    assert load_snapshot(store, client).facts.get("total_assets", Span(END)).unconfirmed  # pending: releases nothing yet
    confirm_corrections(store, "checker")
    snap = load_snapshot(store, client)
    assert snap.facts.get("total_assets", Span(END)).unconfirmed is None
    assert snap.facts.get("total_liabilities", Span(END)).unconfirmed  # the rest of the statement still waits


# ---------------------------------------------------------------- answers, warnings, memo


def test_an_answer_quotes_an_unconfirmed_value_with_the_reason(store, tmp_path):
    from assistant.chat.service import ask

    client = _flagged_client(store, tmp_path)
    a = ask(f"{client}2026年9月30日的资产总计是多少", store=store)
    assert a.value is not None and a.unconfirmed
    assert "未确认" in a.answer and "待复核" in a.answer and "total assets" in a.answer
    en = ask(f"What were {_english(store, client)}'s total assets as of September 30, 2026?", store=store)
    assert "unconfirmed — flagged for review" in en.answer
    clean = ask(f"{client}2026年前三季度营业收入是多少", store=store)
    assert clean.value is not None and clean.unconfirmed == [] and "未确认" not in clean.answer


def test_a_warning_on_unconfirmed_figures_is_marked_and_not_counted():
    from assistant.analytics.scorecard import _warning_factor
    from assistant.analytics.warnings import evaluate
    from assistant.domain import ClientProfile, ClientSnapshot, Fact, FactSet

    facts = FactSet()
    for key, value in (("total_liabilities", 90), ("total_assets", 100)):
        facts.add(Fact(key, Decimal(value), Span(END), document="q3.pdf", page=2, flagged="q3.pdf balance_sheet: unit"))
    snap = ClientSnapshot(ClientProfile(1, "X"), facts=facts, as_of=END)
    alerts = [a for a in evaluate(snap, Span(END, dt.date(2026, 7, 1))) if a.rule == "leverage_high"]
    assert alerts and all(a.unconfirmed for a in alerts)
    assert "flagged for review" in alerts[0].message_en and "待复核" in alerts[0].message_zh
    assert _warning_factor(alerts).points == 10  # shown, not scored


def test_the_memo_marks_unconfirmed_figures_and_the_covenant(store, tmp_path):
    from assistant.memo.builder import build_memo
    from assistant.memo.render_md import render_markdown

    client = _flagged_client(store, tmp_path)
    memo = build_memo(load_snapshot(store, client, as_of=END + dt.timedelta(days=20)), "2026Q3", lang="zh")
    text = render_markdown(memo)
    assert "（未确认）" in text and "待复核" in text and "不判定达标或违约" in text


# ---------------------------------------------------------------- parent company


def test_parent_questions_answer_from_the_parent_statement(store, tmp_path):
    from assistant.chat.service import ask

    (r,) = ingest([_report(tmp_path / "both.pdf", planted=False, layout="consolidated_parent")], store=store,
                  index=False).results
    snap = load_snapshot(store, r.client)
    flow = next(s for s in snap.parent_facts.spans(points=False) if s.end == END and s.months == 9)
    parent = snap.parent_facts.value("net_profit", flow)
    group = snap.facts.value("net_profit", flow)
    assert parent is not None and group is not None and parent != group
    en = _english(store, r.client)
    for q in (f"{r.client}母公司2026年前三季度的净利润是多少",
              f"{en} parent company net income for the nine months ended September 30, 2026"):
        a = ask(q, store=store)
        assert a.value == parent, (q, a.answer)
        assert "母公司" in a.answer or "parent company" in a.answer
    a = ask(f"{r.client}合并报表2026年前三季度的净利润是多少", store=store)
    assert a.value == group


def test_a_parent_question_without_a_parent_statement_says_so(store, tmp_path):
    from assistant.chat.service import ask

    (r,) = ingest([_report(tmp_path / "group.pdf", planted=False)], store=store, index=False).results
    a = ask(f"{r.client}母公司的净利润是多少", store=store)
    assert a.value is None and "母公司" in a.answer and "合并" in a.answer
    en = ask(f"What was the parent company net income of {_english(store, r.client)}?", store=store)
    assert en.value is None and "No parent-company statement" in en.answer


def test_attributable_to_parent_is_not_a_parent_scope_question():
    from assistant.chat.understand import understand

    p = understand("示例能源2026年归属于母公司的净利润是多少")
    assert p.scope is None and p.metrics == ["net_profit_attributable_to_parent"]
    assert understand("示例能源母公司的净利润是多少").scope == "parent"
    assert understand("parent-only total assets of Foo Inc. at 2026-09-30").scope == "parent"


# ---------------------------------------------------------------- issuer short names as aliases


def test_the_cover_short_name_and_code_become_aliases_and_find_the_client(store, tmp_path):
    from assistant.chat.service import ask

    (r,) = ingest([_report(tmp_path / "covered.pdf", planted=False, cover=COVER)], store=store, index=False).results
    with store.session() as s:
        c = repo.get_client(s, r.client)
        assert {"示例能源", "600999"} <= set(c.aliases)
        assert repo.get_client(s, "示例能源").id == c.id
    a = ask("示例能源2026年前三季度营业收入是多少", store=store)
    assert a.value is not None and r.client in a.answer
    with store.session() as s:
        assert ledger.head(s).action in ("client.update", "statement.extract", "document.ingest") and ledger.verify(s) == []


def test_a_report_filed_under_its_short_name_matches_the_client(store, tmp_path):
    with store.transaction() as s:
        repo.add_client(s, "示例能源")  # registered by its short name only
    (r,) = ingest([_report(tmp_path / "covered.pdf", planted=False, cover=COVER)], store=store, index=False).results
    assert r.client == "示例能源"
    with store.session() as s:
        assert "600999" in repo.get_client(s, "示例能源").aliases


def test_another_company_s_report_under_a_client_adds_no_alias(store, tmp_path):
    with store.transaction() as s:
        repo.add_client(s, "借款人有限公司")
    cover = ["证券代码：600888    证券简称：担保集团", "担保集团股份有限公司 2026年第三季度报告"]
    ingest([_report(tmp_path / "guarantor.pdf", planted=False, cover=cover, company="担保集团股份有限公司")],
           client="借款人有限公司", store=store, index=False)
    with store.session() as s:
        assert repo.get_client(s, "借款人有限公司").aliases == []


REAL_COVERS = {  # file → aliases its first pages print (checked by reading them)
    "corpus/zh/贵州茅台_2025_年度报告.pdf": {"贵州茅台", "600519", "Kweichow Moutai"},
    "corpus/zh/宝信软件_2025_年度报告.pdf": {"宝信软件", "宝信B", "600845", "900926", "Baosight"},
    "corpus/zh/博源化工_2025_半年度报告.pdf": {"博源化工", "000683", "远兴能源", "Berun Chemical"},
    "corpus/zh/海伦钢琴_2025Q3_第三季度报告.pdf": {"海伦钢琴", "300329"},
    "real/平安银行2023年半年度报告摘要.pdf": {"平安银行", "000001"},
    "corpus/en/ADOBE_2020_10K.pdf": {"ADBE"},
}


@pytest.mark.parametrize("name", sorted(REAL_COVERS))
@pytest.mark.real_data
def test_real_covers_give_their_short_names(shared_data, name):
    from assistant.ingest import _issuer_aliases
    from extractors.document import open_pdf

    path = shared_data / name
    if not path.exists():
        pytest.skip(f"{name} not in this copy of the data")
    texts = open_pdf(path, max_pages=2000).page_texts[:10]
    got = set(_issuer_aliases(texts))
    assert REAL_COVERS[name] <= got, got
    assert not any(w in a for a in got for w in ("代码", "简称", "不适用", "公告"))


# ---------------------------------------------------------------- the app's handlers


def test_the_client_page_shows_the_flag_and_a_second_user_confirms(store, tmp_path):
    from assistant.access import get_user
    from ui import handlers as H

    client = _flagged_client(store, tmp_path)
    maker, checker = get_user(store, "maker"), get_user(store, "checker")
    profile = H.client_profile(store, maker, client, "en")
    assert "Flagged for review (1)" in profile and "total assets" in profile and "unconfirmed (review)" in profile
    (mine,) = H.portfolio(store, maker)
    assert mine.flagged == 1 and mine.problem  # awaiting review is something to do
    (row,) = H.flagged_rows(store, maker, client)
    assert row[0].startswith("S") and row[3] == "balance_sheet" and row[7] == "maker"
    _, rows, _ = H.figures_table(store, maker, client)
    assert any("⚠" in cell for r in rows for cell in r[1:])
    (f,) = flagged(store)
    with pytest.raises(AccessDeniedError, match="second person"):
        H.confirm(store, maker, document_id=f.document_id)  # the upload page's button: not by the uploader
    assert "confirmed by checker" in H.confirm_flagged(store, checker, row[0], "checked against p.2")
    assert H.flagged_rows(store, maker, client) == []
    assert "⚠" not in "".join(c for r in H.figures_table(store, maker, client)[1] for c in r[1:])
    assert "✓" in H.client_profile(store, maker, client, "en")  # the covenant is tested again
    assert H.portfolio(store, maker)[0].flagged == 0


def test_a_parent_only_figure_is_labelled_when_the_question_names_no_scope():
    from assistant.chat.builtin import SnapshotSource
    from assistant.chat.service import answer_with
    from assistant.domain import ClientProfile, ClientSnapshot, Fact, FactSet

    facts = FactSet()
    facts.add(Fact("total_assets", Decimal(500), Span(END), document="parent.pdf", page=3, scope="parent"))
    snap = ClientSnapshot(ClientProfile(1, "示例能源股份有限公司", ["示例能源"]), facts=facts)
    a = answer_with("示例能源2026年9月30日的资产总计是多少", SnapshotSource([snap]))
    assert a.value == Decimal(500) and "母公司报表数据" in a.answer


def test_portfolio_breach_question_lists_an_unconfirmed_covenant_as_undecided(store, tmp_path):
    from assistant.chat.service import ask

    _flagged_client(store, tmp_path)
    a = ask("哪些客户违反了契约？", store=store)
    assert a.value == 0 and "未判定" in a.answer and "示例能源" in a.answer


def test_stored_warnings_flag_the_statement_and_document_warnings_are_shown(store, tmp_path):
    """The store's side alone: whatever warnings the extractor sets, the statement is flagged."""
    from assistant.demo import StatementSpec, render_pdf

    truth = render_pdf(StatementSpec(company=COMPANY, period_end=END, layout="listed_notes", seed=3), tmp_path / "t.pdf")
    truth.warnings.append("cash flow statement not found")
    income = next(st for st in truth.statements if st.kind == "income_statement")
    income.warnings.append("unit not printed on page 3: assumed 元")
    with store.transaction() as s:
        client = repo.add_client(s, COMPANY)
        repo.store_document(s, client, sha256="0" * 64, kind="statement", name="t.pdf", stored_path="documents/t.pdf",
                            extraction=truth, actor="maker")
    (f,) = flagged(store)
    assert (f.kind, f.warnings, f.uploaded_by) == ("income_statement", ["unit not printed on page 3: assumed 元"], "maker")
    st = client_status(store, COMPANY)
    assert st["review"]["document_warnings"] == [{"document": "t.pdf", "document_id": f.document_id,
                                                  "warnings": ["cash flow statement not found"]}]
    assert st["figures"]["revenue"]["unconfirmed"].startswith("t.pdf income_statement: unit not printed")
    assert "unconfirmed" not in st["figures"]["total_assets"]
