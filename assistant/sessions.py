"""Logins and sessions: the failed-login throttle and server-side sessions for the app and the command line.

``login(store, name, password)`` checks a password behind the throttle: after
``LOANWATCH_LOGIN_MAX_FAILURES`` (5) failures in a row within ``LOANWATCH_LOGIN_LOCKOUT_MINUTES``
(15) the name is locked for that long, even to the right password. Every attempt is kept in
``login_attempts`` (what the throttle counts) and in the ledger (``login.ok``, ``login.fail``,
``login.lockout``, ``login.locked``), unknown names included, with the same work done either way.
Only a user that is active *and* whose row is what the ledger last recorded can log in: a user
inserted or promoted directly in the database cannot.

A session is a random token the holder keeps and the store knows only as its sha256
(``auth_sessions``, recorded in the ledger when opened and revoked). It is valid while it is not
revoked, its user stays active and recorded, it was used within ``LOANWATCH_SESSION_IDLE_MINUTES``
(30) and opened within ``LOANWATCH_SESSION_HOURS`` (12). A password change, a reset through
``user add`` and a deactivation revoke every session of that user.

The app: ``AppTokens`` replaces Gradio's in-memory token table, so each cookie Gradio hands out is a
session here and every request checks it; ``app_cookie_id`` keeps the cookie's name in LOANWATCH_HOME,
so a restart of the app does not log its users out. The command line: ``loanwatch login`` stores a token in
``LOANWATCH_HOME/session`` (mode 0600), or prints it for ``LOANWATCH_TOKEN``; ``session_user()`` turns
the token into the acting ``User`` — the CLI's actor resolver asks it before asking for a password.

Time comes from :func:`utcnow` (naive UTC); every function takes ``now=`` so tests move the clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import stat
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assistant import ledger
from assistant.access import User, check_password, get_user, hash_password
from assistant.errors import AccessDeniedError, ConfigError
from assistant.session_token import TOKEN_ENV, TOKEN_FILE, read_token  # noqa: F401 - TOKEN_ENV: the name callers knew here
from assistant.store.db import Store
from assistant.store.schema import AuthSessionRow, LoginAttemptRow, UserRow

_TOUCH_EVERY = dt.timedelta(seconds=60)  # last_seen_at is written at most once a minute per session
_DUMMY_HASH: str | None = None


class SessionError(AccessDeniedError):
    """No valid session: the token is unknown, expired or revoked, or its user may no longer log in."""

    hint = "log in again with `loanwatch login USER`"


def utcnow() -> dt.datetime:
    """The current time, naive UTC to the second (what the session tables store)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def _settings():  # noqa: ANN202
    from assistant.config import get_settings

    return get_settings()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------- login and the throttle


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    user: User | None
    reason: str  # ok | bad | locked
    locked_until: dt.datetime | None = None

    @property
    def message(self) -> str:
        """One line for the person at the keyboard (a failure never says which part was wrong)."""
        if self.ok:
            return f"logged in as {self.user.name}"
        if self.reason == "locked":
            return (f"too many failed logins: this name is locked until {self.locked_until:%Y-%m-%d %H:%M} UTC; "
                    "an administrator can lift it with `loanwatch user reactivate NAME`")
        return "wrong user name or password (or the user is deactivated)"


def locked_until(s: Session, name: str, now: dt.datetime) -> dt.datetime | None:
    """When the lock on ``name`` lifts, or None when it is not locked.

    Failures since the last success (or an administrator's reset) are counted; the failure that
    makes ``max_failures`` within ``lockout`` minutes locks the name for ``lockout`` minutes.
    """
    settings = _settings()
    window = dt.timedelta(minutes=settings.login_lockout_minutes)
    rows = s.execute(select(LoginAttemptRow.at, LoginAttemptRow.outcome).where(LoginAttemptRow.name == name)
                     .where(LoginAttemptRow.at > now - 2 * window * settings.login_max_failures)
                     .order_by(LoginAttemptRow.id)).all()
    recent: list[dt.datetime] = []
    until: dt.datetime | None = None
    for at, outcome in rows:
        if outcome in ("ok", "reset"):
            recent, until = [], None
        elif outcome == "fail":
            if until is not None and at < until:
                continue
            recent = [t for t in recent if t > at - window] + [at]
            if len(recent) >= settings.login_max_failures:
                until, recent = at + window, []
    return until if until is not None and until > now else None


