"""Who is acting: the one place a data-changing command resolves its user.

``resolve_actor(store, name, right)`` returns the authenticated ``access.User`` allowed to do
``right`` (a key of ``RIGHTS``), or raises ``AccessDeniedError`` with one line. The proof of
identity is tried in this order:

1. a token source (``TOKEN_SOURCES``: callables ``(store, name) -> User | None``): the session
   saved by ``loanwatch login`` (or ``LOANWATCH_TOKEN``), used when it belongs to ``name`` or
   when no ``--as`` is given; an expired or revoked token is refused, never ignored;
2. the password in ``LOANWATCH_PASSWORD``;
3. a hidden prompt (``getpass``) when standard input is a terminal.

Passwords go through ``sessions.login``: the same throttle, lockout and ledger record
(``login.ok`` / ``login.fail``) as the app's login form.

An unknown user and a wrong password read the same (no user-name oracle). A user whose role
lacks the right is refused naming the roles that have it.

*Setup*: a home that has no user at all (a bank loading its portfolio before anyone can log
in) may run the loading commands (``SETUP_RIGHTS``) without ``--as``; the ledger records the
actor ``setup``. Once the first user exists, every data-changing command needs ``--as``.
Nothing that a second person must check (corrections, confirmations, decisions, approvals)
can run in setup.
"""

from __future__ import annotations

import getpass
import os
import sys
from typing import Callable

from sqlalchemy import func, select

from assistant.access import User
from assistant.errors import AccessDeniedError
from assistant.store.db import Store
from assistant.store.schema import UserRow

ANY = ("officer", "reviewer", "admin")
CHECKERS = ("reviewer", "admin")

#: right → roles that hold it
RIGHTS: dict[str, tuple[str, ...]] = {
    "client.add": ANY,
    "ingest": ANY,
    "statement.confirm": ANY,  # any user who may reach the client, never the uploader (assistant.review)
    "figure.correct": ANY,
    "figure.confirm": CHECKERS,
    "decision.make": ANY,
    "decision.confirm": CHECKERS,
    "status.record": ANY,
    "memo.draft": ANY,
    "memo.edit": ANY,
    "memo.approve": CHECKERS,
    "exposure.edit": ANY,  # an edit of drawn, outstanding, an instalment or a security: pending (assistant.exposure_edit)
    "exposure.confirm": CHECKERS,
    "facility.import": CHECKERS,  # covenant thresholds decide breaches: not an officer's alone
    "issuer.override": ("admin",),
    "user.add": ("admin",),
    "book.work": ANY,  # watch list entries, warnings as work (the client must be the user's: assistant.book)
    "user.manage": ("admin",),  # deactivate, reactivate, assign, unassign, another user's password
    "user.passwd.own": ANY,
}
#: what a home with no users yet may do without --as (loading the portfolio)
SETUP_RIGHTS = frozenset({"client.add", "ingest", "facility.import", "user.add", "memo.draft", "status.record"})
SETUP_ACTOR = "setup"

TokenSource = Callable[[Store, str], "User | None"]
#: tried before the password: ``loanwatch login`` appends its token check here
TOKEN_SOURCES: list[TokenSource] = []


def has_users(store: Store) -> bool:
    with store.session() as s:
        return bool(s.execute(select(func.count()).select_from(UserRow)).scalar_one())


