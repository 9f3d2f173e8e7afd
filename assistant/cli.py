"""The ``loanwatch`` command line (see shared/spec/CONTRACT.md).

Exit status: 0 success; 1 bad input or unanswerable request (one line on stderr); 2 usage.
Only this module and the UI turn exceptions into messages for people.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from assistant.errors import LoanwatchError

app = typer.Typer(
    name="loanwatch",
    help="Post-loan monitoring assistant for credit officers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Post-loan monitoring assistant for credit officers (贷后管理)."""


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


@app.command()
def extract(
    file: Path = typer.Argument(..., help="a PDF or Excel statement file, or a scan (PDF, PNG, JPEG, TIFF)"),
    as_json: bool = typer.Option(False, "--json", help="print the contract's JSON object"),
    show_progress: Optional[bool] = typer.Option(None, "--progress/--no-progress",
                                                 help="one line per scanned page on stderr (default: when stderr is a terminal)"),
) -> None:
    """Parse one document's financial statements without storing anything (scans by OCR)."""
    from assistant.config import get_settings
    from extractors.pipeline import extract_file

    settings = get_settings()

    def progress(line: str) -> None:
        sys.stderr.write(f"{file.name}: {line}\n")
        sys.stderr.flush()

    if show_progress is None:
        show_progress = sys.stderr.isatty()
    result = extract_file(file, max_pages=settings.max_pages, max_file_mb=settings.max_file_mb,
                          progress=progress if show_progress else None, workers=max(1, settings.workers))
    if as_json:
        _print_json(result.to_json_dict())
        return
    from assistant.render import render_extraction

    render_extraction(result)


# ---------------------------------------------------------------- store commands (client, facility, ingest, figures, audit)

client_app = typer.Typer(help="Borrowers: add, list, show.", no_args_is_help=True)
facility_app = typer.Typer(help="Facilities, covenants and repayment schedules.", no_args_is_help=True)
figures_app = typer.Typer(help="Corrections of extracted figures: made by one user, confirmed by another.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit ledger.", no_args_is_help=True)
app.add_typer(client_app, name="client")
app.add_typer(facility_app, name="facility")
app.add_typer(figures_app, name="figures")
app.add_typer(audit_app, name="audit")


@client_app.command("add")
def client_add(
    name: str = typer.Argument(..., help="the borrower's registered name"),
    alias: list[str] = typer.Option([], "--alias", help="another name it goes by (repeatable)"),
    industry: str = typer.Option("", help="industry or project type"),
    officer: Optional[str] = typer.Option(None, help="the officer in charge (name or user id)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting user (password from LOANWATCH_PASSWORD or a prompt)"),
    by: Optional[str] = typer.Option(None, "--by", hidden=True, help="deprecated: same as --as"),
) -> None:
    """Add a client."""
    from assistant.actor import command_actor
    from assistant.store import open_store
    from assistant.store.repo import add_client

    user = command_actor(as_user, by, "client.add")
    with open_store().transaction() as s:
        c = add_client(s, name, aliases=alias, industry=industry, officer=officer, actor=user.name)
    sys.stdout.write(f"client {c.id}: {c.name}\n")


@client_app.command("list")
def client_list(as_json: bool = typer.Option(False, "--json", help="print a JSON list")) -> None:
    """List clients."""
    from assistant import warm

    rows = (warm.call("clients") or {}).get("clients")  # a running `loanwatch warm` answers without loading the store here
    if rows is None:
        from assistant import cold

        rows = cold.client_rows()  # the clients table read with sqlite3
    if rows is None:
        from assistant.store import open_store
        from assistant.warm_ops import client_rows

        rows = client_rows(open_store())
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        aka = f" (aka {', '.join(r['aliases'])})" if r["aliases"] else ""
        sys.stdout.write(f"{r['id']:>4}  {r['name']}{aka}  {r['industry']}  {r['officer'] or ''}\n".rstrip() + "\n")