def login(store: Store, name: str, password: str, *, source: str = "app", now: dt.datetime | None = None) -> LoginResult:
    """Check a password behind the throttle; the attempt is recorded whatever its outcome."""
    global _DUMMY_HASH
    now = now or utcnow()
    name = ledger.printable((name or "").strip())
    with store.session() as s:
        lock = locked_until(s, name, now)
        row = s.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
        recorded = row is not None and ledger.is_recorded(s, "user", row.id)
    if row is None or lock is not None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password("-")
        check_password(password or "", _DUMMY_HASH)  # the same work either way: no user-name oracle
        good = False
    else:
        good = check_password(password or "", row.password_hash)
    why = ("unknown user" if row is None else "deactivated" if not row.active
           else "user row not in the ledger" if not recorded else None if good else "wrong password")
    user_id = row.id if row is not None else None
    with store.transaction() as s:
        if lock is None:
            lock = locked_until(s, name, now)  # another attempt may have locked it meanwhile
        if lock is not None:
            s.add(LoginAttemptRow(name=name, at=now, outcome="locked", source=source))
            ledger.event_entry(s, actor=name, action="login.locked", entity="login", entity_id=user_id, source=source,
                               until=lock.isoformat())
            return LoginResult(False, None, "locked", lock)
        if why is None:
            s.add(LoginAttemptRow(name=name, at=now, outcome="ok", source=source))
            ledger.event_entry(s, actor=name, action="login.ok", entity="login", entity_id=user_id, source=source)
            return LoginResult(True, get_user(s, name), "ok")
        s.add(LoginAttemptRow(name=name, at=now, outcome="fail", source=source))
        ledger.event_entry(s, actor=name, action="login.fail", entity="login", entity_id=user_id, source=source, why=why)
        s.flush()
        lock = locked_until(s, name, now)
        if lock is not None:
            ledger.event_entry(s, actor=name, action="login.lockout", entity="login", entity_id=user_id, source=source,
                               until=lock.isoformat())
            return LoginResult(False, None, "locked", lock)
    return LoginResult(False, None, "bad")


def reset_throttle(s: Session, name: str, *, actor: str, now: dt.datetime | None = None) -> None:
    """Lift a lock (an administrator's reactivation): the failures before now no longer count."""
    s.add(LoginAttemptRow(name=name, at=now or utcnow(), outcome="reset", source="admin"))
    s.flush()


# ---------------------------------------------------------------- sessions


def open_session(store: Store, name: str, *, kind: str, token: str | None = None, now: dt.datetime | None = None) -> str:
    """Start a session for the user ``name`` (after a successful :func:`login`); returns its token."""
    now = now or utcnow()
    token = token or secrets.token_urlsafe(32)
    hours = dt.timedelta(hours=_settings().session_hours)
    with store.transaction() as s:
        user = s.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
        if user is None or not user.active:
            raise SessionError(f"{name!r} may not log in")
        row = AuthSessionRow(user_id=user.id, token_hash=_digest(token), kind=kind, created_at=now,
                             expires_at=now + hours, last_seen_at=now)
        s.add(row)
        s.flush()
        ledger.record(s, row, action="session.open", actor=name)
    return token


