"""Logins and sessions (issue 12): throttling and lockout, expiry, revocation, the CLI's token."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys

import pytest
from sqlalchemy import select, text

from assistant import access, sessions
from assistant.errors import AccessDeniedError, ConfigError
from assistant.store import open_store
from assistant.store.repo import add_client
from assistant.store.schema import LedgerRow

NOW = dt.datetime(2026, 11, 10, 9, 0, 0)  # the session's pinned day (tests/clock.py), at 09:00 UTC
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture()
def store(home):
    st = open_store()
    with st.transaction() as s:
        add_client(s, "甲公司股份有限公司", aliases=["甲公司"])
        add_client(s, "乙公司股份有限公司", aliases=["乙公司"])
        access.add_user(s, "officer_a", "officer", "officer-a-pass", clients=["甲公司"])
        access.add_user(s, "admin", "admin", "admin-pass-123")
    return st


def _actions(st, prefix: str) -> list[tuple[str, str]]:
    with st.session() as s:
        rows = s.execute(select(LedgerRow.actor, LedgerRow.action).where(LedgerRow.action.startswith(prefix))
                         .order_by(LedgerRow.seq)).all()
    return [tuple(r) for r in rows]


def _at(minutes: float) -> dt.datetime:
    return NOW + dt.timedelta(minutes=minutes)


# ---------------------------------------------------------------- throttle


def test_five_failures_lock_the_name_for_fifteen_minutes_even_to_the_right_password(store):
    for i in range(4):
        assert sessions.login(store, "officer_a", "wrong-password", now=_at(i)).reason == "bad"
    fifth = sessions.login(store, "officer_a", "wrong-password", now=_at(4))
    assert (fifth.ok, fifth.reason, fifth.locked_until) == (False, "locked", _at(19))
    assert "locked until 2026-11-10 09:19 UTC" in fifth.message
    right = sessions.login(store, "officer_a", "officer-a-pass", now=_at(10))
    assert (right.ok, right.reason) == (False, "locked")
    assert sessions.login(store, "officer_a", "officer-a-pass", now=_at(19)).ok  # the lock lifted
    assert _actions(store, "login") == [("officer_a", "login.fail")] * 5 + [
        ("officer_a", "login.lockout"), ("officer_a", "login.locked"), ("officer_a", "login.ok")]


def test_failures_spread_beyond_the_window_or_broken_by_a_success_do_not_lock(store):
    for i in range(4):
        sessions.login(store, "officer_a", "wrong-password", now=_at(i))
    assert sessions.login(store, "officer_a", "officer-a-pass", now=_at(5)).ok
    for i in range(4):
        sessions.login(store, "officer_a", "wrong-password", now=_at(6 + i))
    assert sessions.login(store, "officer_a", "wrong-password", now=_at(30)).reason == "bad"  # first four are old
    assert sessions.login(store, "officer_a", "officer-a-pass", now=_at(31)).ok


def test_unknown_names_are_throttled_and_recorded_like_known_ones(store):
    results = [sessions.login(store, "nobody", "x", now=_at(i)).reason for i in range(6)]
    assert results == ["bad"] * 4 + ["locked", "locked"]
    assert ("nobody", "login.fail") in _actions(store, "login")


def test_reactivation_lifts_a_lock_and_the_lock_is_per_name(store):
    for i in range(5):
        sessions.login(store, "officer_a", "wrong-password", now=_at(i))
    assert sessions.login(store, "admin", "admin-pass-123", now=_at(5)).ok  # another name is not locked
    with store.transaction() as s:
        access.set_active(s, "officer_a", True, actor="admin")
    assert sessions.login(store, "officer_a", "officer-a-pass", now=_at(6)).ok


def test_a_deactivated_user_cannot_log_in(store):
    with store.transaction() as s:
        access.set_active(s, "officer_a", False, actor="admin")
    result = sessions.login(store, "officer_a", "officer-a-pass", now=NOW)
    assert not result.ok and "deactivated" in result.message


# ---------------------------------------------------------------- expiry and revocation


def test_sessions_expire_when_idle_and_at_their_absolute_limit(store):
    token = sessions.open_session(store, "officer_a", kind="app", now=NOW)
    assert sessions.session_user(token, store=store, now=_at(29)).name == "officer_a"  # use: idle clock restarts
    assert sessions.session_user(token, store=store, now=_at(58)).name == "officer_a"
    with pytest.raises(sessions.SessionError, match="without use"):
        sessions.session_user(token, store=store, now=_at(58 + 30))
    busy = sessions.open_session(store, "officer_a", kind="app", now=NOW)
    for minutes in range(20, 12 * 60, 20):
        sessions.session_user(busy, store=store, now=_at(minutes))
    with pytest.raises(sessions.SessionError, match="expired"):
        sessions.session_user(busy, store=store, now=_at(12 * 60))


@pytest.mark.parametrize("how", ["passwd", "deactivate", "re-add"])
def test_password_change_reset_and_deactivation_end_every_session(store, how):
    one = sessions.open_session(store, "officer_a", kind="app", now=NOW)
    two = sessions.open_session(store, "officer_a", kind="cli", now=NOW)
    other = sessions.open_session(store, "admin", kind="app", now=NOW)
    with store.transaction() as s:
        if how == "passwd":
            assert access.set_password(s, "officer_a", "a-brand-new-pass", actor="admin") == 2
        elif how == "deactivate":
            assert access.set_active(s, "officer_a", False, actor="admin") == 2
        else:
            access.add_user(s, "officer_a", "officer", "a-brand-new-pass", actor="admin")
    for token in (one, two):
        with pytest.raises(sessions.SessionError, match="ended"):
            sessions.session_user(token, store=store, now=_at(1))
    assert sessions.session_user(other, store=store, now=_at(1)).name == "admin"
    assert len(_actions(store, "session.revoke")) == 2
    from assistant import ledger

    with store.session() as s:
        assert ledger.verify(s, anchor=None) == []


def test_unknown_tokens_are_refused_and_no_token_means_no_session(store, monkeypatch):
    monkeypatch.delenv("LOANWATCH_TOKEN", raising=False)
    with pytest.raises(sessions.SessionError):
        sessions.session_user("not-a-token", store=store, now=NOW)
    assert sessions.session_user(store=store, now=NOW) is None


def test_app_tokens_behave_like_gradios_table_over_server_side_sessions(store):
    tokens = sessions.AppTokens(store)
    tokens["cookie-1"] = "officer_a"
    assert tokens.get("cookie-1") == "officer_a" and "cookie-1" in tokens and list(tokens) == ["cookie-1"]
    assert tokens.get(None) is None and tokens.get("cookie-2") is None
    del tokens["cookie-1"]  # logout
    assert tokens.get("cookie-1") is None and list(tokens) == []
    with store.session() as s:
        stored = s.execute(text("SELECT token_hash, revoked_reason FROM auth_sessions")).one()
    assert stored.token_hash != "cookie-1" and len(stored.token_hash) == 64 and stored.revoked_reason == "logout"


def test_app_tokens_opened_before_a_restart_are_ended_by_log_out_everywhere(store):
    """A new process (a restarted app) sees an older session through its cookie; Gradio's logout walks
    the table's keys, so the session must be listed once seen, or logout would leave it open."""
    before = sessions.AppTokens(store)
    before["cookie-old"] = "officer_a"
    after = sessions.AppTokens(store)  # the restarted app: an empty table over the same store
    assert list(after) == [] and after.get("cookie-old") == "officer_a"
    assert list(after) == ["cookie-old"]
    for token in list(after.keys()):  # what Gradio's /logout does with all_session=True
        if after[token] == "officer_a":
            del after[token]
    assert after.get("cookie-old") is None and before.get("cookie-old") is None