@client_app.command("show")
def client_show(
    name: str = typer.Argument(..., help="client name, alias or id"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON object"),
) -> None:
    """Show a client's profile, facilities, covenants and documents."""
    from assistant.store import load_snapshot, open_store

    snap = load_snapshot(open_store(), name)
    obj = {
        **{"id": snap.client.id, "name": snap.client.name, "aliases": snap.client.aliases,
           "industry": snap.client.industry, "officer": snap.client.officer},
        "facilities": [
            {"name": f.name, "amount": str(f.amount), "currency": f.currency,
             "maturity_date": f.maturity_date.isoformat() if f.maturity_date else None,
             "covenants": [{"metric": c.metric, "operator": c.operator, "threshold": str(c.threshold),
                            "frequency": c.frequency} for c in f.covenants],
             "repayments": len(f.schedule)}
            for f in snap.facilities
        ],
        "documents": [{"id": d.id, "name": d.name, "kind": d.kind, "pages": d.pages,
                       "received": d.received.isoformat()} for d in snap.documents],
        "figures": len(snap.facts),
    }
    if as_json:
        _print_json(obj)
        return
    out = [f"{snap.client.name} (client {snap.client.id}) {snap.client.industry} officer: {snap.client.officer or '-'}"]
    for f in obj["facilities"]:
        out.append(f"  facility {f['name']}: {f['amount']} {f['currency']}, matures {f['maturity_date'] or '-'}")
        out.extend(f"    covenant {c['metric']} {c['operator']} {c['threshold']} ({c['frequency']})" for c in f["covenants"])
    out.extend(f"  document {d['id']} {d['kind']:<10} {d['name']} ({d['pages']} pages)" for d in obj["documents"])
    sys.stdout.write("\n".join(out) + "\n")


@facility_app.command("import")
def facility_import(
    file: Path = typer.Argument(..., help="YAML, JSON, CSV or Excel: clients with facilities, covenants, schedules, "
                                          "collateral (format: assistant/portfolio_io.py)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting user (password from LOANWATCH_PASSWORD or a prompt)"),
    by: Optional[str] = typer.Option(None, "--by", hidden=True, help="deprecated: same as --as"),
    replace: list[str] = typer.Option([], "--replace", help="covenants | schedule | securities: the file lists all of them for "
                                                              "each of its facilities (others are proposed for removal, pending a checker)"),
) -> None:
    """Create or update clients and facilities from a file (one transaction; reviewer or admin).

    Only what the file gives changes; a record it leaves out is proposed for removal, never deleted, and new terms for a
    stored covenant, or new values for what decides a stored facility's, instalment's or security's tests, are proposed,
    never applied (a second person confirms each)."""
    from assistant.actor import command_actor
    from assistant.portfolio_io import import_portfolio
    from assistant.store import open_store

    user = command_actor(as_user, by, "facility.import")
    r = import_portfolio(open_store(), file, actor=user.name, replace=replace)
    sys.stdout.write(f"{len(r.clients_added)} client(s) added, {len(r.clients_updated)} updated, "
                     f"{len(r.facilities)} facility(ies) stored\n")
    if r.removals:
        sys.stdout.write(f"{len(r.removals)} removal(s) pending a second person: {', '.join(f'E{i}' for i in r.removals)} "
                         "(`loanwatch exposure pending` lists them; `exposure confirm|reject E<id> --as REVIEWER`)\n")
    if r.changes:
        sys.stdout.write(f"{len(r.changes)} covenant change(s) pending a second person, not applied: {', '.join(f'E{i}' for i in r.changes)} "
                         "(the stored terms stay in force until one is confirmed: `exposure confirm|reject E<id> --as REVIEWER`)\n")
    if r.edits:
        sys.stdout.write(f"{len(r.edits)} change(s) to stored facility terms, instalments or securities pending a second person, "
                         f"not applied: {', '.join(f'E{i}' for i in r.edits)} (the stored values stay in force until one is confirmed)\n")


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="files or folders"),
    client: Optional[str] = typer.Option(None, help="the client (default: the company named in each document)"),
    kind: str = typer.Option("auto", help="auto | statement | filing | inspection"),
    workers: Optional[int] = typer.Option(None, help="worker processes (default LOANWATCH_WORKERS)"),
    index: bool = typer.Option(True, "--index/--no-index", help="add the text to the search index"),
    issuer_override: Optional[str] = typer.Option(None, "--issuer-override",
                                                  help="admin only: store a statement whose issuer is not the client, for this reason"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting user (password from LOANWATCH_PASSWORD or a prompt)"),
    by: Optional[str] = typer.Option(None, "--by", hidden=True, help="deprecated: same as --as"),
    show_progress: Optional[bool] = typer.Option(None, "--progress/--no-progress",
                                                 help="a progress bar and one line per scanned page on stderr (default: when stderr is a terminal)"),
) -> None:
    """Store documents, parse statements and notes, record each step in the ledger."""
    from assistant.actor import command_actor
    from assistant.ingest import ingest as run_ingest

    user = command_actor(as_user, by, "ingest")
    if issuer_override is not None:
        from assistant.actor import require_right

        require_right(user, "issuer.override")
    if not user.sees_everything:  # an officer files documents under their own clients only
        from assistant.access import require_client
        from assistant.errors import AccessDeniedError
        from assistant.store import open_store

        if not client:
            raise AccessDeniedError(f"{user.name} (officer) must name the client: pass --client NAME",
                                    hint="one of the clients assigned to you")
        client = require_client(open_store(), user, client).name
    report = run_ingest(paths, client=client, kind=kind, workers=workers, actor=user.name, index=index,
                        issuer_override=issuer_override, progress=show_progress,
                        echo=lambda line: (sys.stdout.write(line + "\n"), sys.stdout.flush()))
    sys.stdout.write(report.summary() + "\n")
    if report.failed:
        raise typer.Exit(1)


index_app = typer.Typer(help="The search index: what is not indexed yet.", no_args_is_help=True)
app.add_typer(index_app, name="index")


@index_app.command("status")
def index_status(as_json: bool = typer.Option(False, "--json", help="print a JSON list")) -> None:
    """Stored documents not yet in the search index (e.g. the Chroma server was down); `ingest` retries them."""
    from assistant.ingest import unindexed
    from assistant.store import open_store

    rows = unindexed(open_store())
    if as_json:
        _print_json([{"document_id": d, "client": c, "document": n} for d, c, n in rows])
        return
    for d, c, n in rows:
        sys.stdout.write(f"D{d:<5} {c}  {n}\n")
    sys.stdout.write(f"{len(rows)} document(s) not indexed for search" +
                     ("; `loanwatch index catch-up` indexes them from their kept copies\n" if rows else "\n"))


