"""Answers over the visible book: attention, headroom, exit/support, rankings, exposure, due
instalments (from the cached client rows of ``assistant.chat.board``), and several clients side
by side or one metric over quarters (from the clients' snapshots).

The rules, stated in every answer that applies them:

* **attention** — a client is listed when it has any signal: suggested class 关注 or worse,
  a covenant breach, thin headroom (< 10 %), a warning, an overdue instalment, grade C–E.
  Order: suggested class, then breaches, high warnings, overdue days, medium and other
  warnings plus thin covenants, grade — most severe first — then outstanding exposure,
  largest first.
* **exit candidates** — suggested class 次级 or worse, grade D or E, a covenant breach, an
  instalment more than 90 days overdue, or grade C together with a high-severity warning.
* **support candidates** — grade A or B, suggested class 正常, no breach, no thin headroom, no
  high or medium warning.

A client whose figures are missing (or unconfirmed) is listed as such, never counted as
passing. Every number is cited to its document and page, or given with its formula.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from assistant.chat import lexicon as lx
from assistant.chat.answer import Answer, Citation
from assistant.chat.board import BOARD, ClientRow, client_row
from assistant.chat.understand import ParsedQuestion

_HUNDRED = Decimal(100)
_SEV = {"high": 0, "medium": 1, "low": 2}
_GRADE_RANK = {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4, "NR": 1}


# ---------------------------------------------------------------- rows


def rows_of(source: Any, only: set[int] | None = None) -> list[ClientRow]:
    """The visible clients' rows (``only``: these of them): cached per store (``StoreSource``), else built from the snapshots."""
    visible = [c for c in source.clients() if only is None or c.id in only]
    store = getattr(source, "store", None)
    if store is not None and hasattr(source, "client_ids"):
        got = BOARD.rows(store, frozenset(c.id for c in visible))
        return [got[c.id] for c in visible if c.id in got]
    return [client_row(source.snapshot(c.id)) for c in visible]


def _money(value: Decimal, zh: bool, currency: str = "CNY") -> str:
    from assistant.chat.builtin import with_currency

    shown = f"{value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    if zh and currency in ("CNY", "RMB") and abs(value) >= Decimal("1e8"):
        return with_currency(shown, currency, zh) + f"（{(value / Decimal('1e8')).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}亿元）"
    return with_currency(shown, currency, zh)


def _fmt(value: Decimal, unit: str) -> str:
    from assistant.chat.builtin import fmt_number

    return fmt_number(value, unit, None) + ("%" if unit == "percent" else "")


def _cites(facts: list) -> list[Citation]:
    from assistant.chat.builtin import cite_facts

    return cite_facts(facts)


def _alert_cites(alerts: list) -> list[Citation]:
    return [Citation(document=d, page=pg, quote=a.name_zh) for a in alerts for d, pg in a.evidence if d]


def _dedupe(cites: list[Citation]) -> list[Citation]:
    seen, out = set(), []
    for c in cites:
        if (c.document, c.page, c.quote) not in seen:
            seen.add((c.document, c.page, c.quote))
            out.append(c)
    return out


# ---------------------------------------------------------------- signals of one client


def _covenant_text(r, zh: bool) -> str:  # noqa: ANN001 - CovenantResult
    label = lx.display_name(r.covenant.metric, "zh" if zh else "en")
    value = "—" if r.value is None else f"{r.value:.3f}"
    head = "" if r.headroom is None else (f"，余量 {r.headroom * _HUNDRED:.1f}%" if zh else f", headroom {r.headroom * _HUNDRED:.1f}%")
    state = {"breach": ("已违反", "breached"), "pass": ("余量不足", "thin headroom")}.get(r.status, (r.status, r.status))
    if zh:
        return f"{r.facility} {label} {value}（要求 {r.operator} {r.threshold}{head}，{r.span.label}，{state[0]}）"
    return f"{r.facility} {label} {value} (required {r.operator} {r.threshold}{head}, {r.span.label}, {state[1]})"


