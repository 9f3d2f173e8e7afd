"""One row per visible client: what portfolio questions rank, filter and total, kept until its data changes.

``client_row(snapshot)`` runs ``assess`` at the client's monitoring span (its latest balance
date with the quarter ending there) and keeps what portfolio answers read: grade, suggested
classification with its reasons, covenant results with headroom, warnings, the span's
figures and ratios with their sources, and exposure from the facilities. It also keeps what
the app's dashboard reads (``assistant.dashboard_data``): the client's book line
(``analytics.book.client_book`` of the same assessment: grade, class, industry, facility
exposure, alerts, covenant breaches) and its calendar items up to ``CALENDAR_HORIZON`` days
ahead, so the dashboard and the chat answer from one build with one invalidation.

**Exposure** per facility: ``outstanding = drawn − principal repaid on or before as_of``,
read from the repayment schedule (an instalment paid short counts only what exceeds its
interest); a facility without a schedule uses its recorded outstanding, else its drawn
amount (``basis`` says which). Amounts in different currencies are never added together.

**Cache.** Building rows for a thousand clients takes seconds (loading eight quarters of
figures each, then assessing), so ``Board`` keeps rows per client in process, keyed by the
store, the assessment date, the warning rules file and the bank's trained model (each by
path, mtime and size). Every write to the store is recorded in the
audit ledger, so the ledger's head says whether anything changed: when it moved, the
entries since the rows were built name what changed (document, statement, note, figure
correction, facility, review, client) and only those clients are rebuilt; an entry that
cannot be traced to one client rebuilds every row. Alerts, covenant results and memos the
store records are outputs, not inputs, and leave the rows as they are.

**Persisted.** The shared ``BOARD`` (``Board(persist=True)``) also writes every row it
builds to the store (``assistant.chat.rowcache``: table ``client_row_cache``, with the
ledger entry, date, rules, code and format it was built with), so a new process — a CLI
command, the app after a restart — loads the rows instead of reassessing the book, and
rebuilds only those of clients whose data the ledger shows changed since (or that cannot
be shown current). Reads add nothing to the ledger. Rows are built and written 250 clients
at a time and kept in memory as they are read back (each part — signals, book line,
figures and ratios — decoded when first read), so building 10,000 clients never holds every
snapshot or every full row at once (peak RSS 414 MB building 10,000 on PostgreSQL).
``Board.summaries`` gives each client's row summary (``assistant.chat.rowsummary``) from the
columns persisted with the row, through the same checks, rebuilding first any row not current:
lists of the book read those and ask ``rows`` only for the clients they show.

**The assessment date** is part of a row's key, so the first read on a new day rebuilds
every row; the app's warm-up does it in the background at launch and again when the day
changes (``ui.work.warm_portfolio``), so the day's first dashboard or question does not. Why
not a date-free part reused across days: measured at 1,000 clients × 8 quarters (200
clients on this machine), loading the snapshots is about 80 % of a build (18 ms a client)
and assessing them 20 % (4 ms). The parts of a row that depend on the date reach its grade
and class (overdue instalments and late statements are warnings, and warnings feed the
grade and the suggested class), and re-running those warnings needs the client's figures,
so a "date-free" split would still load nearly every snapshot on a new day: most of the
cost. A row valid over a range of dates would need every date threshold the rules use (due
dates, grace periods, reporting deadlines, the calendar's horizon) enumerated outside the
rules; missing one would serve a stale row, so it is not done.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.domain import ClientSnapshot, Facility, Fact

_ZERO = Decimal(0)
CALENDAR_HORIZON = 90  #: days ahead kept of each client's calendar (the calendar's default; the dashboard shows 14)


@dataclass
class Exposure:
    facility: str
    currency: str
    amount: Decimal
    drawn: Decimal
    outstanding: Decimal
    basis: str  # outstanding | schedule | drawn | limit (analytics.book.owed)
    repaid: Decimal = _ZERO
    paid_instalments: int = 0


def facility_exposure(fac: Facility, as_of: dt.date) -> Exposure:
    """Limit, drawn and outstanding of one facility at ``as_of``, by the book's one definition (``analytics.book.owed``)."""
    from assistant.analytics.book import owed

    due = owed(fac, as_of)
    drawn = fac.drawn if fac.drawn is not None else fac.amount
    return Exposure(fac.name, fac.currency, fac.amount, drawn, due.amount, due.basis, due.repaid, due.paid_instalments)


