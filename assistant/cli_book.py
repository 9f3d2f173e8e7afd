"""The book's commands: ``loanwatch book``, ``watch``, ``calendar`` and ``warning`` (glue only).

Logic lives in ``assistant.book``, ``assistant.watchlist``, ``assistant.calendar`` and
``assistant.workitems``. Commands that change a client's standing take ``--as USER`` (a
user of this home, checked against ``assistant.access``; the user must be allowed to reach
the client) and record the user in the ledger. Reading commands take ``--as`` to see only
that user's clients.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Optional

import typer

watch_app = typer.Typer(help="The watch list: clients under closer watch, with reasons, owners and review dates.",
                        no_args_is_help=True)
warning_app = typer.Typer(help="Warnings as work: list, acknowledge, assign, comment, resolve.", no_args_is_help=True)

_AS = typer.Option(None, "--as", help="the acting user (a user of this home; see `loanwatch user list`)")
_AS_REQUIRED = typer.Option(..., "--as", help="the acting user (password from LOANWATCH_PASSWORD, a prompt or `loanwatch login`; recorded in the ledger)")


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
    app.add_typer(warning_app, name="warning")
    app.command("calendar")(calendar)
    app.command("book")(book)


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def _json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def _day(text: str | None) -> dt.date:
    from assistant.config import today

    return dt.date.fromisoformat(text) if text else today()


def _ctx(as_user: str | None, *, change: bool = False):  # noqa: ANN202
    """The store and the acting user: authenticated (password, prompt or `loanwatch login` token) for a change."""
    from assistant.book import acting_user
    from assistant.store import open_store

    store = open_store()
    if change:
        from assistant.actor import resolve_actor

        return store, resolve_actor(store, as_user, "book.work")
    return store, (acting_user(store, as_user) if as_user else None)


def _books(store, user, as_of: dt.date):  # noqa: ANN001, ANN202
    from assistant.book import portfolio_books

    return portfolio_books(store, user=user, as_of=as_of)


# ---------------------------------------------------------------- book


def book(
    as_user: Optional[str] = _AS,
    as_json: bool = typer.Option(False, "--json", help="print a JSON object"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge days past due at this date (default: today)"),
) -> None:
    """Exposure per facility (limit, drawn, outstanding, days past due, collateral) and totals by grade, class, industry."""
    from assistant.analytics.book import aggregate, currencies
    from assistant.dashboard_data import book_json

    store, user = _ctx(as_user)
    books = _books(store, user, _day(as_of))
    if as_json:
        _json(book_json(books))
        return
    for b in books:
        _out(f"{b.client}  grade {b.grade}  {b.category}  {b.industry}  officer {b.officer or '-'}")
        for f in b.facilities:
            dpd = f"  DPD {f.days_past_due}" if f.days_past_due else ""
            cover = f"  collateral {f.collateral_value:,} ({f.coverage:.0%})" if f.coverage is not None else ""
            _out(f"  {f.facility}: limit {f.limit:,} {f.currency}, drawn {f.drawn if f.drawn is None else f'{f.drawn:,}'}, "
                 f"exposure {f.exposure:,} ({f.basis}){dpd}{cover}")
            for w in f.warnings:
                _out(f"    ! {w}")
    for cur in currencies(books):
        t = aggregate(books, cur)
        _out(f"total {cur}: {t.total:,} over {t.clients} client(s)")
        for k in t.industries:
            share = t.share(t.by_industry[k])
            _out(f"  {k}: {t.by_industry[k]:,} ({share:.1%})" if share is not None else f"  {k}: {t.by_industry[k]:,}")


# ---------------------------------------------------------------- watch list


@watch_app.command("list")
def watch_list(
    as_user: Optional[str] = _AS,
    sync: bool = typer.Option(True, "--sync/--no-sync", help="first put on the list the clients a rule names (recorded)"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge the rules and review dates at this date"),
) -> None:
    """The clients on the watch list, next review first (overdue reviews marked)."""
    from assistant import watchlist
    from assistant.book import visible_ids

    store, user = _ctx(as_user)
    day = _day(as_of)
    if sync:
        watchlist.sync(store, _books(store, user, day), actor="rules", today=day)
    entries = watchlist.current(store, visible_ids(store, user))
    if as_json:
        _json([{"client": e.client, "client_id": e.client_id, "source": e.source, "reason": e.reason, "owner": e.owner,
                "next_review": e.next_review, "review_overdue": e.review_overdue(day), "since": e.since,
                "history": [vars(h) for h in e.history]} for e in entries])
        return
    if not entries:
        _out("the watch list is empty")
    for e in entries:
        late = "  REVIEW OVERDUE" if e.review_overdue(day) else ""
        _out(f"{e.client}  [{e.source}]  owner {e.owner or '-'}  next review {e.next_review or '-'}{late}\n    {e.reason}")


@watch_app.command("add")
def watch_add(
    client: str = typer.Argument(..., help="client name, alias or id"),
    reason: str = typer.Option(..., "--reason", help="why the client needs closer watch"),
    as_user: str = _AS_REQUIRED,
    owner: Optional[str] = typer.Option(None, "--owner", help="who follows it (default: the acting user)"),
    review: Optional[str] = typer.Option(None, "--review", help="next review date (default: in 30 days)"),
) -> None:
    """Put a client on the watch list (or update its reason, owner or review date)."""
    from assistant import watchlist
    from assistant.book import client_for

    store, user = _ctx(as_user, change=True)
    row = client_for(store, user, client)
    e = watchlist.add(store, row.id, reason=reason, actor=user.name, owner=owner,
                      next_review=dt.date.fromisoformat(review) if review else None)
    _out(f"{e.client} on the watch list: {e.reason} (owner {e.owner}, next review {e.next_review})")


@watch_app.command("remove")
def watch_remove(
    client: str = typer.Argument(..., help="client name, alias or id"),
    reason: str = typer.Option(..., "--reason", help="what changed: why closer watch is no longer needed"),
    as_user: str = _AS_REQUIRED,
) -> None:
    """Take a client off the watch list (the reason is kept in its history)."""
    from assistant import watchlist
    from assistant.book import client_for

    store, user = _ctx(as_user, change=True)
    row = client_for(store, user, client)
    watchlist.remove(store, row.id, reason=reason, actor=user.name)
    _out(f"{row.name} left the watch list: {reason}")


@watch_app.command("review")
def watch_review(
    client: str = typer.Argument(..., help="client name, alias or id"),
    note: str = typer.Option(..., "--note", help="what the review found"),
    next_review: str = typer.Option(..., "--next", help="the next review date (YYYY-MM-DD)"),
    as_user: str = _AS_REQUIRED,
) -> None:
    """Record a review of a watched client and its next review date."""
    from assistant import watchlist
    from assistant.book import client_for

    store, user = _ctx(as_user, change=True)
    row = client_for(store, user, client)
    e = watchlist.review(store, row.id, note=note, actor=user.name, next_review=dt.date.fromisoformat(next_review))
    _out(f"{e.client} reviewed; next review {e.next_review}")


@watch_app.command("history")
def watch_history(client: str = typer.Argument(..., help="client name, alias or id"), as_user: Optional[str] = _AS) -> None:
    """Every watch-list event of a client: entered, updated, reviewed, left — who, when, why."""
    from assistant import watchlist
    from assistant.book import client_for
    from assistant.store.repo import get_client

    store, user = _ctx(as_user)
    if user is not None:
        row = client_for(store, user, client)
    else:
        with store.session() as s:
            row = get_client(s, client)
    for h in watchlist.history(store, row.id):
        _out(f"{h.at:%Y-%m-%d %H:%M}  {h.action:<6} [{h.source}] by {h.actor}: {h.reason}"
             + (f" (next review {h.next_review})" if h.next_review else ""))


# ---------------------------------------------------------------- calendar


def calendar(
    officer: Optional[str] = typer.Option(None, "--officer", help="only this officer's clients (user name or officer name)"),
    week: bool = typer.Option(False, "--week", help="only what is overdue or due within the coming week"),
    as_user: Optional[str] = _AS,
    horizon: int = typer.Option(90, "--days", help="look this many days ahead"),
    everything: bool = typer.Option(False, "--all", help="also list done and late items"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="the day to judge from (default: today)"),
) -> None:
    """Covenant tests, statement deadlines, site visits, instalments and maturities; overdue first."""
    from assistant.book import portfolio_calendar
    from assistant.calendar import agenda

    store, user = _ctx(as_user)
    items = agenda(portfolio_calendar(store, user=user, officer=officer, as_of=_day(as_of), horizon=horizon),
                   week=week, include_done=everything)
    items.sort(key=lambda i: (i.state != "overdue", i.date))
    if as_json:
        _json([{k: v for k, v in vars(i).items() if not k.startswith("_")} | {"days_overdue": i.days_overdue} for i in items])
        return
    if not items:
        _out("nothing due")
    for i in items:
        mark = {"overdue": "OVERDUE", "due": "due", "upcoming": "", "done": "done", "late": "late"}[i.state]
        _out(f"{i.date}  {mark:<7} {i.client} / {i.facility}: {i.title_zh}" + (f"  — {i.warning}" if i.warning else ""))


# ---------------------------------------------------------------- warnings as work


def _item_line(i) -> str:  # noqa: ANN001
    who = f" → {i.assignee}" if i.assignee else ""
    done = f" [{i.action_label('zh')}: {i.resolution}]" if i.status == "resolved" else ""
    return f"{i.ref:<6} {i.status:<12} {i.severity:<6} {i.client} {i.period} {i.rule}{who}: {i.message}{done}"


@warning_app.command("list")
def warning_list(
    as_user: Optional[str] = _AS,
    status: Optional[str] = typer.Option(None, "--status", help="open | acknowledged | resolved"),
    sync: bool = typer.Option(True, "--sync/--no-sync", help="first open an item for each new warning (recorded)"),
    as_json: bool = typer.Option(False, "--json", help="print a JSON list"),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="judge the warnings at this date"),
) -> None:
    """Warning items, open first, most severe first."""
    from assistant import workitems
    from assistant.book import visible_ids

    store, user = _ctx(as_user)
    if sync:
        workitems.sync(store, workitems.alerts_of(_books(store, user, _day(as_of))))
    rows = workitems.items(store, client_ids=visible_ids(store, user), status=status)
    if as_json:
        _json([{**{k: v for k, v in vars(i).items() if k != "events"}, "ref": i.ref, "resolution": i.resolution,
                "events": [vars(e) for e in i.events]} for i in rows])
        return
    if not rows:
        _out("no warning items")
    for i in rows:
        _out(_item_line(i))


def _mine(store, user, ref: str):  # noqa: ANN001, ANN202
    from assistant import workitems
    from assistant.book import client_for

    item = workitems.get(store, ref)
    client_for(store, user, item.client_id)  # the user must reach the client
    return item


@warning_app.command("show")
def warning_show(ref: str = typer.Argument(..., help="W<number>"), as_user: Optional[str] = _AS) -> None:
    """One item with its history."""
    from assistant import workitems

    store, user = _ctx(as_user)
    item = _mine(store, user, ref) if user is not None else workitems.get(store, ref)
    _out(_item_line(item))
    for e in item.events:
        _out(f"  {e.at:%Y-%m-%d %H:%M} {e.action:<8} {e.actor}" + (f": {e.text}" if e.text else ""))


@warning_app.command("ack")
def warning_ack(ref: str = typer.Argument(..., help="W<number>"), as_user: str = _AS_REQUIRED,
                note: str = typer.Option("", "--note", help="an optional note")) -> None:
    """Acknowledge a warning item: someone has seen it and owns the next step."""
    from assistant import workitems

    store, user = _ctx(as_user, change=True)
    _mine(store, user, ref)
    _out(_item_line(workitems.acknowledge(store, ref, actor=user.name, note=note)))


@warning_app.command("assign")
def warning_assign(ref: str = typer.Argument(..., help="W<number>"), to: str = typer.Option(..., "--to", help="the user to act on it"),
                   as_user: str = _AS_REQUIRED) -> None:
    """Assign a warning item to a user."""
    from assistant import workitems
    from assistant.book import acting_user

    store, user = _ctx(as_user, change=True)
    _mine(store, user, ref)
    target = acting_user(store, to)
    _out(_item_line(workitems.assign(store, ref, actor=user.name, to=target.name)))


@warning_app.command("comment")
def warning_comment(ref: str = typer.Argument(..., help="W<number>"), text: str = typer.Argument(..., help="the comment"),
                    as_user: str = _AS_REQUIRED) -> None:
    """Add a comment to a warning item's history."""
    from assistant import workitems

    store, user = _ctx(as_user, change=True)
    _mine(store, user, ref)
    _out(_item_line(workitems.comment(store, ref, actor=user.name, text=text)))


@warning_app.command("resolve")
def warning_resolve(
    ref: str = typer.Argument(..., help="W<number>"),
    action: str = typer.Option(..., "--action", help="closer_monitoring | extra_reporting | restructuring | collateral | exposure_reduction"),
    note: str = typer.Option(..., "--note", help="what was done and agreed"),
    as_user: str = _AS_REQUIRED,
) -> None:
    """Resolve a warning item with the action taken."""
    from assistant import workitems

    store, user = _ctx(as_user, change=True)
    _mine(store, user, ref)
    _out(_item_line(workitems.resolve(store, ref, actor=user.name, action=action, note=note)))