def signals(row: ClientRow, zh: bool) -> list[str]:
    """Why a client needs attention, most severe first (empty: nothing found)."""
    out = []
    if row.category_level >= 1:
        why = "；".join(r for r in row.category_reasons_zh if "→" in r) if zh else "; ".join(
            r for r in row.category_reasons_en if "→" in r)
        out.append(f"建议分类 {row.category}（{why}）" if zh else f"suggested class {row.category} ({why})")
    for r in row.covenants:
        if r.status == "breach" or r.thin:
            out.append(_covenant_text(r, zh))
    if row.overdue_days > 0:
        out.append(f"逾期 {row.overdue_days} 天" if zh else f"{row.overdue_days} days past due")
    for a in sorted(row.alerts, key=lambda a: (_SEV.get(a.severity, 9), a.rule)):
        if a.rule == "covenant_headroom_thin":
            continue  # already listed with the covenant's figures
        sev = {"high": "高", "medium": "中", "low": "低"}.get(a.severity, a.severity)
        out.append(f"[{sev}] {a.message_zh}" if zh else f"[{a.severity}] {a.message_en}")
    if row.grade in ("C", "D", "E") and row.category_level == 0:
        out.append(f"风险评级 {row.grade}" if zh else f"risk grade {row.grade}")
    return out


def severity_key(row: ClientRow) -> tuple:
    """Most severe first: class, breaches, high warnings, overdue days, other warnings and thin covenants, grade; then exposure."""
    breaches = sum(r.status == "breach" for r in row.covenants)
    thin = sum(r.thin for r in row.covenants)
    high = sum(a.severity == "high" and not a.unconfirmed for a in row.alerts)
    other = sum(a.severity != "high" and a.rule != "covenant_headroom_thin" for a in row.alerts)
    return (-row.category_level, -breaches, -high, -row.overdue_days, -(other + thin), -_GRADE_RANK.get(row.grade, 0),
            -row.outstanding(), row.name)


def needs_attention(row: ClientRow) -> bool:
    return bool(row.category_level >= 1 or row.overdue_days > 0 or row.alerts or row.grade in ("C", "D", "E")
                or any(r.status == "breach" or r.thin for r in row.covenants))


def exit_reasons(row: ClientRow, zh: bool) -> list[str]:
    out = []
    if row.category_level >= 2:
        out.append(f"建议分类 {row.category}" if zh else f"suggested class {row.category}")
    if row.grade in ("D", "E"):
        out.append(f"风险评级 {row.grade}" if zh else f"risk grade {row.grade}")
    out += [_covenant_text(r, zh) for r in row.covenants if r.status == "breach"]
    if row.overdue_days > 90:
        out.append(f"逾期 {row.overdue_days} 天（超过90天）" if zh else f"{row.overdue_days} days past due (over 90)")
    high = [a for a in row.alerts if a.severity == "high" and not a.unconfirmed]
    if row.grade == "C" and high:
        out.append(f"风险评级 C 且有高风险预警：{'、'.join(dict.fromkeys(a.name_zh for a in high))}" if zh
                   else f"risk grade C with high-severity warnings: {', '.join(dict.fromkeys(a.name_en for a in high))}")
    return out


def is_support(row: ClientRow) -> bool:
    return (row.has_figures and row.grade in ("A", "B") and row.category_level == 0
            and not any(r.status in ("breach", "unknown", "unconfirmed") or r.thin for r in row.covenants)
            and not any(a.severity in ("high", "medium") for a in row.alerts))


# ---------------------------------------------------------------- answers over rows


def answer_rows(p: ParsedQuestion, source: Any) -> Answer:
    kind = p.portfolio.kind
    if kind == "attention":
        return _attention(p, source)
    if kind in _MAY_LIST:  # the row summaries say which clients the answer can list: only those rows are read in full
        summary, fetch = summaries_of(source)
        ids = [x.client_id for x in summary if _MAY_LIST[kind](x)]
        full = fetch(ids)
        rows, no_figures = [full[i] for i in ids if i in full], [x for x in summary if not x.has_figures]
        return _headroom(p, rows, no_figures) if kind == "headroom" else _candidates(p, rows, kind, no_figures)
    if kind == "exposure":
        return _exposure(p, source)
    rows = rows_of(source)  # a ranking reads each row's ratios (or snapshot), due each row's schedule: every row
    if kind == "rank":
        return _rank(p, rows, source)
    return _due(p, rows)


def _no_figures(rows: list[ClientRow], zh: bool) -> list[str]:
    return [f"{r.name}（无财务数据，无法评估）" if zh else f"{r.name} (no figures stored: cannot assess)"
            for r in rows if not r.has_figures]