def _none() -> None:
    return None


#: fields a persisted row keeps apart, each decoded only when read: a dashboard load reads every
#: client's ``book`` and never its figures; ``alerts`` reads ``signals``. The rest (grade, class,
#: exposure, …) is the row's head, decoded on load. None of these fields has a class-level default.
PARTS = {"signals": ("alerts", "covenants"), "book": ("book", "calendar"), "detail": ("figures", "ratios")}
PART_OF = {f: part for part, fields in PARTS.items() for f in fields}


@dataclass
class ClientRow:
    """What the portfolio answers read about one client at its monitoring span."""

    client_id: int
    name: str
    industry: str
    officer: str | None
    as_of: dt.date
    period: str | None = None  # the monitoring span's label; None: no figures stored
    grade: str = "NR"
    grade_reasons_zh: list[str] = field(default_factory=list)
    grade_reasons_en: list[str] = field(default_factory=list)
    category: str = "正常"  # suggested five-category class
    category_level: int = 0
    category_reasons_zh: list[str] = field(default_factory=list)
    category_reasons_en: list[str] = field(default_factory=list)
    overdue_days: int = 0
    covenants: list[Any] = field(default_factory=list)  # analytics.CovenantResult
    alerts: list[Any] = field(default_factory=list)  # analytics.Alert
    ratios: dict[str, Any] = field(default_factory=dict)  # key → analytics.RatioResult
    figures: dict[str, Fact] = field(default_factory=dict)  # the span's and its balance date's figures
    exposures: list[Exposure] = field(default_factory=list)
    flagged: int = 0  # statements awaiting review
    last_statement: dt.date | None = None  # the newest statement's period end (the app's portfolio page)
    upcoming: list[tuple[str, dt.date, Decimal, Decimal]] = field(default_factory=list)  # unpaid: (facility, due, principal, interest)
    book: Any = field(default_factory=_none)  # analytics.book.ClientBook of the same assessment: the dashboard's line
    calendar: list[Any] = field(default_factory=list)  # calendar.CalendarItem up to CALENDAR_HORIZON days ahead

    def __getattr__(self, name: str) -> Any:
        """A row read back from the store decodes each part (``PARTS``) on first use (``rowcache.loads``)."""
        parts = self.__dict__.get("_parts")
        part = PART_OF.get(name)
        if parts and part in parts:
            from assistant.chat.rowcache import loads_part

            self.__dict__.update(loads_part(parts[part]))
            parts.pop(part, None)
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def outstanding(self, currency: str = "CNY") -> Decimal:
        return sum((e.outstanding for e in self.exposures if e.currency == currency), _ZERO)

    @property
    def currencies(self) -> list[str]:
        return sorted({e.currency for e in self.exposures})

    @property
    def has_figures(self) -> bool:
        return self.period is not None


