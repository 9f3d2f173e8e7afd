"""Maker/checker commands: ``figures pending|confirm|reject``, ``classification``/``grade`` ``decide|confirm|reject|pending``
and ``exposure rows|edit|pending|confirm|reject`` (the app's exposure edits, ``assistant.exposure_edit``).

Glue only: the rules are in ``assistant.makerchecker`` and the identity in ``assistant.actor``.
"""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

AS_HELP = "the acting user (password from LOANWATCH_PASSWORD or a prompt)"


def _as() -> Optional[str]:
    return typer.Option(None, "--as", help=AS_HELP)


def _by() -> Optional[str]:
    return typer.Option(None, "--by", hidden=True, help="deprecated: same as --as")


def _print_changes(rows, as_json: bool, what: str) -> None:  # noqa: ANN001
    if as_json:
        sys.stdout.write(json.dumps([r.to_json() for r in rows], ensure_ascii=False, indent=2) + "\n")
        return
    if not rows:
        sys.stdout.write(f"no {what} awaiting a checker\n")
        return
    for r in rows:
        old = f"{r.old} → " if r.old is not None else ""
        sys.stdout.write(f"{r.ref:<6} {r.client}  {r.what}: {old}{r.new}  by {r.by} ({r.reason})  {r.status}"
                         + (f" by {r.reviewed_by}" if r.reviewed_by else "") + "\n")


def _client_ids(client: Optional[str]) -> Optional[set[int]]:
    if not client:
        return None
    from assistant.store import open_store
    from assistant.store.repo import get_client

    with open_store().session() as s:
        return {get_client(s, client).id}


def _review(entity: str, ref: str, action: str, reason: str, as_user: Optional[str], by: Optional[str]) -> None:
    from assistant.actor import command_actor
    from assistant.makerchecker import review

    user = command_actor(as_user, by, {"correction": "figure.confirm", "decision": "decision.confirm"}.get(entity, "exposure.confirm"))
    if entity == "decision" and not ref.upper().startswith("K"):
        ref = f"K{ref}"
    c = review(_store(), ref, user, action, reason)
    sys.stdout.write(f"{c.ref} {c.client} {c.what}: {c.new} (by {c.by}) {c.status} by {c.reviewed_by}"
                     + (f": {c.review_reason}" if c.review_reason else "") + "\n")


def _store():  # noqa: ANN202
    from assistant.store import open_store

    return open_store()


# ---------------------------------------------------------------- figures pending | confirm | reject


