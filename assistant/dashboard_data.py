"""The dashboard's tables as data: shown by the app, exported to Excel, printed as JSON.

``dashboard(store, user=…, as_of=…)`` builds every table once (``Table``: a sheet name, a
title, column names and rows of plain values — text, int, ``Decimal`` or date); the page
shows these rows and ``to_xlsx`` writes the very same rows, so the workbook and the page
cannot disagree. Amounts are exact ``Decimal`` in the facility currency (totals are per
currency, never converted); shares are fractions rounded to 4 places.

Each client's book line and calendar come from the chat's cached rows
(``assistant.chat.board.BOARD``: built once per client, rebuilt only for the clients whose
data the ledger shows changed, warmed when the app starts), so a load after the first one
assesses nobody whose data is unchanged; ``board=None`` assesses every client afresh (the
reference the tests compare the cached tables with). The totals come from each row's summary
columns (``assistant.chat.rowsummary``), and only the rows the page shows are unpickled: the
facilities table lists the facilities of the ``FACILITY_CLIENTS`` clients needing attention most
(days past due, breaches, high warnings, class; the summary line says how many are left out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from assistant.analytics.book import CATEGORIES, GRADES, ClientBook, aggregate, currencies
from assistant.store.db import Store

_Q = Decimal("0.0001")


@dataclass
class Table:
    name: str  # the Excel sheet's name (≤ 31 characters)
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)


@dataclass
class Dashboard:
    as_of: dt.date
    currency: str
    total: Decimal
    clients: int
    tables: dict[str, Table]
    other_currencies: list[str] = field(default_factory=list)
    industry_limit: Decimal | None = None  #: the single-industry share limit (``LOANWATCH_INDUSTRY_LIMIT``)
    pending_edits: int = 0  #: exposure edits of these clients awaiting a checker (not in these numbers)
    awaiting: dict[str, int] = field(default_factory=dict)  #: kind → items of these clients awaiting a checker (``assistant.awaiting``)
    facility_clients_more: int = 0  #: clients whose facilities the facilities table leaves out (``FACILITY_CLIENTS``)

    def over_limit(self) -> list[tuple[str, Decimal]]:
        """(industry, share) of each industry whose share of the total exceeds ``industry_limit``, largest first."""
        if self.industry_limit is None:
            return []
        rows = [(r[0], r[2]) for r in self.tables["by_industry"].rows if r[2] is not None and r[2] > self.industry_limit]
        return sorted(rows, key=lambda x: -x[1])


def _share(part: Decimal, total: Decimal) -> Decimal | None:
    return (part / total).quantize(_Q) if total else None


def book_tables(books: list[ClientBook], currency: str, lines: list | None = None) -> dict[str, Table]:
    """The book's tables in ``currency``: totals over ``lines`` (default ``books``: ClientBooks or ``_Line``s), the
    facilities of ``books``."""
    t = aggregate(books if lines is None else lines, currency)
    grade = Table("by_grade", f"按评级的敞口（{currency}）", ["grade", "clients", "exposure", "share"],
                  [[g, t.counts_by_grade.get(g, 0), t.by_grade.get(g, Decimal(0)), _share(t.by_grade.get(g, Decimal(0)), t.total)]
                   for g in GRADES])
    klass = Table("by_class", f"按五级分类（建议）的敞口（{currency}）", ["class", "clients", "exposure", "share"],
                  [[c, t.counts_by_category.get(c, 0), t.by_category.get(c, Decimal(0)),
                    _share(t.by_category.get(c, Decimal(0)), t.total)] for c in CATEGORIES])
    industry = Table("by_industry", f"按行业的敞口及集中度（{currency}）", ["industry", "exposure", "share"],
                     [[k, t.by_industry[k], _share(t.by_industry[k], t.total)] for k in t.industries])
    heat = Table("heat_map", f"评级 × 行业敞口（{currency}）", ["grade", *t.industries],
                 [[g, *[t.heat.get((g, k), Decimal(0)) for k in t.industries]] for g in GRADES])
    facilities = Table("facilities", "授信明细（敞口、逾期、押品）",
                       ["client", "facility", "currency", "limit", "drawn", "outstanding", "exposure", "basis",
                        "days_past_due", "overdue_amount", "next_due", "collateral_value", "guarantee_value", "coverage",
                        "grade", "class", "warnings"],
                       [[b.client, f.facility, f.currency, f.limit, f.drawn, f.outstanding, f.exposure, f.basis,
                         f.days_past_due, f.overdue_amount, f.next_due, f.collateral_value, f.guarantee_value,
                         f.coverage.quantize(_Q) if f.coverage is not None else None, b.grade, b.category,
                         "; ".join(f.warnings)] for b in books for f in b.facilities])
    return {x.name: x for x in (grade, klass, industry, heat, facilities)}


_DEFAULT = object()
DUE_DAYS = 14  #: the "due" table's horizon: overdue items and those due within two weeks (this week shown)
FACILITY_CLIENTS = 100  #: the facilities table lists the facilities of this many clients, those needing attention first


@dataclass
class _Line:
    """What ``aggregate`` reads of a book line, from a client's row summary (``chat.rowsummary.Summary``)."""

    grade: str
    category: str
    industry: str
    amounts: dict

    @property
    def currencies(self) -> list[str]:
        return sorted(self.amounts)

    def exposure(self, currency: str = "CNY") -> Decimal:
        return self.amounts.get(currency, Decimal(0))