def client_row(snap: ClientSnapshot, rules: list | None = None) -> ClientRow:
    """The row of one client (see the module docstring)."""
    from assistant.analytics import assess
    from assistant.analytics.book import client_book
    from assistant.analytics.classification import CATEGORIES
    from assistant.calendar import client_calendar
    from assistant.errors import NotFoundError
    from assistant.status import monitoring_span

    as_of = snap.as_of or dt.date.today()
    row = ClientRow(snap.client.id, snap.client.name, snap.client.industry, snap.client.officer, as_of,
                    exposures=[facility_exposure(f, as_of) for f in snap.facilities], flagged=len(snap.flagged),
                    upcoming=[(f.name, p.due, p.principal, p.interest) for f in snap.facilities for p in f.schedule
                              if p.paid_on is None and p.due > as_of],
                    last_statement=max((d.period_end for d in snap.documents if d.kind == "statement" and d.period_end), default=None))
    row.calendar = client_calendar(snap, as_of, horizon=CALENDAR_HORIZON)
    try:
        span = monitoring_span(snap)
    except NotFoundError:
        row.book = client_book(snap)
        return row
    a = assess(snap, span, rules=rules)
    row.book = client_book(snap, a)
    row.period = a.span.label
    row.grade = a.grade.letter
    row.grade_reasons_zh, row.grade_reasons_en = list(a.grade.reasons_zh), list(a.grade.reasons)
    row.category = a.classification.category
    row.category_level = CATEGORIES.index(a.classification.category)
    row.category_reasons_zh = list(a.classification.reasons_zh)
    row.category_reasons_en = list(a.classification.reasons)
    row.overdue_days = a.classification.overdue_days
    row.covenants, row.alerts, row.ratios = list(a.covenants), list(a.alerts), dict(a.ratios)
    from assistant.domain import Span

    wanted = (Span(a.span.end), a.span)
    row.figures = {f.key: f for f in snap.facts if f.span in wanted and f.value is not None}
    return row


# ---------------------------------------------------------------- the cache


#: ledger entities that are outputs of the assessment (or access, scoped separately), not its inputs
_OUTPUTS = frozenset({"alert", "covenant_result", "memo", "user", "assignment",
                      # events and bookkeeping that change no client's inputs
                      "login", "access", "export", "session", "index_state"})


@dataclass
class _Entry:
    seq: int  # ledger head when built
    rows: dict[int, ClientRow]
    summaries: dict[int, Any] = field(default_factory=dict)  # rowsummary.Summary of rows current at ``seq``


