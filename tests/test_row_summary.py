"""Row summaries (``assistant.chat.rowsummary``) kept beside each persisted row: the lists of the book
(alerts, dashboard, portfolio page, the attention question) read them and unpickle only the rows
they show, and give what the full computation gives; a summary is never that of stale data.

Run on SQLite and on PostgreSQL, over a copy of a generated book (``generated_book``). That the
summaries of the demo book's rows give its dashboard (overdue and due instalments) is in
tests/test_book.py."""

from __future__ import annotations

import re

import pytest

from tests.clock import TODAY

CLIENTS = 30


@pytest.fixture(scope="session")
def generated_book(tmp_path_factory):
    """A generated book (``eval.portfolio.generate_portfolio``: 30 clients × 8 quarters, one in ten on the stress path,
    so some clients have high and medium alerts, breaches, thin headroom and a worse class, most have none)."""
    import os

    from assistant.config import reset_settings
    from assistant.store import close_stores
    from eval import portfolio

    home = tmp_path_factory.mktemp("generated-book")
    saved = {k: os.environ.get(k) for k in ("LOANWATCH_HOME", "LOANWATCH_DB_URL")}
    try:
        portfolio.generate_portfolio(home, CLIENTS, 8)
    finally:
        close_stores()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
        reset_settings()
    return home / "loanwatch.db"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def book(request, generated_book, tmp_path, monkeypatch):
    from assistant.config import reset_settings
    from assistant.store import close_stores, open_store
    from eval._copy_book import copy_book

    home = tmp_path / "home"
    home.mkdir()
    url = request.getfixturevalue("pg_database") if request.param == "postgres" else f"sqlite:///{home / 'loanwatch.db'}"
    copy_book(f"sqlite:///{generated_book}", url, 1, progress=False)
    monkeypatch.setenv("LOANWATCH_HOME", str(home))
    monkeypatch.setenv("LOANWATCH_DB_URL", url)
    reset_settings()
    close_stores()
    yield open_store()
    close_stores()
    reset_settings()


def _ids(store) -> frozenset[int]:  # noqa: ANN001
    from assistant.store import repo

    with store.session() as s:
        return frozenset(c.id for c in repo.list_clients(s))


def _fresh(store, ids):  # noqa: ANN001, ANN202 - rows assessed now, without any cache
    from assistant.analytics import load_rules
    from assistant.chat.board import client_row
    from assistant.store import load_snapshots

    with store.session() as s:
        return {cid: client_row(snap, load_rules()) for cid, snap in load_snapshots(s, sorted(ids), as_of=TODAY).items()}


def _primed(store):  # noqa: ANN001, ANN202 - rows persisted by one process, then what a new process finds
    from assistant.chat.board import Board

    Board(persist=True).rows(store, _ids(store), TODAY)
    return Board(persist=True)


def test_summaries_are_read_without_a_row_and_equal_those_of_fresh_rows(book):
    from assistant.chat.rowsummary import summarise

    board = _primed(book)
    got = board.summaries(book, _ids(book), TODAY)
    assert board.built == 0 and board.loaded == 0  # read from the columns: no row built, none unpickled
    fresh = {cid: summarise(row) for cid, row in _fresh(book, _ids(book)).items()}
    assert got == fresh
    assert len(got) == CLIENTS
    # a book with something to summarise (else the comparisons below could not fail)
    assert any(x.alerts_high for x in got.values()) and any(x.alerts_medium for x in got.values())
    assert any(x.breaches for x in got.values()) and any(x.category_level for x in got.values())
    assert any(not x.alerts for x in got.values())


@pytest.mark.parametrize("severity", [None, "high", "medium", "low"])
def test_alerts_from_summaries_equal_the_full_computation(book, severity):
    from assistant.status import portfolio_alerts

    board = _primed(book)
    got = portfolio_alerts(book, as_of=TODAY, severity=severity, board=board)
    assert got == portfolio_alerts(book, as_of=TODAY, severity=severity, board=None)
    assert got
    assert board.loaded == 0 and board.built == 0  # the alerts kept as JSON beside each row: no row unpickled, none built


@pytest.mark.parametrize("facility_clients", [None, 3])
def test_the_dashboard_from_summaries_equals_the_full_computation(book, facility_clients):
    from assistant.dashboard_data import dashboard

    board = _primed(book)
    got = dashboard(book, as_of=TODAY, board=board, facility_clients=facility_clients)
    want = dashboard(book, as_of=TODAY, board=None, facility_clients=facility_clients)
    seen = lambda d: (d.as_of, d.currency, d.total, d.clients, d.other_currencies, d.tables, d.facility_clients_more)  # noqa: E731
    assert seen(got) == seen(want)
    assert got.clients == CLIENTS
    if facility_clients == 3:
        assert got.facility_clients_more == CLIENTS - 3 and len({r[0] for r in got.tables["facilities"].rows}) == 3
        assert board.loaded < CLIENTS  # the clients shown, and those with an item due, only