def _attention(dpd: int, breaches: int, high: int, category: str, name: str, client_id: int) -> tuple:
    """The facilities table's order of clients: days past due, breaches, high warnings, suggested class, then name."""
    return (-dpd, -breaches, -high, -CATEGORIES.index(category) if category in CATEGORIES else 0, name, client_id)


def _book_key(b: ClientBook) -> tuple:
    return _attention(b.days_past_due, len(b.breaches), sum(a["severity"] == "high" for a in b.alerts), b.category, b.client,
                      b.client_id)


def _summary_key(x) -> tuple:  # noqa: ANN001 - rowsummary.Summary
    return _attention(x.days_past_due, x.breaches, x.alerts_high, x.book_category, x.name, x.client_id)


@dataclass
class _Read:
    """What one dashboard reads of the book: totals' lines, the facilities' books, calendar items, the books ``sync`` takes."""

    lines: list
    shown: list[ClientBook]
    more: int  # clients whose facilities the table leaves out
    calendar: list
    signalled: list[ClientBook]


def _read(store: Store, ids: list[int], day: dt.date, board, shown: int | None, sync: bool) -> _Read:  # noqa: ANN001 - Board | None
    """The book as the dashboard needs it: from the rows' summaries (a row read only when shown), or afresh (``board=None``)."""
    from assistant.book import load_book
    from assistant.calendar import client_calendar

    last = day + dt.timedelta(days=DUE_DAYS)
    if board is None:
        books, snaps = load_book(store, as_of=day, client_ids=ids)
        ordered = sorted(books, key=_book_key)
        cut = ordered if shown is None else ordered[:shown]
        return _Read(books, cut, len(books) - len(cut), [i for cid in ids for i in client_calendar(snaps[cid], day, horizon=DUE_DAYS)],
                     books)
    summary = board.summaries(store, frozenset(ids), day)
    got = [summary[i] for i in ids if i in summary]
    lines = [_Line(x.grade, x.book_category, x.industry, {c: x.exposure_in(c) for c in x.currencies}) for x in got]
    ordered = sorted(got, key=_summary_key)
    cut = ordered if shown is None else ordered[:shown]
    due = [x.client_id for x in got if x.due_items]
    signalled = [x.client_id for x in got if x.watch_signal] if sync else []
    rows = board.rows(store, frozenset([x.client_id for x in cut] + due + signalled), day)
    return _Read(lines, [rows[x.client_id].book for x in cut], len(ordered) - len(cut),
                 [i for cid in due for i in rows[cid].calendar if i.date <= last], [rows[i].book for i in signalled])


