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
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "user", "add", "wang", "--role", "officer",
                          "--password-stdin", "--clients", "甲公司,丙公司"],
                         input="wang-password-1\n", capture_output=True, text=True, env=_env(home), timeout=120)
    assert run.returncode == 0, run.stderr
    assert "2 client(s) assigned" in run.stdout
    assert access.authenticate(store, "wang", "wang-password-1")
    bad = subprocess.run([sys.executable, "-m", "assistant.cli", "user", "add", "li", "--role", "boss",
                          "--password-stdin"], input="li-password-1\n", capture_output=True, text=True,
                         env=_env(home), timeout=120)
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