def test_the_app_cookie_id_is_made_once_per_home_and_private(home):
    first = sessions.app_cookie_id()
    path = home / sessions.APP_COOKIE_FILE
    assert sessions.app_cookie_id() == first and len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="can be read by other users"):
        sessions.app_cookie_id()
    path.chmod(0o600)
    path.write_text("x\n", encoding="ascii")
    with pytest.raises(ConfigError, match="holds no cookie id"):
        sessions.app_cookie_id()


# ---------------------------------------------------------------- the command line


def _cli(home, *args, stdin: str = "", env: dict | None = None):
    e = {k: v for k, v in os.environ.items() if k not in ("LOANWATCH_DB_URL", "LOANWATCH_TOKEN", "LOANWATCH_PASSWORD")}
    e.update(LOANWATCH_HOME=str(home), **(env or {}))
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=e, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_cli_login_saves_a_private_token_that_session_user_accepts_until_logout(store, home):
    out = _cli(home, "login", "officer_a", "--password-stdin", stdin="officer-a-pass\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("logged in as officer_a (officer)")
    path = home / "session"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = path.read_text().strip()
    assert sessions.session_user(token, store=store).name == "officer_a"
    assert sessions.session_user(store=store).name == "officer_a"  # read from the file
    with store.session() as s:
        assert token not in str(s.execute(text("SELECT * FROM auth_sessions")).all())  # only its hash is stored
    assert _cli(home, "logout").stdout == "logged out\n"
    assert not path.exists()
    with pytest.raises(sessions.SessionError, match="ended"):
        sessions.session_user(token, store=store)


def test_a_second_cli_login_ends_the_session_saved_before(store, home):
    assert _cli(home, "login", "officer_a", "--password-stdin", stdin="officer-a-pass\n").returncode == 0
    first = (home / "session").read_text().strip()
    assert _cli(home, "login", "admin", "--password-stdin", stdin="admin-pass-123\n").returncode == 0
    assert sessions.session_user(store=store).name == "admin"
    with pytest.raises(sessions.SessionError, match="replaced"):
        sessions.session_user(first, store=store)


def test_cli_login_print_token_for_the_environment_and_a_wrong_password_fails(store, home):
    out = _cli(home, "login", "admin", "--print-token", env={"LOANWATCH_PASSWORD": "admin-pass-123"})
    assert out.returncode == 0 and not (home / "session").exists()
    token = out.stdout.strip()
    os.environ["LOANWATCH_TOKEN"] = token
    try:
        assert sessions.session_user(store=store).name == "admin"
    finally:
        del os.environ["LOANWATCH_TOKEN"]
    bad = _cli(home, "login", "admin", "--password-stdin", stdin="nope\n")
    assert bad.returncode == 1 and "wrong user name or password" in bad.stderr


def test_a_token_file_others_can_read_is_refused(store, home):
    sessions.save_token("abc")
    os.chmod(home / "session", 0o644)
    with pytest.raises(Exception, match="chmod 600"):
        sessions.current_token()


def test_cli_user_commands_deactivate_reactivate_assign_unassign_passwd(store, home):
    token = sessions.open_session(store, "officer_a", kind="cli")
    admin = {"LOANWATCH_PASSWORD": "admin-pass-123"}
    with store.session() as s:
        before = s.execute(select(LedgerRow.seq).order_by(LedgerRow.seq.desc()).limit(1)).scalar_one()
    assert _cli(home, "user", "assign", "officer_a", "乙公司", "--as", "admin", env=admin).returncode == 0
    assert access.get_user(store, "officer_a").clients == (1, 2)
    out = _cli(home, "user", "unassign", "officer_a", "甲公司", "--as", "admin", env=admin)
    assert out.stdout == "user officer_a: 1 client(s) unassigned\n"
    assert access.get_user(store, "officer_a").clients == (2,)
    out = _cli(home, "user", "passwd", "officer_a", "--password-stdin", "--as", "admin", stdin="another-long-pass\n", env=admin)
    assert out.stdout == "password of officer_a changed; 1 session(s) ended\n"
    with pytest.raises(sessions.SessionError):
        sessions.session_user(token, store=store)
    assert _cli(home, "user", "deactivate", "officer_a", "--as", "admin", env=admin).returncode == 0
    assert not sessions.login(store, "officer_a", "another-long-pass").ok
    assert _cli(home, "user", "reactivate", "officer_a", "--as", "admin", env=admin).returncode == 0
    assert sessions.login(store, "officer_a", "another-long-pass").ok
    missing = _cli(home, "user", "deactivate", "ghost", "--as", "admin", env=admin)
    assert missing.returncode == 1 and "no user named 'ghost'" in missing.stderr
    # the ledger names the admin who acted, never an anonymous "cli"
    with store.session() as s:
        actors = {r.actor for r in s.execute(select(LedgerRow).where(LedgerRow.seq > before)).scalars()
                  if r.action in ("assign", "unassign", "passwd", "activate", "deactivate")}
    assert actors == {"admin"}
    assert _cli(home, "audit", "verify").returncode == 0


def test_cli_user_commands_need_an_admin_and_a_user_may_change_only_their_own_password(store, home):
    officer = {"LOANWATCH_PASSWORD": "officer-a-pass"}
    nobody = _cli(home, "user", "deactivate", "admin")
    assert nobody.returncode == 1 and "--as" in nobody.stderr
    refused = _cli(home, "user", "assign", "officer_a", "乙公司", "--as", "officer_a", env=officer)
    assert refused.returncode == 1 and "only admin users may" in refused.stderr
    assert access.get_user(store, "officer_a").clients == (1,)
    other = _cli(home, "user", "passwd", "admin", "--password-stdin", "--as", "officer_a", stdin="taken-over-pass\n", env=officer)
    assert other.returncode == 1 and not sessions.login(store, "admin", "taken-over-pass").ok
    own = _cli(home, "user", "passwd", "officer_a", "--password-stdin", "--as", "officer_a", stdin="my-new-long-pass\n", env=officer)
    assert own.returncode == 0 and sessions.login(store, "officer_a", "my-new-long-pass").ok


def test_cli_login_cannot_be_used_by_an_unrecorded_user(store, home):
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE users SET role = 'admin' WHERE name = 'officer_a'"))
    out = _cli(home, "login", "officer_a", "--password-stdin", stdin="officer-a-pass\n")
    assert out.returncode == 1 and "wrong user name or password" in out.stderr


def test_cli_login_error_is_an_access_error():
    assert issubclass(sessions.SessionError, AccessDeniedError)


def test_a_memo_drafted_without_as_is_recorded_under_the_logged_in_user(store, home, tmp_path):
    """The contract lets anyone draft; the ledger names who did when a `loanwatch login` session proves it."""
    out = tmp_path / "out"
    out.mkdir()
    anonymous = _cli(home, "memo", "甲公司", "--period", "2026Q3", "--format", "docx", "--out", str(out / "a.docx"))
    assert anonymous.returncode == 0, anonymous.stderr
    assert _cli(home, "login", "officer_a", "--password-stdin", stdin="officer-a-pass\n").returncode == 0
    signed = _cli(home, "memo", "甲公司", "--period", "2026Q3", "--format", "docx", "--out", str(out / "b.docx"))
    assert signed.returncode == 0, signed.stderr
    assert _actions(store, "export.memo") == [("system", "export.memo"), ("officer_a", "export.memo")]
