"""``loanwatch demo``: a deterministic portfolio, loaded through the real ingest path.

The demo is built once per test session through the real entry point (a subprocess) into
a temporary home; ``test_status_cli.py`` reads the same home. The demo date is fixed so the
quarters and every figure are reproducible.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

DEMO_DATE = "2026-11-15"


def run_cli(*args: str, home: Path, timeout: int = 400) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_ENGINE": "builtin", "OMP_NUM_THREADS": "1"}
    env.pop("LOANWATCH_DB_URL", None)
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=timeout)


def build_demo_home(factory: pytest.TempPathFactory) -> Path:
    """The session's demo home, built on first use (shared by every module that asks for it)."""
    home = factory.getbasetemp() / "demo_home"
    marker = home / ".demo_built"
    if not marker.exists():
        out = run_cli("demo", "--as-of", DEMO_DATE, "--no-index", home=home)
        assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
        marker.write_text(out.stdout, encoding="utf-8")
    return home


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- fast: periods and files


def test_quarters_end_at_the_latest_quarter_whose_statements_are_due():
    from assistant.demo.portfolio import QUARTERS, demo_quarters

    ends = demo_quarters(dt.date(2026, 11, 15))
    assert len(ends) == QUARTERS and ends[-1] == dt.date(2026, 9, 30) and ends[0] == dt.date(2024, 12, 31)
    assert all((b - a).days in range(89, 93) for a, b in zip(ends, ends[1:]))
    assert demo_quarters(dt.date(2026, 10, 20))[-1] == dt.date(2026, 6, 30)  # Q3 not due yet
    assert demo_quarters(dt.date(2027, 1, 30))[-1] == dt.date(2026, 12, 31)


@pytest.mark.slow
def test_the_inbox_is_byte_for_byte_reproducible(tmp_path):
    from assistant.demo.portfolio import write_inbox

    day = dt.date.fromisoformat(DEMO_DATE)
    a, b = write_inbox(tmp_path / "a", day), write_inbox(tmp_path / "b", day)
    names_a = sorted(f.path.relative_to(a.root) for f in a.files)
    assert names_a == sorted(f.path.relative_to(b.root) for f in b.files)
    differ = [n for n in names_a if _sha(a.root / n) != _sha(b.root / n)]
    assert differ == []
    assert a.portfolio_file.read_text(encoding="utf-8") == b.portfolio_file.read_text(encoding="utf-8")
    kinds = {f.kind for f in a.files}
    assert kinds == {"statement", "inspection", "filing"}
    suffixes = {f.path.suffix for f in a.files}
    assert {".pdf", ".xlsx", ".txt", ".md", ".docx"} <= suffixes


# ---------------------------------------------------------------- the built home (slow: one build per session)


@pytest.mark.slow
def test_every_borrower_is_stored_with_eight_quarters_notes_and_filings(demo_store):
    from sqlalchemy import select

    from assistant.demo.portfolio import BORROWERS, demo_quarters
    from assistant.store.repo import list_clients
    from assistant.store.schema import DocumentRow

    ends = set(demo_quarters(dt.date.fromisoformat(DEMO_DATE)))
    with demo_store.session() as s:
        clients = {c.name: c for c in list_clients(s)}
        assert set(clients) == {b.name for b in BORROWERS}
        for b in BORROWERS:
            docs = list(s.execute(select(DocumentRow).where(DocumentRow.client_id == clients[b.name].id)).scalars())
            statements = [d for d in docs if d.kind == "statement"]
            assert {d.period_end for d in statements} == ends, b.name
            assert sum(d.kind == "inspection" for d in docs) == 4, b.name
            assert sum(d.kind == "filing" for d in docs) >= 1, b.name
            assert sorted(clients[b.name].aliases) == sorted([b.alias, b.english]), b.name  # and its English name
            # received within the reporting window, except the latest statements of the borrower on a 30-day term
            days = b.statement_days or 45
            late = [d for d in statements if d.received > d.period_end + dt.timedelta(days=days)]
            assert {d.period_end for d in late} == ({max(ends)} if b.late_latest else set()), b.name


@pytest.mark.slow
def test_two_homes_hold_the_same_figures(demo_store, tmp_path):
    """A second, independent build of the inbox gives exactly the figures stored in the demo home.

    Comparing the store with the generator's truth also shows the demo went through extraction
    (not into the database directly) without losing or changing a figure.
    """
    from assistant.demo.portfolio import BORROWERS, write_inbox
    from assistant.store import load_snapshot

    again = write_inbox(tmp_path / "inbox", dt.date.fromisoformat(DEMO_DATE))
    for b in BORROWERS:
        stored = load_snapshot(demo_store, b.name).facts
        truth = again.truth[b.name]
        assert len(truth) > 500
        wrong = [(k, s.label, v.value, stored.value(k, s)) for (k, s), v in truth.facts.items()
                 if stored.value(k, s) != v.value]
        assert wrong == [], f"{b.name}: {wrong[:5]}"


