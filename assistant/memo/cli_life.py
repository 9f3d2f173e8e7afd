"""The ``loanwatch memo`` review actions (versions, edit, submit, diff, approve, return, export).

Kept out of ``assistant.cli`` so the command stays a thin shell. The acting user comes from
``--as USER`` (``--by`` is its old name) and must be a user of this home
(``assistant.access``): an unknown name is refused, and so is an officer approving or
returning. ``acting_user`` is the one place that resolves it, so a password or token check
can be added there for every action at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

from assistant.errors import AccessDeniedError, ConfigError, LoanwatchError

_NEEDS_USER = ("edit", "submit", "approve", "return")


def acting_user(store, name: str | None, *, action: str = "change the memo"):
    """The ``access.User`` named by ``--as``; refused when missing or unknown."""
    from assistant.access import get_user
    from assistant.errors import NotFoundError

    if not name or not name.strip():
        raise ConfigError(f"say who you are to {action}", hint="add --as USER (a user of `loanwatch user list`)")
    try:
        return get_user(store, name.strip())
    except NotFoundError:
        raise AccessDeniedError(f"{name!r} is not a user of this home and cannot {action}",
                                hint="use your own user name (`loanwatch user list`), or ask an admin to add you") from None


def memo_life(action: str, client: str, period: str, *, actor: str | None, file: Path | None, as_of, version: int | None,
              against: int | None, comment: str | None) -> None:
    from assistant.memo import workflow
    from assistant.store import open_store

    store = open_store()
    if action == "versions":
        for v in workflow.memo_versions(store, client, period):
            when = v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "-"
            sys.stdout.write(f"v{v.version}\t{v.stage}\t{v.by}\t{when}\t{v.note}\n")
        return
    if action == "diff":
        view = workflow.review_view(store, client, period, version=version, against=against, check=True)
        v, ref = view.version, view.reference
        sys.stdout.write(f"v{v.version} {v.stage} by {v.by} (sha256 {workflow.text_digest(v.text)[:12]})"
                         + (f", compared with v{ref.version} {ref.stage} by {ref.by}" if ref else "") + "\n")
        if view.report is not None:
            sys.stdout.write(f"check: {view.report.summary()}\n")
        sys.stdout.write(view.diff or "(no difference)\n")
        return
    user = acting_user(store, actor, action=f"{action} a memo")
    if action == "edit":
        if file is None:
            raise ConfigError("give the edited memo: --file EDITED.md")
        if not file.is_file():
            raise LoanwatchError(f"{file}: no such file", hint="give the path of the edited Markdown memo")
        v = workflow.edit_memo(store, client, period, file.read_text(encoding="utf-8"), user=user)
        sys.stdout.write(f"v{v.version}\tedited\t{v.by}\n")
        return
    if action == "submit":
        v = workflow.submit_memo(store, client, period, user=user, version=version)
        sys.stdout.write(f"v{v.version}\tsubmitted\t{v.by}\t{v.note}\n")
        return
    if action == "return":
        v = workflow.return_memo(store, client, period, comment or "", user=user, version=version)
        sys.stdout.write(f"v{v.version}\treturned\t{v.by}\t{v.note}\n")
        return
    v, report = workflow.approve_memo(store, client, period, user=user, as_of=as_of, version=version)
    sys.stdout.write(f"v{v.version}\tapproved\t{v.by}\t{report.summary()}\n")
    if report.opinions:
        sys.stderr.write("officer's opinion differs from the facts (recorded, not blocking):\n"
                         + "".join(f"  {o if isinstance(o, str) else o.line()}\n" for o in report.opinions))


def export_stored(store, client: str, period: str, fmt: str, out: Path | None) -> str:
    """Write the stored text (approved, else the latest saved, marked DRAFT) as md/docx/pdf; returns the path."""
    from assistant.memo import workflow

    version, approved = workflow.export_text(store, client, period)
    target = out or Path(f"{client}_{period}_v{version.version}.{fmt}")
    workflow.export_version(store, client, period, version, fmt, target)
    return str(target)


__all__ = ["acting_user", "export_stored", "memo_life"]