class Board:
    """Rows of every client, per store and assessment date, rebuilt only for clients whose data changed.

    ``persist``: also load rows from, and write built rows to, the store (``rowcache``).
    ``built`` counts rows assessed, ``loaded`` rows read back from the store.
    """

    CHUNK = 250  #: clients loaded and assessed at a time

    def __init__(self, *, persist: bool = False) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple, _Entry] = {}
        self.persist = persist
        self.built = 0  # rows built since start (tests read it to see the cache work)
        self.loaded = 0  # rows read back from the store since start

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def rows(self, store: Any, client_ids: frozenset[int] | set[int], as_of: dt.date | None = None) -> dict[int, ClientRow]:
        """id → row for ``client_ids`` (each built at most once until its data changes)."""
        from assistant import config

        as_of = as_of or config.today()
        with self._lock, store.session() as s:
            entry, head, rules_key = self._entry(store, s, as_of)
            self._fill(store, s, entry, client_ids, as_of, head, rules_key)
            return {i: entry.rows[i] for i in client_ids if i in entry.rows}

    def summaries(self, store: Any, client_ids: frozenset[int] | set[int], as_of: dt.date | None = None) -> dict[int, Any]:
        """id → ``rowsummary.Summary`` of each client's current row, read from the store's columns without the rows.

        A persisted row that is not current (the checks ``rows`` applies) is rebuilt first, so a
        summary is never that of stale data; without ``persist`` the summaries come from the rows.
        """
        from assistant import config
        from assistant.chat.rowsummary import summarise

        as_of = as_of or config.today()
        with self._lock, store.session() as s:
            entry, head, rules_key = self._entry(store, s, as_of)
            out = entry.summaries  # kept in memory until the client's data changes, as the rows are
            missing = {i for i in client_ids if i not in out}
            if missing and self.persist:
                from assistant.chat import rowcache

                out.update(rowcache.summaries(s, sorted(missing), as_of, rowcache.row_key(rules_key), head))
                missing = {i for i in missing if i not in out}
            if missing:  # rebuilt (and persisted) now; a row the store refused is summarised from memory
                self._fill(store, s, entry, missing, as_of, head, rules_key)
                out.update({i: summarise(entry.rows[i]) for i in missing if i in entry.rows})
            return {i: out[i] for i in client_ids if i in out}

    def alert_lists(self, store: Any, client_ids: frozenset[int] | set[int], as_of: dt.date | None = None) -> dict[int, list[dict]]:
        """id → the alerts of each client's current row (``rowsummary.alert_list``), from the JSON kept beside each
        persisted row (the checks ``rows`` applies: a row that is not current is rebuilt, never shown stale); a row the
        store does not hold gives its alerts itself."""
        from assistant import config
        from assistant.chat.rowsummary import alert_list

        as_of = as_of or config.today()
        with self._lock, store.session() as s:
            entry, head, rules_key = self._entry(store, s, as_of)
            out: dict[int, list[dict]] = {}
            if self.persist:
                from assistant.chat import rowcache

                out = rowcache.alert_lists(s, sorted(client_ids), as_of, rowcache.row_key(rules_key), head)
            missing = {i for i in client_ids if i not in out}
            if missing:
                self._fill(store, s, entry, missing, as_of, head, rules_key)
                out.update({i: alert_list(entry.rows[i]) for i in missing if i in entry.rows})
            return out

    def _entry(self, store: Any, s: Any, as_of: dt.date) -> tuple[_Entry, int, tuple]:
        """The rows kept for this store, date and rules, less those whose data changed since (under the lock)."""
        rules_key = _rules_key()
        key = (str(store.url) if hasattr(store, "url") else id(store), as_of, rules_key)
        entry = self._entries.get(key)
        head = _ledger_head(s)
        if entry is not None and entry.seq != head:
            stale = _changed_clients(s, entry.seq)
            if stale is None:
                entry = None
            else:
                for cid in stale:
                    entry.rows.pop(cid, None)
                    entry.summaries.pop(cid, None)
                entry.seq = head
        if entry is None:
            for old in [k for k in self._entries if k[0] == key[0]]:  # another date or rules: not kept
                del self._entries[old]
            entry = _Entry(head, {})
            self._entries[key] = entry
        return entry, head, rules_key

    def _fill(self, store: Any, s: Any, entry: _Entry, client_ids: Any, as_of: dt.date, head: int, rules_key: tuple) -> None:
        missing = sorted(i for i in client_ids if i not in entry.rows)
        if missing and self.persist:
            from assistant.chat import rowcache

            got = rowcache.load(s, missing, as_of, rowcache.row_key(rules_key), head)
            entry.rows.update(got)
            self.loaded += len(got)
            missing = [i for i in missing if i not in got]
        if missing:
            self._build(store, s, entry, missing, as_of, head, rules_key)

    def _build(self, store: Any, s: Any, entry: _Entry, ids: list[int], as_of: dt.date, head: int, rules_key: tuple) -> None:
        from assistant.analytics import load_rules
        from assistant.store import load_snapshots

        rules = load_rules()
        if self.persist:
            from assistant.chat import rowcache
            from assistant.chat.rowsummary import alerts_json, summarise

            row_key, ledger_hash = rowcache.row_key(rules_key), _ledger_hash(s, head)
        for i in range(0, len(ids), self.CHUNK):
            built = {cid: client_row(snap, rules) for cid, snap in load_snapshots(s, ids[i:i + self.CHUNK], as_of=as_of).items()}
            self.built += len(built)
            if self.persist:  # the head read before loading: a write since then shows as a change next time
                payloads = {cid: rowcache.dumps(row) for cid, row in built.items()}
                rowcache.save(store, {cid: (p, summarise(built[cid]), alerts_json(built[cid])) for cid, p in payloads.items()},
                              as_of, row_key, head, ledger_hash)
                # kept as a loaded row is (parts decoded when read): 10,000 full rows would not fit `serve` in 1 GB
                built = {cid: rowcache.loads(p) for cid, p in payloads.items()}
            entry.rows.update(built)


