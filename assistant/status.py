"""The status and alerts read model behind ``loanwatch status`` and ``loanwatch alerts``.

``client_status(store, ref)`` resolves the client (name, alias, short name, a near spelling),
picks the monitoring period (the one asked, else the latest balance date with its quarter),
runs ``assistant.analytics.assess`` and returns the CONTRACT.md object: grade, the suggested
classification (labelled as a suggestion), covenants, alerts, the period's figures with
document and page (or the formula of a derived figure) and every ratio with its formula.
``portfolio_alerts(store)`` lists the alerts of every client at its latest period, most
severe first. ``record(store, status)`` writes the covenant results and new alerts to the
store, each recorded in the ledger. Numbers in the JSON are plain numbers (base units for
money, ratios as fractions).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from difflib import SequenceMatcher

from sqlalchemy.orm import Session

from assistant.domain import ClientSnapshot, Fact, Span
from assistant.errors import ConfigError, NotFoundError
from assistant.status_render import render_alerts, render_status  # noqa: F401 - where callers find them
from assistant.store import load_snapshot, load_snapshots
from assistant.store.db import Store
from assistant.store.schema import Client

SEVERITIES = ("high", "medium", "low")
_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_FUZZY = 0.75


# ---------------------------------------------------------------- clients


def resolve_client(s: Session, ref: str, *, among: frozenset[int] | None = None) -> Client:
    """A client by id, name, alias, short name, or one near spelling; else NotFoundError with close matches.

    ``among``: only these client ids exist for the caller (``access.visible_client_ids``).
    """
    from assistant.store.repo import get_client, list_clients, normalise_name

    try:
        row = get_client(s, ref)
        if among is None or row.id in among:
            return row
    except NotFoundError:
        pass
    target = normalise_name(ref)
    scored = []
    for c in list_clients(s):
        if among is not None and c.id not in among:
            continue
        names = [normalise_name(n) for n in [c.name, *c.aliases]]
        score = max((SequenceMatcher(None, target, n).ratio() for n in names if n), default=0.0)
        if target and any(target in n for n in names):  # a short name such as 鼎盛 or 江华
            score = max(score, 0.9)
        scored.append((score, c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].name))
    good = [c for score, c in scored if score >= _FUZZY]
    if len(good) == 1:
        return good[0]
    close = good or [c for score, c in scored[:3] if score >= 0.4]
    if close:
        raise NotFoundError(f"no client named {ref!r}; close matches: {', '.join(c.name for c in close[:5])}",
                            hint="give the full name, an alias or the client id")
    names = [c.name for _, c in scored]
    raise NotFoundError(f"no client named {ref!r}",
                        hint=f"stored clients: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}" if names
                        else "no clients are stored yet: `loanwatch client add` or `loanwatch demo`")


# ---------------------------------------------------------------- periods


def monitoring_span(snap: ClientSnapshot, period: str | None = None) -> Span:
    """The span to assess: ``period`` (2026Q3, 2026H1, 2026 9M, 2026), else the latest quarter stored."""
    facts = snap.facts
    if period is not None:
        from assistant.periods import period_spans

        span = period_spans(period)[0]
        if not any(s.end == span.end for s in facts.spans()):
            raise NotFoundError(f"{snap.client.name} has no figures for {period}",
                                hint=f"stored periods: {', '.join(_stored_periods(snap)) or 'none'}")
        return span
    points = facts.spans(points=True)
    flows = facts.spans(points=False)
    if not points and not flows:
        raise NotFoundError(f"{snap.client.name} has no financial figures stored",
                            hint="ingest its statements: loanwatch ingest FILES --client NAME")
    end = max(s.end for s in points) if points else max(s.end for s in flows)
    ending = [s for s in flows if s.end == end]
    for months in (3, 12):
        for s in ending:
            if s.months == months:
                return s
    return max(ending, key=lambda s: s.months) if ending else Span(end)


def _stored_periods(snap: ClientSnapshot) -> list[str]:
    return sorted({s.label for s in snap.facts.spans(points=False)}, reverse=True)[:8]


# ---------------------------------------------------------------- JSON pieces


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)


def _ratio_num(value: Decimal | None) -> float | None:
    return None if value is None else float(round(Decimal(value), 6))


def _source(f: Fact) -> list[dict]:
    """Where a figure comes from: its document and page, or the documents behind its formula."""
    if f.document is not None or not f.inputs:
        return [{"document": f.document, "page": f.page}]
    return [src for i in f.inputs for src in _source(i)]


def figure_json(f: Fact) -> dict:
    out = {"value": _num(f.value), "document": f.document, "page": f.page, "label": f.label,
           "period": f.span.label, "source": f.source}
    if f.formula:
        out["formula"] = f.formula
        out["inputs"] = [{"period": i.span.label, "value": _num(i.value), "document": i.document, "page": i.page}
                         for i in f.inputs]
    if f.original is not None or f.source == "corrected":
        out["extracted"] = _num(f.original)
    if f.restated:
        out["restated_from"] = _num(f.previous)
    if f.unconfirmed:
        out["unconfirmed"] = f.unconfirmed  # flagged for review: shown, not used in decisions
    if f.source == "corrected" and f.confirmed_by:
        out["corrected_by"], out["confirmed_by"] = f.corrected_by, f.confirmed_by
    if f.pending:  # corrections awaiting a checker: shown, the value above is what decides
        out["pending"] = [p.to_json() for p in f.pending]
    return out


def alert_json(client: str, a) -> dict:  # noqa: ANN001 - analytics.Alert
    return {
        "client": client, "period": a.span.label, "rule": a.rule, "severity": a.severity,
        "message": a.message_zh, "message_en": a.message_en, "name": a.name_zh, "name_en": a.name_en,
        "evidence": [{"document": d, "page": p} for d, p in a.evidence],
        **({"unconfirmed": a.unconfirmed} if getattr(a, "unconfirmed", None) else {}),
    }


def _covenant_json(r) -> dict:  # noqa: ANN001 - analytics.CovenantResult
    return {
        "facility": r.facility, "metric": r.covenant.metric, "operator": r.operator,
        "threshold": _ratio_num(r.threshold), "value": _ratio_num(r.value), "status": r.status,
        "headroom": _ratio_num(r.headroom), "thin": r.thin, "period": r.span.label, "trend": r.trend,
        "formula": r.formula, "reason": r.reason,
        "evidence": _evidence(r.inputs),
    }


def _evidence(facts: list[Fact]) -> list[dict]:
    out: list[dict] = []
    for f in facts:
        for src in _source(f):
            if src["document"] and src not in out:
                out.append(src)
    return out


def _period_figures(snap: ClientSnapshot, span: Span) -> dict[str, dict]:
    """Every figure of the balance date and of the flow span, in FIGURES.md order."""
    from extractors.vocabulary import FIGURES

    order = {f.key: i for i, f in enumerate(FIGURES)}
    wanted = {Span(span.end), span}
    facts = [f for f in snap.facts if f.span in wanted]
    facts.sort(key=lambda f: (order.get(f.key, len(order)), f.span.is_point is False))
    out: dict[str, dict] = {}
    for f in facts:
        out.setdefault(f.key, figure_json(f))
    return out


# ---------------------------------------------------------------- the read model


def _resolve_for(s: Session, store: Store, ref: str, user) -> Client:  # noqa: ANN001 - access.User
    """``resolve_client``; with a ``user``, among that user's clients only (else AccessDeniedError)."""
    if user is None:
        return resolve_client(s, ref)
    from assistant import access
    from assistant.errors import AccessDeniedError

    try:
        return resolve_client(s, ref, among=access.visible_client_ids(store, user))
    except NotFoundError as exc:  # another officer's client reads exactly like an unknown one
        close = exc.message.partition("; close matches: ")[2]  # among the user's own clients only
        raise AccessDeniedError(f"no client {ref!r} among the clients assigned to {user.name}"
                                + (f"; close matches: {close}" if close else "")) from exc