ATTENTION_SHOWN = 20  #: clients an attention answer lists when the question names no number (the rest are counted)
NAMES_SHOWN = 20  #: names a "cannot assess" line lists before it counts the rest


def summaries_of(source: Any) -> tuple[list, Any]:
    """(the visible clients' row summaries in list order, ids → their full rows): a store's from the persisted summaries."""
    from assistant.chat.rowsummary import summarise

    visible = list(source.clients())
    store = getattr(source, "store", None)
    if store is not None and hasattr(source, "client_ids"):
        got = BOARD.summaries(store, frozenset(c.id for c in visible))
        return [got[c.id] for c in visible if c.id in got], lambda ids: BOARD.rows(store, frozenset(ids))
    built = {c.id: client_row(source.snapshot(c.id)) for c in visible}
    return [summarise(built[c.id]) for c in visible], lambda ids: {i: built[i] for i in ids}


#: from a row's summary, whether the answer could list the row (a covenant breached, thin or not testable; an exit
#: reason; ``is_support``): the answer reads these rows in full and applies its rules to them, the others' only part in
#: it is a name among those without figures
_MAY_LIST = {
    "headroom": lambda x: bool(x.breaches or x.thin or (x.has_figures and x.untestable)),
    "exit": lambda x: x.has_figures and bool(x.category_level >= 2 or x.grade in ("D", "E") or x.breaches or x.overdue_days > 90
                                             or (x.grade == "C" and x.high_confirmed)),
    "support": lambda x: (x.has_figures and x.grade in ("A", "B") and x.category_level == 0
                          and not (x.breaches or x.untestable or x.thin or x.alerts_high or x.alerts_medium)),
}


def _summary_key(x: Any) -> tuple:
    """``severity_key`` of the row, from its summary."""
    return (-x.category_level, -x.breaches, -x.high_confirmed, -x.overdue_days, -(x.alerts_other + x.thin),
            -_GRADE_RANK.get(x.grade, 0), -x.outstanding_in(), x.name)


def _attention(p: ParsedQuestion, source: Any) -> Answer:
    """The clients that need attention, most severe first: the first ``ATTENTION_SHOWN`` (or the N asked) with their
    signals, then how many more there are, their total outstanding and how to list them (from the rows' summaries;
    only the rows listed are read in full)."""
    zh = p.lang == "zh"
    summary, fetch = summaries_of(source)
    hits = sorted((x for x in summary if x.has_figures and x.needs_attention), key=_summary_key)
    hits += sorted((x for x in summary if not x.has_figures and x.needs_attention), key=_summary_key)
    shown = hits[:p.portfolio.n or ATTENTION_SHOWN]
    full = fetch([x.client_id for x in shown])
    lines, items, cites = [], [], []
    for i, x in enumerate(shown, 1):
        r = full[x.client_id]
        why = signals(r, zh)
        lines.append(f"{i}. {r.name}（评级 {r.grade}，建议分类 {r.category}，贷款余额 {_money(r.outstanding(), zh)}）：" + "；".join(why)
                     if zh else f"{i}. {r.name} (grade {r.grade}, suggested class {r.category}, outstanding "
                     f"{_money(r.outstanding(), zh)}): " + "; ".join(why))
        items.append({"client": r.name, "rank": i, "grade": r.grade, "category": r.category,
                      "outstanding": r.outstanding(), "reasons": why})
        cites += _alert_cites(r.alerts) + _cites([f for c in r.covenants if c.status == "breach" or c.thin for f in c.inputs])
    unknown = [x for x in summary if not x.has_figures and not x.needs_attention]
    listed = {x.client_id for x in (shown if p.portfolio.n else hits)}
    unknown_cov = [x for x in summary if x.has_figures and x.client_id not in listed and x.untestable]
    rule = ("排序：建议分类、违约、高风险预警、逾期天数、其他预警与余量不足、评级，依次从重到轻，同等时按贷款余额从大到小。" if zh else
            "Order: suggested class, breaches, high warnings, days past due, other warnings and thin headroom, grade — most "
            "severe first — then outstanding exposure, largest first.")
    if zh:
        text = ("需要重点关注的客户：\n" + "\n".join(lines) if lines else "您可查看的客户目前没有需要重点关注的信号。") + "\n"
    else:
        text = ("Clients that need attention:\n" + "\n".join(lines) if lines else
                "No client you can see shows a signal that needs attention.") + "\n"
    if not p.portfolio.n and len(hits) > len(shown):
        text += _more_text(hits, len(shown), zh)
    text += rule + _unknown_text(unknown, unknown_cov, zh, items)
    return Answer(answer=text, value=Decimal(len(hits) if not p.portfolio.n else len(shown)), unit="amount",
                  citations=_dedupe(cites), items=items)