def figures_pending(
    client: Optional[str] = typer.Option(None, "--client", help="only this client (name, alias or id)"),
    all_states: bool = typer.Option(False, "--all", help="also confirmed and rejected corrections"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
) -> None:
    """Corrections awaiting a checker (not used in any decision until confirmed)."""
    from assistant.makerchecker import changes

    rows = changes(_store(), client_ids=_client_ids(client), status=None if all_states else "pending", entity="correction")
    _print_changes(rows, as_json, "corrections")


def figures_confirm(
    ref: str = typer.Argument(..., help="C<id> (or the id) of the correction, as `figures pending` lists it"),
    reason: str = typer.Option("", "--reason", help="what you checked (optional)"),
    as_user: Optional[str] = _as(),
    by: Optional[str] = _by(),
) -> None:
    """Confirm another person's correction (reviewer or admin): its value then counts."""
    _review("correction", ref, "confirm", reason, as_user, by)


def figures_reject(
    ref: str = typer.Argument(..., help="C<id> (or the id) of the correction"),
    reason: str = typer.Option(..., "--reason", help="why it is wrong"),
    as_user: Optional[str] = _as(),
    by: Optional[str] = _by(),
) -> None:
    """Reject another person's correction (reviewer or admin) with a reason: it never counts."""
    _review("correction", ref, "reject", reason, as_user, by)


# ---------------------------------------------------------------- classification / grade decide | confirm | reject | pending


def _decide(kind: str, client: str, value: str, period: Optional[str], reason: str, as_user: Optional[str],
            by: Optional[str]) -> None:
    from assistant.actor import command_actor
    from assistant.makerchecker import decide
    from assistant.status import client_status

    user = command_actor(as_user, by, "decision.make")
    store = _store()
    st = client_status(store, client, period=period, user=user)
    suggested = st["classification"] if kind == "classification" else st["grade"]
    c = decide(store, st["client_id"], st["period"], kind, value, reason, user, suggested=suggested)
    sys.stdout.write(f"{c.ref} {c.client} {c.what}: {c.new} (suggested {suggested}) decided by {c.by}; "
                     f"pending until a reviewer confirms it (`loanwatch {kind} confirm {c.ref} --as REVIEWER`)\n")


def classification_decide(
    client: str = typer.Argument(..., help="client name, alias or id"),
    value: str = typer.Argument(..., help="正常 | 关注 | 次级 | 可疑 | 损失 (or normal, special mention, …)"),
    period: Optional[str] = typer.Option(None, "--period", help="2026Q3 … (default: the latest, as status shows)"),
    reason: str = typer.Option(..., "--reason", help="the justification"),
    as_user: Optional[str] = _as(),
    by: Optional[str] = _by(),
) -> None:
    """Decide the final 五级分类 for a period (beside the system's suggestion); a reviewer confirms it."""
    _decide("classification", client, value, period, reason, as_user, by)


def grade_decide(
    client: str = typer.Argument(..., help="client name, alias or id"),
    value: str = typer.Argument(..., help="A | B | C | D | E"),
    period: Optional[str] = typer.Option(None, "--period", help="2026Q3 … (default: the latest, as status shows)"),
    reason: str = typer.Option(..., "--reason", help="the justification"),
    as_user: Optional[str] = _as(),
    by: Optional[str] = _by(),
) -> None:
    """Override the suggested grade for a period; a reviewer confirms it."""
    _decide("grade", client, value, period, reason, as_user, by)


def decision_confirm(
    ref: str = typer.Argument(..., help="K<id> of the decision"),
    reason: str = typer.Option("", "--reason", help="what you checked (optional)"),
    as_user: Optional[str] = _as(),
    by: Optional[str] = _by(),
) -> None:
    """Confirm another person's decision (reviewer or admin)."""
    _review("decision", ref, "confirm", reason, as_user, by)


def decision_reject(
    ref: str = typer.Argument(..., help="K<id> of the decision"),
    reason: str = typer.Option(..., "--reason", help="why"),
    as_user: Optional[str] = _as(),
    by: Optional[str] = _by(),
) -> None:
    """Reject another person's decision (reviewer or admin) with a reason."""
    _review("decision", ref, "reject", reason, as_user, by)


def decision_pending(
    client: Optional[str] = typer.Option(None, "--client", help="only this client (name, alias or id)"),
    all_states: bool = typer.Option(False, "--all", help="also confirmed and rejected decisions"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
) -> None:
    """Classification and grade decisions awaiting a checker."""
    from assistant.makerchecker import changes

    rows = changes(_store(), client_ids=_client_ids(client), status=None if all_states else "pending", entity="decision")
    _print_changes(rows, as_json, "decisions")


# ---------------------------------------------------------------- exposure rows | edit | pending | confirm | reject

exposure_app = typer.Typer(help="Exposure data edited by one person (balances, instalments, securities), confirmed by another.",
                           no_args_is_help=True)


@exposure_app.command("rows")
def exposure_rows(client: str = typer.Argument(..., help="client name, alias or id"), as_user: Optional[str] = _as()) -> None:
    """The client's editable rows (facility:ID, repayment:ID, security:ID) with their current values."""
    from assistant.actor import command_actor
    from assistant.exposure_edit import targets

    user = command_actor(as_user, None, "exposure.edit")
    for t in targets(_store(), user, client):
        values = ", ".join(f"{k}={'—' if v is None else v}" for k, v in t.values.items())
        sys.stdout.write(f"{t.key:<14} {t.label}  [{values}]\n")


@exposure_app.command("edit")
def exposure_edit(
    client: str = typer.Argument(..., help="client name, alias or id"),
    row: str = typer.Argument(..., help="facility:ID | repayment:ID | security:ID, as `exposure rows` lists them"),
    values: list[str] = typer.Option(..., "--set", help="FIELD=VALUE (empty VALUE: none), e.g. outstanding=50000000; repeatable"),
    reason: str = typer.Option(..., "--reason", help="where the new value comes from"),
    as_user: Optional[str] = _as(),
) -> None:
    """Edit a balance, an instalment's payment or a security's value: pending until a reviewer confirms it."""
    from assistant.actor import command_actor
    from assistant.errors import ConfigError
    from assistant.exposure_edit import propose

    pairs = {}
    for item in values:
        field, eq, value = item.partition("=")
        if not eq:
            raise ConfigError(f"--set {item!r} is not FIELD=VALUE", hint="e.g. --set outstanding=50000000 or --set paid_on=2026-08-05")
        pairs[field.strip()] = value
    user = command_actor(as_user, None, "exposure.edit")
    ident = propose(_store(), user, client, row, pairs, reason)
    sys.stdout.write(f"E{ident} {row}: {', '.join(pairs)} edited by {user.name}; pending until a reviewer confirms it "
                     f"(`loanwatch exposure confirm E{ident} --as REVIEWER`)\n")


@exposure_app.command("pending")
def exposure_pending(
    client: Optional[str] = typer.Option(None, "--client", help="only this client (name, alias or id)"),
    all_states: bool = typer.Option(False, "--all", help="also confirmed and rejected edits"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
) -> None:
    """Exposure edits awaiting a checker (used nowhere until confirmed)."""
    from assistant.makerchecker import changes

    rows = changes(_store(), client_ids=_client_ids(client), status=None if all_states else "pending", entity="exposure")
    _print_changes(rows, as_json, "exposure edits")


@exposure_app.command("confirm")
def exposure_confirm(
    ref: str = typer.Argument(..., help="E<id> of the edit, as `exposure pending` lists it"),
    reason: str = typer.Option("", "--reason", help="what you checked (optional)"),
    as_user: Optional[str] = _as(),
) -> None:
    """Confirm another person's exposure edit (reviewer or admin): it is written into the facility."""
    _review("exposure", ref if ref.upper().startswith("E") else f"E{ref}", "confirm", reason, as_user, None)


@exposure_app.command("reject")
def exposure_reject(
    ref: str = typer.Argument(..., help="E<id> of the edit"),
    reason: str = typer.Option(..., "--reason", help="why it is wrong"),
    as_user: Optional[str] = _as(),
) -> None:
    """Reject another person's exposure edit (reviewer or admin) with a reason: it never counts."""
    _review("exposure", ref if ref.upper().startswith("E") else f"E{ref}", "reject", reason, as_user, None)


def register(app: typer.Typer, figures_app: typer.Typer) -> None:
    app.add_typer(exposure_app, name="exposure")
    figures_app.command("pending")(figures_pending)
    figures_app.command("confirm")(figures_confirm)
    figures_app.command("reject")(figures_reject)
    for kind, decide_command in (("classification", classification_decide), ("grade", grade_decide)):
        sub = typer.Typer(help=f"The final {kind} decided by a person, confirmed by another.", no_args_is_help=True)
        sub.command("decide")(decide_command)
        sub.command("confirm")(decision_confirm)
        sub.command("reject")(decision_reject)
        sub.command("pending")(decision_pending)
        app.add_typer(sub, name=kind)
