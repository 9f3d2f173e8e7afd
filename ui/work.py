"""Handlers for the chat, memo and audit pages (plain functions; see ``ui.handlers``)."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from assistant.access import User, require_client, visible_client_ids
from assistant.domain import Span
from assistant.errors import AccessDeniedError, ConfigError, NotFoundError
from assistant.safety import inside, output_path
from assistant.store import Store
from assistant.store import schema as t

# ---------------------------------------------------------------- chat


@dataclass
class ChatTurn:
    text: str
    citations: list[dict] = field(default_factory=list)  # {document, page, quote}
    engine: str = "builtin"
    done: bool = False
    chart: dict | None = None  # a trend to draw beside the answer (see ``ui.charts.answer_chart``)


def ask_stream(store: Store, user: User, question: str, client: str | int | None = None,
               engine: str | None = None) -> Iterator[ChatTurn]:
    """Answer from the user's clients only; yields the text as it grows, then the citations."""
    from assistant.chat.service import ask, choose_engine

    ids = visible_client_ids(store, user)
    name = None
    if client not in (None, ""):
        row = require_client(store, user, client)
        name, ids = str(row.id), frozenset({row.id})
    used = choose_engine(engine)
    yield ChatTurn("", engine=used)
    answer = ask(question, user=user, client=name, engine=engine, client_ids=ids, store=store)
    shown = ""
    for piece in re.findall(r"\S+\s*|\s+", answer.answer):
        shown += piece
        yield ChatTurn(shown, engine=answer.engine)
    cites = [{"document": c.document, "page": c.page, "quote": c.quote} for c in answer.citations]
    yield ChatTurn(answer.answer, cites, answer.engine, done=True, chart=answer.chart)


def warm_portfolio(store: Store) -> None:
    """Make every client's portfolio row current in the background, at launch and again each new day;
    at launch also index the stored documents the search index lacks.

    At launch this mostly loads the rows persisted by the last run (``chat.rowcache``); the
    assessment date is part of a row's key, so on a new day the rows are rebuilt here rather
    than by the first dashboard load or portfolio question of the day.
    """
    import threading

    from assistant.chat.board import BOARD
    from assistant.config import today
    from assistant.store.repo import list_clients

    def _build() -> None:
        try:
            with store.session() as s:
                ids = frozenset(c.id for c in list_clients(s))
            BOARD.rows(store, ids)
        except Exception:  # noqa: BLE001 - a warm-up only: the first question builds the rows itself
            pass

    def _catch_up() -> None:
        try:  # documents whose indexing a kill or an outage cut (``loanwatch index catch-up``)
            from assistant.ingest import index_pending

            index_pending(store)
        except Exception:  # noqa: BLE001 - best effort: `loanwatch index status` still lists them
            pass

    def _daily() -> None:
        day = today()
        _build()
        _catch_up()
        while True:
            threading.Event().wait(300)  # a check every five minutes, not a busy loop
            if today() != day:
                day = today()
                _build()

    threading.Thread(target=_daily, name="loanwatch-warm-portfolio", daemon=True).start()


def citation_page(store: Store, user: User, document: str, page: int | None, quote: str = ""):  # noqa: ANN201
    """(image, caption) of a cited page, looked up among the user's clients' documents only.

    When the quote holds a stored figure's printed label and value, that row is highlighted.
    """
    from extractors.render import render_page

    ids = visible_client_ids(store, user)
    with store.session() as s:
        doc = s.execute(select(t.DocumentRow).where(t.DocumentRow.name == document,
                                                    t.DocumentRow.client_id.in_(ids or {-1}))
                        .order_by(t.DocumentRow.id.desc()).limit(1)).scalar_one_or_none()
        if doc is None:
            raise AccessDeniedError(f"no document {document!r} among your clients' documents")
        stored, name = doc.stored_path, doc.name
        bbox = None
        if quote:
            rows = s.execute(select(t.FigureRow).where(t.FigureRow.document_id == doc.id,
                                                       t.FigureRow.page == (page or 1))).scalars()
            hit = next((f for f in rows if f.label and f.label in quote and _same_number(f, quote)), None)
            bbox = (hit.x0, hit.top, hit.x1, hit.bottom) if hit is not None else None
    caption = f"{name} p.{page or 1}" + (f" · {quote}" if quote else "")
    if not stored.lower().endswith(".pdf"):
        return None, caption + " (not a PDF: no page image)"
    return render_page(inside(store.home, stored), page or 1, bbox), caption


def _same_number(fig, quote: str) -> bool:  # noqa: ANN001 - a FigureRow
    """The quote prints the figure: its printed text, or its value in printed or base units."""
    if fig.printed and fig.printed in quote:
        return True
    numbers = {Decimal(m.replace(",", "")) for m in re.findall(r"-?\d[\d,]*(?:\.\d+)?", quote)}
    return fig.value is not None and (fig.value in numbers or fig.value * fig.unit in numbers)


