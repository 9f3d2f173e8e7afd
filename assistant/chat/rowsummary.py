"""What a list of the book reads of each client row, kept as plain columns beside the persisted row.

A dashboard, the ``alerts`` list, the app's portfolio page and a portfolio question over
10,000 clients need every client's grade, class, counts of alerts and breaches and
exposure, but the full row (figures, ratios, covenant results, alerts with their evidence)
of only the clients they show. ``summarise(row)`` takes those counts from a built row;
``rowcache.save`` writes them in the same INSERT as the row's payload (one transaction: a
summary never describes another build than its row), and ``Board.summaries`` reads them back
through the same currency checks as the row (ledger entry, date, rules, code, format): a row
that is not current is rebuilt first, so a summary is never shown for stale data.

Every field is derived here, from the row, by the same expressions the readers used on the
full rows (``ui.handlers._portfolio_row``, ``portfolio_answers.needs_attention`` and
``severity_key``, ``status.portfolio_alerts``, ``dashboard_data``); the tests compare each
reader's output from summaries with the output from full rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Summary:
    client_id: int
    name: str
    industry: str
    officer: str | None
    has_figures: bool
    grade: str
    category: str  # the row's suggested class ("正常" when nothing is stored)
    category_level: int
    book_category: str  # the book line's class (from overdue days alone when nothing is stored)
    overdue_days: int  # the classification's
    days_past_due: int  # the book line's (its facilities')
    alerts: int
    alerts_high: int
    alerts_medium: int
    alerts_low: int
    high_confirmed: int  # high-severity alerts whose figures are all confirmed
    alerts_other: int  # not high, and not covenant_headroom_thin (portfolio_answers.severity_key)
    high_rules: int  # the book line's distinct confirmed high rules
    covenants: int
    breaches: int
    passed: int
    thin: int
    untestable: int  # covenant results unknown or unconfirmed
    flagged: int
    last_statement: dt.date | None
    due_items: int  # calendar items overdue or due (the dashboard's "due" table) up to its horizon
    exposure: str  # the book line's exposure per currency, "CNY=1000;USD=5" (exact decimals)
    outstanding: str  # the row's outstanding per currency, same form

    def exposure_in(self, currency: str) -> Decimal | None:
        """The book line's exposure in ``currency``; None when the client has no facility in it."""
        return _amounts(self.exposure).get(currency)

    @property
    def currencies(self) -> list[str]:
        return sorted(_amounts(self.exposure))

    def outstanding_in(self, currency: str = "CNY") -> Decimal:
        return _amounts(self.outstanding).get(currency, _ZERO)

    @property
    def needs_attention(self) -> bool:
        """``portfolio_answers.needs_attention`` of the row."""
        return bool(self.category_level >= 1 or self.overdue_days > 0 or self.alerts or self.grade in ("C", "D", "E")
                    or self.breaches or self.thin)

    @property
    def problem(self) -> bool:
        """The portfolio page's problem flag (``ui.handlers._portfolio_row``)."""
        category = self.category if self.has_figures else "—"
        high = self.alerts_high if self.has_figures else 0
        breaches = self.breaches if self.has_figures else 0
        return bool(breaches or high or category not in ("正常", "—") or (self.has_figures and self.grade in "DE") or self.flagged)

    @property
    def watch_signal(self) -> bool:
        """The book line could meet a watch-list rule or carries an alert (``watchlist.sync``, ``workitems.alerts_of``)."""
        return bool(self.alerts or self.grade in ("D", "E") or self.breaches or self.days_past_due or self.high_rules or self.thin)


COLUMNS = tuple(f.name for f in fields(Summary) if f.name != "client_id")


def _amounts(text: str) -> dict[str, Decimal]:
    return {c: Decimal(v) for c, v in (p.split("=", 1) for p in text.split(";") if p)}


def _text(amounts: dict[str, Decimal]) -> str:
    return ";".join(f"{c}={v}" for c, v in sorted(amounts.items()))


def summarise(row: Any) -> Summary:
    """The summary of a built (or loaded) ``board.ClientRow``."""
    from assistant.dashboard_data import DUE_DAYS

    book = row.book
    last = row.as_of + dt.timedelta(days=DUE_DAYS)
    sev = [a.severity for a in row.alerts]
    return Summary(
        client_id=row.client_id, name=row.name, industry=row.industry or "", officer=row.officer, has_figures=row.has_figures,
        grade=row.grade, category=row.category, category_level=row.category_level, book_category=book.category,
        overdue_days=row.overdue_days, days_past_due=book.days_past_due, alerts=len(sev), alerts_high=sev.count("high"),
        alerts_medium=sev.count("medium"), alerts_low=sev.count("low"),
        high_confirmed=sum(a.severity == "high" and not a.unconfirmed for a in row.alerts),
        alerts_other=sum(a.severity != "high" and a.rule != "covenant_headroom_thin" for a in row.alerts),
        high_rules=len(book.high_alerts), covenants=len(row.covenants),
        breaches=sum(r.status == "breach" for r in row.covenants), passed=sum(r.status == "pass" for r in row.covenants),
        thin=sum(bool(r.thin) for r in row.covenants),
        untestable=sum(r.status in ("unknown", "unconfirmed") for r in row.covenants), flagged=row.flagged,
        last_statement=row.last_statement,
        due_items=sum(i.state in ("overdue", "due") and i.date <= last for i in row.calendar),
        exposure=_text({c: book.exposure(c) for c in book.currencies}),
        outstanding=_text({c: row.outstanding(c) for c in row.currencies}))


def values(summary: Summary) -> dict:
    """The summary as the table's column values (``rowcache.save``)."""
    return {k: getattr(summary, k) for k in COLUMNS}


def alert_list(row: Any) -> list[dict]:
    """The row's alerts as ``status.alert_json`` gives them (what ``alerts`` and ``loanwatch alerts --json`` print)."""
    from assistant.status import alert_json

    return [alert_json(row.name, a) for a in row.alerts]


def alerts_json(row: Any) -> str:
    """``alert_list(row)`` as compact JSON, kept beside the summary so a list of the book's alerts unpickles no row.

    Every value is a string, an integer, a boolean or None, so ``json.loads`` gives back the very dicts."""
    import json

    return json.dumps(alert_list(row), ensure_ascii=False, separators=(",", ":"))
