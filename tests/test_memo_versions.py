"""Memo versions: draft → edited → approved in the store, diffs, regeneration keeps edits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.domain import Fact, quarter_span
from assistant.memo import build_memo, render_markdown
from assistant.memo.versions import (
    MemoStageError,
    check_transition,
    diff,
    list_versions,
    officer_edits,
    regenerate,
    save_version,
)
from tests.memo_fixtures import declining_client, store_snapshot

BASE = "# Memo\n\nrevenue fell\n\ncash was low\n\n## Actions\n\n- monitor\n"


def test_diff_shows_changed_lines():
    out = diff(BASE, BASE.replace("cash was low", "cash was very low"), before_label="v1", after_label="v2")
    assert "--- v1" in out and "+++ v2" in out
    assert "-cash was low" in out and "+cash was very low" in out
    assert diff(BASE, BASE) == ""


def test_officer_edits_are_the_changed_hunks():
    edited = BASE.replace("- monitor", "- monitor\n- visit the plant in November")
    edits = officer_edits(BASE, edited)
    assert len(edits) == 1 and edits[0].new[-1] == "- visit the plant in November"


def test_regenerate_carries_edits_onto_the_fresh_draft():
    edited = BASE.replace("revenue fell", "revenue fell (officer: confirmed with the CFO)") + "\nOfficer note: watch list.\n"
    fresh = BASE.replace("cash was low", "cash recovered")  # the new data changed another line
    result = regenerate(BASE, edited, fresh)
    assert result.clean
    assert "revenue fell (officer: confirmed with the CFO)" in result.text
    assert "cash recovered" in result.text  # the engine's update is kept too
    assert "Officer note: watch list." in result.text
    assert "+revenue fell (officer: confirmed with the CFO)" in result.edits_diff
    assert "-cash was low" in result.engine_diff and "+cash recovered" in result.engine_diff


def test_an_edit_to_a_line_the_engine_rewrote_is_reported_not_lost():
    edited = BASE.replace("cash was low", "cash was low, but a deposit arrives in October")
    fresh = BASE.replace("cash was low", "cash fell to a new low")
    result = regenerate(BASE, edited, fresh)
    assert not result.clean
    assert result.not_carried[0].new == ["cash was low, but a deposit arrives in October"]
    assert "cash fell to a new low" in result.text


def test_stage_transitions():
    check_transition(None, "draft")
    check_transition("draft", "edited")
    check_transition("edited", "submitted")
    check_transition("submitted", "approved")
    check_transition("submitted", "returned")
    check_transition("returned", "edited")
    check_transition("approved", "draft")
    with pytest.raises(MemoStageError):
        check_transition(None, "approved")
    with pytest.raises(MemoStageError, match="an approved memo cannot become edited"):
        check_transition("approved", "edited")
    with pytest.raises(MemoStageError, match="an edited memo cannot become approved"):
        check_transition("edited", "approved")  # approval only of a submitted version
    with pytest.raises(MemoStageError, match="a submitted memo cannot become edited"):
        check_transition("submitted", "edited")  # frozen while the reviewer reads it


def test_versions_in_the_store_with_ledger(home):
    from sqlalchemy import select

    from assistant import ledger
    from assistant.store import open_store
    from assistant.store.schema import LedgerRow

    store = open_store()
    snap = declining_client()
    store_snapshot(store, snap)
    memo = build_memo(snap, "2026Q3")
    text = render_markdown(memo)
    with store.transaction() as s:
        from assistant.store.repo import get_client

        cid = get_client(s, snap.client.name).id
        save_version(s, cid, "2026Q3", text, stage="draft", memo=memo)
        save_version(s, cid, "2026Q3", text.replace("加强贷后监控", "立即加强贷后监控"), stage="edited", by="李强")
        save_version(s, cid, "2026Q3", text.replace("加强贷后监控", "立即加强贷后监控"), stage="submitted", by="李强")
        save_version(s, cid, "2026Q3", text.replace("加强贷后监控", "立即加强贷后监控"), stage="approved", by="张主管")
        with pytest.raises(MemoStageError):
            save_version(s, cid, "2026Q3", text, stage="edited")
    with store.session() as s:
        versions = list_versions(s, cid, "2026Q3")
        assert [(v.version, v.stage, v.by) for v in versions] == [(1, "draft", "system"), (2, "edited", "李强"),
                                                                  (3, "submitted", "李强"), (4, "approved", "张主管")]
        assert versions[0].memo is not None and versions[0].memo.input_digest == memo.input_digest
        assert "+- **立即加强贷后监控" in diff(versions[0].text, versions[1].text)
        memo_entries = s.execute(select(LedgerRow).where(LedgerRow.action == "memo.save")).scalars().all()
        assert len(memo_entries) == 4
        assert ledger.verify(s) == []


def test_workflow_regenerates_with_the_officers_edits(home):
    from assistant.memo.workflow import draft_memo
    from assistant.store import open_store
    from assistant.store.repo import get_client

    store = open_store()
    snap = declining_client()
    store_snapshot(store, snap)
    as_of = dt.date(2026, 10, 25)
    first = draft_memo(store, snap.client.name, "2026Q3", as_of=as_of)
    assert first.version.version == 1 and first.regenerated is None
    edited = first.markdown.replace("检查发现的问题：", "检查发现的问题（客户经理补充：已约谈实际控制人）：")
    with store.transaction() as s:
        cid = get_client(s, snap.client.name).id
        save_version(s, cid, "2026Q3", edited, stage="edited", by="李强")
    # new data arrives: a corrected Q3 cash figure changes the draft
    with store.transaction() as s:
        from assistant.store.repo import set_figure

        set_figure(s, get_client(s, snap.client.name), "2026Q3", "cash", Decimal("60000000.00"), reason="bank statement", by="李强")
    second = draft_memo(store, snap.client.name, "2026Q3", as_of=as_of)
    assert second.regenerated is not None and second.regenerated.carried
    assert "客户经理补充：已约谈实际控制人" in second.markdown
    assert "6,000.00万元" in second.markdown  # the regenerated numbers
    assert "+检查发现的问题（客户经理补充" in second.regenerated.edits_diff
    with store.session() as s:
        stages = [v.stage for v in list_versions(s, get_client(s, snap.client.name).id, "2026Q3")]
    assert stages == ["draft", "edited", "draft", "edited"]


def test_fact_change_is_visible_in_the_engine_diff():
    snap = declining_client()
    before = render_markdown(build_memo(snap, "2026Q3"))
    snap.facts.add(Fact("revenue", Decimal("160000000.00"), quarter_span(2026, 3), document="2026Q3财务报表.pdf", page=3))
    after = render_markdown(build_memo(snap, "2026Q3"))
    result = regenerate(before, before, after)
    assert "+营业收入 1.60亿元" in result.engine_diff
