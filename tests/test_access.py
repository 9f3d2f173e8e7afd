"""Users, password hashing, roles and the client scope every handler goes through."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assistant import access
from assistant.errors import AccessDeniedError, ConfigError
from assistant.store import open_store
from assistant.store.repo import add_client


@pytest.fixture()
def store(home):
    st = open_store()
    with st.transaction() as s:
        add_client(s, "甲公司股份有限公司", aliases=["甲公司"], officer=None)
        add_client(s, "乙公司股份有限公司", aliases=["乙公司"], officer="李娜")
        add_client(s, "丙公司股份有限公司", aliases=["丙公司"], officer=None)
        access.add_user(s, "officer_a", "officer", "officer-a-pass", clients=["甲公司"])
        access.add_user(s, "lina", "officer", "lina-pass-123", display_name="李娜")
        access.add_user(s, "rev", "reviewer", "reviewer-pass")
    return st


def test_password_hash_is_salted_scrypt_and_checks_only_the_right_password():
    one, two = access.hash_password("correct horse"), access.hash_password("correct horse")
    assert one != two and one.startswith("scrypt$") and "correct horse" not in one
    assert access.check_password("correct horse", one) and access.check_password("correct horse", two)
    assert not access.check_password("correct hors", one)
    assert not access.check_password("correct horse", "plain-text-stored-password")


def test_authenticate_against_the_store(store):
    assert access.authenticate(store, "officer_a", "officer-a-pass")
    assert not access.authenticate(store, "officer_a", "officer-b-pass")
    assert not access.authenticate(store, "nobody", "officer-a-pass")
    assert not access.authenticate(store, "", "")


def test_add_user_refuses_unknown_roles_and_short_passwords(store):
    with store.transaction() as s:
        with pytest.raises(ConfigError, match="role"):
            access.add_user(s, "x", "superuser", "long-enough-pass")
        with pytest.raises(ConfigError, match="shorter"):
            access.add_user(s, "x", "officer", "short")


def test_officer_sees_assigned_clients_and_clients_naming_them(store):
    ids = {name: cid for name, cid in _ids(store).items()}
    a = access.get_user(store, "officer_a")
    lina = access.get_user(store, "lina")
    rev = access.get_user(store, "rev")
    assert access.visible_client_ids(store, a) == {ids["甲公司股份有限公司"]}
    assert access.visible_client_ids(store, lina) == {ids["乙公司股份有限公司"]}  # Client.officer names her
    assert access.visible_client_ids(store, rev) == set(ids.values())
    assert rev.can_approve and not a.can_approve


@pytest.mark.parametrize("ref", ["乙公司", "乙公司股份有限公司", "2", "no such company"])
def test_require_client_refuses_other_and_unknown_clients_alike(store, ref):
    a = access.get_user(store, "officer_a")
    with pytest.raises(AccessDeniedError, match="officer_a"):
        access.require_client(store, a, ref)


def test_require_client_returns_the_users_own_client_by_alias_or_id(store):
    a = access.get_user(store, "officer_a")
    row = access.require_client(store, a, "甲公司")
    assert row.name == "甲公司股份有限公司"
    assert access.require_client(store, a, row.id).id == row.id


def test_re_adding_a_user_resets_password_and_keeps_assignments(store):
    with store.transaction() as s:
        access.add_user(s, "officer_a", "officer", "a-new-password", clients=["丙公司"])
    assert not access.authenticate(store, "officer_a", "officer-a-pass")
    assert access.authenticate(store, "officer_a", "a-new-password")
    assert len(access.get_user(store, "officer_a").clients) == 2


def test_cli_user_add_reads_the_password_from_stdin(store, home):
    with store.transaction() as s:
        access.add_user(s, "root", "admin", "root-password-1")
    env = {**_env(home), "LOANWATCH_PASSWORD": "root-password-1"}
    anonymous = subprocess.run([sys.executable, "-m", "assistant.cli", "user", "add", "wang", "--role", "officer",
                                "--password-stdin"], input="wang-password-1\n", capture_output=True, text=True,
                               env=_env(home), timeout=120)
    assert anonymous.returncode == 1 and "add users needs the acting user: pass --as USER" in anonymous.stderr
    officer = subprocess.run([sys.executable, "-m", "assistant.cli", "user", "add", "wang", "--role", "admin",
                              "--password-stdin", "--as", "officer_a"], input="wang-password-1\n", capture_output=True,
                             text=True, env={**env, "LOANWATCH_PASSWORD": "officer-a-pass"}, timeout=120)
    assert officer.returncode == 1 and officer.stderr.startswith("loanwatch: officer_a (officer) may not add users: only admin")
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "user", "add", "wang", "--role", "officer",
                          "--password-stdin", "--clients", "甲公司,丙公司", "--as", "root"],
                         input="wang-password-1\n", capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "2 client(s) assigned" in run.stdout
    assert access.authenticate(store, "wang", "wang-password-1")
    bad = subprocess.run([sys.executable, "-m", "assistant.cli", "user", "add", "li", "--role", "boss",
                          "--password-stdin", "--as", "root"], input="li-password-1\n", capture_output=True, text=True,
                         env=env, timeout=120)
    assert bad.returncode == 1 and "unknown role" in bad.stderr


def test_demo_users_get_the_demo_clients(home):
    st = open_store()
    with st.transaction() as s:
        add_client(s, "鼎盛化纤制造有限公司", aliases=["鼎盛化纤"])
        add_client(s, "锦程置业有限公司", aliases=["锦程置业"])
    logins = access.ensure_demo_users(st)
    assert {name for name, _, _ in logins} == {"admin", "reviewer", "officer_a", "officer_b"}
    for name, _, password in logins:
        assert access.authenticate(st, name, password)
    ids = _ids(st)
    assert access.visible_client_ids(st, access.get_user(st, "officer_a")) == {ids["鼎盛化纤制造有限公司"]}
    assert access.visible_client_ids(st, access.get_user(st, "officer_b")) == {ids["锦程置业有限公司"]}
    assert access.ensure_demo_users(st) == logins  # a second run changes nothing


def _ids(store) -> dict[str, int]:
    from assistant.store.repo import list_clients

    with store.session() as s:
        return {c.name: c.id for c in list_clients(s)}


def _env(home) -> dict:
    import os

    return {**os.environ, "LOANWATCH_HOME": str(home)}


# ---------------------------------------------------------------- access enforced in assistant/, not only in ui/


@pytest.fixture(scope="module")
def two_officers(tmp_path_factory):
    """officer_a in charge of CLIENT_A, officer_b of CLIENT_B (a covenant breach), a reviewer; statements stored."""
    from tests.ui_support import make_ui_home, using_home

    path = tmp_path_factory.mktemp("access") / "home"
    make_ui_home(path)
    with using_home(path):
        yield open_store()
    from assistant.store import close_stores

    close_stores()


def _calls(store, user, client):
    from assistant.chat.service import ask
    from assistant.memo import workflow
    from assistant.status import client_status, portfolio_alerts

    return {
        "draft_memo": lambda: workflow.draft_memo(store, client, "2026Q2", user=user, engine="builtin"),
        "edit_memo": lambda: workflow.edit_memo(store, client, "2026Q2", "# edited\n", user=user),
        "approve_memo": lambda: workflow.approve_memo(store, client, "2026Q2", user=user),
        "memo_versions": lambda: workflow.memo_versions(store, client, "2026Q2", user=user),
        "client_status": lambda: client_status(store, client, user=user),
        "portfolio_alerts": lambda: portfolio_alerts(store, client=client, user=user),
        "ask": lambda: ask("营业收入是多少", user=user, client=client, engine="builtin", store=store),
    }


@pytest.mark.parametrize("call", ["draft_memo", "edit_memo", "approve_memo", "memo_versions", "client_status",
                                  "portfolio_alerts", "ask"])
@pytest.mark.parametrize("ref", ["CLIENT_B", "远洋物流", "远洋"])  # full name, alias, short name
def test_an_officer_cannot_reach_another_officers_client_through_the_assistant(two_officers, call, ref):
    from assistant.memo.workflow import memo_versions
    from tests.ui_support import CLIENT_B

    store = two_officers
    officer_a = access.get_user(store, "officer_a")
    before = len(memo_versions(store, CLIENT_B, "2026Q2"))
    with pytest.raises(AccessDeniedError, match="officer_a") as err:
        _calls(store, officer_a, CLIENT_B if ref == "CLIENT_B" else ref)[call]()
    assert CLIENT_B not in str(err.value) or ref == "CLIENT_B"  # the message does not name the other client
    assert len(memo_versions(store, CLIENT_B, "2026Q2")) == before  # nothing was written


def test_reviewer_reaches_every_client_and_officers_reach_their_own(two_officers):
    import datetime as dt

    from assistant.chat.service import ask
    from assistant.domain import Span
    from assistant.memo import workflow
    from assistant.status import client_status, portfolio_alerts
    from assistant.store import load_snapshot
    from tests.ui_support import CLIENT_A, CLIENT_B

    store = two_officers
    officer_a, officer_b, rev = (access.get_user(store, n) for n in ("officer_a", "officer_b", "reviewer"))
    admin = access.User("root", "admin")
    for user in (rev, admin):
        assert client_status(store, "远洋物流", user=user)["client"] == CLIENT_B
    assert client_status(store, "示例新能源", user=officer_a)["client"] == CLIENT_A

    everyone = portfolio_alerts(store)
    assert {a["client"] for a in everyone} >= {CLIENT_B}  # the leveraged client raises alerts
    assert portfolio_alerts(store, user=rev) == everyone
    assert all(a["client"] == CLIENT_A for a in portfolio_alerts(store, user=officer_a))
    assert {a["client"] for a in portfolio_alerts(store, user=officer_b)} == {CLIENT_B}

    h1 = Span(dt.date(2026, 6, 30), dt.date(2026, 1, 1))
    for user, client, question in ((rev, CLIENT_B, "远洋物流的营业收入是多少"), (officer_a, CLIENT_A, "营业收入是多少")):
        revenue = load_snapshot(store, client).facts.get("revenue", h1)  # what the statements stored
        answer = ask(question, user=user, engine="builtin", store=store)
        assert answer.value is not None and answer.value == revenue.value, (user.name, answer.answer)
        assert [(c.document, c.page) for c in answer.citations] == [(revenue.document, revenue.page)], answer.citations
    assert "远洋物流" not in answer.answer  # officer_a's unscoped question stays in officer_a's portfolio

    drafted = workflow.draft_memo(store, CLIENT_B, "2026Q2", user=officer_b, engine="builtin")
    assert drafted.version.by == "officer_b"
    with pytest.raises(AccessDeniedError, match="reviewer"):
        workflow.approve_memo(store, CLIENT_B, "2026Q2", user=officer_b)  # the maker is not the checker
    workflow.submit_memo(store, CLIENT_B, "2026Q2", user=officer_b)
    approved, report = workflow.approve_memo(store, CLIENT_B, "2026Q2", user=rev)
    assert report.ok and approved.stage == "approved" and approved.by == "reviewer"
    stages = [v.stage for v in workflow.memo_versions(store, CLIENT_B, "2026Q2", user=admin)]
    assert stages[-3:] == ["draft", "submitted", "approved"]


def test_user_creation_and_assignments_are_recorded_in_the_ledger(store):
    from sqlalchemy import select, update

    from assistant import ledger
    from assistant.store.schema import LedgerRow, UserRow

    with store.session() as s:
        entries = list(s.execute(select(LedgerRow).where(LedgerRow.entity == "user").order_by(LedgerRow.seq)).scalars())
        a_id = s.execute(select(UserRow.id).where(UserRow.name == "officer_a")).scalar_one()
        assert ledger.verify(s) == []
    assert [(e.action, e.entity_id) for e in entries if e.entity_id == a_id] == [("create", a_id), ("assign", a_id)]
    assert {e.action for e in entries} == {"create", "assign"}
    with store.transaction() as s:
        access.assign(s, "rev", 1, actor="admin")
        access.add_user(s, "lina", "reviewer", "lina-new-pass", actor="admin")
    with store.session() as s:
        last = list(s.execute(select(LedgerRow).order_by(LedgerRow.seq.desc()).limit(2)).scalars())
        assert [(e.action, e.entity, e.actor) for e in last] == [("update", "user", "admin"), ("assign", "user", "admin")]
        assert ledger.verify(s) == []
    with store.transaction() as s:  # a role raised behind the application's back
        s.execute(update(UserRow).where(UserRow.id == a_id).values(role="admin"))
    with store.session() as s:
        problems = [str(p) for p in ledger.verify(s)]
    assert problems == [f"user {a_id}: was changed in the database since ledger #{entries[1].seq} (assign)"]