@index_app.command("catch-up")
def index_catch_up() -> None:
    """Index the stored documents the search index lacks, from their kept copies (the app does this at launch)."""
    from assistant.ingest import index_pending, unindexed
    from assistant.store import open_store

    store = open_store()
    index_pending(store, echo=lambda line: (sys.stdout.write(line + "\n"), sys.stdout.flush()))
    left = unindexed(store)
    sys.stdout.write(f"{len(left)} document(s) not indexed for search\n")
    if left:
        raise typer.Exit(1)


@figures_app.command("set", context_settings={"ignore_unknown_options": True})  # VALUE may be negative
def figures_set(
    client: str = typer.Argument(..., help="client name, alias or id"),
    period: str = typer.Argument(..., help="2026Q3, 2026H1, 2026 9M, 2026 or 2026-09-30"),
    key: str = typer.Argument(..., help="a figure key of FIGURES.md, e.g. revenue"),
    value: str = typer.Argument(..., help="the correct value in base units (or 'null': not reported)"),
    reason: str = typer.Option(..., "--reason", help="what was wrong and where the right value comes from"),
    scope: str = typer.Option("consolidated", help="consolidated | parent"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting user (password from LOANWATCH_PASSWORD or a prompt)"),
    by: Optional[str] = typer.Option(None, "--by", hidden=True, help="deprecated: same as --as"),
) -> None:
    """Propose a correction of one figure: pending (not used) until a reviewer confirms it; the extracted value is kept."""
    from decimal import Decimal, InvalidOperation

    from assistant.access import require_client
    from assistant.actor import command_actor
    from assistant.errors import ConfigError
    from assistant.store import open_store
    from assistant.store.repo import get_client, set_figure

    user = command_actor(as_user, by, "figure.correct")
    client = str(require_client(open_store(), user, client).id)

    try:
        number = None if value.lower() in {"null", "none", "-"} else Decimal(value.replace(",", ""))
    except InvalidOperation as exc:
        raise ConfigError(f"{value!r} is not a number", hint="write it in base units, e.g. 152300000.00") from exc
    with open_store().transaction() as s:
        row = set_figure(s, get_client(s, client), period, key, number, reason=reason, by=user.name, scope=scope)
        name = get_client(s, row.client_id).name
    sys.stdout.write(f"C{row.id} {name} {key} {period}: {row.old_value if row.old_value is not None else 'none'} → "
                     f"{row.new_value if row.new_value is not None else 'null'} (by {row.by}: {row.reason}); pending until "
                     f"another user (reviewer or admin) confirms it: `loanwatch figures confirm C{row.id} --as REVIEWER`\n")


review_app = typer.Typer(help="Statements flagged for review: list them, confirm them.", no_args_is_help=True)
app.add_typer(review_app, name="review")


@review_app.command("list")
def review_list(
    client: Optional[str] = typer.Option(None, "--client", help="only this client (name, alias or id)"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
) -> None:
    """Statements whose figures are unconfirmed: the extractor warned about them."""
    from assistant.review import flagged
    from assistant.store import open_store
    from assistant.store.repo import get_client

    store = open_store()
    ids = None
    if client:
        with store.session() as s:
            ids = {get_client(s, client).id}
    rows = flagged(store, client_ids=ids)
    if as_json:
        _print_json([r.to_json() for r in rows])
        return
    if not rows:
        sys.stdout.write("nothing flagged for review\n")
        return
    for r in rows:
        pages = ",".join(map(str, r.pages)) or "-"
        scope = "" if r.scope == "consolidated" else f" ({r.scope})"
        sys.stdout.write(f"S{r.statement_id:<5} D{r.document_id:<5} {r.client}  {r.document} p.{pages}  {r.kind}{scope}"
                         f"  ingested by {r.uploaded_by or '-'}\n")
        sys.stdout.write("".join(f"         · {w}\n" for w in r.warnings))
    sys.stdout.write(f"{len(rows)} statement(s) flagged for review; confirm with "
                     "`loanwatch review confirm S<id>|D<id> --as USER --reason TEXT`\n")


@review_app.command("confirm")
def review_confirm(
    ref: str = typer.Argument(..., help="S<statement id>, or D<document id> / document id / file name (all its flagged statements)"),
    reason: str = typer.Option(..., "--reason", help="what you checked against the document"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting user (password from LOANWATCH_PASSWORD or a prompt)"),
    by: Optional[str] = typer.Option(None, "--by", hidden=True, help="deprecated: same as --as"),
) -> None:
    """Confirm flagged statements after checking them (not the uploader): their figures are then used in decisions."""
    from assistant.actor import command_actor
    from assistant.review import confirm
    from assistant.store import open_store

    user = command_actor(as_user, by, "statement.confirm")
    for row in confirm(open_store(), ref, by=user.name, reason=reason):
        sys.stdout.write(f"S{row.statement_id} (document {row.document_id}) confirmed by {row.confirmed_by}"
                         f" (ingested by {row.uploaded_by or '-'}): {row.reason}\n")


@audit_app.command("verify")
def audit_verify(
    files: bool = typer.Option(False, "--files", help="also re-hash every stored document copy (slower)"),
) -> None:
    """Recompute the ledger's chain and re-hash the stored rows; exit 1 on any disagreement."""
    from assistant import ledger
    from assistant.config import get_settings
    from assistant.store import open_store

    with open_store().session() as s:
        problems = ledger.verify(s, home=get_settings().home_dir if files else None)
        n, top = ledger.count(s), ledger.head(s)
    if problems:
        sys.stderr.write("".join(f"{p}\n" for p in problems))
        raise typer.Exit(1)
    sys.stdout.write(f"ledger OK: {n} entries agree with the stored records; head {top.hash if top else '-'}\n")


@audit_app.command("head")
def audit_head() -> None:
    """Print the newest entry's hash (anchor it outside the system)."""
    from assistant import ledger
    from assistant.store import open_store

    with open_store().session() as s:
        top = ledger.head(s)
    sys.stdout.write(f"{top.seq} {top.hash}\n" if top else f"0 {ledger.GENESIS}\n")


@app.command()
def ask(
    question: str = typer.Argument(..., help="a question in Chinese or English"),
    client: Optional[str] = typer.Option(None, "--client", help="limit the question to this client (name, alias or id)"),
    as_json: bool = typer.Option(False, "--json", help="print the contract's JSON object"),
    engine: Optional[str] = typer.Option(None, "--engine", help="builtin | llm | auto (default: LOANWATCH_ENGINE)"),
) -> None:
    """Answer a question about stored clients, citing document and page (CONTRACT.md).

    An answer that says what the store lacks (value null) is still an answer: exit 0.
    A running `loanwatch warm` for this home answers it with its models loaded (same answer).
    """
    _answer_out(_ask(question, client=client, engine=engine), as_json)


def _ask(question: str, *, client: Optional[str] = None, engine: Optional[str] = None):  # noqa: ANN202
    """The answer of a running `loanwatch warm` for this home (its JSON object), else of this process (an Answer)."""
    from assistant import warm

    out = warm.ask(question, client=client, engine=engine)  # None: no service, or it refused or failed
    if out is None:
        from assistant import cold

        out = cold.ask(question, client=client, engine=engine)  # None: the store's code must answer it
    if out is None:
        from assistant.chat.service import ask as ask_question

        out = ask_question(question, client=client, engine=engine)
    return out


def _answer_out(result, as_json: bool) -> None:  # noqa: ANN001 - a chat Answer, or its JSON object from the warm service
    """An answer as CONTRACT.md's JSON object, or its text with one line per citation."""
    out = result if isinstance(result, dict) else result.to_json_dict()
    out.pop("understood", None)
    if as_json:
        _print_json(out)
        return
    sys.stdout.write(out["answer"] + "\n")
    for c in out["citations"]:
        sys.stdout.write(f"  [{c['document']} p.{c['page']}] {c['quote']}\n")


MEMO_ACTIONS = ("verify", "versions", "edit", "submit", "approve", "return", "diff")


@app.command()
def memo(
    client: str = typer.Argument(..., help="client name, alias or id — or verify | versions | edit | submit | approve | return | diff"),
    target: Optional[str] = typer.Argument(None, help="verify: the memo file; the other actions: the client"),
    period: Optional[str] = typer.Option(None, "--period", help="2026Q3, 2026H1 or 2026"),
    fmt: str = typer.Option("md", "--format", help="md | docx | pdf"),
    out: Optional[Path] = typer.Option(None, "--out", help="write here (default: stdout for md, CLIENT_PERIOD.ext)"),
    lang: str = typer.Option("zh", "--lang", help="zh | en"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="count overdue days to this date (default: today)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="who drafts, edits or approves it (password from LOANWATCH_PASSWORD or a prompt)"),
    by: Optional[str] = typer.Option(None, "--by", hidden=True, help="deprecated: same as --as"),
    file: Optional[Path] = typer.Option(None, "--file", help="edit: the officer's edited Markdown"),
    engine: Optional[str] = typer.Option(None, "--engine", help="auto | builtin | llm (default LOANWATCH_ENGINE)"),
    version: Optional[int] = typer.Option(None, "--version", help="approve/return/submit/diff: the version you reviewed (refused if it is not the latest)"),
    against: Optional[int] = typer.Option(None, "--against", help="diff: compare with this version (default: the last approved, else the draft)"),
    comment: Optional[str] = typer.Option(None, "--comment", help="return: the reviewer's comments"),
    stored: bool = typer.Option(False, "--stored", help="export the stored text (approved, else latest saved, marked DRAFT) instead of drafting anew"),
) -> None:
    """Draft the monitoring memo for a client and period, or move it through review.

    `memo verify FILE` checks a memo file (numbers and claims).

    `memo versions CLIENT --period P` lists the stored versions.

    `memo edit CLIENT --period P --file EDITED.md --as USER` stores the officer's edits.

    `memo submit CLIENT --period P --as USER` submits the latest text for review.

    `memo diff CLIENT --period P [--version N] [--against M]` shows a version and its diff.

    `memo approve CLIENT --period P --as REVIEWER [--version N]` approves the submitted version
    (refused to whoever wrote it, and while a number does not trace or a claim contradicts the facts).

    `memo return CLIENT --period P --as REVIEWER --comment TEXT` sends it back to the officer.
    """
    import datetime as dt

    day = dt.date.fromisoformat(as_of) if as_of else None
    actor = as_user or by
    if client in MEMO_ACTIONS:
        if target is None:
            what = "the memo file" if client == "verify" else "the client"
            raise typer.BadParameter(f"give {what}: loanwatch memo {client} {'FILE' if client == 'verify' else 'CLIENT'}")
        if client == "verify":
            from assistant.memo import workflow

            report = workflow.verify_file(Path(target), as_of=day)
            if not report.ok:
                raise LoanwatchError(f"{Path(target).name}: {report.summary()}",
                                     hint="correct or remove those numbers and claims, or regenerate the memo")
            sys.stdout.write(f"{Path(target).name}: {report.summary()}\n")
            return
        if period is None:
            raise typer.BadParameter("--period is required, e.g. --period 2026Q3")
        from assistant.memo.cli_life import memo_life

        memo_life(client, target, period, actor=actor, file=file, as_of=day, version=version, against=against,
                  comment=comment)
        return
    if period is None:
        raise typer.BadParameter("--period is required, e.g. --period 2026Q3")
    if not actor and not stored and fmt == "md" and out is None:  # no password to ask, no file to write: the warm service may draft it
        from assistant import warm

        drafted_there = warm.call("memo", as_caller=True, client=client, period=period, lang=lang,
                                  as_of=day.isoformat() if day else None, engine=engine)
        if drafted_there is not None:
            sys.stderr.write(drafted_there["stderr"])
            sys.stdout.write(drafted_there["stdout"])
            return
        from assistant import cold

        drafted_here = cold.memo(client, period, lang=lang, as_of=day, engine=engine)  # drafted and stored with sqlite3
        if drafted_here is not None:
            sys.stdout.write(drafted_here)
            return
    from assistant.memo import workflow
    from assistant.safety import output_path
    from assistant.store import open_store

    store = open_store()
    if actor:
        from assistant.memo.cli_life import acting_user

        actor = acting_user(store, actor).name
    else:  # drafting needs no proof (CONTRACT); the ledger names the logged-in user when there is one
        from assistant.actor import logged_in

        actor = getattr(logged_in(store), "name", None)
    if stored:
        from assistant.memo.cli_life import export_stored

        sys.stdout.write(export_stored(store, client, period, fmt, out, actor=actor or "system") + "\n")
        return
    drafted = workflow.draft_memo(store, client, period, lang=lang, by=actor or "system", as_of=day, engine=engine)
    from assistant.warm_ops import memo_notes

    sys.stderr.write(memo_notes(drafted))
    if fmt == "md" and out is None:
        sys.stdout.write(drafted.markdown)
        return
    target_path = out or output_path(Path.cwd(), drafted.memo.client, drafted.memo.period, suffix=fmt)
    workflow.write_memo(drafted.memo, fmt, target_path, markdown=drafted.markdown)
    from assistant.audit_log import record_export

    record_export(open_store(), actor or "system", "export.memo", drafted.memo.client, period=period, format=fmt)
    sys.stdout.write(f"{target_path}\n")


model_app = typer.Typer(help="The bank's own default model.", no_args_is_help=True)
app.add_typer(model_app, name="model")


@model_app.command("train")
def model_train(
    history: Path = typer.Argument(..., help="CSV: ratio columns (e.g. debt_to_assets, current_ratio) + defaulted 0/1"),
    as_json: bool = typer.Option(False, "--json", help="print the saved model's metadata as JSON"),
) -> None:
    """Fit a logistic default model on HISTORY.csv; the grade uses it instead of Altman/Ohlson."""
    from assistant.analytics.training import train

    model, path = train(history)
    if as_json:
        _print_json({"path": str(path), "features": model.features, **model.metadata})
        return
    meta = model.metadata
    typer.echo(f"trained on {meta['rows']} rows ({meta['defaults']} defaults, {meta['dropped_rows']} dropped); "
               f"features: {', '.join(model.features)}; training AUC {meta['training_auc']}")
    typer.echo(f"saved to {path}; `loanwatch status` now grades with this model")


# ---------------------------------------------------------------- users and the app (serve, user add)

user_app = typer.Typer(help="People who log in to the app: officers, reviewers, admins.", no_args_is_help=True)
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="the login name"),
    role: str = typer.Option(..., "--role", help="officer | reviewer | admin"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
    clients: list[str] = typer.Option([], "--clients", help="clients this officer is in charge of (name, alias or id; repeatable)"),
    display_name: str = typer.Option("", "--display-name", help="the name shown in the app"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the admin adding the user (not needed for a home's first user, an admin)"),
) -> None:
    """Add a user (or reset one's role and password) and assign clients (an admin; the first user of a home is an admin)."""
    import getpass

    from assistant.access import add_user
    from assistant.actor import SETUP_ACTOR, command_actor
    from assistant.store import open_store

    actor = command_actor(as_user, None, "user.add")
    if actor.name == SETUP_ACTOR and role != "admin":
        raise LoanwatchError("the first user of a home must be an admin", hint=f"`loanwatch user add NAME --role admin`, then add {name} --as that admin")

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {name}: ")
    names = [c.strip() for item in clients for c in item.split(",") if c.strip()]
    with open_store().transaction() as s:
        user = add_user(s, name, role, password, display_name=display_name, clients=names, actor=actor.name)
    sys.stdout.write(f"user {user.name} ({user.role}), {len(user.clients)} client(s) assigned\n")


def _password(name: str, stdin: bool, prompt: str = "password") -> str:
    import getpass

    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return os.environ.get("LOANWATCH_PASSWORD") or getpass.getpass(f"{prompt} for {name}: ")


def _user_change(fn, name: str, *args, as_user: Optional[str], right: str = "user.manage") -> object:  # noqa: ANN001
    """Run ``fn(session, name, *args, actor=…)`` in one transaction as the acting user (see assistant/actor.py)."""
    from assistant.actor import command_actor
    from assistant.store import open_store

    store = open_store()
    actor = command_actor(as_user, None, right, store=store)
    with store.transaction() as s:
        return fn(s, name, *args, actor=actor.name)


@user_app.command("deactivate")
def user_deactivate(
    name: str = typer.Argument(..., help="the login name"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting admin (password from LOANWATCH_PASSWORD or a prompt)"),
) -> None:
    """Stop a user from logging in; every open session of the user ends."""
    from assistant.access import set_active

    ended = _user_change(set_active, name, False, as_user=as_user)
    sys.stdout.write(f"user {name} deactivated; {ended} session(s) ended\n")


@user_app.command("reactivate")
def user_reactivate(
    name: str = typer.Argument(..., help="the login name"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting admin (password from LOANWATCH_PASSWORD or a prompt)"),
) -> None:
    """Let a deactivated user log in again (also lifts a failed-login lock)."""
    from assistant.access import set_active

    _user_change(set_active, name, True, as_user=as_user)
    sys.stdout.write(f"user {name} active; failed-login lock lifted\n")


@user_app.command("passwd")
def user_passwd(
    name: str = typer.Argument(..., help="the login name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the new password from standard input"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting user: the user themself or an admin (password from LOANWATCH_PASSWORD or a prompt)"),
) -> None:
    """Set a user's password (your own, or anyone's as an admin); every open session of the user ends."""
    from assistant.access import set_password

    right = "user.passwd.own" if (as_user or "").strip() == name else "user.manage"
    ended = _user_change(set_password, name, _password(name, password_stdin, "new password"), as_user=as_user, right=right)
    sys.stdout.write(f"password of {name} changed; {ended} session(s) ended\n")


def _client_ids(refs: list[str]) -> list[int]:
    from assistant.store import open_store
    from assistant.store.repo import get_client

    with open_store().session() as s:
        return [get_client(s, c.strip()).id for ref in refs for c in ref.split(",") if c.strip()]


@user_app.command("assign")
def user_assign(
    name: str = typer.Argument(..., help="the login name"),
    clients: list[str] = typer.Argument(..., help="clients (name, alias or id)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting admin (password from LOANWATCH_PASSWORD or a prompt)"),
) -> None:
    """Put a user in charge of clients."""
    from assistant.access import assign

    for cid in _client_ids(clients):
        _user_change(assign, name, cid, as_user=as_user)
    sys.stdout.write(f"user {name}: {len(clients)} client(s) assigned\n")


@user_app.command("unassign")
def user_unassign(
    name: str = typer.Argument(..., help="the login name"),
    clients: list[str] = typer.Argument(..., help="clients (name, alias or id)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="the acting admin (password from LOANWATCH_PASSWORD or a prompt)"),
) -> None:
    """Take clients away from a user (a client whose officer field names the user stays visible to them)."""
    from assistant.access import unassign

    done = sum(bool(_user_change(unassign, name, cid, as_user=as_user)) for cid in _client_ids(clients))
    sys.stdout.write(f"user {name}: {done} client(s) unassigned\n")


@app.command()
def login(
    name: str = typer.Argument(..., help="the login name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from standard input"),
    print_token: bool = typer.Option(False, "--print-token", help="print the token (for LOANWATCH_TOKEN) instead of saving it"),
) -> None:
    """Start a session: later commands act as this user until `loanwatch logout` or the session expires."""
    from assistant.sessions import cli_login, save_token
    from assistant.store import open_store

    store = open_store()
    user, token = cli_login(store, name, _password(name, password_stdin))
    if print_token:
        sys.stdout.write(token + "\n")
        return
    path = save_token(token, store=store)
    sys.stdout.write(f"logged in as {user.name} ({user.role}); session saved in {path}\n")


@app.command()
def logout() -> None:
    """End the session `loanwatch login` started (or the one in LOANWATCH_TOKEN)."""
    from assistant.sessions import cli_logout
    from assistant.store import open_store

    ended = cli_logout(open_store())
    sys.stdout.write("logged out\n" if ended else "no session was open\n")


@user_app.command("list")
def user_list() -> None:
    """List users with their roles and assigned clients."""
    from assistant.access import list_users
    from assistant.store import open_store

    for u in list_users(open_store()):
        sys.stdout.write(f"{u.name:<16} {u.role:<9} {u.display_name}  clients: {', '.join(map(str, u.clients)) or '-'}\n")


@app.command()
def serve(
    demo: bool = typer.Option(False, "--demo", help="build the demonstration portfolio first (on a fresh home)"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(7860, "--port", help="port to listen on"),
) -> None:
    """Start the app; --demo loads the demonstration portfolio and demo logins into a fresh home."""
    from assistant.store import open_store
    from assistant.store.repo import list_clients

    store = open_store()
    if demo:
        from assistant.access import ensure_demo_users
        from assistant.demo.portfolio import build_demo

        with store.session() as s:
            fresh = not list_clients(s)
        if fresh:
            sys.stdout.write("building the demo portfolio (first run only)…\n")
            sys.stdout.flush()
            report = build_demo(echo=lambda line: (sys.stdout.write(line + "\n"), sys.stdout.flush()))
            sys.stdout.write(f"demo: {len(report.clients)} clients, {report.stored} documents in {report.seconds:.0f} s\n")
        sys.stdout.write("demo logins (user / password):\n")
        for name, role, password in ensure_demo_users(store):
            sys.stdout.write(f"  {name:<10} {password:<22} {role}\n")
        sys.stdout.flush()
    else:
        from assistant.access import list_users

        if not list_users(store):
            raise LoanwatchError("no users can log in to this home",
                                 hint="add one with `loanwatch user add NAME --role admin`, or run `loanwatch serve --demo`")
    # The app lives in ui/ (imports flow ui → assistant): run it as its own program in this process.
    os.execv(sys.executable, [sys.executable, "-m", "ui", "--host", host, "--port", str(port)])


@app.command("warm")
def warm_service() -> None:
    """Keep the store, engine, embedder and search index loaded for this home (Ctrl-C stops it): `ask`, `memo`, `status`, `client list` use it."""
    from assistant.warm import serve as serve_warm

    serve_warm(echo=lambda line: (sys.stdout.write(line + "\n"), sys.stdout.flush()))


# ---------------------------------------------------------------- demo, status, alerts


@app.command()
def demo(
    home: Optional[Path] = typer.Option(None, "--home", help="build it here (default: LOANWATCH_HOME)"),
    force: bool = typer.Option(False, "--force", help="add the demo even though the home already holds clients"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="the demo date (default: today); quarters end before it"),
    index: bool = typer.Option(True, "--index/--no-index", help="add the documents to the search index"),
) -> None:
    """Build the demonstration portfolio: six borrowers, eight quarters, notes and filings."""
    import datetime as dt

    if home is not None:
        from assistant.config import reset_settings

        os.environ["LOANWATCH_HOME"] = str(home.expanduser().resolve())
        reset_settings()
    from assistant.demo.portfolio import build_demo

    day = dt.date.fromisoformat(as_of) if as_of else None
    r = build_demo(as_of=day, force=force, index=index,
                   echo=lambda line: (sys.stdout.write(line + "\n"), sys.stdout.flush()))
    if r.failed:
        sys.stderr.write("".join(f"  failed: {f}\n" for f in r.failed))
    q = r.quarters
    sys.stdout.write(
        f"demo portfolio in {r.home}: {len(r.clients)} clients, {r.stored} of {r.files} documents stored "
        f"({r.pages} pages), quarters {q[0].isoformat()} … {q[-1].isoformat()}, {r.seconds:.1f} s\n"
        "try next:\n"
        "  loanwatch alerts\n"
        "  loanwatch status 鼎盛化纤\n"
        "  loanwatch status 华信光伏 --json\n"
        f"  loanwatch ask \"鼎盛化纤{q[-1].year}年{'一二三四'[(q[-1].month - 1) // 3]}季度营业收入同比增长率是多少？\"\n"
        f"  loanwatch memo 鼎盛化纤 --period {q[-1].year}Q{(q[-1].month - 1) // 3 + 1}\n"
    )
    if r.failed:
        raise typer.Exit(1)


@app.command()
def status(
    client: str = typer.Argument(..., help="client name, alias, short name or id"),
    period: Optional[str] = typer.Option(None, "--period", help="2026Q3, 2026H1, 2026 9M or 2026 (default: latest)"),
    as_json: bool = typer.Option(False, "--json", help="print the contract's JSON object"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge reporting and overdue days at this date (default: today)"),
    save: bool = typer.Option(False, "--record/--no-record", help="record covenant results and new alerts in the store and ledger (needs --as)"),
    as_user: Optional[str] = typer.Option(None, "--as", help="with --record: the acting user"),
) -> None:
    """A client's grade, suggested classification, covenants, warnings and latest figures with sources."""
    import datetime as dt

    day = dt.date.fromisoformat(as_of) if as_of else None
    if not save:  # a read: a running `loanwatch warm` may answer it
        from assistant import warm

        there = warm.call("status", client=client, period=period, as_of=day.isoformat() if day else None)
        if there is not None:
            _status_out(there["status"], as_json)
            return
    from assistant.status import client_status, record
    from assistant.store import open_store

    store = open_store()
    actor = None
    if save:
        from assistant.actor import command_actor

        actor = command_actor(as_user, None, "status.record", store=store)
    st = client_status(store, client, period=period, as_of=day)
    if actor is not None:  # a read writes nothing unless asked to, by a named user
        record(store, st, actor=actor.name)
    _status_out(st, as_json)


def _status_out(st: dict, as_json: bool) -> None:
    if as_json:
        _print_json(st)
        return
    from assistant.status_render import render_status

    render_status(st)


@app.command()
def alerts(
    client: Optional[str] = typer.Option(None, "--client", help="only this client (name, alias or id)"),
    severity: Optional[str] = typer.Option(None, "--severity", help="high | medium | low: that level and above"),
    as_json: bool = typer.Option(False, "--json", help="print the contract's JSON list"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge reporting at this date (default: today)"),
) -> None:
    """Warnings across the portfolio at each client's latest period, most severe first."""
    import datetime as dt

    from assistant.status import portfolio_alerts, render_alerts
    from assistant.store import open_store

    rows = portfolio_alerts(open_store(), client=client, severity=severity,
                            as_of=dt.date.fromisoformat(as_of) if as_of else None)
    if as_json:
        _print_json(rows)
        return
    render_alerts(rows)


from assistant import cli_changes  # noqa: E402 - registers figures pending|confirm|reject, classification, grade

cli_changes.register(app, figures_app)

from assistant.cli_book import register as _register_book  # noqa: E402 - the book's commands (watch, calendar, warning, book)

_register_book(app)


portfolio_app = typer.Typer(help="Questions over the whole book: attention, headroom, rankings, exposure, compare, trend.",
                            no_args_is_help=True)
app.add_typer(portfolio_app, name="portfolio")
_FILTERS = ("attention", "headroom", "breach", "exit", "support", "due")




@portfolio_app.command("ask")
def portfolio_ask(question: str = typer.Argument(..., help="a portfolio question in Chinese or English"),
                  as_json: bool = typer.Option(False, "--json", help="print the answer's JSON object (items, chart)")) -> None:
    """Answer a question over every client you can see (same engine as `loanwatch ask`, and its warm service)."""
    _answer_out(_ask(question, engine="builtin"), as_json)


@portfolio_app.command("filter")
def portfolio_filter(what: str = typer.Argument(..., help=" | ".join(_FILTERS)),
                     days: Optional[int] = typer.Option(None, "--days", help="due: instalments due within this many days"),
                     lang: str = typer.Option("en", "--lang", help="zh | en"),
                     as_json: bool = typer.Option(False, "--json")) -> None:
    """Clients that need attention, have thin headroom, breached, are exit or support candidates, or have instalments due."""
    from assistant.chat.service import portfolio
    from assistant.errors import ConfigError

    if what not in _FILTERS:
        raise ConfigError(f"unknown filter {what!r}", hint=f"use one of {', '.join(_FILTERS)}")
    _answer_out(portfolio(what, n=days, lang=lang), as_json)


@portfolio_app.command("rank")
def portfolio_rank(metric: str = typer.Option(..., "--metric", help="current_ratio, debt_to_assets, dscr, revenue …"),
                   top: Optional[int] = typer.Option(None, "--top", help="only the first N"),
                   low: bool = typer.Option(False, "--lowest", help="lowest first"),
                   lang: str = typer.Option("en", "--lang", help="zh | en"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Clients ranked by a metric at their latest period (missing data listed apart)."""
    from assistant.chat.service import portfolio

    _answer_out(portfolio("rank", metric=metric, n=top, low=low, lang=lang), as_json)


@portfolio_app.command("exposure")
def portfolio_exposure(by: Optional[str] = typer.Option(None, "--by", help="grade | industry | category"),
                       top: Optional[int] = typer.Option(None, "--top", help="only the N largest"),
                       lang: str = typer.Option("en", "--lang", help="zh | en"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Outstanding exposure (drawn − principal repaid per the schedule), largest first or grouped."""
    from assistant.chat.service import portfolio
    from assistant.errors import ConfigError

    if by not in (None, "grade", "industry", "category"):
        raise ConfigError(f"unknown grouping {by!r}", hint="use grade, industry or category")
    _answer_out(portfolio("exposure", n=top, group_by=by, lang=lang), as_json)


@portfolio_app.command("compare")
def portfolio_compare(clients: list[str] = typer.Argument(..., help="two or more clients (name, alias)"),
                      metric: Optional[str] = typer.Option(None, "--metric", help="one metric (default: the key ratios and figures)"),
                      lang: str = typer.Option("en", "--lang", help="zh | en"), as_json: bool = typer.Option(False, "--json")) -> None:
    """Two or more clients side by side at their latest period."""
    from assistant.chat.service import portfolio

    _answer_out(portfolio("compare", clients=clients, metric=metric, lang=lang), as_json)


@portfolio_app.command("trend")
def portfolio_trend(client: str = typer.Argument(..., help="client name or alias"),
                    metric: str = typer.Option(..., "--metric", help="current_ratio, dscr, net_cash_operating …"),
                    quarters: Optional[int] = typer.Option(None, "--quarters", help="the last N quarters (default: up to 8)"),
                    lang: str = typer.Option("en", "--lang", help="zh | en"), as_json: bool = typer.Option(False, "--json")) -> None:
    """One client's metric quarter by quarter, with the covenant line and sources."""
    from assistant.chat.service import portfolio

    _answer_out(portfolio("trend", clients=[client], metric=metric, n=quarters, lang=lang), as_json)


def main(argv: Optional[list[str]] = None) -> None:
    """Entry point: run the app, turn errors into one line and an exit status."""
    for stream in (sys.stdout, sys.stderr):  # valid UTF-8 always, whatever a document's text layer decodes to
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    try:
        app(args=argv)  # standalone: typer prints usage errors and exits 2 itself
    except LoanwatchError as exc:
        _record_denial(exc)
        sys.stderr.write(f"loanwatch: {exc}\n")
        sys.exit(1)
    except KeyboardInterrupt:
        sys.stderr.write("loanwatch: interrupted; nothing half-stored is kept — run the command again\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback for users
        if os.environ.get("LOANWATCH_DEBUG"):
            raise
        from assistant.safety import error_line

        sys.stderr.write(f"loanwatch: internal error ({error_line(exc)}); set LOANWATCH_DEBUG=1 for details and report it\n")
        sys.exit(1)


def _record_denial(exc: LoanwatchError) -> None:
    """A refused client lookup goes to the ledger (never a second error on top of the first)."""
    if getattr(exc, "denied", None):
        from assistant.access import record_denial
        from assistant.store import open_store

        try:
            record_denial(open_store(), exc)
        except LoanwatchError as inner:
            sys.stderr.write(f"loanwatch: the refusal could not be recorded ({inner})\n")


if __name__ == "__main__":
    main()