@pytest.mark.slow
def test_demo_refuses_a_home_that_already_has_clients(demo_home):
    out = run_cli("demo", "--as-of", DEMO_DATE, "--no-index", home=demo_home, timeout=120)
    assert out.returncode == 1
    assert out.stderr.startswith("loanwatch: ") and out.stderr.count("\n") == 1
    assert "already holds 6 client(s)" in out.stderr and "--force" in out.stderr


@pytest.mark.slow
def test_facilities_covenants_and_schedules_come_from_the_facility_file(demo_store):
    from assistant.demo.portfolio import BORROWERS
    from assistant.store import load_snapshot

    as_of = dt.date.fromisoformat(DEMO_DATE)
    for b in BORROWERS:
        snap = load_snapshot(demo_store, b.name, as_of=as_of)
        (facility,) = snap.facilities
        assert {c.metric for c in facility.covenants} == {"current_ratio", "debt_to_assets", "dscr"}
        assert facility.collateral and facility.guarantors and facility.rate
        principal = sum(r.principal for r in facility.schedule)
        assert principal == facility.amount  # the schedule repays the loan
        due = [r for r in facility.schedule if r.due <= as_of]
        unpaid = [r for r in due if r.paid_on is None]
        assert all(r.paid_on == r.due for r in due if r not in unpaid)  # paid on the day, or not at all
        # only the story's latest instalment is overdue (the repayment plan is under discussion)
        assert [r.due for r in unpaid] == ([max(r.due for r in due)] if b.story else []), b.name
        assert facility.outstanding == sum(r.principal for r in facility.schedule if r.due > as_of or r in unpaid)
        collateral, guarantee = facility.securities
        assert collateral.kind == "collateral" and collateral.value > facility.amount and collateral.valuation_date
        assert guarantee.kind == "guarantee" and guarantee.provider == b.guarantors


@pytest.mark.slow
def test_the_demo_shows_a_late_statement_a_past_due_instalment_a_watch_list_entry_and_a_resolved_warning(demo_store):
    """Each part of the book has something real to show, and it follows the seed's story."""
    from assistant import watchlist, workitems
    from assistant.book import portfolio_books, portfolio_calendar
    from assistant.demo.portfolio import BORROWERS, RESOLVED, WATCHED_BY_OFFICER

    as_of = dt.date.fromisoformat(DEMO_DATE)
    story = next(b for b in BORROWERS if b.story)
    late = next(b for b in BORROWERS if b.late_latest)
    books = {b.client: b for b in portfolio_books(demo_store, as_of=as_of)}
    assert books[story.name].days_past_due == 56 and books[story.name].category == "关注"  # 2026-09-20 → 2026-11-15
    assert all(b.days_past_due == 0 for name, b in books.items() if name != story.name)
    assert any(a["rule"] == "repayment_overdue" for a in books[story.name].alerts)
    assert any(a["rule"] == "statements_late" and "迟交8天" in a["message_zh"] for a in books[late.name].alerts)
    items = portfolio_calendar(demo_store, as_of=as_of)
    assert [(i.client, i.kind) for i in items if i.state == "overdue"] == [(story.name, "instalment")]
    assert any(i.client == late.name and i.kind == "statement" and i.state == "late" for i in items)
    entries = {e.client: e for e in watchlist.current(demo_store)}
    assert entries[story.name].source == "rule" and "56 days past due" in entries[story.name].reason
    assert entries[late.name].source == "officer" and entries[late.name].reason == WATCHED_BY_OFFICER[1]
    done = [i for i in workitems.items(demo_store, status="resolved")]
    assert [(i.client, i.rule, i.action_taken) for i in done] == [(story.name, RESOLVED[1], RESOLVED[2])]
    assert done[0].resolution == RESOLVED[3] and [e.action for e in done[0].events] == ["open", "ack", "resolve"]
    sound = [b for b in BORROWERS if not b.story and not b.late_latest]
    assert all(books[b.name].category == "正常" and b.name not in entries for b in sound)


def test_bulk_snapshots_of_the_demo_portfolio_equal_one_by_one(demo_store):
    from assistant.store import load_snapshot, load_snapshots
    from assistant.store.repo import list_clients

    day = dt.date.fromisoformat(DEMO_DATE)
    with demo_store.session() as s:
        ids = [c.id for c in list_clients(s)]
        bulk = load_snapshots(s, ids, as_of=day)
    assert len(ids) == 6 and sum(len(snap.notes) for snap in bulk.values()) > 0
    assert bulk == {cid: load_snapshot(demo_store, cid, as_of=day) for cid in ids}