def _rules_key() -> tuple:
    """The warning rules file and the bank's trained model in use (path, mtime, size): changing either changes every row."""
    import os

    from assistant.analytics.training import model_path
    from assistant.analytics.warnings import BUILTIN_RULES
    from assistant.config import get_settings

    out: list = []
    for path in (get_settings().rules_file or BUILTIN_RULES, model_path()):
        try:
            st = os.stat(path)
        except OSError:
            out.append((str(path), None))
            continue
        out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def _ledger_head(s: Any) -> int:
    from sqlalchemy import func, select

    from assistant.store.schema import LedgerRow

    return s.execute(select(func.max(LedgerRow.seq))).scalar() or 0


def _ledger_hash(s: Any, seq: int) -> str:
    from sqlalchemy import select

    from assistant.store.schema import LedgerRow

    return s.execute(select(LedgerRow.hash).where(LedgerRow.seq == seq)).scalar() or ""


def _changed_clients(s: Any, since: int) -> set[int] | None:
    """Client ids whose stored inputs changed after ledger entry ``since``; None: cannot tell, rebuild all."""
    changed = changes_since(s, since)
    return None if changed is None else set(changed)


def changes_since(s: Any, since: int) -> dict[int, int] | None:
    """Client id → the last ledger entry after ``since`` that changed its stored inputs; None: cannot tell, rebuild all."""
    from sqlalchemy import select

    from assistant.store import schema as t

    entries = s.execute(select(t.LedgerRow.seq, t.LedgerRow.entity, t.LedgerRow.entity_id).where(t.LedgerRow.seq > since)).all()
    by_entity: dict[str, dict[int, int]] = {}
    for seq, entity, eid in entries:
        if entity in _OUTPUTS:
            continue
        if eid is None:
            return None
        last = by_entity.setdefault(entity, {})
        last[eid] = max(seq, last.get(eid, 0))
    tables = {"client": (t.Client.id, t.Client.id), "document": (t.DocumentRow.id, t.DocumentRow.client_id),
              "facility": (t.FacilityRow.id, t.FacilityRow.client_id), "figure": (t.FigureRow.id, t.FigureRow.client_id),
              "correction": (t.CorrectionRow.id, t.CorrectionRow.client_id), "note": (t.NoteRow.id, t.NoteRow.client_id),
              "statement_review": (t.StatementReviewRow.id, t.StatementReviewRow.client_id),
              "statement": (t.StatementRow.id, t.DocumentRow.client_id),
              "change_review": (t.ChangeReviewRow.id, t.ChangeReviewRow.client_id),
              "decision": (t.DecisionRow.id, t.DecisionRow.client_id),
              "exposure_change": (t.ExposureChangeRow.id, t.ExposureChangeRow.client_id),
              "watch_event": (t.WatchEventRow.id, t.WatchEventRow.client_id),
              "warning_item": (t.WarningItemRow.id, t.WarningItemRow.client_id)}
    out: dict[int, int] = {}
    for entity, last in by_entity.items():
        if entity not in tables:
            return None  # a kind of write this cache does not know: rebuild everything
        key, client = tables[entity]
        ids = list(last)
        found: dict[int, int] = {}
        for i in range(0, len(ids), 500):
            query = select(key, client).where(key.in_(ids[i:i + 500]))
            if entity == "statement":
                query = query.join(t.DocumentRow, t.DocumentRow.id == t.StatementRow.document_id)
            found.update(s.execute(query).all())
        if set(found) != set(ids):
            return None  # a row deleted since: its client cannot be read back, rebuild everything
        for eid, cid in found.items():
            out[cid] = max(out.get(cid, 0), last[eid])
    return out


BOARD = Board(persist=True)