def _more_text(hits: list, shown: int, zh: bool) -> str:
    """How many clients needing attention the answer leaves out, by suggested class, the outstanding of all, how to list more."""
    from collections import Counter

    rest = hits[shown:]
    by_class = Counter(x.category if x.has_figures else ("无财务数据" if zh else "no figures") for x in rest)
    total = sum((x.outstanding_in() for x in hits), Decimal(0))
    more = min(len(hits), 50)  # what the question parser reads as a top N (two digits)
    if zh:
        parts = "、".join(f"{k} {v} 户" for k, v in by_class.most_common())
        return (f"共 {len(hits)} 户需要重点关注（贷款余额合计 {_money(total, zh)}），以上为最严重的 {shown} 户；"
                f"另有 {len(rest)} 户未列出（{parts}）。要列出更多，可问“需要重点关注的前{more}家客户”，或在组合页面只看问题客户。\n")
    parts = ", ".join(f"{k} {v}" for k, v in by_class.most_common())
    return (f"{len(hits)} clients need attention (outstanding {_money(total, zh)} in all); the {shown} most severe are listed, "
            f"{len(rest)} more are not ({parts}). To list more, ask for the top {more} clients that need attention, "
            "or show only problem clients on the portfolio page.\n")


def _unknown_text(no_figs: list, no_test: list[ClientRow], zh: bool, items: list[dict]) -> str:
    out = ""
    for r in no_figs:
        items.append({"client": r.name, "unknown": True, "reason": "no figures"})
    for r in no_test:
        items.append({"client": r.name, "unknown": True, "reason": "covenant not testable"})
    if no_figs:
        out += ("\n无法评估（无财务数据）：" if zh else "\nCannot assess (no figures stored): ") + _names(no_figs, zh)
    if no_test:
        out += ("\n约束无法检验（数据缺失或待复核）：" if zh else "\nCovenants not testable (data missing or unconfirmed): ") + _names(no_test, zh)
    return out


def _names(rows: list, zh: bool) -> str:
    """The first ``NAMES_SHOWN`` names, then how many more."""
    head = ("、" if zh else ", ").join(r.name for r in rows[:NAMES_SHOWN])
    more = len(rows) - NAMES_SHOWN
    return head if more <= 0 else head + (f" 等，另有 {more} 户" if zh else f", and {more} more")


def _headroom(p: ParsedQuestion, rows: list[ClientRow], no_figures: list) -> Answer:
    from assistant.analytics.covenants import THIN_HEADROOM

    zh = p.lang == "zh"
    metric = p.portfolio.metric
    lines, items, cites, no_test = [], [], [], []
    ordered = sorted(rows, key=lambda r: min((c.headroom for c in r.covenants if c.headroom is not None), default=Decimal(9)))
    for r in ordered:
        covs = [c for c in r.covenants if metric is None or c.covenant.metric == metric]
        low = [c for c in covs if c.status == "breach" or c.thin]
        if any(c.status in ("unknown", "unconfirmed") for c in covs) and r.has_figures:
            no_test.append(r)
        if not low:
            continue
        lines.append(f"{r.name}：" + "；".join(_covenant_text(c, zh) for c in low) if zh
                     else f"{r.name}: " + "; ".join(_covenant_text(c, zh) for c in low))
        for c in low:
            items.append({"client": r.name, "facility": c.facility, "metric": c.covenant.metric, "value": c.value,
                          "threshold": c.threshold, "operator": c.operator, "headroom": c.headroom, "status": c.status,
                          "period": c.span.label})
            cites += _cites(c.inputs)
    limit = f"{THIN_HEADROOM * _HUNDRED:.0f}%"
    rule = (f"余量 =（实际值 − 约定值）/ |约定值|（上限类约束取相反方向）；低于{limit}为不足，负数为已违反。" if zh else
            f"Headroom = (value − threshold) / |threshold| (reversed for a maximum); below {limit} is thin, negative is a breach.")
    if zh:
        text = ("约束条款余量不足（或已违反）的客户：\n" + "\n".join(lines)) if lines else f"您可查看的客户中没有约束余量低于{limit}的。"
    else:
        text = ("Clients with thin covenant headroom (or a breach):\n" + "\n".join(lines)) if lines else \
            f"No client you can see has covenant headroom below {limit}."
    text += "\n" + rule + _unknown_text(no_figures, no_test, zh, items)
    return Answer(answer=text, value=Decimal(len(lines)), unit="amount", citations=_dedupe(cites), items=items)