def dashboard(store: Store, *, user=None, as_of: dt.date | None = None, currency: str | None = None,  # noqa: ANN001
              newest: int = 20, sync: bool = False, board=_DEFAULT,  # noqa: ANN001 - chat.board.Board | None
              facility_clients: int | None = FACILITY_CLIENTS) -> Dashboard:
    """Every table of the dashboard for the clients ``user`` may see.

    With ``sync``, first put on the watch list the clients a rule names and open an item for
    each new warning (recorded in the ledger as ``rules``), as ``loanwatch watch list`` does.
    Client lines come from ``board`` (default the shared ``BOARD``): the totals from each row's
    summary columns, and only the rows the page shows are read in full (the facilities of the
    ``facility_clients`` clients needing attention most, ``None`` all; the clients with an item
    due; with ``sync``, those a watch-list rule could name or with an alert). ``None`` assesses
    every client afresh (the reference the tests compare the cached tables with).
    """
    from assistant import watchlist, workitems
    from assistant.book import visible_ids
    from assistant.calendar import agenda
    from assistant.config import get_settings, today

    if board is _DEFAULT:
        from assistant.chat.board import BOARD as board
    day = as_of or today()
    ids = visible_ids(store, user)
    read = _read(store, ids, day, board, facility_clients, sync)
    if sync:  # a book line that meets no rule and has no alert changes nothing in either
        watchlist.sync(store, read.signalled, actor="rules", today=day)
        workitems.sync(store, workitems.alerts_of(read.signalled), actor="rules")
    found = currencies(read.lines) or ["CNY"]
    cur = currency or found[0]
    tables = book_tables(read.shown, cur, read.lines)
    watch = watchlist.current(store, ids)
    tables["watch_list"] = Table("watch_list", "重点关注名单", ["client", "source", "reason", "owner", "next_review", "review_overdue"],
                                 [[e.client, e.source, e.reason, e.owner, e.next_review, e.review_overdue(day)] for e in watch])
    due = agenda(read.calendar, week=True)
    due.sort(key=lambda i: (i.state != "overdue", i.date, i.client))
    tables["due"] = Table("due", "待办（逾期及本周到期）", ["date", "state", "client", "facility", "kind", "item", "warning"],
                          [[i.date, i.state, i.client, i.facility, i.kind, i.title_zh, i.warning] for i in due])
    items = sorted(workitems.items(store, client_ids=ids), key=lambda i: -i.id)[:newest]
    tables["warnings"] = Table("warnings", "最新预警", ["ref", "client", "period", "severity", "rule", "message", "status",
                                                     "assignee", "action_taken"],
                               [[i.ref, i.client, i.period, i.severity, i.rule, i.message, i.status, i.assignee,
                                 i.action_label("zh")] for i in items])
    t = aggregate(read.lines, cur)
    from assistant.awaiting import awaiting, counts

    waiting = counts(awaiting(store, ids))
    return Dashboard(day, cur, t.total, t.clients, tables, [c for c in found if c != cur], get_settings().industry_limit,
                     waiting.get("exposure", 0), waiting, facility_clients_more=read.more)


def to_xlsx(tables: list[Table] | dict[str, Table], path: str | Path) -> Path:
    """Write the tables, one sheet each, with the same values as shown (Decimal kept exact)."""
    from openpyxl import Workbook

    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for table in (tables.values() if isinstance(tables, dict) else tables):
        ws = wb.create_sheet(table.name[:31])
        ws.append(table.columns)
        for row in table.rows:
            ws.append([_cell(v) for v in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _cell(value):  # noqa: ANN001, ANN202
    if isinstance(value, bool) or value is None or isinstance(value, (int, dt.date, str)):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)  # Excel keeps doubles
    return str(value)


def book_json(books: list[ClientBook]) -> dict:
    out = {"clients": [], "totals": {}}
    for b in books:
        out["clients"].append({
            "client": b.client, "client_id": b.client_id, "industry": b.industry, "officer": b.officer, "grade": b.grade,
            "class": b.category, "period": b.period, "days_past_due": b.days_past_due,
            "facilities": [{"facility": f.facility, "currency": f.currency, "limit": str(f.limit),
                            "drawn": None if f.drawn is None else str(f.drawn),
                            "outstanding": None if f.outstanding is None else str(f.outstanding),
                            "exposure": str(f.exposure), "basis": f.basis, "undrawn": None if f.undrawn is None else str(f.undrawn),
                            "days_past_due": f.days_past_due, "overdue_amount": str(f.overdue_amount),
                            "next_due": f.next_due, "next_amount": None if f.next_amount is None else str(f.next_amount),
                            "maturity": f.maturity, "collateral_value": str(f.collateral_value),
                            "guarantee_value": str(f.guarantee_value),
                            "coverage": None if f.coverage is None else str(f.coverage.quantize(_Q)),
                            "securities": [{"kind": s.kind, "description": s.description, "provider": s.provider,
                                            "value": None if s.value is None else str(s.value), "currency": s.currency,
                                            "valuation_date": s.valuation_date} for s in f.securities],
                            "instalments": [{"due": r.due, "principal": str(r.principal), "interest": str(r.interest),
                                             "paid_on": r.paid_on, "state": r.state, "days_past_due": r.days_past_due}
                                            for r in f.instalments],
                            "warnings": f.warnings} for f in b.facilities]})
    for cur in currencies(books):
        t = aggregate(books, cur)
        out["totals"][cur] = {"total": str(t.total), "clients": t.clients,
                              "by_grade": {k: str(v) for k, v in t.by_grade.items()},
                              "by_class": {k: str(v) for k, v in t.by_category.items()},
                              "by_industry": {k: str(v) for k, v in t.by_industry.items()}}
    return out