def _check(s: Session, token: str, now: dt.datetime) -> tuple[AuthSessionRow, UserRow]:
    row = s.execute(select(AuthSessionRow).where(AuthSessionRow.token_hash == _digest(token))).scalar_one_or_none()
    if row is None:
        raise SessionError("not logged in (unknown session)")
    user = s.get(UserRow, row.user_id)
    idle = dt.timedelta(minutes=_settings().session_idle_minutes)
    if row.revoked_at is not None:
        raise SessionError(f"the session was ended ({row.revoked_reason or 'revoked'})")
    if now >= row.expires_at:
        raise SessionError("the session has expired")
    if now - row.last_seen_at >= idle:
        raise SessionError(f"the session ended after {_settings().session_idle_minutes} minutes without use")
    if user is None or not user.active:
        raise SessionError("the user is deactivated")
    if not ledger.is_recorded(s, "session", row.id) or not ledger.is_recorded(s, "user", user.id):
        raise SessionError("the session or its user is not what the ledger recorded; run `loanwatch audit verify`")
    return row, user


def session_user(token: str | None = None, *, store: Store | None = None, now: dt.datetime | None = None,
                 touch: bool = True) -> User | None:
    """The user a session token belongs to; None when no token is given or saved.

    ``token`` defaults to :func:`current_token` (``LOANWATCH_TOKEN``, else the file ``loanwatch login``
    wrote). A token that is unknown, expired, idle too long or revoked, or whose user is deactivated
    or not recorded, raises :class:`SessionError` — it is never silently ignored. A valid use counts
    as activity (``touch``) for the idle limit.
    """
    token = token or current_token()
    if not token:
        return None
    if store is None:
        from assistant.store import open_store

        store = open_store()
    now = now or utcnow()
    with store.session() as s:
        row, user_row = _check(s, token, now)
        user = get_user(s, user_row.name)
    if touch and now - row.last_seen_at >= _TOUCH_EVERY:
        with store.engine.begin() as conn:  # not a recorded column: no ledger entry, no write lock needed
            conn.execute(update(AuthSessionRow).where(AuthSessionRow.id == row.id).values(last_seen_at=now))
    return user


def close_session(store: Store, token: str, *, reason: str = "logout", now: dt.datetime | None = None) -> bool:
    """Revoke one session (logout); False when the token is unknown or already ended."""
    now = now or utcnow()
    with store.transaction() as s:
        row = s.execute(select(AuthSessionRow).where(AuthSessionRow.token_hash == _digest(token))).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return False
        user = s.get(UserRow, row.user_id)
        row.revoked_at, row.revoked_reason = now, reason
        ledger.record(s, row, action="session.revoke", actor=user.name if user else "-")
    return True


def revoke_user_sessions(s: Session, user_id: int, *, reason: str, actor: str, now: dt.datetime | None = None) -> int:
    """Revoke every open session of a user (inside ``Store.transaction()``); returns how many."""
    now = now or utcnow()
    rows = s.execute(select(AuthSessionRow).where(AuthSessionRow.user_id == user_id,
                                                  AuthSessionRow.revoked_at.is_(None))).scalars().all()
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason
        ledger.record(s, row, action="session.revoke", actor=actor)
    return len(rows)


# ---------------------------------------------------------------- the command line's token


def token_path() -> Path:
    return _settings().home_dir / TOKEN_FILE


def save_token(token: str, *, store: Store | None = None) -> Path:
    """Write the token to LOANWATCH_HOME/session, readable by its owner only (0600).

    With ``store``, the session saved there before (a second ``loanwatch login``) is ended first.
    """
    path = token_path()
    if store is not None and path.is_file():
        old = path.read_text(encoding="ascii", errors="replace").strip()
        if old and old != token:
            close_session(store, old, reason="replaced")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (token + "\n").encode("ascii"))
    finally:
        os.close(fd)
    return path


def current_token() -> str | None:
    """``LOANWATCH_TOKEN``, else the token ``loanwatch login`` saved; a token file others can read is refused."""
    return read_token(token_path())