def _candidates(p: ParsedQuestion, rows: list[ClientRow], kind: str, no_figures: list) -> Answer:
    zh = p.lang == "zh"
    items, lines, cites = [], [], []
    if kind == "exit":
        for r in sorted((r for r in rows if r.has_figures), key=severity_key):
            why = exit_reasons(r, zh)
            if why:
                items.append({"client": r.name, "reasons": why, "outstanding": r.outstanding()})
                lines.append(f"{r.name}（贷款余额 {_money(r.outstanding(), zh)}）：" + "；".join(why) if zh
                             else f"{r.name} (outstanding {_money(r.outstanding(), zh)}): " + "; ".join(why))
                cites += _alert_cites([a for a in r.alerts if a.severity == "high"])
                cites += _cites([f for c in r.covenants if c.status == "breach" for f in c.inputs])
        rule = ("依据：建议分类为次级或更差、评级 D/E、约束违反、逾期超过90天，或评级 C 且有高风险预警。退出与否由授信审批决定。" if zh else
                "Rule: suggested class substandard or worse, grade D/E, a covenant breach, over 90 days past due, or grade C "
                "with a high-severity warning. Whether to exit is the credit committee's decision.")
        head = ("可考虑退出或压降的客户：" if zh else "Exit (or exposure reduction) candidates:")
        none = ("您可查看的客户中没有符合退出条件的。" if zh else "No client you can see meets the exit criteria.")
    else:
        for r in sorted((r for r in rows if is_support(r)), key=lambda r: (_GRADE_RANK[r.grade], -r.outstanding(), r.name)):
            heads = [c.headroom for c in r.covenants if c.headroom is not None]
            why = [f"评级 {r.grade}", "建议分类 正常", "无违约、无中高风险预警"] if zh else \
                [f"grade {r.grade}", "suggested class normal", "no breach, no high or medium warning"]
            if heads:
                why.append(f"最小约束余量 {min(heads) * _HUNDRED:.1f}%" if zh else f"smallest covenant headroom {min(heads) * _HUNDRED:.1f}%")
            items.append({"client": r.name, "reasons": why, "grade": r.grade})
            lines.append(f"{r.name}：" + "，".join(why) if zh else f"{r.name}: " + ", ".join(why))
            cites += _cites([f for c in r.covenants for f in c.inputs][:4])
        rule = ("依据：评级 A/B、建议分类正常、无约束违反或余量不足、无中高风险预警。" if zh else
                "Rule: grade A or B, suggested class normal, no covenant breach or thin headroom, no high or medium warning.")
        head = ("可考虑加大支持的客户：" if zh else "Clients to consider supporting:")
        none = ("您可查看的客户中没有符合支持条件的。" if zh else "No client you can see meets the support criteria.")
    text = (head + "\n" + "\n".join(lines) if lines else none) + "\n" + rule
    text += _unknown_text(no_figures, [], zh, items)
    return Answer(answer=text, value=Decimal(len(lines)), unit="amount", citations=_dedupe(cites), items=items)


