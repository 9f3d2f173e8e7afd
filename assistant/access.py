"""Users, roles and which clients each one may reach.

Roles: ``officer`` sees the clients assigned to them (an ``assignments`` row, or the client's
``officer`` field naming them); ``reviewer`` and ``admin`` see every client. Passwords are
kept only as salted ``hashlib.scrypt`` hashes (``scrypt$n$r$p$salt$hash``) and compared in
constant time.

Every UI handler resolves a client through :func:`require_client`, and every list through
:func:`visible_client_ids`, so an officer cannot reach another officer's client by typing
its name or id into any field or API call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Iterable, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.errors import AccessDeniedError, ConfigError, NotFoundError
from assistant.store.db import Store
from assistant.store.schema import AssignmentRow, Client, UserRow

Role = Literal["officer", "reviewer", "admin"]
ROLES: tuple[str, ...] = ("officer", "reviewer", "admin")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    name: str
    role: str
    display_name: str = ""
    id: int | None = None
    clients: tuple[int, ...] = field(default=())  # assigned client ids (officers)

    @property
    def sees_everything(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def can_approve(self) -> bool:
        """Checker of the maker/checker pair: reviewers and admins approve memos."""
        return self.role in ("reviewer", "admin")


# ---------------------------------------------------------------- passwords


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


# ---------------------------------------------------------------- users


def _user(s: Session, row: UserRow) -> User:
    ids = tuple(sorted(s.execute(select(AssignmentRow.client_id).where(AssignmentRow.user_id == row.id)).scalars()))
    return User(row.name, row.role, row.display_name or row.name, row.id, ids)


def add_user(s: Session, name: str, role: str, password: str, *, display_name: str = "",
             clients: Iterable[str | int] = (), actor: str = "system") -> User:
    """Create a user (or reset an existing user's role and password) and assign ``clients``.

    Recorded in the ledger (entity ``user``, its assignments part of the content); run it
    inside ``Store.transaction()``.
    """
    from assistant import ledger
    from assistant.safety import clean_name
    from assistant.store.repo import get_client

    if not name.strip():
        raise ConfigError("the user name is empty", hint="give a login name, e.g. `loanwatch user add zhangwei`")
    name = clean_name(name, what="user name", max_len=100)
    display_name = clean_name(display_name, what="display name", max_len=100) if display_name.strip() else ""
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is shorter than {MIN_PASSWORD} characters", hint="choose a longer one")
    row = s.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
    action = "create" if row is None else "update"
    if row is None:
        row = UserRow(name=name, role=role, password_hash=hash_password(password), display_name=display_name or name)
        s.add(row)
    else:
        row.role, row.password_hash = role, hash_password(password)
        row.display_name = display_name or row.display_name
    s.flush()
    ledger.record(s, row, action=action, actor=actor)
    if action == "update":  # a reset password or role: sessions opened before it end
        from assistant.sessions import revoke_user_sessions

        revoke_user_sessions(s, row.id, reason="password reset", actor=actor)
    for ref in clients:
        assign(s, row.name, get_client(s, ref).id, actor=actor)
    return _user(s, row)


def assign(s: Session, user: str, client_id: int, *, actor: str = "system") -> None:
    """Put ``user`` in charge of the client (recorded in the ledger as an update of the user)."""
    from assistant import ledger

    row = _user_row(s, user)
    exists = s.execute(select(AssignmentRow).where(AssignmentRow.user_id == row.id,
                                                   AssignmentRow.client_id == client_id)).scalar_one_or_none()
    if exists is None:
        s.add(AssignmentRow(user_id=row.id, client_id=client_id))
        s.flush()
        ledger.record(s, row, action="assign", actor=actor)


def unassign(s: Session, user: str, client_id: int, *, actor: str = "system") -> bool:
    """Take the client away from ``user`` (recorded as an update of the user); False when it was not assigned.

    A client whose ``officer`` field names the user stays visible to them: change that field too.
    """
    from assistant import ledger

    row = _user_row(s, user)
    exists = s.execute(select(AssignmentRow).where(AssignmentRow.user_id == row.id,
                                                   AssignmentRow.client_id == client_id)).scalar_one_or_none()
    if exists is None:
        return False
    s.delete(exists)
    s.flush()
    ledger.record(s, row, action="unassign", actor=actor)
    return True


def set_password(s: Session, name: str, password: str, *, actor: str = "system") -> int:
    """Change a user's password; every open session of the user ends. Returns the sessions ended."""
    from assistant import ledger
    from assistant.sessions import revoke_user_sessions

    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password is shorter than {MIN_PASSWORD} characters", hint="choose a longer one")
    row = _user_row(s, name)
    row.password_hash = hash_password(password)
    s.flush()
    ledger.record(s, row, action="passwd", actor=actor)
    return revoke_user_sessions(s, row.id, reason="password changed", actor=actor)


def set_active(s: Session, name: str, active: bool, *, actor: str = "system") -> int:
    """Deactivate (every session ends, no login) or reactivate (the failed-login lock lifts) a user.

    Returns the sessions ended.
    """
    from assistant import ledger
    from assistant.sessions import reset_throttle, revoke_user_sessions

    row = _user_row(s, name)
    row.active = active
    s.flush()
    ledger.record(s, row, action="activate" if active else "deactivate", actor=actor)
    if active:
        reset_throttle(s, row.name, actor=actor)
        return 0
    return revoke_user_sessions(s, row.id, reason="user deactivated", actor=actor)


def _user_row(s: Session, name: str) -> UserRow:
    row = s.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no user named {name!r}", hint="add one with `loanwatch user add NAME --role officer`")
    return row


def get_user(source: Session | Store, name: str) -> User:
    if isinstance(source, Store):
        with source.session() as s:
            return get_user(s, name)
    return _user(source, _user_row(source, name))


def list_users(store: Store) -> list[User]:
    with store.session() as s:
        return [_user(s, r) for r in s.execute(select(UserRow).order_by(UserRow.id)).scalars()]


def authenticate(store: Store, name: str, password: str) -> bool:
    """True when ``name`` is an active user, recorded as it is in the ledger, with this password.

    A check only: nothing is recorded and nothing is throttled — logins go through
    ``assistant.sessions.login``, which does both.
    """
    from assistant import ledger

    with store.session() as s:
        row = s.execute(select(UserRow).where(UserRow.name == (name or "").strip())).scalar_one_or_none()
        recorded = row is not None and ledger.is_recorded(s, "user", row.id)
    if row is None or not row.active or not recorded:
        check_password(password or "", hash_password("-"))  # same work either way: no user-name oracle
        return False
    return check_password(password or "", row.password_hash)


# ---------------------------------------------------------------- visibility


def visible_client_ids(store: Store, user: User) -> frozenset[int]:
    """The clients ``user`` may reach."""
    with store.session() as s:
        clients = list(s.execute(select(Client.id, Client.officer)).all())
    if user.sees_everything:
        return frozenset(c.id for c in clients)
    names = {user.name, user.display_name} - {""}
    return frozenset(c.id for c in clients if c.id in user.clients or (c.officer or "") in names)


def require_client(store: Store, user: User, client: str | int) -> Client:
    """The client row named by ``client`` (name, alias or id) when ``user`` may reach it.

    A client that exists but is not the user's raises the same error as one that does not
    exist, so the answer does not tell an officer which other borrowers the bank has.
    """
    from assistant.store.repo import get_client

    try:
        with store.session() as s:
            row = get_client(s, client)
            s.expunge(row)
    except NotFoundError:
        row = None
    if row is None or row.id not in visible_client_ids(store, user):
        err = AccessDeniedError(f"no client {client!r} among the clients assigned to {user.name}")
        err.denied = (user.name, str(client), row.id if row is not None else None)  # for record_denial
        raise err
    return row


def record_denial(store: Store, exc: BaseException) -> bool:
    """Put a refused client lookup in the ledger (``access.denied``); False when ``exc`` is not one.

    Called where the error reaches a person (the app's handlers, the CLI's ``main``), after the
    failed work's transaction has ended — never inside one.
    """
    from assistant import ledger

    denied = getattr(exc, "denied", None)
    if not isinstance(exc, AccessDeniedError) or not denied:
        return False
    name, ref, client_id = denied
    with store.transaction() as s:
        ledger.event_entry(s, actor=name, action="access.denied", entity="access", entity_id=client_id,
                           asked=ledger.printable(ref, 200))
    exc.denied = None  # recorded once
    return True


__all__ = [
    "DEMO_USERS", "MIN_PASSWORD", "ROLES", "User", "add_user", "assign", "authenticate", "check_password",
    "ensure_demo_users", "get_user",
    "hash_password", "list_users", "record_denial", "require_client", "set_active", "set_password", "unassign",
    "visible_client_ids",
]


# ---------------------------------------------------------------- demo users

#: (name, role, password, display name, demo clients by alias) — printed by `loanwatch serve --demo`
DEMO_USERS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("admin", "admin", "admin-demo-2026", "管理员", ()),
    ("reviewer", "reviewer", "reviewer-demo-2026", "审查员 周敏", ()),
    ("officer_a", "officer", "officer-a-demo-2026", "客户经理 张伟", ("华信光伏", "鼎盛化纤", "清源水务")),
    ("officer_b", "officer", "officer-b-demo-2026", "客户经理 李娜", ("江华高速", "仁和医院PPP", "锦程置业")),
)


def ensure_demo_users(store: Store) -> list[tuple[str, str, str]]:
    """Create the demo users that do not exist yet; returns (name, role, password) of every demo user."""
    from assistant.store.repo import match_client

    with store.transaction() as s:
        for name, role, password, display, aliases in DEMO_USERS:
            if s.execute(select(UserRow.id).where(UserRow.name == name)).first() is not None:
                continue
            clients = [c.id for c in (match_client(s, a) for a in aliases) if c is not None]
            add_user(s, name, role, password, display_name=display, clients=clients)
    return [(name, role, password) for name, role, password, _, _ in DEMO_USERS]