# ---------------------------------------------------------------- memo


def memo_periods(store: Store, user: User, client: str | int) -> list[str]:
    """Quarters the client has figures for, newest first (the memo's period choices)."""
    from assistant.store import load_snapshot
    from ui.handlers import quarter_ends

    snap = load_snapshot(store, require_client(store, user, client).id)
    return [Span(e, dt.date(e.year, e.month - 2, 1)).label for e in quarter_ends(snap, 8)]


def memo_draft(store: Store, user: User, client: str | int, period: str, lang: str = "zh") -> tuple[str, str]:
    """(markdown, note): a fresh draft stored as the next version (officer's edits carried)."""
    from assistant.memo.workflow import draft_memo

    row = require_client(store, user, client)
    drafted = draft_memo(store, row.id, period, lang=lang, by=user.name, user=user)
    note = f"v{drafted.version.version} draft" if drafted.version else "draft"
    if drafted.regenerated is not None:
        note += f"; {len(drafted.regenerated.carried)} edit(s) carried, {len(drafted.regenerated.not_carried)} not"
    return drafted.markdown, note


def memo_versions(store: Store, user: User, client: str | int, period: str) -> list[list]:
    from assistant.memo import workflow

    row = require_client(store, user, client)
    return [[v.version, v.stage, v.by, v.note] for v in reversed(workflow.memo_versions(store, row.id, period, user=user))]


def memo_load(store: Store, user: User, client: str | int, period: str) -> tuple[str, int | None, str, str]:
    """(text, version, note, diff) of the latest stored version — what the editor and the reviewer see.

    The reviewer's Approve acts on exactly this version (``memo_save(..., version=...)``): a
    newer one stored meanwhile makes the approval fail instead of approving unseen text.
    """
    from assistant.errors import NotFoundError
    from assistant.memo.workflow import review_view

    row = require_client(store, user, client)
    try:
        view = review_view(store, row.id, period, user=user)
    except NotFoundError:
        return "", None, "", ""
    v = view.version
    note = f"v{v.version} {v.stage} · {v.by}" + (f" · {v.note}" if v.note else "")
    if view.reference is not None:
        note += f" (diff against v{view.reference.version} {view.reference.stage})"
    return v.text, v.version, note, view.diff


def memo_save(store: Store, user: User, client: str | int, period: str, text: str, *, stage: str = "edited",
              version: int | None = None, comment: str = "") -> str:
    """Store the officer's text (``edited``), submit it (``submitted``), or — the checker's step —
    approve or return the version shown (``approved`` / ``returned``, ``version`` pins it).

    Approval is refused to an officer, to whoever drafted, edited or submitted the version,
    and while a number does not trace or a claim contradicts the facts (``workflow.approve_memo``).
    """
    from assistant.memo import workflow

    row = require_client(store, user, client)
    if stage == "edited":
        v = workflow.edit_memo(store, row.id, period, text, user=user)
        return f"v{v.version} {v.stage} by {user.name}"
    if stage == "submitted":
        v = workflow.submit_memo(store, row.id, period, user=user, version=version)
        return f"v{v.version} {v.stage} by {user.name}"
    if stage == "returned":
        v = workflow.return_memo(store, row.id, period, comment, user=user, version=version)
        return f"v{v.version} {v.stage} by {user.name}: {v.note}"
    if stage != "approved":
        raise ConfigError(f"unknown memo stage {stage!r}")
    if not user.can_approve:
        raise AccessDeniedError(f"{user.name} is an officer: memos are approved by a reviewer",
                                hint="ask a reviewer to approve it")
    v, report = workflow.approve_memo(store, row.id, period, user=user, version=version)
    return f"v{v.version} {v.stage} by {user.name} ({report.summary()})"


def memo_compare(store: Store, user: User, client: str | int, period: str) -> str:
    """The latest version's diff to the version it is reviewed against (the last approved, else the draft)."""
    return memo_load(store, user, client, period)[3]


_exports: tempfile.TemporaryDirectory | None = None


def _export_dir() -> Path:
    """A fresh folder for one exported file, inside this process's export folder (removed when the process exits)."""
    global _exports
    if _exports is None:
        _exports = tempfile.TemporaryDirectory(prefix="loanwatch-memo-")
    return Path(tempfile.mkdtemp(dir=_exports.name))