def _metric_of(row: ClientRow, key: str, zh: bool) -> tuple[Decimal | None, str, list, str | None]:
    """(value in the answer's unit, unit, facts, why missing) of ``key`` at the row's span."""
    if key in lx.RATIO_BY_KEY:
        unit = lx.RATIO_BY_KEY[key].unit
        r = row.ratios.get(key)
        if r is None or r.value is None:
            why = (r.reason_zh or r.reason) if r is not None and zh else (r.reason if r is not None else "not computed")
            return None, unit, list(r.inputs) if r else [], why or "not computed"
        if r.unconfirmed:
            return None, unit, list(r.inputs), ("数据待复核（未确认）" if zh else "figures unconfirmed (flagged for review)")
        return (r.value * _HUNDRED if unit == "percent" else r.value), unit, list(r.inputs), None
    fact = row.figures.get(key)
    if fact is None or fact.value is None:
        return None, "amount", [], ("未存储" if zh else "not stored")
    if fact.unconfirmed:
        return None, "amount", [fact], ("数据待复核（未确认）" if zh else "figure unconfirmed (flagged for review)")
    return fact.value, "amount", [fact], None


def measured_at_row(row: ClientRow, key: str, zh: bool) -> tuple[str, Any, Any]:
    """(client, span, result) as ``builtin.metric_value`` gives it, read from the row (unconfirmed figures kept, marked)."""
    from assistant.chat.builtin import _Result
    from assistant.domain import Span

    if not row.has_figures:
        return row.name, None, None
    label = lx.display_name(key, "zh" if zh else "en")
    fact = next(iter(row.figures.values()))
    end = max(f.span.end for f in row.figures.values()) if row.figures else fact.span.end
    if key in lx.RATIO_BY_KEY:
        unit = lx.RATIO_BY_KEY[key].unit
        r = row.ratios.get(key)
        from assistant.chat.resolve import is_point_metric

        span = r.span if r is not None and r.span is not None else Span(end)
        span = Span(span.end) if is_point_metric(key) else span  # a balance-sheet ratio is dated at the balance date
        if r is None or r.value is None:
            why = (r.reason_zh if zh else r.reason) if r is not None else "not computed"
            return row.name, span, _Result(key, None, unit, span, facts=list(r.inputs) if r else [], missing=[f"{label}：{why}" if zh else f"{label}: {why}"])
        value = r.value * _HUNDRED if unit == "percent" else r.value
        return row.name, span, _Result(key, value, unit, span, r.formula, list(r.inputs))
    f = row.figures.get(key)
    if f is None:
        return row.name, Span(end), _Result(key, None, "amount", Span(end), missing=[f"{label}（{row.period}）未存储" if zh
                                                                               else f"{label} for {row.period} is not stored"])
    return row.name, f.span, _Result(key, f.value, "amount", f.span, facts=[f])


def _rank(p: ParsedQuestion, rows: list[ClientRow], source: Any) -> Answer:
    zh = p.lang == "zh"
    q = p.portfolio
    key = q.metric
    known, unknown, cites = [], [], []
    if p.period.given:  # a named period: each client's snapshot at that period
        from assistant.chat.builtin import metric_value
        from assistant.chat.resolve import is_point_metric, resolve_span

        for r in rows:
            snap = source.snapshot(r.client_id)
            span = resolve_span(p.period, snap.facts, key, point=is_point_metric(key))
            res = metric_value(snap, key, span, zh) if span is not None else None
            if res is None or res.value is None:
                unknown.append((r, "；".join(res.missing) if res else ("所问期间无数据" if zh else "no data for that period")))
                continue
            known.append((r, res.value, res.unit, res.facts, span.label))
    else:
        for r in rows:
            value, unit, facts, why = _metric_of(r, key, zh)
            if value is None:
                unknown.append((r, why or ("无财务数据" if zh else "no figures")))
                continue
            known.append((r, value, unit, facts, r.period))
    known.sort(key=lambda x: (-x[1] if q.order != "low" else x[1], x[0].name))
    n = q.n or (1 if _singular(p) else None)
    shown = known[:n] if n else known
    label = lx.display_name(key, p.lang)
    items, lines = [], []
    for i, (r, value, unit, facts, period) in enumerate(shown, 1):
        items.append({"client": r.name, "rank": i, "metric": key, "value": value, "unit": unit, "period": period})
        lines.append(f"{i}. {r.name} {_fmt(value, unit)}（{period}）" if zh else f"{i}. {r.name} {_fmt(value, unit)} ({period})")
        cites += _cites(facts)
    for r, why in unknown:
        items.append({"client": r.name, "unknown": True, "reason": why})
    way = ("从高到低" if q.order != "low" else "从低到高") if zh else ("highest first" if q.order != "low" else "lowest first")
    if zh:
        text = f"{label}排名（{way}{'，前' + str(n) + '名' if n else ''}）：\n" + ("\n".join(lines) or "无可排名的客户")
        if unknown:
            text += "\n无法排名（数据缺失）：" + "；".join(f"{r.name}（{why}）" for r, why in unknown)
    else:
        text = f"Clients by {label} ({way}{', top ' + str(n) if n else ''}):\n" + ("\n".join(lines) or "no client can be ranked")
        if unknown:
            text += "\nNot ranked (data missing): " + "; ".join(f"{r.name} ({why})" for r, why in unknown)
    if key in lx.RATIO_BY_KEY:
        text += ("\n公式：" if zh else "\nFormula: ") + rows_formula(key, rows)
    value = shown[0][1] if n == 1 and shown else None
    return Answer(answer=text, value=value, unit=_unit_json(shown[0][2]) if value is not None else None,
                  citations=_dedupe(cites), items=items)