def cli_login(store: Store, name: str, password: str, *, now: dt.datetime | None = None) -> tuple[User, str]:
    """``loanwatch login``: check the password (throttled, recorded) and open a CLI session."""
    result = login(store, name, password, source="cli", now=now)
    if not result.ok:
        raise AccessDeniedError(result.message)
    return result.user, open_session(store, result.user.name, kind="cli", now=now)


def cli_logout(store: Store, token: str | None = None) -> bool:
    """``loanwatch logout``: revoke the saved (or given) token and remove the token file."""
    token = token or current_token()
    closed = close_session(store, token) if token else False
    path = token_path()
    if path.is_file():
        path.unlink()
    return closed


# ---------------------------------------------------------------- the app's cookie name


APP_COOKIE_FILE = "app_cookie_id"  # under LOANWATCH_HOME
_COOKIE_ID = re.compile(r"^[A-Za-z0-9_-]{32,128}$")


def app_cookie_id() -> str:
    """The id in the app's login cookie name, kept in LOANWATCH_HOME/app_cookie_id (0600, made on first use).

    Gradio names its login cookie ``access-token-<id>`` with an id it draws on each launch, so after
    a restart no browser's cookie is read and everyone is logged out, though the session the cookie
    names is still valid in ``auth_sessions``. One id per home keeps the name across restarts; the
    sessions still expire (idle and absolute limits), and logout and revocation still end them. A file
    others can read, or one that holds no id, is refused (``ConfigError``) rather than replaced.
    """
    path = _settings().home_dir / APP_COOKIE_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{APP_COOKIE_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, (secrets.token_urlsafe(32) + "\n").encode("ascii"))
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # atomic, and never over an id another process made first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ConfigError(f"{path} can be read by other users", hint=f"run `chmod 600 {path}`")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not _COOKIE_ID.match(text):
        raise ConfigError(f"{path} holds no cookie id", hint="delete it: the app makes a new one (browsers then log in again)")
    return text


# ---------------------------------------------------------------- the app's token table


class AppTokens(MutableMapping):
    """Gradio's ``app.tokens`` (cookie → user name) backed by ``auth_sessions``.

    Gradio writes ``tokens[cookie] = name`` after a successful login, reads ``tokens.get(cookie)``
    on every request and deletes on logout; here that opens, checks (expiry, revocation, the
    user's state) and revokes a server-side session. Only sessions opened or seen by this process
    are listed (Gradio's "log out everywhere" walks them).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self._mine: set[str] = set()

    def __setitem__(self, token: str, name: str) -> None:
        open_session(self.store, name, kind="app", token=token)
        self._mine.add(token)

    def get(self, token, default=None):  # noqa: ANN001, ANN201 - Gradio passes whatever the cookie holds
        if not isinstance(token, str) or not token:
            return default
        try:
            user = session_user(token, store=self.store)
        except SessionError:
            self._mine.discard(token)
            return default
        if user is None:
            return default
        self._mine.add(token)  # a session opened before a restart: known now, so "log out everywhere" ends it too
        return user.name

    def __getitem__(self, token: str) -> str:
        name = self.get(token)
        if name is None:
            raise KeyError(token)
        return name

    def __contains__(self, token: object) -> bool:
        return self.get(token) is not None

    def __delitem__(self, token: str) -> None:
        close_session(self.store, token)
        self._mine.discard(token)

    def __iter__(self) -> Iterator[str]:
        return iter([token for token in list(self._mine) if self.get(token) is not None])

    def __len__(self) -> int:
        return len(self._mine)


__all__ = [
    "APP_COOKIE_FILE", "AppTokens", "LoginResult", "app_cookie_id", "SessionError", "cli_login", "cli_logout", "close_session", "current_token",
    "locked_until", "login", "open_session", "reset_throttle", "revoke_user_sessions", "save_token", "session_user",
    "token_path", "utcnow",
]