def memo_file(store: Store, user: User, client: str | int, period: str, fmt: str) -> str:
    """Write the latest stored version as md/docx/pdf to a temporary file; returns its path.

    The file is that version's text byte for byte (md) or rendered from it (Word, PDF: the
    officer's edits included, DRAFT unless it is the approved version, with the sign-off).
    """
    from assistant.memo.workflow import export_text, export_version

    row = require_client(store, user, client)
    try:
        version, _ = export_text(store, row.id, period, user=user)
    except NotFoundError:
        raise ConfigError(f"no memo for {row.name} {period} yet", hint="draft it first") from None
    out = output_path(_export_dir(), row.name, period, f"v{version.version}", suffix=fmt)  # a generated name: the client's name is data
    export_version(store, row.id, period, version, fmt, out, user=user)
    _record_export(store, user, "export.memo", row.id, period=period, format=fmt, version=version.version)
    return str(out)


def _record_export(store: Store, user: User, action: str, client_id: int | None, **detail) -> None:  # noqa: ANN003
    from assistant.audit_log import record_export

    record_export(store, user.name, action, client_id, **detail)


def memo_downloaded(store: Store, user: User, client: str | int, period: str, fmt: str) -> None:
    """The officer clicked a memo download button: recorded as ``download.memo``."""
    row = require_client(store, user, client)
    _record_export(store, user, "download.memo", row.id, period=period, format=fmt)


# ---------------------------------------------------------------- audit


def _client_entities(s, client_id: int) -> dict[str, set[int]]:  # noqa: ANN001
    def ids(q) -> set[int]:  # noqa: ANN001
        return set(s.execute(q).scalars())

    docs = ids(select(t.DocumentRow.id).where(t.DocumentRow.client_id == client_id))
    facilities = ids(select(t.FacilityRow.id).where(t.FacilityRow.client_id == client_id))
    covenants = ids(select(t.CovenantRow.id).where(t.CovenantRow.facility_id.in_(facilities or {-1})))
    return {
        "client": {client_id},
        "facility": facilities,
        "document": docs,
        "statement": ids(select(t.StatementRow.id).where(t.StatementRow.document_id.in_(docs or {-1}))),
        "note": ids(select(t.NoteRow.id).where(t.NoteRow.client_id == client_id)),
        "correction": ids(select(t.CorrectionRow.id).where(t.CorrectionRow.client_id == client_id)),
        "alert": ids(select(t.AlertRow.id).where(t.AlertRow.client_id == client_id)),
        "memo": ids(select(t.MemoRow.id).where(t.MemoRow.client_id == client_id)),
        "covenant_result": ids(select(t.CovenantResultRow.id).where(
            t.CovenantResultRow.covenant_id.in_(covenants or {-1}))),
        "access": {client_id},  # events about the client: denied lookups, exports and downloads
        "export": {client_id},
    }


def audit_entries(store: Store, user: User, client: str | int, limit: int = 500) -> list[list]:
    """The ledger entries about one client's records, newest first."""
    row = require_client(store, user, client)
    with store.session() as s:
        mine = _client_entities(s, row.id)
        entries = s.execute(select(t.LedgerRow).order_by(t.LedgerRow.seq.desc())).scalars()
        out = []
        for e in entries:
            if e.entity_id is not None and e.entity_id in mine.get(e.entity, ()):
                out.append([e.seq, e.ts[:19].replace("T", " "), e.actor, e.action, e.entity, e.entity_id,
                            e.hash[:16] + "…"])
                if len(out) >= limit:
                    break
    return out


def audit_verify(store: Store, user: User) -> tuple[bool, int, str, list[str]]:
    """(ok, entries, head hash, problems): the whole chain recomputed (it is one chain for the bank)."""
    from assistant import ledger

    with store.session() as s:
        problems = ledger.verify(s)
        n, top = ledger.count(s), ledger.head(s)
    return not problems, n, top.hash if top else "-", [str(p) for p in problems]


def audit_filter(store: Store, user: User, who: str, client, action: str, since: str, until: str):  # noqa: ANN001, ANN201
    """The page's filter fields as an ``audit_log.Filter`` (a client the user may not reach is refused)."""
    from assistant.audit_log import Filter, parse_day

    client_id = require_client(store, user, client).id if client not in (None, "") else None
    return Filter(user=(who or "").strip(), client=client_id, action=(action or "").strip(),
                  since=parse_day(since, "from"), until=parse_day(until, "to"))


def audit_search(store: Store, user: User, who: str, client, action: str, since: str, until: str) -> list[list]:  # noqa: ANN001
    """The audit page's table: the filtered ledger entries, newest first."""
    from assistant.audit_log import entries

    return [e.cells() for e in entries(store, user, audit_filter(store, user, who, client, action, since, until))]


def audit_export(store: Store, user: User, who: str, client, action: str, since: str, until: str, fmt: str) -> str:  # noqa: ANN001
    """The same rows as the table, as CSV or Excel in a fresh temporary folder (the export is recorded)."""
    from assistant.audit_log import export

    flt = audit_filter(store, user, who, client, action, since, until)
    return str(export(store, user, flt, fmt, _export_dir()))