def resolve_actor(store: Store, name: str | None, right: str, *, password: str | None = None) -> User:
    """The authenticated user ``name`` holding ``right``; ``AccessDeniedError`` (one line) otherwise.

    ``password`` overrides the environment and the prompt (the app passes none: its session
    already proved who is logged in and it calls :func:`require_right`).
    """
    name = (name or "").strip()
    if not name:
        if right in SETUP_RIGHTS and not has_users(store):
            return User(SETUP_ACTOR, "admin", "setup (no users yet)")
        user = _from_token(store, None) if password is None else None
        if user is not None:  # `loanwatch login` proved who is at the keyboard
            return require_right(user, right)
        raise AccessDeniedError(f"{_what(right)} needs the acting user: pass --as USER (or run `loanwatch login USER` first)",
                                hint="the password comes from LOANWATCH_PASSWORD or a prompt")
    user = _from_token(store, name) if password is None else None
    if user is None:
        from assistant.sessions import login  # the same throttle, lockout and ledger record as the app's login

        secret = password if password is not None else _password(name)
        result = login(store, name, secret, source="cli")
        if not result.ok:
            if result.reason == "locked":
                raise AccessDeniedError(result.message)
            raise AccessDeniedError(f"unknown user or wrong password for {name!r}",
                                    hint="check the name (`loanwatch user list`) and LOANWATCH_PASSWORD")
        user = result.user
    return require_right(user, right)


def require_right(user: User, right: str) -> User:
    """``user`` when their role holds ``right``, else ``AccessDeniedError`` naming who may."""
    roles = RIGHTS[right]
    if user.role not in roles:
        raise AccessDeniedError(f"{user.name} ({user.role}) may not {_what(right)}: only {' or '.join(roles)} users may",
                                hint="ask a user with that role")
    return user


def _from_token(store: Store, name: str | None) -> User | None:
    """The user a token source vouches for: ``name`` itself (or anyone, when no name is given).

    A token of another user is not an error: ``--as`` then asks for that user's password.
    """
    for source in TOKEN_SOURCES:
        user = source(store, name)
        if user is not None and (name is None or user.name == name):
            return user
    return None


def logged_in(store: Store) -> User | None:
    """The user a ``loanwatch login`` session (or ``LOANWATCH_TOKEN``) vouches for; None without one. Never prompts."""
    return _from_token(store, None)


def _login_token(store: Store, name: str | None) -> User | None:
    """The user of the session saved by ``loanwatch login`` (or ``LOANWATCH_TOKEN``); None without one."""
    from assistant.sessions import session_user

    return session_user(store=store)


def _password(name: str) -> str:
    secret = os.environ.get("LOANWATCH_PASSWORD")
    if secret is not None:
        return secret
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass(f"password for {name}: ")
    raise AccessDeniedError(f"no password for {name!r}",
                            hint="set LOANWATCH_PASSWORD or run the command in a terminal to be asked")


_WHAT = {
    "client.add": "add clients", "ingest": "ingest documents", "statement.confirm": "confirm statements",
    "figure.correct": "correct figures", "figure.confirm": "confirm or reject corrections",
    "decision.make": "decide a classification or grade", "decision.confirm": "confirm or reject decisions",
    "status.record": "record covenant results", "memo.draft": "draft memos", "memo.edit": "edit memos",
    "memo.approve": "approve memos", "facility.import": "import facilities and covenants",
    "exposure.edit": "edit exposure data", "exposure.confirm": "confirm or reject exposure edits",
    "issuer.override": "override the issuer check", "user.add": "add users",
    "book.work": "change the watch list or warnings", "user.manage": "manage users", "user.passwd.own": "change your own password",
}


def _what(right: str) -> str:
    return _WHAT.get(right, right)




def command_actor(as_user: str | None, by: str | None, right: str, *, store: Store | None = None) -> User:
    """The CLI's acting user from ``--as`` (or the deprecated ``--by``, held to the same check)."""
    from assistant.store import open_store

    if as_user and by and as_user != by:
        raise AccessDeniedError(f"--as {as_user} and --by {by} name different users", hint="give --as only")
    return resolve_actor(store or open_store(), as_user or by, right)


__all__ = ["ANY", "CHECKERS", "RIGHTS", "SETUP_ACTOR", "SETUP_RIGHTS", "TOKEN_SOURCES", "command_actor", "has_users", "logged_in", "require_right",
           "resolve_actor"]


TOKEN_SOURCES.append(_login_token)