def rows_formula(key: str, rows: list[ClientRow]) -> str:
    for r in rows:
        res = r.ratios.get(key)
        if res is not None and res.formula:
            return res.formula + (" × 100" if lx.RATIO_BY_KEY[key].unit == "percent" else "")
    return key


def _unit_json(unit: str) -> str:
    return {"percent_points": "percent"}.get(unit, unit)


def _singular(p: ParsedQuestion) -> bool:
    low = p.text.lower()
    return bool(__import__("re").search(r"哪家|哪一家|哪个客户|哪位|which client\b|which borrower\b|which company\b|who has|"
                                        r"the client with|客户是(?:谁|哪)", low))


def _exposure(p: ParsedQuestion, source: Any) -> Answer:
    """Outstanding exposure by client (the top N, or all) or by group, from the row summaries; only the rows listed with
    their facilities are read in full."""
    zh = p.lang == "zh"
    q = p.portfolio
    formula = ("贷款余额 = 已提款金额 − 截至评估日已偿还本金（按还款计划）" if zh else
               "outstanding = drawn − principal repaid by the assessment date (from the repayment schedule)")
    summary, fetch = summaries_of(source)
    if q.clients:
        summary = [x for x in summary if x.client_id in q.clients]
    items, lines = [], []
    no_facility = [x for x in summary if not x.outstanding]  # a row's outstanding per currency: empty without a facility
    rows = [x for x in summary if x.outstanding]
    as_of = next(iter(fetch([rows[0].client_id]).values())).as_of if rows else None
    if q.group_by:
        groups: dict[str, list] = {}
        for r in rows:
            g = {"grade": r.grade, "industry": r.industry or "—", "category": r.category}[q.group_by]
            groups.setdefault(g, []).append(r)
        total = sum((r.outstanding_in() for r in rows), Decimal(0))
        for g, members in sorted(groups.items(), key=lambda kv: -sum(r.outstanding_in() for r in kv[1])):
            amount = sum((r.outstanding_in() for r in members), Decimal(0))
            share = amount / total * _HUNDRED if total else Decimal(0)
            items.append({"group": g, "outstanding": amount, "share": share, "clients": [r.name for r in members]})
            lines.append(f"{g}：{_money(amount, zh)}，占 {share:.1f}%（{'、'.join(r.name for r in members)}）" if zh
                         else f"{g}: {_money(amount, zh)}, {share:.1f}% ({', '.join(r.name for r in members)})")
        by = {"grade": ("按评级", "by grade"), "industry": ("按行业", "by industry"), "category": ("按建议分类", "by suggested class")}[q.group_by]
        text = (f"贷款余额{by[0]}分布（合计 {_money(total, zh)}）：\n" if zh else f"Outstanding exposure {by[1]} (total {_money(total, zh)}):\n") \
            + "\n".join(lines)
        value = total
    else:
        ordered = sorted(rows, key=lambda r: (-r.outstanding_in() if q.order != "low" else r.outstanding_in(), r.name))
        n = q.n or (1 if _singular(p) and not q.clients else None)
        full = fetch([x.client_id for x in (ordered[:n] if n else ordered)])
        shown = [full[x.client_id] for x in (ordered[:n] if n else ordered) if x.client_id in full]
        for i, r in enumerate(shown, 1):
            facs = "；".join(f"{e.facility} 额度 {_money(e.amount, zh, e.currency)}，已提款 {_money(e.drawn, zh, e.currency)}，余额 "
                            f"{_money(e.outstanding, zh, e.currency)}" for e in r.exposures) if zh else "; ".join(
                f"{e.facility} limit {_money(e.amount, zh, e.currency)}, drawn {_money(e.drawn, zh, e.currency)}, outstanding "
                f"{_money(e.outstanding, zh, e.currency)}" for e in r.exposures)
            items.append({"client": r.name, "rank": i, "outstanding": r.outstanding(),
                          "drawn": sum((e.drawn for e in r.exposures), Decimal(0)),
                          "amount": sum((e.amount for e in r.exposures), Decimal(0)), "grade": r.grade})
            lines.append(f"{i}. {r.name}：{_money(r.outstanding(), zh)}（{facs}）" if zh else f"{i}. {r.name}: {_money(r.outstanding(), zh)} ({facs})")
        total = sum((r.outstanding_in() for r in rows), Decimal(0))
        if q.clients and len(shown) == 1:
            text = (f"{shown[0].name}的贷款余额：" if zh else f"Outstanding exposure of {shown[0].name}: ") + lines[0].split("：", 1)[-1].split(": ", 1)[-1]
            value = shown[0].outstanding()
        else:
            head = ("贷款余额（从大到小" + (f"，前{n}名" if n else "") + f"；合计 {_money(total, zh)}）：") if zh else \
                (f"Outstanding exposure (largest first{', top ' + str(n) if n else ''}; total {_money(total, zh)}):")
            text = head + "\n" + "\n".join(lines)
            value = shown[0].outstanding() if n == 1 and shown else total
    text += ("\n" if text else "") + ("计算：" if zh else "Computed: ") + formula + (
        f"（截至 {as_of.isoformat()}，来源：贷款台账及还款计划）。" if zh and as_of else
        f" (as of {as_of.isoformat()}; source: the facility records and their repayment schedules)." if as_of else "")
    if no_facility:
        text += ("\n无贷款记录：" + "、".join(r.name for r in no_facility)) if zh else \
            "\nNo facility recorded: " + ", ".join(r.name for r in no_facility)
        items += [{"client": r.name, "unknown": True, "reason": "no facility"} for r in no_facility]
    return Answer(answer=text, value=value, unit="amount", formula=formula, items=items)


