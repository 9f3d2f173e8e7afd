"""Everything waiting for a checker is listed from one registry (``assistant.awaiting``), and shown.

Regression: ``loanwatch status`` counted pending figure corrections only, so an exposure edit (or a
classification decision, a submitted memo) awaiting a second person did not show. The home is
``tests/book_support.make_book_home`` (fresh per test: each test makes pending items).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.clock import TODAY
from tests.ui_support import CLIENT_A

D = Decimal


@pytest.fixture()
def store(book_store):
    return book_store


def _one_of_each(store) -> dict[str, str]:  # noqa: ANN001
    """One pending item of every kind for 示例新能源; kind → its reference."""
    from assistant import makerchecker
    from assistant.access import get_user
    from assistant.exposure_edit import propose, targets
    from assistant.memo.versions import save_version
    from assistant.store import repo
    from assistant.store.schema import MemoRow
    from extractors.models import Column, ExtractionResult, Statement

    officer = get_user(store, "officer_a")
    refs = {}
    with store.transaction() as s:
        client = repo.get_client(s, CLIENT_A)
        refs["correction"] = f"C{repo.set_figure(s, client, '2026Q2', 'revenue', D(1), reason='p.3 prints 1', by='officer_a').id}"
        save_version(s, client.id, "2026Q2", "memo text", stage="draft", by="officer_a")
        save_version(s, client.id, "2026Q2", "memo text", stage="submitted", by="officer_a")
        statement = Statement(kind="balance_sheet", columns=[Column(period_end=dt.date(2026, 9, 30), label="2026-09-30")],
                              warnings=["unit not printed where expected"])
        doc = repo.store_document(s, client, sha256="f" * 64, kind="statement", name="q3.pdf", stored_path="q3.pdf",
                                  extraction=ExtractionResult(file="q3.pdf", sha256="f" * 64, pages=1, statements=[statement]),
                                  actor="officer_a")
        doc_id = doc.id
    with store.session() as s:
        from sqlalchemy import select

        from assistant.store.schema import StatementRow

        refs["memo"] = f"M{s.execute(select(MemoRow.id).order_by(MemoRow.id.desc())).scalars().first()}"
        refs["statement"] = f"S{s.execute(select(StatementRow.id).where(StatementRow.document_id == doc_id)).scalar_one()}"
    refs["decision"] = makerchecker.decide(store, CLIENT_A, "2026Q2", "classification", "关注", "收入下滑", officer,
                                           suggested="正常").ref
    fac = next(t for t in targets(store, officer, CLIENT_A) if t.key.startswith("facility:"))
    refs["exposure"] = f"E{propose(store, officer, CLIENT_A, fac.key, {'outstanding': '250000000'}, '核心系统余额')}"
    return refs


def _status(capsys, *args: str) -> str:  # noqa: ANN001
    from assistant.cli import main

    with pytest.raises(SystemExit) as done:
        main(["status", CLIENT_A, "--as-of", TODAY.isoformat(), *args])
    assert done.value.code in (0, None)
    return capsys.readouterr().out


def test_the_registry_covers_every_maker_checker_entity_and_the_other_four_eyes_steps():
    from assistant import makerchecker
    from assistant.awaiting import sources

    assert set(makerchecker.ENTITIES) == set(makerchecker._CHECK) == set(makerchecker._PREFIX)
    assert set(sources()) == {*makerchecker.ENTITIES, "memo", "statement"}


def test_every_checker_right_has_a_source_so_no_kind_is_forgotten():
    from assistant.actor import RIGHTS
    from assistant.awaiting import sources

    checker_rights = {r for r in RIGHTS if r.endswith((".confirm", ".approve"))}
    assert checker_rights and checker_rights == {s.right for s in sources().values()}


def test_status_counts_every_kind_awaiting_a_checker_exposure_edits_included(capsys, store):
    from assistant.awaiting import awaiting, counts
    from assistant.book import visible_ids

    before = counts(awaiting(store, visible_ids(store, None)))
    refs = _one_of_each(store)
    waiting = json.loads(_status(capsys, "--json"))["awaiting_checker"]
    mine = {i["ref"]: i["kind"] for i in waiting["items"]}
    assert {kind: mine.get(ref) for kind, ref in refs.items()} == {k: k for k in refs}  # every kind, the exposure edit too
    assert waiting["by_kind"]["exposure"] == 1 and waiting["total"] == len(waiting["items"]) == sum(waiting["by_kind"].values())
    assert all(i["by"] == "officer_a" for i in waiting["items"] if i["ref"] in refs.values())

    text = _status(capsys)
    assert "AWAITING A CHECKER" in text and refs["exposure"] in text and refs["memo"] in text

    from assistant.dashboard_data import dashboard

    d = dashboard(store, as_of=TODAY, board=None)  # the app's dashboard reads the same registry
    assert d.awaiting == {k: before[k] + (1 if k in refs else 0) for k in before}
    assert d.pending_edits == d.awaiting["exposure"]

    from assistant.access import get_user
    from ui.dashboard import _summary
    from ui.handlers import client_profile

    profile = client_profile(store, get_user(store, "officer_a"), CLIENT_A, "en")
    assert all(ref in profile for ref in refs.values()) and "Awaiting a checker" in profile
    assert f"**{sum(d.awaiting.values())}**" in _summary(d) and "exposure edits" in _summary(d) and "memos submitted" in _summary(d)


def test_a_reviewed_change_no_longer_waits(store):
    from assistant.access import get_user
    from assistant.awaiting import awaiting
    from assistant.makerchecker import review

    refs = _one_of_each(store)
    review(store, refs["exposure"], get_user(store, "reviewer"), "reject", "余额与核心系统不符")
    review(store, refs["decision"], get_user(store, "reviewer"), "confirm")
    left = {i.ref for i in awaiting(store)}
    assert refs["exposure"] not in left and refs["decision"] not in left and refs["correction"] in left
