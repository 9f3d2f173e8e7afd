"""The audit page's rows and exports, recorded accesses and exports, and the ledger's anchor file (issue 12)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from assistant import access, audit_log, ledger, sessions
from assistant.audit_log import Filter
from assistant.config import reset_settings
from assistant.errors import AccessDeniedError, ConfigError
from assistant.store import open_store
from assistant.store.repo import add_client, add_memo

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture()
def store(home):
    st = open_store()
    with st.transaction() as s:
        a = add_client(s, "甲公司股份有限公司", aliases=["甲公司"])
        add_client(s, "乙公司股份有限公司", aliases=["乙公司"])
        access.add_user(s, "officer_a", "officer", "officer-a-pass", clients=[a.id])
        access.add_user(s, "rev", "reviewer", "reviewer-pass")
        add_memo(s, a.id, "2026Q3", "memo text", by="officer_a")
    return st


def _user(st, name):
    return access.get_user(st, name)


def test_a_denied_client_is_recorded_with_who_asked_and_what(store):
    officer = _user(store, "officer_a")
    with pytest.raises(AccessDeniedError) as err:
        access.require_client(store, officer, "乙公司")
    assert access.record_denial(store, err.value)
    assert not access.record_denial(store, err.value)  # once
    (row,) = audit_log.entries(store, _user(store, "rev"), Filter(action="access.denied"))
    assert (row.actor, row.entity, row.entity_id, row.client) == ("officer_a", "access", 2, "乙公司股份有限公司")
    assert row.detail == "asked=乙公司"
    with pytest.raises(AccessDeniedError) as err:  # a client that does not exist: recorded without an id
        access.require_client(store, officer, "no such\nclient")
    access.record_denial(store, err.value)
    newest = audit_log.entries(store, _user(store, "rev"), Filter(action="access"))[0]
    assert newest.entity_id is None and "\n" not in newest.detail


def test_filters_by_user_action_family_client_and_dates(store):
    sessions.login(store, "officer_a", "wrong-pass")
    sessions.login(store, "officer_a", "officer-a-pass")
    rev = _user(store, "rev")
    logins = audit_log.entries(store, rev, Filter(action="login"))
    assert [e.action for e in logins] == ["login.ok", "login.fail"]  # newest first, the whole family
    assert [e.action for e in audit_log.entries(store, rev, Filter(user="officer_a", action="login.ok"))] == ["login.ok"]
    client_rows = audit_log.entries(store, rev, Filter(client=1))
    assert {e.entity for e in client_rows} == {"client", "memo"} and {e.client for e in client_rows} == {"甲公司股份有限公司"}
    today = dt.datetime.now(dt.timezone.utc).date()
    everything = audit_log.entries(store, rev)
    assert audit_log.entries(store, rev, Filter(since=today, until=today)) == everything
    assert audit_log.entries(store, rev, Filter(until=today - dt.timedelta(days=1))) == []
    assert audit_log.entries(store, rev, Filter(since=today + dt.timedelta(days=1))) == []


def test_an_officer_sees_their_clients_entries_and_their_own_only(store):
    sessions.login(store, "rev", "reviewer-pass")
    officer = _user(store, "officer_a")
    rows = audit_log.entries(store, officer)
    assert all(e.client in ("甲公司股份有限公司", "") for e in rows)
    assert not any(e.client == "乙公司股份有限公司" for e in rows)
    assert not any(e.actor == "rev" and e.action == "login.ok" for e in rows)
    with pytest.raises(AccessDeniedError):
        audit_log.entries(store, officer, Filter(client=2))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_hold_the_same_rows_as_the_page_and_are_recorded(store, tmp_path, fmt):
    rev = _user(store, "rev")
    flt = Filter(client=1)
    shown = [e.cells() for e in audit_log.entries(store, rev, flt)]
    path = audit_log.export(store, rev, flt, fmt, tmp_path)
    if fmt == "csv":
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        assert rows[0] == list(audit_log.COLUMNS)
        assert rows[1:] == [[str(c) for c in r] for r in shown]
    else:
        from openpyxl import load_workbook

        ws = load_workbook(path).active
        rows = [[("" if c is None else c) for c in r] for r in ws.iter_rows(values_only=True)]
        assert rows[0] == list(audit_log.COLUMNS) and rows[1:] == shown
    newest = audit_log.entries(store, rev)[0]
    assert (newest.action, newest.actor, newest.entity_id) == ("export.audit", "rev", 1)
    assert f"format={fmt}" in newest.detail and f"rows={len(shown)}" in newest.detail


def test_text_a_spreadsheet_would_run_is_kept_as_text(store, tmp_path):
    sessions.login(store, "=HYPERLINK(\"http://x\")", "pw")
    rev = _user(store, "rev")
    path = audit_log.export(store, rev, Filter(action="login.fail"), "csv", tmp_path)
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")


def test_parse_day_names_the_field():
    assert audit_log.parse_day(" 2026-11-10 ", "from") == dt.date(2026, 11, 10)
    assert audit_log.parse_day("", "from") is None
    with pytest.raises(ConfigError, match="to '10/11/2026' is not a date"):
        audit_log.parse_day("10/11/2026", "to")


def test_memo_export_is_recorded(store):
    audit_log.record_export(store, "officer_a", "export.memo", "甲公司", period="2026Q3", format="docx")
    (row,) = audit_log.entries(store, _user(store, "rev"), Filter(action="export.memo"))
    assert (row.actor, row.client, row.detail) == ("officer_a", "甲公司股份有限公司", "format=docx, period=2026Q3")


# ---------------------------------------------------------------- the anchor file


@pytest.fixture()
def anchored(store, tmp_path, monkeypatch):
    path = tmp_path / "elsewhere" / "loanwatch.anchor"
    monkeypatch.setenv("LOANWATCH_ANCHOR_FILE", str(path))
    reset_settings()
    return path


def test_every_commit_appends_the_head_and_a_deleted_tail_is_found(store, anchored):
    with store.transaction() as s:
        add_memo(s, 1, "2026Q4", "second memo", by="officer_a")
    with store.transaction() as s:
        add_memo(s, 1, "2027Q1", "third memo", by="officer_a")
        top = ledger.head(s)
    lines = anchored.read_text().splitlines()
    assert len(lines) == 2 and lines[-1].split()[:2] == [str(top.seq), top.hash]
    with store.session() as s:
        assert ledger.verify(s) == []
    with store.engine.begin() as conn:  # the tail: the last memo and its ledger entry, removed together
        conn.execute(text("DELETE FROM memos WHERE period = '2027Q1'"))
        conn.execute(text(f"DELETE FROM ledger WHERE seq = {top.seq}"))
    with store.session() as s:
        assert ledger.verify(s, anchor=None) == []  # without the anchor the chain looks whole
        problems = [str(p) for p in ledger.verify(s)]
    assert problems == [f"ledger #{top.seq}: is anchored in loanwatch.anchor but missing from the ledger "
                        "(entries at its tail were deleted)"]


def test_a_rewritten_tail_and_a_missing_anchor_file_are_found(store, anchored):
    with store.transaction() as s:
        add_memo(s, 1, "2026Q4", "second memo", by="officer_a")
        seq = ledger.head(s).seq
    with store.engine.begin() as conn:
        conn.execute(text(f"UPDATE ledger SET hash = '{'0' * 64}' WHERE seq = {seq}"))
    with store.session() as s:
        assert f"ledger #{seq}: differs from its anchor in loanwatch.anchor (the chain was rewritten)" in \
            [str(p) for p in ledger.verify(s)]
    anchored.unlink()
    with store.session() as s:
        assert any(p.where == "anchor" and "is missing" in p.what for p in ledger.verify(s))


def test_an_anchor_inside_home_is_refused(store, home, monkeypatch):
    monkeypatch.setenv("LOANWATCH_ANCHOR_FILE", str(home / "anchor"))
    reset_settings()
    with pytest.raises(ConfigError, match="inside LOANWATCH_HOME"):
        with store.transaction() as s:
            add_memo(s, 1, "2026Q4", "x", by="officer_a")


def test_cli_audit_verify_finds_a_deleted_tail_through_the_anchor(tmp_path):
    home, anchor = tmp_path / "home", tmp_path / "bank" / "anchor.txt"
    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    env.update(LOANWATCH_HOME=str(home), LOANWATCH_ANCHOR_FILE=str(anchor))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=120)

    assert cli("client", "add", "One Co").returncode == 0
    assert cli("client", "add", "Two Co").returncode == 0
    assert anchor.read_text().count("\n") == 2
    assert cli("audit", "verify").returncode == 0
    import sqlite3

    with sqlite3.connect(home / "loanwatch.db") as db:
        db.execute("DELETE FROM clients WHERE name = 'Two Co'")
        db.execute("DELETE FROM ledger WHERE seq = 2")
    bad = cli("audit", "verify")
    assert bad.returncode == 1 and "ledger #2: is anchored in anchor.txt but missing from the ledger" in bad.stderr


def test_head_line_for_a_memo_footer(store):
    with store.session() as s:
        top = ledger.head(s)
        assert ledger.head_line(s) == f"ledger #{top.seq} sha256:{top.hash}"


def test_the_cli_records_a_denied_client_where_it_reports_the_error(store):
    from assistant import cli

    with pytest.raises(AccessDeniedError) as err:
        access.require_client(store, _user(store, "officer_a"), "乙公司")
    cli._record_denial(err.value)
    (row,) = audit_log.entries(store, _user(store, "rev"), Filter(action="access.denied"))
    assert (row.actor, row.client) == ("officer_a", "乙公司股份有限公司")


def test_the_client_pages_audit_table_shows_its_events(store):
    from ui import work as W

    audit_log.record_export(store, "officer_a", "download.memo", 1, period="2026Q3", format="pdf")
    rows = W.audit_entries(store, _user(store, "officer_a"), "甲公司")
    assert rows[0][2:6] == ["officer_a", "download.memo", "export", 1]
