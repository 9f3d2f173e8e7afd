"""Test helpers for maker/checker: users with known passwords, and a second person's confirmation.

A correction (``repo.set_figure``) is pending until another user confirms it; tests that are
about what a confirmed correction does call :func:`confirm_corrections` after making it.
"""

from __future__ import annotations

from sqlalchemy import select

from assistant import access
from assistant.makerchecker import changes, review
from assistant.store.schema import UserRow

PASSWORD = "test-password-1"


def ensure_user(store, name: str, role: str = "officer", clients=()) -> access.User:  # noqa: ANN001
    """The user ``name`` (password ``PASSWORD``), created when missing."""
    with store.transaction() as s:
        if s.execute(select(UserRow.id).where(UserRow.name == name)).first() is None:
            access.add_user(s, name, role, PASSWORD, clients=clients)
    return access.get_user(store, name)


def confirm_corrections(store, reviewer: str = "checker_t") -> list:  # noqa: ANN001
    """Confirm every pending correction as ``reviewer`` (a reviewer created when missing); the confirmed changes."""
    user = ensure_user(store, reviewer, "reviewer")
    return [review(store, c.ref, user, "confirm", "checked") for c in reversed(changes(store, entity="correction"))]
