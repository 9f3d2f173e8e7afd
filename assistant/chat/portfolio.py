"""Portfolio questions over every visible client: below a threshold, covenant breaches, warnings.

Each client is measured at the period the question names, else at its latest balance date
(flows: the latest span ending there, a quarter preferred). Clients whose data is missing are
listed as such, never counted as passing or failing.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.chat import lexicon as lx
from assistant.chat.answer import Answer, Citation
from assistant.chat.resolve import describe, is_point_metric, resolve_span
from assistant.chat.understand import ParsedQuestion, PeriodQuery
from assistant.domain import ClientSnapshot, Span, unconfirmed_reasons

_HUNDRED = Decimal(100)


def latest_span(snap: ClientSnapshot, period: PeriodQuery | None = None) -> Span | None:
    """The monitoring span: the asked period, else the latest balance date with its flow span."""
    facts = snap.facts
    point = resolve_span(period or PeriodQuery(), facts, "total_assets", point=True)
    if point is None:
        flows = facts.spans(points=False)
        return flows[-1] if flows else None
    ending = [s for s in facts.spans(points=False) if s.end == point.end]
    for months in (3, 12):
        for s in ending:
            if s.months == months:
                return s
    return max(ending, key=lambda s: s.months) if ending else point


def answer_portfolio(p: ParsedQuestion, source) -> Answer:  # noqa: ANN001 - a ChatSource
    q = p.portfolio
    zh = p.lang == "zh"
    clients = source.clients()
    if not clients:
        return Answer(answer="您可查看的客户中没有任何资料。" if zh else "There are no clients you can see.",
                      missing=["clients"])
    if q is not None and q.kind in ("attention", "headroom", "exit", "support", "rank", "exposure", "due"):
        from assistant.chat.portfolio_answers import answer_rows

        return answer_rows(p, source)
    if q is not None and q.kind in ("compare", "trend"):
        from assistant.chat.portfolio_series import answer_series

        return answer_series(p, source)
    if q is not None and q.kind in ("breach", "threshold", "warnings") and not p.period.given and not q.new_only:
        from assistant.chat.portfolio_answers import measured_at_row, rows_of  # each at its latest period: cached rows

        rows = rows_of(source)
        if q.kind == "warnings":
            return warnings_answer(p, [(r.name, r.alerts) for r in rows if r.has_figures])
        if q.kind == "threshold":
            return threshold_answer(p, [measured_at_row(r, q.metric, zh) for r in rows])
        return breaches_answer(p, [(r.name, r.covenants) for r in rows if r.has_figures])
    snaps = [source.snapshot(c.id) for c in clients]
    if q is None or q.kind == "list":
        names = [s.client.name for s in snaps]
        text = ("您可查看的客户：" + "、".join(names) + "。") if zh else "Clients you can see: " + ", ".join(names) + "."
        return Answer(answer=text, value=Decimal(len(names)), unit="amount")
    if q.kind == "threshold":
        return _threshold(p, snaps)
    if q.kind == "breach":
        return _breaches(p, snaps)
    return _warnings(p, snaps)


def _threshold(p: ParsedQuestion, snaps: list[ClientSnapshot]) -> Answer:
    from assistant.chat.builtin import metric_value

    key = p.portfolio.metric
    zh = p.lang == "zh"
    measured = []
    for snap in snaps:
        span = resolve_span(p.period, snap.facts, key, point=is_point_metric(key)) if p.period.given else None
        if span is None:
            base = latest_span(snap)
            if base is not None and not p.period.given:
                span = Span(base.end) if is_point_metric(key) else base
        measured.append((snap.client.name, span, metric_value(snap, key, span, zh) if span is not None else None))
    return threshold_answer(p, measured)


def threshold_answer(p: ParsedQuestion, measured: list[tuple[str, Span | None, object]]) -> Answer:
    """Clients above or below the threshold from (client, span, measured result) — result None: no data."""
    from assistant.chat.builtin import fmt_number

    q = p.portfolio
    zh = p.lang == "zh"
    key = q.metric
    unit = lx.RATIO_BY_KEY[key].unit if key in lx.RATIO_BY_KEY else "amount"
    threshold = q.threshold
    if unit == "percent" and threshold < 1:  # "70%" was read as 0.70; percent ratios are answered in percent
        threshold = threshold * _HUNDRED
    hits, unknown, cites, items = [], [], [], []
    for name, span, r in measured:
        if r is None:
            unknown.append(f"{name}（无数据）" if zh else f"{name} (no data)")
            items.append({"client": name, "unknown": True, "reason": "no data"})
            continue
        if r.value is None:
            unknown.append(f"{name}（{'；'.join(r.missing)}）" if zh else f"{name} ({'; '.join(r.missing)})")
            items.append({"client": name, "unknown": True, "reason": "; ".join(r.missing)})
            continue
        below = r.value < threshold if q.operator == "<" else r.value > threshold
        if below:
            waiting = bool(unconfirmed_reasons(r.facts))  # a figure flagged for review: listed, marked
            items.append({"client": name, "metric": key, "value": r.value, "period": span.label, "unconfirmed": waiting})
            hits.append(f"{name} {fmt_number(r.value, unit, p.decimals)}{'%' if unit == 'percent' else ''}"
                        f"（{describe(span, p.lang)}{'，未确认：报表待复核' if waiting else ''}）" if zh else
                        f"{name} {fmt_number(r.value, unit, p.decimals)}{'%' if unit == 'percent' else ''}"
                        f" ({describe(span, p.lang)}{'; unconfirmed: statement flagged for review' if waiting else ''})")
            cites += [Citation(document=f.document, page=f.page, quote=f"{f.label} {f.value}") for f in r.facts if f.document]
    label = lx.display_name(key, p.lang)
    op = ("低于" if q.operator == "<" else "高于") if zh else ("below" if q.operator == "<" else "above")
    shown = fmt_number(threshold, unit, None) + ("%" if unit == "percent" else "")
    if zh:
        text = f"{label}{op}{shown}的客户：" + ("、".join(hits) if hits else "无") + "。"
        if unknown:
            text += "无法判断：" + "；".join(unknown) + "。"
    else:
        text = f"Clients with {label} {op} {shown}: " + (", ".join(hits) if hits else "none") + "."
        if unknown:
            text += " Cannot tell for: " + "; ".join(unknown) + "."
    return Answer(answer=text, value=Decimal(len(hits)), unit="amount", citations=cites, items=items,
                  missing=[] if not unknown else [f"data for {len(unknown)} client(s)"])


def _breaches(p: ParsedQuestion, snaps: list[ClientSnapshot]) -> Answer:
    from assistant.analytics.covenants import check_covenants

    results = []
    for snap in snaps:
        span = latest_span(snap, p.period if p.period.given else None)
        if span is None or not snap.facilities:
            continue
        results.append((snap.client.name, check_covenants(snap.facts, snap.facilities, span, as_of=snap.as_of)))
    return breaches_answer(p, results)


def breaches_answer(p: ParsedQuestion, results: list[tuple[str, list]]) -> Answer:
    """The breach answer from (client, covenant results) pairs; unknown and unconfirmed tests listed apart."""
    zh = p.lang == "zh"
    lines, cites, unknown, waiting, items = [], [], [], [], []
    for name, covenants in results:
        for r in covenants:
            label = lx.display_name(r.covenant.metric, p.lang)
            if r.status == "breach":
                value = "—" if r.value is None else f"{r.value:.2f}"
                lines.append(f"{name}：{r.facility} {label} {value}（要求 {r.operator} {r.threshold}，{r.span.label}）"
                             if zh else f"{name}: {r.facility} {label} {value} (required {r.operator} "
                             f"{r.threshold}, {r.span.label})")
                cites += [Citation(document=f.document, page=f.page, quote=f"{f.label} {f.value}") for f in r.inputs if f.document]
                items.append({"client": name, "facility": r.facility, "metric": r.covenant.metric, "value": r.value,
                              "threshold": r.threshold, "operator": r.operator, "period": r.span.label})
            elif r.status == "unknown":
                unknown.append(f"{name} {label}")
                items.append({"client": name, "metric": r.covenant.metric, "unknown": True, "reason": "not testable"})
            elif r.status == "unconfirmed":
                waiting.append(f"{name} {label}")
                items.append({"client": name, "metric": r.covenant.metric, "unknown": True, "reason": "unconfirmed"})
    if zh:
        text = ("违反契约的客户：\n" + "\n".join(lines)) if lines else "您可查看的客户在最新一期均未违反契约。"
        if unknown:
            text += "\n无法检验（数据缺失）：" + "、".join(unknown)
        if waiting:
            text += "\n未判定（所依据的报表待复核，数据未确认）：" + "、".join(waiting)
    else:
        text = ("Covenant breaches:\n" + "\n".join(lines)) if lines else "No covenant breach among the clients you can see at their latest period."
        if unknown:
            text += "\nNot testable (data missing): " + ", ".join(unknown)
        if waiting:
            text += "\nNot decided (figures unconfirmed, statement flagged for review): " + ", ".join(waiting)
    return Answer(answer=text, value=Decimal(len(lines)), unit="amount", citations=cites, items=items)


def _warnings(p: ParsedQuestion, snaps: list[ClientSnapshot]) -> Answer:
    from assistant.analytics.warnings import evaluate

    q = p.portfolio
    found = []
    for snap in snaps:
        span = latest_span(snap, p.period if p.period.given else None)
        if span is None:
            continue
        alerts = evaluate(snap, span)
        if q.new_only:
            prior = span.same_span_last_year() if span.months >= 12 else span.previous_quarter()
            before = {a.rule for a in evaluate(snap, prior)} if not span.is_point else set()
            alerts = [a for a in alerts if a.rule not in before]
        found.append((snap.client.name, alerts))
    return warnings_answer(p, found)


def warnings_answer(p: ParsedQuestion, found: list[tuple[str, list]]) -> Answer:
    """The warnings answer from (client, alerts) pairs."""
    zh = p.lang == "zh"
    q = p.portfolio
    lines, cites, items = [], [], []
    for name, alerts in found:
        for a in alerts:
            lines.append(f"{name}：[{a.severity}] {a.message_zh}" if zh else f"{name}: [{a.severity}] {a.message_en}")
            cites += [Citation(document=d, page=pg, quote=a.name_zh if zh else a.name_en) for d, pg in a.evidence if d]
            items.append({"client": name, "rule": a.rule, "severity": a.severity, "period": a.span.label})
    head = ("新出现的预警：" if q.new_only else "预警：") if zh else ("New warnings:" if q.new_only else "Warnings:")
    none = "您可查看的客户没有预警。" if zh else "No warnings for the clients you can see."
    text = (head + "\n" + "\n".join(lines)) if lines else none
    return Answer(answer=text, value=Decimal(len(lines)), unit="amount", citations=cites, items=items)
