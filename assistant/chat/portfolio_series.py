"""Several clients side by side, and one metric over quarters, from the clients' snapshots.

``compare``: each named client's metrics at the period asked (else each at its latest balance
date and the quarter ending there), plus grade, suggested class and outstanding exposure.
``trend``: the metric at each quarter end — the last N quarters stored (``近四个季度``, "last
four quarters"; every stored quarter up to eight when no number is said) or the quarters named
("二季度和三季度": a quarter without a year takes the year named before it, else the latest
year that has it) — with the change from first to last and a chart for the app. Every value
comes from ``builtin.metric_value`` (stored figure with document and page, or the FIGURES.md
formula with its inputs); a quarter that is not stored is listed as missing, never skipped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from assistant.chat import lexicon as lx
from assistant.chat.answer import Answer
from assistant.chat.resolve import is_point_metric, resolve_span
from assistant.chat.understand import ParsedQuestion
from assistant.domain import ClientSnapshot, Span, quarter_span

_HUNDRED = Decimal(100)
DEFAULT_COMPARE = ("current_ratio", "debt_to_assets", "dscr", "interest_coverage", "revenue", "net_profit", "net_cash_operating")


def answer_series(p: ParsedQuestion, source: Any) -> Answer:
    if p.portfolio.kind == "trend":
        return _trend(p, source)
    return _compare(p, source)


def _qlabel(end: dt.date) -> str:
    return f"{end.year}Q{(end.month - 1) // 3 + 1}"


def quarter_ends(snap: ClientSnapshot) -> list[dt.date]:
    """Quarter ends with a balance sheet or a quarter's flows stored, oldest first."""
    facts = snap.facts
    ends = {s.end for s in facts.spans(points=True)} | {s.end for s in facts.spans(points=False, months=3)}
    return sorted(e for e in ends if e.month in (3, 6, 9, 12) and (e + dt.timedelta(days=1)).day == 1)


