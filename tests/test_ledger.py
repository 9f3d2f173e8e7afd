"""The hash-chained ledger: every change recorded, any change behind its back reported."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from decimal import Decimal

import pytest
from sqlalchemy import text

from assistant import ledger
from assistant.domain import Covenant, Facility, quarter_span
from assistant.store import repo
from assistant.store.db import Store, init_db
from tests.test_store import balance, income, statement_result

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'l.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_database")
    st = Store(url)
    init_db(st)
    _populate(st)
    yield st
    st.dispose()


def _populate(st: Store) -> None:
    q3 = quarter_span(2026, 3)
    result = statement_result("Audit Co", [income([q3], {"revenue": ["1000"], "net_profit": ["90"]}),
                                           balance([q3.end], {"total_assets": ["5000"]})])
    with st.transaction() as s:
        client = repo.add_client(s, "Audit Co")
        repo.upsert_facility(s, client, Facility(name="loan", amount=Decimal("1000000"),
                                                 covenants=[Covenant("current_ratio", ">=", Decimal("1.2"))]))
        repo.store_document(s, client, sha256="a" * 64, kind="statement", name="q3.pdf", stored_path="documents/a.pdf",
                            extraction=result)
        repo.set_figure(s, client, "2026Q3", "revenue", Decimal("1100"), reason="misread", by="li.na")
        repo.add_memo(s, client.id, "2026Q3", "memo text")


def _problems(st: Store) -> list[str]:
    with st.session() as s:
        return [str(p) for p in ledger.verify(s)]


def _sql(st: Store, sql: str) -> None:
    with st.engine.begin() as conn:
        conn.execute(text(sql))


def test_untouched_store_verifies_and_every_step_is_recorded(store):
    assert _problems(store) == []
    with store.session() as s:
        rows = s.execute(text("SELECT action, entity FROM ledger ORDER BY seq")).all()
        assert [tuple(r) for r in rows] == [
            ("client.add", "client"), ("facility.add", "facility"), ("document.ingest", "document"),
            ("statement.extract", "statement"), ("statement.extract", "statement"),
            ("figure.correct", "correction"), ("memo.save", "memo")]
        top = ledger.head(s)
        assert top.seq == 7 and len(top.hash) == 64


def test_editing_a_figure_is_reported_with_its_statement(store):
    _sql(store, "UPDATE figures SET value = '999' WHERE key = 'net_profit'")
    (problem,) = _problems(store)
    assert problem.startswith("statement ") and "was changed in the database since ledger #" in problem


def test_editing_a_correction_or_a_covenant_is_reported(store):
    _sql(store, "UPDATE corrections SET reason = 'nothing to see'")
    _sql(store, "UPDATE covenants SET threshold = '0.5'")
    problems = _problems(store)
    assert any(p.startswith("correction 1: was changed") for p in problems)
    assert any(p.startswith("covenant 1 (facility 1): was changed") for p in problems)  # the row is named
    assert len(problems) == 2


def test_deleting_a_record_is_reported(store):
    _sql(store, "DELETE FROM memos")
    assert _problems(store) == ["memo 1: was deleted from the database (last recorded at ledger #7)"]


def test_deleting_a_figure_row_is_reported(store):
    _sql(store, "DELETE FROM figures WHERE key = 'total_assets'")
    (problem,) = _problems(store)
    assert "was changed in the database" in problem


def test_inserting_a_record_directly_is_reported(store):
    _sql(store, "INSERT INTO clients (name, aliases, industry, created_at) VALUES ('Ghost Co', '[]', '', '2026-01-01')")
    _sql(store, "INSERT INTO figures (statement_id, document_id, client_id, key, label, value, kind, scope, unit, currency,"
                " page, row_index, col_index, column_label) VALUES (1, 1, 1, 'cash', 'x', '5', 'balance_sheet',"
                " 'consolidated', 1, 'CNY', 1, 9, 0, '')")
    problems = _problems(store)
    assert "client 2: is not in the ledger (inserted directly in the database)" in problems
    assert any(p.startswith("statement 1: was changed") for p in problems)


def test_ledger_edits_and_deletions_are_reported(store):
    _sql(store, "UPDATE ledger SET actor = 'someone else' WHERE seq = 2")
    assert _problems(store) == ["ledger #2: was edited: its content no longer matches its hash (facility.add facility 1)"]
    _sql(store, "DELETE FROM ledger WHERE seq = 6")
    problems = _problems(store)
    assert "ledger #7: entries #6 are missing (deleted from the ledger)" in problems
    assert any(p.startswith("ledger #7: does not link") for p in problems)
    assert "correction 1: is not in the ledger (inserted directly in the database)" in problems


def test_a_rewritten_chain_does_not_hide_an_edited_record(store):
    """Re-hashing the ledger after editing a row is caught by the row digest (and the anchored head)."""
    with store.session() as s:
        old_head = ledger.head(s).hash
    _sql(store, "UPDATE memos SET content = 'forged'")
    _sql(store, "UPDATE ledger SET actor = actor")
    assert _problems(store) == ["memo 1: was changed in the database since ledger #7 (memo.save)"]
    with store.session() as s:
        assert ledger.head(s).hash == old_head


def test_concurrent_appends_keep_one_chain(store):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(5):
                with store.transaction() as s:
                    repo.add_alert(s, 1, "2026Q3", f"rule{n}", "low", f"alert {n}.{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.session() as s:
        seqs = [r for (r,) in s.execute(text("SELECT seq FROM ledger ORDER BY seq"))]
    assert seqs == list(range(1, 28))
    assert _problems(store) == []


def _cli(home, *args):
    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    env["LOANWATCH_HOME"] = str(home)
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)


def test_cli_audit_verify_and_head(tmp_path):
    home = tmp_path / "home"
    assert _cli(home, "client", "add", "CLI Co", "--alias", "CLI").returncode == 0
    ok = _cli(home, "audit", "verify")
    assert ok.returncode == 0 and ok.stdout.startswith("ledger OK: 1 entries")
    head = _cli(home, "audit", "head")
    seq, digest = head.stdout.split()
    assert (head.returncode, seq, len(digest)) == (0, "1", 64) and digest in ok.stdout
    st = Store(f"sqlite:///{home / 'loanwatch.db'}")
    _sql(st, "UPDATE clients SET officer = 'mallory'")
    st.dispose()
    bad = _cli(home, "audit", "verify")
    assert bad.returncode == 1 and bad.stderr == "client 1: was changed in the database since ledger #1 (client.add)\n"


def test_ledger_timestamps_are_utc_iso(store):
    with store.session() as s:
        ts = ledger.head(s).ts
    assert dt.datetime.fromisoformat(ts).utcoffset() == dt.timedelta(0)
