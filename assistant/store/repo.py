"""Queries and commands on the portfolio store.

Commands take a session from ``Store.transaction()`` and record what they change in the
ledger in the same transaction; queries take any session. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from assistant import config, ledger
from assistant.domain import Facility, InspectionNote, Span
from assistant.errors import ConfigError, NotFoundError
from assistant.periods import period_spans
from assistant.safety import MAX_NAME, clean_name
from assistant.store.names import best_match, normalise_name
from assistant.store.schema import (
    AlertRow,
    ChangeReviewRow,
    Client,
    CorrectionRow,
    CovenantResultRow,
    CovenantRow,
    DocumentRow,
    FacilityRow,
    FigureRow,
    MemoRow,
    NoteRow,
    RepaymentRow,
    SecurityRow,
    StatementRow,
    canonical_decimal,
)
from extractors.vocabulary import FIGURES

if TYPE_CHECKING:  # annotations only: the pydantic models load when a document is stored
    from extractors.models import ExtractionResult, Statement

_KEYS = {f.key for f in FIGURES}


# ---------------------------------------------------------------- clients

MANY_IDS = 500  #: more ids than this are kept by the caller rather than bound into an IN (…) (a book of 10,000 clients)


def where_ids(query, column, ids):  # noqa: ANN001, ANN201 - a SQLAlchemy select and column
    """``query`` limited to ``ids`` on ``column``, and the set of ids the caller keeps rows of (None: every row).

    A few ids are bound into ``IN (…)``; a whole book's are not (binding 10,000 ids cost more than
    reading the rows): the query is left whole and the caller keeps the rows whose id is in the set."""
    if ids is None:
        return query, None
    wanted = set(ids)
    return (query.where(column.in_(wanted)) if len(wanted) <= MANY_IDS else query), wanted


_LEGAL_FORMS = frozenset({"inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc",
                          "plc", "lp", "llp"})
_LATIN_NAME = re.compile(r"[A-Za-z0-9&.,'’\- ]+")


def short_name(name: str) -> str | None:
    """The name without its English legal form ("SQUARE, INC." → "Square"), else None.

    Only drops the legal-form words (and a leading "The"); an all-capitals name is written in
    title case. Nothing else is changed: no brand or later name is ever made up.
    """
    name = name.strip()
    if not _LATIN_NAME.fullmatch(name):
        return None
    words = name.replace(",", " ").split()
    dropped = False
    while words and words[-1].lower().replace(".", "") in _LEGAL_FORMS:
        words.pop()
        dropped = True
    if words and words[0].lower() == "the" and len(words) > 1:
        words.pop(0)
    if not dropped or not words:
        return None
    core = " ".join(words).rstrip(" .,&-")
    if core.isupper():
        core = " ".join(w.capitalize() if w.isalpha() else w for w in core.split())
    return core if core and core != name else None


def add_client(s: Session, name: str, *, aliases: Iterable[str] = (), industry: str = "",
               officer: str | None = None, actor: str = "system") -> Client:
    name = clean_name(name)
    aliases = [clean_name(a, what="alias") for a in aliases if a.strip()]
    if s.execute(select(Client).where(Client.name == name)).scalar_one_or_none() is not None:
        raise ConfigError(f"client {name!r} already exists", hint="use `loanwatch client show` to see it")
    client = Client(name=name, aliases=sorted({a.strip() for a in aliases if a.strip()}),
                    industry=industry, officer=officer)
    s.add(client)
    s.flush()
    ledger.record(s, client, action="client.add", actor=actor)
    return client


def update_client(s: Session, client: Client, *, aliases: Iterable[str] | None = None,
                  industry: str | None = None, officer: str | None = None, actor: str = "system") -> Client:
    if aliases is not None:
        client.aliases = sorted(set(client.aliases) | {clean_name(a, what="alias") for a in aliases if a.strip()})
    if industry is not None:
        client.industry = industry
    if officer is not None:
        client.officer = officer
    s.flush()
    ledger.record(s, client, action="client.update", actor=actor)
    return client


def list_clients(s: Session) -> list[Client]:
    return list(s.execute(select(Client).order_by(Client.name)).scalars())


def match_client(s: Session, company: str) -> Client | None:
    """The client whose name or alias is ``company`` up to legal-form suffixes, else None (``names.best_match``)."""
    return best_match(company, list_clients(s))


def get_client(s: Session, ref: str | int) -> Client:
    """A client by id, name or alias (suffix-insensitive); ``NotFoundError`` otherwise."""
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        client = s.get(Client, int(ref))
        if client is not None:
            return client
    if isinstance(ref, str):
        ref = unicodedata.normalize("NFKC", ref).strip()
        if "\x00" in ref or len(ref) > 2 * MAX_NAME:  # no stored name can match; never send it to the database
            raise NotFoundError(f"no client named {ref[:60]!r}{'…' if len(ref) > 60 else ''}")
        client = s.execute(select(Client).where(Client.name == ref)).scalar_one_or_none()
        if client is None:
            client = match_client(s, ref)
        if client is not None:
            return client
    raise NotFoundError(f"no client named {str(ref)[:60]!r}{'…' if len(str(ref)) > 60 else ''}")


# ---------------------------------------------------------------- facilities

def upsert_facility(s: Session, client: Client, facility: Facility, *, actor: str = "system") -> FacilityRow:
    """Create or replace a facility (by client and name) with its covenants, schedule and securities.

    For set-up in code (tests, the benchmark home): it replaces every child record. A file import
    goes through ``assistant.facility_merge`` instead, which changes only what the file gives and
    never deletes a record without a second person's confirmation.
    """
    row = s.execute(
        select(FacilityRow).where(FacilityRow.client_id == client.id, FacilityRow.name == facility.name)
    ).scalar_one_or_none()
    action = "facility.update" if row is not None else "facility.add"
    if row is None:
        row = FacilityRow(client_id=client.id, name=facility.name)
        s.add(row)
    for attr in ("amount", "currency", "drawn", "outstanding", "drawdown_date", "maturity_date", "rate",
                 "collateral", "guarantors", "reporting_days", "annual_reporting_days", "inspection_days"):
        setattr(row, attr, getattr(facility, attr))
    row.covenants = [
        CovenantRow(metric=c.metric, operator=c.operator, threshold=c.threshold, frequency=c.frequency,
                    grace_days=c.grace_days, description=c.description)
        for c in facility.covenants
    ]
    row.schedule = [
        RepaymentRow(due=r.due, principal=r.principal, interest=r.interest, paid_on=r.paid_on,
                     paid_amount=r.paid_amount)
        for r in facility.schedule
    ]
    row.securities = [
        SecurityRow(kind=x.kind, description=x.description, provider=x.provider, value=x.value, currency=x.currency,
                    valuation_date=x.valuation_date)
        for x in facility.securities
    ]
    s.flush()
    ledger.record(s, row, action=action, actor=actor)
    return row


# ---------------------------------------------------------------- documents

def find_document(s: Session, sha256: str, client_id: int | None = None) -> DocumentRow | None:
    q = select(DocumentRow).where(DocumentRow.sha256 == sha256)
    if client_id is not None:
        q = q.where(DocumentRow.client_id == client_id)
    return s.execute(q.order_by(DocumentRow.id).limit(1)).scalar_one_or_none()


def store_document(
    s: Session,
    client: Client,
    *,
    sha256: str,
    kind: str,
    name: str,
    stored_path: str,
    pages: int = 0,
    size: int = 0,
    received: dt.date | None = None,
    extraction: ExtractionResult | None = None,
    note: InspectionNote | None = None,
    actor: str = "system",
    warnings: list[str] | None = None,
) -> DocumentRow:
    """Store one document with its statements, figures and note, each recorded in the ledger.

    ``warnings``: more document-level warnings (e.g. why a filing was read only in part)."""
    statements = extraction.statements if extraction is not None else []
    ends = [c.period_end for st in statements for c in st.columns if c.period_end is not None]
    doc = DocumentRow(
        client_id=client.id, sha256=sha256, kind=kind, name=name, pages=pages, size=size,
        received=received or config.today(), stored_path=stored_path,
        company=extraction.company if extraction is not None else None,
        period_end=max(ends) if ends else None,
        warnings=[*(warnings or []), *(extraction.warnings if extraction is not None else [])],
    )
    s.add(doc)
    s.flush()
    ledger.record(s, doc, action="document.ingest", actor=actor)
    for statement in statements:
        row = _store_statement(s, doc, statement)
        ledger.record(s, row, action="statement.extract", actor=actor)
    if note is not None:
        row = _store_note(s, doc, note)
        ledger.record(s, row, action="note.ingest", actor=actor)
    if statements:
        _flag_restatements(s, doc, actor=actor)
    return doc


def _store_statement(s: Session, doc: DocumentRow, st: Statement) -> StatementRow:
    row = StatementRow(
        document_id=doc.id, kind=st.kind, scope=st.scope, currency=st.currency, unit=st.unit,
        pages=list(st.pages), title=st.title,
        columns=[{"period_start": _iso(c.period_start), "period_end": _iso(c.period_end), "label": c.label}
                 for c in st.columns],
        warnings=list(st.warnings),
    )
    s.add(row)
    s.flush()
    figures = []
    for r, item in enumerate(st.items):
        for c, value in enumerate(item.values):
            column = st.columns[c] if c < len(st.columns) else None
            bbox = item.bbox
            cell = _nth(item.value_boxes, c)
            figures.append(dict(
                statement_id=row.id, document_id=doc.id, client_id=doc.client_id,
                key=item.key if item.key in _KEYS else None, label=item.label,
                printed=item.printed[c] if c < len(item.printed) else None, value=value,
                period_start=column.period_start if column else None,
                period_end=column.period_end if column else None,
                column_label=column.label if column else "",
                kind=st.kind, scope=st.scope, unit=1 if (item.per_share or item.percent) else st.unit,
                currency=st.currency, page=item.page,
                x0=bbox.x0 if bbox else None, top=bbox.top if bbox else None,
                x1=bbox.x1 if bbox else None, bottom=bbox.bottom if bbox else None,
                row_index=r, col_index=c,
                confidence=_nth(item.confidence, c), flag=_nth(item.flags, c),
                cell_x0=cell.x0 if cell else None, cell_top=cell.top if cell else None,
                cell_x1=cell.x1 if cell else None, cell_bottom=cell.bottom if cell else None,
            ))
    if figures:
        s.execute(insert(FigureRow), figures)  # one executemany, not one ORM object per cell
    return row


def _nth(values: list | None, i: int):  # noqa: ANN202 - the list's own type
    return values[i] if values is not None and i < len(values) else None


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def _store_note(s: Session, doc: DocumentRow, note: InspectionNote) -> NoteRow:
    row = NoteRow(
        document_id=doc.id, client_id=doc.client_id, visit_date=note.visit_date, inspector=note.inspector,
        site=note.site, progress_actual=note.progress_actual, progress_planned=note.progress_planned,
        cost_spent=note.cost_spent, cost_budget=note.cost_budget, operating_status=note.operating_status,
        problems=list(note.problems), text=note.text,
    )
    s.add(row)
    s.flush()
    return row


def _flag_restatements(s: Session, doc: DocumentRow, *, actor: str) -> list[Any]:
    """Flag figures of ``doc`` that differ from what an earlier document reported.

    One ``restatement`` alert per span, recorded in the ledger, lists each key with the
    earlier and the new value and both sources (the figures themselves stay as printed).
    """
    fr = FigureRow
    cols = (fr.key, fr.scope, fr.period_start, fr.period_end, fr.value, fr.page, fr.document_id)
    # an undated figure (a column whose period could not be read) restates nothing: it has no period to compare
    new = s.execute(select(*cols).where(fr.document_id == doc.id, fr.key.is_not(None), fr.value.is_not(None),
                                        fr.period_end.is_not(None)).order_by(fr.id)).all()
    earlier: dict[tuple, Any] = {}
    for old in s.execute(select(*cols).where(fr.client_id == doc.client_id, fr.document_id != doc.id,
                                             fr.key.is_not(None), fr.value.is_not(None),
                                             fr.period_end.is_not(None)).order_by(fr.id)):
        earlier[old[:4]] = old  # the most recent one wins
    restated: list[tuple[Any, Any]] = []
    seen: set[tuple] = set()
    for fig in new:
        where = fig[:4]
        old = earlier.get(where)
        if where in seen or old is None or old.value == fig.value:
            continue
        seen.add(where)
        restated.append((old, fig))
    by_span: dict[Span, list[tuple[Any, Any]]] = {}
    for old, fig in restated:
        by_span.setdefault(Span(fig.period_end, fig.period_start), []).append((old, fig))
    names = dict(s.execute(select(DocumentRow.id, DocumentRow.name).where(DocumentRow.client_id == doc.client_id)).all())
    for span, pairs in by_span.items():
        listed = "; ".join(f"{f.key} {o.value} → {f.value}" for o, f in pairs[:5])
        more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
        evidence = [
            {"document": doc.name, "page": f.page, "key": f.key, "value": str(f.value), "previous": str(o.value),
             "previous_document": names.get(o.document_id), "previous_page": o.page}
            for o, f in pairs
        ]
        add_alert(s, doc.client_id, span.label, "restatement", "medium",
                  f"{doc.name} restates {span.label}: {listed}{more}", evidence, actor=actor)
    return [f for _, f in restated]


def document_counts(s: Session) -> dict[str, int]:
    """Rows per table, for reports and the kill-recovery test."""
    tables = {"documents": DocumentRow, "statements": StatementRow, "figures": FigureRow, "notes": NoteRow,
              "clients": Client}
    out = {name: s.execute(select(func.count()).select_from(model)).scalar_one() for name, model in tables.items()}
    out["ledger"] = ledger.count(s)
    return out


# ---------------------------------------------------------------- corrections

def set_figure(s: Session, client: Client, period: str, key: str, value: Decimal | None, *, reason: str,
               by: str, scope: str = "consolidated") -> CorrectionRow:
    """Record an officer's correction of one figure (the maker's step); the extracted value is kept.

    The correction is *pending* until a second person confirms it (``assistant.makerchecker``);
    ``old_value`` is the value in force when it was made.
    """
    if key not in _KEYS:
        raise ConfigError(f"{key!r} is not a figure key", hint="use a key of FIGURES.md, e.g. revenue or total_assets")
    if not reason.strip():
        raise ConfigError("a correction needs a reason", hint="pass --reason with what was wrong and the source")
    span = _resolve_span(s, client, period, key, scope)
    extracted = s.execute(
        select(FigureRow.value).where(
            FigureRow.client_id == client.id, FigureRow.key == key, FigureRow.scope == scope,
            FigureRow.period_end == span.end,
            FigureRow.period_start.is_(None) if span.start is None else FigureRow.period_start == span.start,
        ).order_by(FigureRow.id.desc()).limit(1)
    ).scalar_one_or_none()
    previous = s.execute(  # the value in force: the latest confirmed correction (a pending one is not)
        select(CorrectionRow.new_value).join(ChangeReviewRow, (ChangeReviewRow.entity == "correction")
                                             & (ChangeReviewRow.entity_id == CorrectionRow.id)).where(
            CorrectionRow.client_id == client.id, CorrectionRow.key == key, CorrectionRow.scope == scope,
            CorrectionRow.period_end == span.end, CorrectionRow.period_start == span.start
            if span.start is not None else CorrectionRow.period_start.is_(None),
            ChangeReviewRow.outcome == "confirmed",
        ).order_by(CorrectionRow.id.desc()).limit(1)
    ).first()
    old = previous[0] if previous is not None else extracted
    row = CorrectionRow(client_id=client.id, key=key, scope=scope, period_start=span.start,
                        period_end=span.end, old_value=old, new_value=canonical_decimal(value), reason=reason.strip(),
                        by=by)
    s.add(row)
    s.flush()
    ledger.record(s, row, action="figure.correct", actor=by)
    return row


def _resolve_span(s: Session, client: Client, period: str, key: str, scope: str) -> Span:
    spans = period_spans(period, key)
    if len(spans) == 1:
        return spans[0]
    stored = [sp for sp in spans if s.execute(
        select(FigureRow.id).where(FigureRow.client_id == client.id, FigureRow.key == key,
                                   FigureRow.scope == scope, FigureRow.period_end == sp.end,
                                   FigureRow.period_start == sp.start).limit(1)).first()]
    if len(stored) == 1:
        return stored[0]
    raise ConfigError(
        f"{period!r} is ambiguous for {key}: {', '.join(sp.label for sp in (stored or spans))}",
        hint="name the span, e.g. 2026Q3 for the quarter or 2026 9M for the year to date",
    )


def corrections(s: Session, client_id: int) -> list[CorrectionRow]:
    return list(s.execute(select(CorrectionRow).where(CorrectionRow.client_id == client_id)
                          .order_by(CorrectionRow.id)).scalars())


# ---------------------------------------------------------------- alerts, covenant results, memos

def add_alert(s: Session, client_id: int, period: str, rule: str, severity: str, message: str,
              evidence: list[dict] | None = None, *, actor: str = "system") -> AlertRow:
    """Store an alert, recorded in the ledger; the same alert raised again is returned, not repeated."""
    same = s.execute(select(AlertRow).where(
        AlertRow.client_id == client_id, AlertRow.period == period, AlertRow.rule == rule,
        AlertRow.severity == severity, AlertRow.message == message).limit(1)).scalar_one_or_none()
    if same is not None:
        return same
    row = AlertRow(client_id=client_id, period=period, rule=rule, severity=severity, message=message,
                   evidence=list(evidence or []))
    s.add(row)
    s.flush()
    ledger.record(s, row, action="alert.raise", actor=actor)
    return row


def list_alerts(s: Session, client_id: int | None = None) -> list[AlertRow]:
    q = select(AlertRow).order_by(AlertRow.id)
    if client_id is not None:
        q = q.where(AlertRow.client_id == client_id)
    return list(s.execute(q).scalars())


def record_covenant_result(s: Session, covenant_id: int, period: str, *, value: Decimal | None, status: str,
                           headroom: Decimal | None, actor: str = "system") -> CovenantResultRow:
    """Store (or update) a covenant test result for a period, recorded in the ledger."""
    row = s.execute(select(CovenantResultRow).where(CovenantResultRow.covenant_id == covenant_id,
                                                    CovenantResultRow.period == period)).scalar_one_or_none()
    if row is not None and (row.value, row.status, row.headroom) == (value, status, headroom):
        return row
    if row is None:
        row = CovenantResultRow(covenant_id=covenant_id, period=period)
        s.add(row)
    row.value, row.status, row.headroom = value, status, headroom
    s.flush()
    ledger.record(s, row, action="covenant.test", actor=actor)
    return row


def add_memo(s: Session, client_id: int, period: str, content: str, *, format: str = "md",
             by: str = "system") -> MemoRow:
    """Store a new version of the memo for a client and period."""
    last = s.execute(select(func.max(MemoRow.version)).where(MemoRow.client_id == client_id,
                                                             MemoRow.period == period)).scalar_one()
    row = MemoRow(client_id=client_id, period=period, version=(last or 0) + 1, format=format, content=content,
                  created_by=by)
    s.add(row)
    s.flush()
    ledger.record(s, row, action="memo.save", actor=by)
    return row


__all__ = [
    "add_alert", "add_client", "add_memo", "corrections", "document_counts", "find_document",
    "get_client", "list_alerts", "list_clients", "match_client", "normalise_name", "record_covenant_result",
    "set_figure", "store_document", "update_client", "upsert_facility",
]
