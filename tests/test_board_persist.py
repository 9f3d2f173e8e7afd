"""Client rows persisted in the store (``assistant.chat.rowcache``): read back exactly, rebuilt only
for the client whose data changed, and rebuilt — never served — whenever a row cannot be shown
current (another format, other code or rules, another date, a damaged payload, a ledger that
is not the one the row was built from, a change the cache cannot trace to one client)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from tests.clock import TODAY
from tests.ui_support import CLIENT_A, CLIENT_B


@pytest.fixture()
def store(book_store):
    return book_store


def _ids(store) -> frozenset[int]:  # noqa: ANN001
    from assistant.store import repo

    with store.session() as s:
        return frozenset(c.id for c in repo.list_clients(s))


def _fresh(store, cid: int):  # noqa: ANN001, ANN202 - a row assessed now, without any cache
    from assistant.analytics import load_rules
    from assistant.chat.board import client_row
    from assistant.store import load_snapshots

    with store.session() as s:
        return client_row(load_snapshots(s, [cid], as_of=TODAY)[cid], load_rules())


def _restart(store):  # noqa: ANN001, ANN202 - what a new process finds: an empty in-memory board over the same store
    from assistant.chat.board import Board

    board = Board(persist=True)
    return board, board.rows(store, _ids(store), TODAY)


def _ledger_length(store) -> int:  # noqa: ANN001
    from assistant.store.schema import LedgerRow

    with store.session() as s:
        return s.execute(select(func.count()).select_from(LedgerRow)).scalar_one()


def _sql(store, sql: str) -> None:  # noqa: ANN001
    with store.engine.begin() as c:
        c.execute(text(sql))


def test_a_persisted_row_reads_back_equal_to_a_fresh_build(store):
    first, _ = _restart(store)
    assert first.built == len(_ids(store)) and first.loaded == 0
    board, rows = _restart(store)
    assert board.built == 0 and board.loaded == len(rows) == len(_ids(store))
    for cid, row in rows.items():
        fresh = _fresh(store, cid)
        for f in dataclasses.fields(row):  # field by field, so a failure names the field
            assert getattr(row, f.name) == getattr(fresh, f.name), f.name
        assert row == fresh
    b = next(r for r in rows.values() if r.name == CLIENT_B)  # the client with a schedule, collateral and an overdue instalment
    assert b.exposures and all(type(e.outstanding) is Decimal for e in b.exposures)
    assert b.overdue_days > 0 and b.calendar and b.book is not None
    assert all(type(f.value) is Decimal and isinstance(f.span.end, dt.date) for r in rows.values() for f in r.figures.values())


def test_reads_add_nothing_to_the_ledger_and_the_chain_still_verifies(store):
    from assistant import ledger

    before = _ledger_length(store)
    _restart(store)
    _restart(store)
    assert _ledger_length(store) == before
    with store.session() as s:
        assert ledger.verify(s, anchor=None) == []
        assert s.execute(text("SELECT count(*) FROM client_row_cache")).scalar_one() == len(_ids(store))


def _client(store, name: str):  # noqa: ANN001, ANN202
    from assistant.store import repo

    with store.session() as s:
        return repo.get_client(s, name)


def _correction(store) -> None:  # noqa: ANN001
    from assistant.store import repo
    from tests.checkers import confirm_corrections

    row = _fresh(store, _client(store, CLIENT_A).id)
    with store.transaction() as s:
        repo.set_figure(s, repo.get_client(s, CLIENT_A), row.period, "total_liabilities", Decimal(3_000_000_000),
                        reason="test", by="test")
    confirm_corrections(store)


def _note(store) -> None:  # noqa: ANN001
    from assistant.domain import InspectionNote
    from assistant.store import repo

    with store.transaction() as s:
        repo.store_document(s, repo.get_client(s, CLIENT_A), sha256="e" * 64, kind="note", name="visit.txt", stored_path="-",
                            note=InspectionNote(visit_date=TODAY - dt.timedelta(days=3), operating_status="stopped",
                                                text="现场停产", problems=["停产"]), actor="test")


def _facility(store) -> None:  # noqa: ANN001
    from assistant.domain import Facility, Repayment
    from assistant.store import repo

    with store.transaction() as s:
        repo.upsert_facility(s, repo.get_client(s, CLIENT_A), Facility(
            name="新增贷款", amount=Decimal(5_000_000), schedule=[Repayment(TODAY - dt.timedelta(days=40), Decimal(1_000_000),
                                                                         Decimal(10_000))]), actor="test")


@pytest.mark.parametrize("change", [_correction, _note, _facility])
def test_a_change_to_one_client_rebuilds_only_that_row_and_it_matches_a_fresh_assessment(store, change):
    _, before = _restart(store)
    a = _client(store, CLIENT_A).id
    change(store)
    board, rows = _restart(store)
    assert board.built == 1 and board.loaded == len(rows) - 1
    assert rows[a] == _fresh(store, a)
    assert rows[a] != before[a]  # the change shows
    again, _ = _restart(store)  # and the rebuilt row was persisted
    assert again.built == 0


def test_a_row_of_another_format_or_other_code_is_rebuilt_never_misread(store, monkeypatch):
    from assistant.chat import rowcache

    _restart(store)
    _sql(store, "UPDATE client_row_cache SET format = format + 1")
    board, _ = _restart(store)
    assert board.loaded == 0 and board.built == len(_ids(store))
    monkeypatch.setattr(rowcache, "_code_digest", "other code")  # a new release: every row computed anew
    board, _ = _restart(store)
    assert board.loaded == 0 and board.built == len(_ids(store))


def test_a_row_of_another_date_is_rebuilt_and_todays_rows_survive_an_as_of_read(store):
    from assistant.chat.board import Board

    _restart(store)
    other = Board(persist=True)
    other.rows(store, _ids(store), TODAY - dt.timedelta(days=30))
    assert other.built == len(_ids(store))
    board, _ = _restart(store)
    assert board.loaded == len(_ids(store)) and board.built == 0


def test_when_the_cache_cannot_tell_it_rebuilds(store):
    from assistant import ledger

    _restart(store)
    with store.transaction() as s:  # a write the cache cannot trace to one client
        ledger.append(s, actor="test", action="mystery.change", entity="mystery", entity_id=None)
    board, _ = _restart(store)
    assert board.loaded == 0 and board.built == len(_ids(store))

    _sql(store, "UPDATE client_row_cache SET ledger_hash = 'x' || substr(ledger_hash, 2)")  # not the ledger these rows saw
    board, _ = _restart(store)
    assert board.loaded == 0 and board.built == len(_ids(store))

    _sql(store, "UPDATE client_row_cache SET seq = seq + 1000")  # built past the ledger's head: a restored database
    board, _ = _restart(store)
    assert board.loaded == 0 and board.built == len(_ids(store))


def test_a_damaged_or_planted_payload_is_rebuilt_and_runs_nothing(store, tmp_path):
    import os

    from assistant.chat import rowcache

    _restart(store)
    marker = tmp_path / "ran"
    planted = pickle.dumps({"head": b"", "signals": b"", "book": b"", "detail": b""})

    class Evil:
        def __reduce__(self):  # noqa: ANN204
            return (os.system, (f"touch {marker}",))

    with pytest.raises(pickle.UnpicklingError):
        rowcache.loads(pickle.dumps(Evil()))
    a, b = sorted(_ids(store))
    with store.engine.begin() as c:
        c.execute(text("UPDATE client_row_cache SET payload = :p WHERE client_id = :a"), {"p": pickle.dumps(Evil()), "a": a})
        c.execute(text("UPDATE client_row_cache SET payload = :p WHERE client_id = :b"), {"p": planted, "b": b})
    board, rows = _restart(store)
    assert board.built == 2 and not marker.exists()
    assert rows[a] == _fresh(store, a) and rows[b] == _fresh(store, b)


def test_the_book_alerts_read_from_the_rows_equal_the_alerts_assessed_afresh(store):
    from assistant.chat.board import Board
    from assistant.status import portfolio_alerts

    fresh = portfolio_alerts(store, as_of=TODAY, board=None)
    assert fresh  # the book has warnings (远洋物流's overdue instalment)
    assert portfolio_alerts(store, as_of=TODAY, board=Board(persist=True)) == fresh
    assert portfolio_alerts(store, as_of=TODAY, board=Board(persist=True)) == fresh  # read back from the store