def client_status(store: Store, ref: str, *, period: str | None = None, as_of: dt.date | None = None,
                  user=None) -> dict:  # noqa: ANN001 - access.User
    """The CONTRACT.md ``status`` object for one client (extended with reasons and evidence).

    With ``user``, only a client that user may reach (AccessDeniedError otherwise).
    """
    from assistant.analytics import assess

    with store.session() as s:
        row = _resolve_for(s, store, ref, user)
        snap = load_snapshot(s, row, as_of=as_of)
    span = monitoring_span(snap, period)
    a = assess(snap, span)
    cls = a.classification
    from assistant.awaiting import awaiting, summary
    from assistant.makerchecker import decisions

    decided = decisions(store, snap.client.id, a.span.label)
    return {
        "client": snap.client.name,
        "client_id": snap.client.id,
        "aliases": list(snap.client.aliases),
        "industry": snap.client.industry,
        "officer": snap.client.officer,
        "period": a.span.label,
        "period_start": a.span.start.isoformat() if a.span.start else None,
        "period_end": a.span.end.isoformat(),
        "as_of": snap.as_of.isoformat() if snap.as_of else None,
        "grade": a.grade.letter,
        "grade_detail": {"points": a.grade.points, "max_points": a.grade.max_points, "reasons": list(a.grade.reasons),
                         "models": [{"model": m.model, "name": m.name, "score": _ratio_num(m.score),
                                     "probability": _ratio_num(m.probability), "zone": m.zone,
                                     "missing": list(m.missing)} for m in a.models]},
        "classification": cls.category,
        "classification_detail": {"suggestion": True, "category": cls.category, "english": cls.english,
                                  "label_zh": cls.label_zh, "label_en": cls.label_en, "reasons": list(cls.reasons),
                                  "overdue_days": cls.overdue_days},
        "decisions": decided,  # a person's final classification / grade beside the suggestion (maker/checker)
        "covenants": [_covenant_json(r) for r in a.covenants],
        "alerts": sorted((alert_json(snap.client.name, x) for x in a.alerts),
                         key=lambda x: (_RANK.get(x["severity"], 9), x["rule"])),
        "figures": _period_figures(snap, a.span),
        "ratios": {k: {"value": _ratio_num(r.value), "formula": r.formula, "reason": r.reason, "note": r.note or None,
                       **({"unconfirmed": r.unconfirmed} if r.value is not None and r.unconfirmed else {})}
                   for k, r in a.ratios.items()},
        "notes": list(a.notes),
        "review": review_json(snap),
        "awaiting_checker": summary(awaiting(store, [snap.client.id])),  # every kind a second person must act on
    }