def _span_at(key: str, end: dt.date) -> Span:
    return Span(end) if is_point_metric(key) else quarter_span(end.year, (end.month - 1) // 3 + 1)


def _chosen_ends(p: ParsedQuestion, snap: ClientSnapshot) -> list[dt.date]:
    stored = quarter_ends(snap)
    q = p.portfolio
    if q.quarters:
        out, year = [], p.period.year if p.period.year and not q.quarters[0][0] else None
        for y, quarter in q.quarters:
            year = y or year
            if year is None:
                fits = [e for e in stored if (e.month - 1) // 3 + 1 == quarter]
                end = fits[-1] if fits else quarter_span(stored[-1].year if stored else dt.date.today().year, quarter).end
            else:
                end = quarter_span(year, quarter).end
            out.append(end)
        return out
    n = q.n or 8
    if p.period.year:
        stored = [e for e in stored if e.year <= p.period.year]
    return stored[-n:]


def _trend(p: ParsedQuestion, source: Any) -> Answer:
    from assistant.chat.builtin import cite_facts, metric_value

    zh = p.lang == "zh"
    q = p.portfolio
    key = q.metric
    label = lx.display_name(key, p.lang)
    items, cites, parts, series, periods = [], [], [], [], []
    threshold = operator = None
    formula = None
    for cid in q.clients:
        snap = source.snapshot(cid)
        ends = _chosen_ends(p, snap)
        values, shown = [], []
        for end in ends:
            r = metric_value(snap, key, _span_at(key, end), zh)
            values.append(r.value)
            formula = formula or r.formula
            items.append({"client": snap.client.name, "metric": key, "period": _qlabel(end), "value": r.value, "unit": r.unit,
                          **({"missing": r.missing} if r.value is None else {})})
            shown.append(f"{_qlabel(end)} {_show(r.value, r.unit, zh)}")
            cites += cite_facts(r.facts)
            if _qlabel(end) not in periods:
                periods.append(_qlabel(end))
        series.append({"name": snap.client.name, "periods": [_qlabel(e) for e in ends], "values": values})
        for fac in snap.facilities:
            for c in fac.covenants:
                if c.metric == key and threshold is None:
                    scale = _HUNDRED if key in lx.RATIO_BY_KEY and lx.RATIO_BY_KEY[key].unit == "percent" else Decimal(1)
                    threshold, operator = c.threshold * scale, c.operator
        unit = items[-1]["unit"] if items else "amount"
        head = f"{snap.client.name} {label}" + (f"（{len(ends)}个季度）：" if zh else f" ({len(ends)} quarters): ")
        parts.append(head + ("；" if zh else "; ").join(shown) + _direction(values, unit, zh))
    unit = items[-1]["unit"] if items else "amount"
    text = "\n".join(parts)
    if threshold is not None:
        text += (f"\n贷款约定：{label} {operator} {_show(threshold, unit, zh)}" if zh
                 else f"\nCovenant: {label} {operator} {_show(threshold, unit, zh)}")
    if formula:
        text += ("\n公式：" if zh else "\nFormula: ") + formula
    missing = [m for i in items for m in i.get("missing", [])]
    chart = {"kind": "trend", "metric": key, "label": label, "unit": unit, "periods": periods, "series": series,
             "threshold": threshold, "operator": operator}
    value = None
    if len(items) == 2 and all(i["value"] is not None for i in items) and len(q.clients) == 1:
        value = None  # two quarters: the items carry both; the change is in the text
    return Answer(answer=text, value=value, citations=_dedupe(cites), formula=formula, items=items, chart=chart,
                  missing=missing if missing and all(i["value"] is None for i in items) else [])


def _show(value: Decimal | None, unit: str, zh: bool) -> str:
    from assistant.chat.builtin import fmt_number

    if value is None:
        return "未存储" if zh else "not stored"
    return fmt_number(value, unit, None) + ("%" if unit == "percent" else "")


def _direction(values: list[Decimal | None], unit: str, zh: bool) -> str:
    have = [v for v in values if v is not None]
    if len(have) < 2:
        return ""
    first, last = have[0], have[-1]
    diff = last - first
    if unit == "percent":
        change = f"{diff:+.2f}个百分点" if zh else f"{diff:+.2f} percentage points"
    elif first != 0:
        change = f"{diff / abs(first) * _HUNDRED:+.1f}%"
    else:
        change = ""
    word = ("上升" if diff > 0 else "下降" if diff < 0 else "持平") if zh else ("up" if diff > 0 else "down" if diff < 0 else "flat")
    return f"。整体{word}（首末变化 {change}）" if zh else f". Overall {word} (first to last {change})"


def _latest(snap: ClientSnapshot, key: str) -> Span | None:
    from assistant.chat.portfolio import latest_span

    base = latest_span(snap)
    if base is None:
        return None
    return Span(base.end) if is_point_metric(key) else base


def _compare(p: ParsedQuestion, source: Any) -> Answer:
    from assistant.chat.builtin import cite_facts, metric_value
    from assistant.chat.portfolio_answers import _money, rows_of

    zh = p.lang == "zh"
    q = p.portfolio
    keys = list(q.metrics) or list(DEFAULT_COMPARE)
    snaps = [source.snapshot(cid) for cid in q.clients]
    items, cites, lines = [], [], []
    for key in keys:
        label = lx.display_name(key, p.lang)
        cells = []
        for snap in snaps:
            span = resolve_span(p.period, snap.facts, key, point=is_point_metric(key)) if p.period.given else _latest(snap, key)
            r = metric_value(snap, key, span, zh) if span is not None else None
            value = r.value if r is not None else None
            period = _qlabel(span.end) if span is not None and (span.is_point or span.months == 3) else (span.label if span else "—")
            items.append({"client": snap.client.name, "metric": key, "value": value, "unit": r.unit if r else None,
                          "period": period, **({"missing": r.missing if r else ["no data"]} if value is None else {})})
            cells.append(f"{snap.client.name} {_show(value, r.unit if r else 'amount', zh)}（{period}）" if zh
                         else f"{snap.client.name} {_show(value, r.unit if r else 'amount', zh)} ({period})")
            if r is not None:
                cites += cite_facts(r.facts)
        lines.append(f"{label}：" + "；".join(cells) if zh else f"{label}: " + "; ".join(cells))
    if not q.metrics:
        rows = {r.client_id: r for r in rows_of(source, only=set(q.clients))}
        status = []
        for snap in snaps:
            r = rows.get(snap.client.id)
            if r is None:
                continue
            status.append(f"{r.name} 评级 {r.grade}，建议分类 {r.category}，贷款余额 {_money(r.outstanding(), zh)}" if zh
                          else f"{r.name} grade {r.grade}, suggested class {r.category}, outstanding {_money(r.outstanding(), zh)}")
            items.append({"client": r.name, "metric": "grade", "value": r.grade})
            items.append({"client": r.name, "metric": "category", "value": r.category})
            items.append({"client": r.name, "metric": "outstanding", "value": r.outstanding(), "unit": "amount"})
        lines.append(("概况：" if zh else "Overview: ") + ("；".join(status) if zh else "; ".join(status)))
    head = ("对比：" + "、".join(s.client.name for s in snaps)) if zh else "Side by side: " + ", ".join(s.client.name for s in snaps)
    return Answer(answer=head + "\n" + "\n".join(lines), citations=_dedupe(cites), items=items)


def _dedupe(cites: list) -> list:
    seen, out = set(), []
    for c in cites:
        if (c.document, c.page, c.quote) not in seen:
            seen.add((c.document, c.page, c.quote))
            out.append(c)
    return out