def _due(p: ParsedQuestion, rows: list[ClientRow]) -> Answer:
    zh = p.lang == "zh"
    days = p.portfolio.n or 30
    as_of = rows[0].as_of if rows else dt.date.today()
    if p.portfolio.next_month:
        first = (as_of.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        start, end = first - dt.timedelta(days=1), (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        window_zh, window_en = f"下个月（{first.isoformat()} 至 {end.isoformat()}）", f"next month ({first.isoformat()} to {end.isoformat()})"
    else:
        start, end = as_of, as_of + dt.timedelta(days=days)
        window_zh, window_en = f"未来{days}天内（{as_of.isoformat()} 起）", f"in the next {days} days (from {as_of.isoformat()})"
    items, lines = [], []
    for r in rows:
        if p.portfolio.clients and r.client_id not in p.portfolio.clients:
            continue
        for fac, due, principal, interest in r.upcoming:
            if start < due <= end:
                items.append({"client": r.name, "facility": fac, "due": due, "amount": principal + interest})
                lines.append(f"{due.isoformat()} {r.name} {fac}：本金 {_money(principal, zh)}，利息 {_money(interest, zh)}" if zh
                             else f"{due.isoformat()} {r.name} {fac}: principal {_money(principal, zh)}, interest {_money(interest, zh)}")
    lines.sort()
    if zh:
        text = (f"{window_zh}到期的还款：\n" + "\n".join(lines)) if lines else f"{window_zh}没有到期的还款。"
    else:
        text = (f"Instalments due {window_en}:\n" + "\n".join(lines)) if lines else f"No instalment falls due {window_en}."
    text += "\n" + ("来源：还款计划（贷款台账）。" if zh else "Source: the repayment schedules (facility records).")
    return Answer(answer=text, value=Decimal(len(items)), unit="amount", items=sorted(items, key=lambda i: (i["due"], i["client"])))