def review_json(snap: ClientSnapshot) -> dict:
    """The client's statements flagged for review (their figures are unconfirmed until confirmed)."""
    return {
        "flagged": [{"ref": f"S{f.statement_id}", "statement_id": f.statement_id, "document_id": f.document_id,
                     "document": f.document, "kind": f.kind, "scope": f.scope, "pages": list(f.pages),
                     "warnings": list(f.warnings), "uploaded_by": f.uploaded_by} for f in snap.flagged],
        "unconfirmed_figures": sum(1 for f in snap.facts if f.unconfirmed),
        "pending_corrections": [p.to_json() for p in snap.pending_corrections],
        "pending_count": len(snap.pending_corrections),
        "document_warnings": [{"document": d.name, "document_id": d.id, "warnings": list(d.warnings)}
                              for d in snap.documents if d.warnings],
    }


_DEFAULT = object()


def portfolio_alerts(store: Store, *, client: str | None = None, severity: str | None = None,
                     as_of: dt.date | None = None, user=None, board=_DEFAULT) -> list[dict]:  # noqa: ANN001 - access.User, chat.board.Board | None
    """Alerts of every client (or one) at its latest period, most severe first.

    ``severity`` keeps that level and above (``medium``: medium and high); ``user`` limits the
    list to the clients that user may reach. The whole book's alerts come from ``board``'s
    client rows (default the shared, persisted ``BOARD``: assessed once per change of a
    client's data; their summaries say which clients have an alert, and only those clients'
    alerts are read, from the JSON kept beside each row: no row is unpickled); ``None``, or one
    client, assesses afresh.
    """
    from assistant import access
    from assistant.analytics import evaluate, load_rules

    if severity is not None and severity not in SEVERITIES:
        raise ConfigError(f"unknown severity {severity!r}", hint=f"use one of {', '.join(SEVERITIES)}")
    if board is _DEFAULT:
        from assistant.chat.board import BOARD as board
    out: list[dict] = []
    with store.session() as s:
        if client:
            ids = [_resolve_for(s, store, client, user).id]
        else:
            visible = None if user is None else access.visible_client_ids(store, user)
            ids = [i for i in _client_ids_by_name(s) if visible is None or i in visible]
        if board is not None and not client:  # only the alerts (kept as JSON beside each row) of clients with one at that severity
            least = {"high": ("alerts_high",), "medium": ("alerts_high", "alerts_medium")}.get(severity or "", ("alerts",))
            summary = board.summaries(store, frozenset(ids), as_of)
            hit = frozenset(i for i, x in summary.items() if any(getattr(x, f) for f in least))
            lists = board.alert_lists(store, hit, as_of)
            out = [a for i in ids if i in lists for a in lists[i]]
        else:
            rules = load_rules()  # once for the whole portfolio: parsing the YAML costs more than evaluating a client
            snaps = load_snapshots(s, ids, as_of=as_of)  # one query per table, not per client
            for i in ids:
                snap = snaps[i]
                try:
                    span = monitoring_span(snap)
                except NotFoundError:
                    continue  # nothing stored yet: no period to assess (status says so)
                out.extend(alert_json(snap.client.name, a) for a in evaluate(snap, span, rules))
    if severity is not None:
        out = [a for a in out if _RANK[a["severity"]] <= _RANK[severity]]
    out.sort(key=lambda a: (_RANK.get(a["severity"], 9), a["client"], a["rule"]))
    return out