def test_the_facilities_table_lists_the_clients_needing_attention_first(book):
    from assistant.book import load_book
    from assistant.dashboard_data import dashboard

    books, _ = load_book(book, as_of=TODAY, client_ids=sorted(_ids(book)))
    most = max(len(b.breaches) for b in books)
    first = dashboard(book, as_of=TODAY, board=_primed(book), facility_clients=1).tables["facilities"].rows
    (name,) = {r[0] for r in first}
    assert most > 0 and len(next(b for b in books if b.client == name).breaches) == most  # no overdue in this book: breaches lead


def test_a_dashboard_sync_from_summaries_leaves_nothing_for_the_whole_book(book):
    """``sync`` is given only the book lines a rule could name or with an alert: the whole book adds nothing more."""
    from assistant import watchlist, workitems
    from assistant.book import load_book
    from assistant.dashboard_data import dashboard

    dashboard(book, as_of=TODAY, board=_primed(book), sync=True)
    books, _ = load_book(book, as_of=TODAY, client_ids=sorted(_ids(book)))
    assert watchlist.current(book, sorted(_ids(book)))
    assert watchlist.sync(book, books, actor="rules", today=TODAY) == []
    assert workitems.sync(book, workitems.alerts_of(books), actor="rules") == []


def _listed(text: str) -> list[str]:
    return re.findall(r"^\d+\. (.+?)（评级", text, flags=re.M)


def test_the_attention_answer_lists_the_most_severe_and_counts_the_rest(book, monkeypatch):
    from assistant.chat import portfolio_answers as pa
    from assistant.chat.service import ask

    rows = list(_fresh(book, _ids(book)).values())
    want = [r.name for r in sorted((r for r in rows if r.has_figures and pa.needs_attention(r)), key=pa.severity_key)]
    want += [r.name for r in sorted((r for r in rows if not r.has_figures and pa.needs_attention(r)), key=pa.severity_key)]
    assert len(want) > 3
    _primed(book)
    whole = ask("哪些客户需要重点关注？", store=book).answer
    assert _listed(whole) == want and "未列出" not in whole
    monkeypatch.setattr(pa, "ATTENTION_SHOWN", 3)
    short = ask("哪些客户需要重点关注？", store=book).answer
    assert _listed(short) == want[:3]
    assert short.split("\n")[1:4] == whole.split("\n")[1:4]  # the lines shown, word for word
    assert f"共 {len(want)} 户需要重点关注" in short and f"另有 {len(want) - 3} 户未列出" in short
    asked = ask(f"需要重点关注的前{len(want) - 1}家客户", store=book).answer  # the way the answer says to list more
    assert _listed(asked) == want[:-1]


def test_a_summary_is_never_that_of_stale_data(book):
    """A write to one client after its row (and summary) was persisted: that one is rebuilt before any summary is read."""
    from assistant.chat.rowsummary import summarise
    from assistant.store import repo

    board = _primed(book)
    before = board.summaries(book, _ids(book), TODAY)
    cid = min(i for i, x in before.items() if x.breaches)
    with book.transaction() as s:  # the row's summary shows the client's industry: an edit it must not hide
        repo.update_client(s, repo.get_client(s, cid), industry="测试行业", actor="test")
    from assistant.chat.board import Board

    later = Board(persist=True)  # a new process: the persisted summary of cid is behind the ledger
    after = later.summaries(book, _ids(book), TODAY)
    assert later.built == 1
    assert after[cid] == summarise(_fresh(book, {cid})[cid]) != before[cid]
    assert after[cid].industry == "测试行业" and after[cid].breaches == before[cid].breaches
    assert board.summaries(book, _ids(book), TODAY) == after  # the same process, summaries kept in memory: cid's dropped
    assert {i: x for i, x in after.items() if i != cid} == {i: x for i, x in before.items() if i != cid}


