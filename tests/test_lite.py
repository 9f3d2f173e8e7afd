"""``assistant.store.lite`` and ``assistant.cold``: the standard-library read path of a cold start.

The lite reader must give exactly what the SQLAlchemy reader gives — the same snapshot, the same
answer, the same memo — or nothing at all, so the command takes the usual path. These tests build a
store with every kind of row a snapshot reads (figures of several reports, a statement flagged for
review, parent-company figures, corrections confirmed, rejected and pending, facilities with
instalments and securities, inspection notes, warning items with their history) and compare.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from decimal import Decimal

import pytest

from assistant import cold
from assistant.store.lite import COLUMNS, open_lite

QUESTIONS = [
    "示例新能源2026年9月末的流动比率是多少?",
    "示例新能源2026年二季度的资产负债率是多少？",
    "示例新能源2026年6月末的货币资金是多少？",
    "示例新能源最近一个季度的货币资金是多少？",  # a trend of one quarter: snapshots only
    "远洋物流最近四个季度的资产负债率",
    "远洋物流有什么担保和抵押？",  # the facility records' collateral and guarantees
    "远洋物流有没有逾期？",  # an instalment unpaid since 2026-07-31
    "When does 远洋物流's loan mature?",
    "示例新能源去年末的货币资金是多少？",  # a period counted back from today
    "How has 示例新能源's current ratio moved over the last four quarters?",
    "示例新能源2026年三季度营业收入同比增长率是多少？",
    "What was 示例新能源's current ratio at the end of June 2026?",
    "远洋物流2026年6月30日的资产负债率是多少",
    "远洋物流的授信契约是否满足？",
    "远洋物流的风险分类是什么",
    "远洋物流2026年二季度的评级是多少？",
    "示例新能源2026年6月30日的存货是多少？",
    "不存在公司2026年的流动比率是多少？",
    "示例新能源母公司2026年6月30日的货币资金是多少？",
]
NOT_COLD = [
    "哪些客户需要关注？",  # portfolio: the row cache
    "示例新能源现场检查发现了什么问题?",  # a document question: the search index
    "远洋物流目前的状况如何？",
]


def _orm_kind(column) -> str:  # noqa: ANN001 - a SQLAlchemy Column
    from sqlalchemy import JSON, Date, DateTime, Float, Integer, String, Text

    from assistant.store.schema import Money

    t = column.type
    for cls, kind in ((Money, "money"), (DateTime, "datetime"), (Date, "date"), (JSON, "json"), (Integer, "int"),
                      (Float, "float"), (Text, "text"), (String, "text")):
        if isinstance(t, cls):
            return kind
    return type(t).__name__


def test_every_column_lite_reads_has_the_kind_the_schema_declares():
    from assistant.store.schema import Base

    tables = Base.metadata.tables
    wrong = [f"{table}.{name}: lite reads {kind}, the schema says {_orm_kind(tables[table].c[name])}"
             for table, columns in COLUMNS.items() for name, kind in columns.items()
             if table not in tables or name not in tables[table].c or _orm_kind(tables[table].c[name]) != kind]
    assert not wrong, wrong


@pytest.fixture()
def rich(book_store, home_of_book):
    """The book home plus a flagged statement, parent figures, corrections in three states and worked warnings."""
    from assistant import workitems
    from assistant.access import get_user
    from assistant.domain import InspectionNote
    from assistant.makerchecker import review
    from assistant.store import repo
    from extractors.models import Column, ExtractionResult, LineItem, Statement
    from tests.memo_fixtures import declining_client, store_snapshot

    store = book_store
    third = declining_client()
    third.client = replace(third.client, name="衰退示例制造有限公司", aliases=["衰退示例"])
    store_snapshot(store, third)  # a third client: quarters of figures, a facility with covenants, a site visit
    with store.session() as s:
        a = repo.get_client(s, "示例新能源")
        b = repo.get_client(s, "远洋物流")
    june, sept = dt.date(2026, 6, 30), dt.date(2026, 9, 30)
    flagged = Statement(kind="balance_sheet", pages=[2], warnings=["unit uncertain: 元 or 万元 (test)"],
                        columns=[Column(period_end=sept, label="本期"), Column(period_end=june, label="上期")],
                        items=[LineItem(key="cash", label="货币资金", values=[Decimal("123456.78"), None], page=2),
                               LineItem(key="inventory", label="存货", values=[Decimal("99.5"), None], page=2)])
    parent = Statement(kind="balance_sheet", scope="parent", pages=[5], columns=[Column(period_end=june, label="本期")],
                       items=[LineItem(key="cash", label="货币资金", values=[Decimal("777000")], page=5)])
    with store.transaction() as s:
        client_a = repo.get_client(s, a.id)
        result = ExtractionResult(file="示例新能源2026Q3快报.pdf", sha256=hashlib.sha256(b"q3").hexdigest(), pages=6,
                                  company=client_a.name, statements=[flagged, parent])
        repo.store_document(s, client_a, sha256=result.sha256, kind="statement", name=result.file, stored_path=result.file,
                            pages=6, received=dt.date(2026, 10, 20), extraction=result)
        repo.store_document(s, client_a, sha256=hashlib.sha256(b"filing").hexdigest(), kind="filing", name="示例新能源公告.pdf",
                            stored_path="f.pdf", pages=1, received=dt.date(2026, 10, 2),
                            note=InspectionNote(visit_date=None, text="公司公告：董事长变更。", problems=["董事长变更"]))
        made = [repo.set_figure(s, client_a, "2026Q2", key, value, reason=why, by="officer_a")
                for key, value, why in (("cash", Decimal("1000.5"), "confirmed"), ("inventory", Decimal("2000"), "rejected"),
                                        ("total_assets", Decimal("3000"), "pending"))]
        later = repo.set_figure(s, client_a, "2026Q2", "cash", Decimal("1100"), reason="newer, pending", by="officer_a")
        ids = [c.id for c in made]
    reviewer = get_user(store, "reviewer")
    review(store, f"C{ids[0]}", reviewer, "confirm", "checked")
    review(store, f"C{ids[1]}", reviewer, "reject", "wrong")
    new = workitems.sync(store, [
        {"client_id": b.id, "period": "2026Q2", "rule": "leverage", "severity": "high", "message": "资产负债率偏高"},
        {"client_id": a.id, "period": "2026Q2", "rule": "late", "severity": "medium", "message": "报表迟交"}])
    workitems.acknowledge(store, new[0], actor="officer_b", note="seen")
    workitems.resolve(store, new[1], actor="officer_a", action="extra_reporting", note="asked for monthly figures")
    return {"store": store, "a": a.id, "b": b.id, "pending": later.id}


@pytest.fixture()
def home_of_book(tmp_path):
    return tmp_path / "home"


def _client_ids(store) -> list[int]:  # noqa: ANN001
    from assistant.store.repo import list_clients

    with store.session() as s:
        return [c.id for c in list_clients(s)]


def test_a_snapshot_read_with_sqlite3_equals_the_stores(rich):
    from assistant.store import load_snapshot

    store = rich["store"]
    lite = open_lite()
    assert lite is not None
    with lite:
        for cid in _client_ids(store):
            for as_of in (None, dt.date(2026, 11, 10)):
                assert lite.snapshot(cid, as_of=as_of) == load_snapshot(store, cid, as_of=as_of), cid
        a = lite.snapshot(rich["a"])
    # the fixture reaches every rule the reader feeds: otherwise equality proves little
    assert a.flagged
    assert any(f.source == "corrected" for f in a.facts) and a.pending_corrections
    assert any(p.id == rich["pending"] for p in a.pending_corrections)
    assert len(a.parent_facts) and a.filings and any(w.status == "resolved" for w in a.work_items)
    assert any(f.flagged for f in a.facts)
    b = load_snapshot(store, rich["b"])
    assert b.facilities and b.facilities[0].schedule and b.facilities[0].securities and b.facilities[0].covenants


def test_cold_answers_are_the_stores_answers(rich):
    from assistant.chat.service import ask

    for q in QUESTIONS:  # figure and status questions: every one from sqlite3, the very same answer
        got = cold.ask(q, engine="builtin")
        assert got is not None, (q, cold.why)
        assert got.to_json_dict() == ask(q, engine="builtin", store=rich["store"]).to_json_dict(), q
    for q in NOT_COLD:
        assert cold.ask(q, engine="builtin") is None and cold.why, q


def test_cold_ask_with_a_client_named_is_the_stores_answer(rich):
    from assistant.chat.service import ask

    for q, client in ((QUESTIONS[0], "示例新能源"), (QUESTIONS[0], "示例新能源股份有限公司"), (QUESTIONS[0], str(rich["a"])),
                      ("远洋物流2026年6月30日的资产负债率是多少", "示例新能源"), ("流动比率是多少", "远洋物流")):
        got = cold.ask(q, client=client, engine="builtin")
        assert got is not None, (q, client, cold.why)
        assert got.to_json_dict() == ask(q, client=client, engine="builtin", store=rich["store"]).to_json_dict(), (q, client)
    assert cold.ask(QUESTIONS[0], client="没有这家", engine="builtin") is None  # the store's code says it is not found


def test_cold_ask_steps_aside(rich, monkeypatch):
    monkeypatch.setenv("LOANWATCH_TOKEN", "abc")
    assert cold.ask(QUESTIONS[0], engine="builtin") is None and "logged in" in cold.why


def test_cold_client_rows_are_client_lists(rich):
    from assistant.warm_ops import client_rows

    assert cold.client_rows() == client_rows(rich["store"])


def test_a_store_at_another_revision_or_not_sqlite_is_left_to_sqlalchemy(rich):
    from assistant.config import get_settings

    url = get_settings().database_url
    assert open_lite(url) is not None
    assert open_lite("postgresql+psycopg://u@127.0.0.1/x") is None
    assert open_lite(url + "?timeout=5") is None
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE alembic_version SET version_num = '0001'")
    try:
        assert open_lite(url) is None
        assert cold.ask(QUESTIONS[0], engine="builtin") is None
    finally:
        with sqlite3.connect(path) as db:
            db.execute("UPDATE alembic_version SET version_num = ?", (COLD_HEAD,))


COLD_HEAD = __import__("assistant.store.revision", fromlist=["SCHEMA_HEAD"]).SCHEMA_HEAD


def _memo_versions(store, client_id: int, period: str) -> list:  # noqa: ANN001
    from assistant.memo.versions import list_versions

    with store.session() as s:
        return list_versions(s, client_id, period)


def _ledger_tail(store, after: int) -> list:  # noqa: ANN001
    from sqlalchemy import select

    from assistant.store.schema import LedgerRow

    with store.session() as s:
        return list(s.execute(select(LedgerRow).where(LedgerRow.seq > after).order_by(LedgerRow.seq)).scalars())


def _head(store) -> int:  # noqa: ANN001
    from assistant import ledger

    with store.session() as s:
        top = ledger.head(s)
        return top.seq if top else 0


def test_a_memo_drafted_with_sqlite3_is_stored_and_recorded_as_the_store_would(rich, tmp_path, monkeypatch):
    from assistant import ledger
    from assistant.config import reset_settings
    from assistant.memo.versions import MemoVersion, save_version
    from assistant.memo.workflow import draft_memo
    from assistant.store.schema import MemoRow

    anchor = tmp_path / "elsewhere" / "anchor.txt"
    monkeypatch.setenv("LOANWATCH_ANCHOR_FILE", str(anchor))
    reset_settings()
    store, day, b = rich["store"], dt.date(2026, 10, 25), rich["b"]
    seq = _head(store)
    text = cold.memo("远洋物流", "2026Q2", as_of=day, engine="builtin")
    assert text is not None, cold.why
    would = draft_memo(store, "远洋物流", "2026Q2", as_of=day, engine="builtin", save=False)  # what the store's code drafts
    assert text == would.markdown
    [entry] = _ledger_tail(store, seq)
    with store.session() as s:
        row = s.get(MemoRow, entry.entity_id)
        assert (row.client_id, row.period, row.version, row.format, row.created_by) == (b, "2026Q2", 1, "json", "system")
        assert row.content == MemoVersion(0, "draft", would.markdown, "system", would.memo, "").envelope()
        assert (entry.actor, entry.action, entry.entity) == ("system", "memo.save", "memo")
        assert entry.payload_digest == ledger.content_digest(s, "memo", row.id)
        assert ledger.verify(s) == []  # the chain, every recorded row, and the anchor file
    assert anchor.read_text().split()[:2] == [str(entry.seq), entry.hash]

    # the same draft again, by either path: nothing stored, nothing recorded
    assert draft_memo(store, "远洋物流", "2026Q2", as_of=day, engine="builtin").version.version == 1
    assert cold.memo(str(b), "2026Q2", as_of=day, engine="builtin") == text  # by id too
    assert _ledger_tail(store, entry.seq) == []
    # another day, another person, changed figures: a new version each time, whoever stores it
    assert cold.memo("远洋物流", "2026Q2", as_of=dt.date(2026, 12, 1), engine="builtin") is not None
    assert draft_memo(store, "远洋物流", "2026Q2", as_of=day, by="officer_b", engine="builtin").version.version == 3
    assert cold.memo("远洋物流", "2026Q2", as_of=day, engine="builtin") == text  # officer_b's is the latest: system's is new
    with store.transaction() as s:
        from assistant.store import repo

        repo.set_figure(s, repo.get_client(s, b), "2026Q2", "cash", Decimal("1"), reason="test", by="officer_b")
    assert draft_memo(store, "远洋物流", "2026Q2", as_of=day, engine="builtin").version.version == 5
    assert [v.version for v in _memo_versions(store, b, "2026Q2")] == [1, 2, 3, 4, 5]
    english = cold.memo("远洋物流", "2026Q2", lang="en", as_of=day, engine="builtin")  # the English draft, the same way
    assert english == draft_memo(store, "远洋物流", "2026Q2", lang="en", as_of=day, engine="builtin", save=False).markdown
    assert _memo_versions(store, b, "2026Q2")[-1].text == english
    # an officer's edits on top: carried over by the store's code, not here
    with store.transaction() as s:
        save_version(s, b, "2026Q2", text + "\n补充：现场检查正常。\n", stage="edited", by="officer_b")
    assert cold.memo("远洋物流", "2026Q2", as_of=dt.date(2026, 12, 2), engine="builtin") is None and "edits" in cold.why
    with store.session() as s:
        assert ledger.verify(s) == []


def _run(home, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:  # noqa: ANN001
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('SQLALCHEMY=' + str('sqlalchemy' in sys.modules), file=sys.stderr))\n"
            "from assistant.cli import main\nmain()")
    environ = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    environ.update({"LOANWATCH_HOME": str(home), "LOANWATCH_ENGINE": "builtin", **(env or {})})
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=environ, timeout=300)


def test_the_command_line_answers_a_figure_question_a_stored_memo_and_the_client_list_without_sqlalchemy(rich, home_of_book):
    from assistant.store import close_stores

    close_stores()
    figure = _run(home_of_book, "ask", QUESTIONS[0], "--json")
    assert figure.returncode == 0 and "SQLALCHEMY=False" in figure.stderr, figure.stderr
    want = _run(home_of_book, "ask", QUESTIONS[0], "--json", env={"LOANWATCH_DB_URL": "sqlite:///" + str(home_of_book / "loanwatch.db") + "?timeout=30"})
    assert "SQLALCHEMY=True" in want.stderr and json.loads(figure.stdout) == json.loads(want.stdout)  # a URL with options: the usual path
    memo = ["memo", "远洋物流", "--period", "2026Q2", "--as-of", "2026-10-25"]
    first = _run(home_of_book, *memo)
    assert first.returncode == 0 and "SQLALCHEMY=False" in first.stderr, first.stderr  # a new draft, stored with sqlite3
    second = _run(home_of_book, *memo)
    assert second.returncode == 0 and "SQLALCHEMY=False" in second.stderr and second.stdout == first.stdout
    assert [v.version for v in _memo_versions(rich["store"], rich["b"], "2026Q2")] == [1]
    audit = _run(home_of_book, "audit", "verify")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    listed = _run(home_of_book, "client", "list", "--json")
    assert "SQLALCHEMY=False" in listed.stderr and {c["name"] for c in json.loads(listed.stdout)} >= {"示例新能源股份有限公司"}


def test_a_value_sqlite3_cannot_read_sends_the_command_to_the_store(rich):
    from assistant.config import get_settings

    path = get_settings().database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE figures SET value = 'not a number' WHERE key = 'total_current_assets'")
    assert cold.ask(QUESTIONS[0], engine="builtin") is None and cold.why.startswith("sqlite3:"), cold.why


@pytest.mark.parametrize("folder, read_by_lite", [("家 目录 (1)", True), ("a#b", False), ("50%", False)])
def test_a_home_whose_path_a_uri_would_misread_is_opened_right_or_left_to_sqlalchemy(tmp_path, monkeypatch, folder, read_by_lite):
    from assistant.config import reset_settings
    from assistant.store import close_stores, open_store, repo

    monkeypatch.setenv("LOANWATCH_HOME", str(tmp_path / folder))
    monkeypatch.delenv("LOANWATCH_DB_URL", raising=False)
    reset_settings()
    close_stores()
    with open_store().transaction() as s:
        repo.add_client(s, "路径测试有限公司")
    close_stores()
    try:
        assert (open_lite() is not None) is read_by_lite
        rows = cold.client_rows()
        assert (rows is not None) is read_by_lite
        if read_by_lite:
            assert [r["name"] for r in rows] == ["路径测试有限公司"]
    finally:
        reset_settings()