def _client_ids_by_name(s) -> list[int]:  # noqa: ANN001 - a Session
    """Every client's id in ``list_clients`` order, without loading the clients."""
    from sqlalchemy import select

    return list(s.execute(select(Client.id).order_by(Client.name)).scalars())


def record(store: Store, status: dict, *, actor: str = "system") -> tuple[int, int]:
    """Store the status's covenant results and its alerts not stored before; (results, new alerts)."""
    from sqlalchemy import select

    from assistant.store import repo
    from assistant.store.schema import CovenantRow, FacilityRow

    results = alerts = 0
    with store.transaction() as s:
        client = repo.get_client(s, status["client_id"])
        ids = {(f, m): cid for f, m, cid in s.execute(
            select(FacilityRow.name, CovenantRow.metric, CovenantRow.id).join(CovenantRow.facility)
            .where(FacilityRow.client_id == client.id))}
        for c in status["covenants"]:
            cid = ids.get((c["facility"], c["metric"]))
            if cid is None or c["status"] == "not_tested":
                continue
            repo.record_covenant_result(s, cid, c["period"], value=_dec(c["value"]), status=c["status"],
                                        headroom=_dec(c["headroom"]), actor=actor)
            results += 1
        stored = {(a.period, a.rule, a.message) for a in repo.list_alerts(s, client.id)}
        for a in status["alerts"]:
            if (a["period"], a["rule"], a["message"]) in stored:
                continue
            repo.add_alert(s, client.id, a["period"], a["rule"], a["severity"], a["message"], a["evidence"], actor=actor)
            alerts += 1
    return results, alerts


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))
