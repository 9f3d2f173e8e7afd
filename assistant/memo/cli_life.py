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

from assistant.errors import ConfigError, LoanwatchError

_NEEDS_USER = ("edit", "submit", "approve", "return")


#: memo action → the right it needs (assistant.actor.RIGHTS)
_RIGHTS = {"draft": "memo.draft", "edit": "memo.edit", "submit": "memo.edit", "approve": "memo.approve", "return": "memo.approve"}


def acting_user(store, name: str | None, *, action: str = "draft"):
    """The authenticated ``access.User`` named by ``--as`` holding the right ``action`` needs.

    One resolver for every command (``assistant.actor``): a ``loanwatch login`` token, else the
    password from LOANWATCH_PASSWORD or a prompt, through the login throttle; an unknown user, a
    wrong password or a role without the right is refused in one line.
    """
    from assistant.actor import resolve_actor

    return resolve_actor(store, name, _RIGHTS.get(action, "memo.edit"))


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
    user = acting_user(store, actor, action=action)
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


def export_stored(store, client: str, period: str, fmt: str, out: Path | None, *, actor: str = "system") -> str:
    """Write the stored text (approved, else the latest saved, marked DRAFT) as md/docx/pdf; returns the path.

    Without ``--out`` the file gets a generated name in the working folder (the client's name is data,
    never a path); the export is recorded in the ledger.
    """
    from assistant.audit_log import record_export
    from assistant.memo import workflow
    from assistant.safety import output_path
    from assistant.store.repo import get_client

    version, approved = workflow.export_text(store, client, period)
    with store.session() as s:
        name = get_client(s, client).name
    target = out or output_path(Path.cwd(), name, period, f"v{version.version}", suffix=fmt)
    workflow.export_version(store, client, period, version, fmt, target)
    record_export(store, actor, "export.memo", name, period=period, format=fmt, version=version.version)
    return str(target)


__all__ = ["acting_user", "export_stored", "memo_life"]