def test_many_ids_are_filtered_in_python_with_the_same_result(book, monkeypatch):
    """The watch list and warning items of a whole book (more ids than ``repo.MANY_IDS``) are read without binding every id."""
    from assistant import watchlist, workitems
    from assistant.dashboard_data import dashboard
    from assistant.store import repo

    dashboard(book, as_of=TODAY, board=_primed(book), sync=True)
    some = sorted(_ids(book))[::2]
    bound = (watchlist.current(book, some), workitems.items(book, client_ids=some))
    assert bound[0] and bound[1]
    monkeypatch.setattr(repo, "MANY_IDS", 0)
    assert (watchlist.current(book, some), workitems.items(book, client_ids=some)) == bound


@pytest.mark.parametrize("question", ["哪些客户的约束条款余量不足？", "Which clients have thin covenant headroom?", "哪些客户应该考虑退出？",
                                      "Which clients are exit candidates?", "Which clients should we support?", "哪些客户可以加大支持？"])
def test_headroom_exit_and_support_from_summaries_equal_the_answers_over_every_row(book, question):
    """The summaries pick the rows these answers can list; the answer over every row (the rules applied to each) is the same."""
    from assistant.chat import portfolio_answers as pa
    from assistant.chat.board import BOARD
    from assistant.chat.service import ask, scoped_source
    from assistant.chat.understand import understand

    rows = [r for _, r in sorted(_fresh(book, _ids(book)).items(), key=lambda kv: kv[1].name)]  # list_clients order
    parsed = understand(question, scoped_source(store=book).clients())
    kind = parsed.portfolio.kind
    no_figures = [r for r in rows if not r.has_figures]
    want = pa._headroom(parsed, rows, no_figures) if kind == "headroom" else pa._candidates(parsed, rows, kind, no_figures)
    _primed(book)
    loaded = BOARD.loaded
    got = ask(question, store=book)
    assert (got.answer, got.items, got.value, got.citations) == (want.answer, want.items, want.value, want.citations)
    assert want.items and kind in ("headroom", "exit", "support")
    listed = {i["client"] for i in want.items if not i.get("unknown") or i["reason"] == "covenant not testable"}
    assert BOARD.loaded - loaded == len(listed) < CLIENTS  # read in full: the rows listed, no other


def test_exposure_answers_from_summaries_read_only_the_clients_listed(book):
    """Top N and by-group exposure: totals and order from the summaries, the facilities of the clients listed only."""
    from decimal import Decimal

    from assistant.chat.board import BOARD
    from assistant.chat.service import ask

    rows = list(_fresh(book, _ids(book)).values())
    with_facility = sorted((r for r in rows if r.exposures), key=lambda r: (-r.outstanding(), r.name))
    assert len(with_facility) > 3
    _primed(book)
    loaded = BOARD.loaded
    top = ask("贷款余额最大的三家客户", store=book)
    assert BOARD.loaded - loaded == 3  # the three listed, read for their facilities
    assert [(i["client"], i["outstanding"], i["drawn"], i["amount"]) for i in top.items if not i.get("unknown")] == [
        (r.name, r.outstanding(), sum((e.drawn for e in r.exposures), Decimal(0)), sum((e.amount for e in r.exposures), Decimal(0)))
        for r in with_facility[:3]]
    by_grade = ask("Exposure by grade", store=book)
    want: dict[str, list] = {}
    for r in sorted(rows, key=lambda r: r.name):
        if r.exposures:
            want.setdefault(r.grade, []).append(r)
    got = {i["group"]: (i["outstanding"], i["clients"]) for i in by_grade.items if "group" in i}
    assert got == {g: (sum((r.outstanding() for r in m), Decimal(0)), [r.name for r in m]) for g, m in want.items()}
    assert by_grade.value == sum((r.outstanding() for r in with_facility), Decimal(0))  # nothing owed here: see test_portfolio_answers
    assert f"as of {rows[0].as_of.isoformat()}" in by_grade.answer


def test_alerts_kept_as_json_are_never_those_of_stale_data(book):
    """A write to a client with alerts after its row (and its alerts' JSON) was persisted: a new process rebuilds that
    row before listing alerts, and reads the other clients' alerts as JSON."""
    from assistant.chat.board import Board
    from assistant.status import portfolio_alerts
    from assistant.store import repo

    before = portfolio_alerts(book, as_of=TODAY, board=_primed(book))
    with book.transaction() as s:
        client = next(c for c in repo.list_clients(s) if c.name == before[0]["client"])
        repo.update_client(s, client, industry="测试行业", actor="test")
    later = Board(persist=True)
    after = portfolio_alerts(book, as_of=TODAY, board=later)
    assert later.built == 1 and later.loaded == 0  # the client written to is rebuilt (its alerts from the row), no other
    assert after == portfolio_alerts(book, as_of=TODAY, board=None) == before
