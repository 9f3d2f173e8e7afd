"""The section writers of the built-in engine: facts in, paragraphs and tables out.

Each writer chooses its sentences from what the numbers show — the direction and size of a
change, a level against a band, a covenant's status and headroom — and fills the chosen
template from ``prompts/memo_<lang>.md`` with numbers formatted by code. Nothing here is a
canned paragraph: with other numbers the same writer says other things.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.analytics.covenants import CovenantResult
from assistant.analytics.trends import change as compute_change
from assistant.analytics.warnings import notes_in
from assistant.domain import Facility, InspectionNote
from assistant.memo.context import MemoContext
from assistant.memo.model import Cell, CellSource, Paragraph, Run, Section, Table
from assistant.memo.numbers import change_text, date_text, money, percent, ratio_kind, signed_change_text

# ---------------------------------------------------------------- shared wording

#: Size bands: (upper bound, word suffix). Relative changes for amounts and multiples,
#: percentage points (as a fraction) for percentage ratios.
_REL_BANDS = ((Decimal("0.005"), "flat"), (Decimal("0.05"), "small"), (Decimal("0.20"), ""), (Decimal("0.50"), "large"))
_PP_BANDS = ((Decimal("0.005"), "flat"), (Decimal("0.02"), "small"), (Decimal("0.05"), ""), (Decimal("0.10"), "large"))


def size_word(key: str, absolute: Decimal | None, relative: Decimal | None) -> str:
    """up / down_small / flat / down_sharp … from the direction and size of a change."""
    if ratio_kind(key) == "percent" and absolute is not None:
        size, bands = abs(absolute), _PP_BANDS
    elif relative is not None:
        size, bands = abs(relative), _REL_BANDS
    else:
        return "flat" if not absolute else ("up" if absolute > 0 else "down")
    direction = "up" if (absolute if absolute is not None else relative) > 0 else "down"
    for bound, suffix in bands:
        if size < bound:
            return "flat" if suffix == "flat" else (f"{direction}_{suffix}" if suffix else direction)
    return f"{direction}_sharp"


def materiality(key: str, absolute: Decimal | None, relative: Decimal | None) -> Decimal:
    """How much a change matters: 1 = 5 % relative or 2 percentage points."""
    if ratio_kind(key) == "percent" and absolute is not None:
        return abs(absolute) / Decimal("0.02")
    if relative is not None:
        return abs(relative) / Decimal("0.05")
    return Decimal(0)


def _p(*runs: Run, style: str = "body") -> Paragraph:
    return Paragraph(style=style, runs=list(runs))


def _r(text: str, cites: list[int] | None = None, strong: bool = False) -> Run:
    return Run(text=text, cites=cites or [], strong=strong)


def _sep(ctx: MemoContext) -> str:
    return "；" if ctx.lang == "zh" else "; "


# ---------------------------------------------------------------- 1 overview


def overview(ctx: MemoContext) -> Section:
    say, snap = ctx.say, ctx.snapshot
    unknown = say("overview", "unknown")
    blocks: list = [
        _p(_r(say("overview", "intro", client=snap.client.name, industry=snap.client.industry or unknown,
                  officer=snap.client.officer or unknown, period=ctx.span.label, period_end=ctx.span.end.isoformat(),
                  as_of=ctx.as_of.isoformat())))
    ]
    if not snap.facilities:
        blocks.append(_p(_r(say("overview", "no_facility"))))
        return Section(key="overview", title="", blocks=blocks)
    header = [say("overview", k) for k in ("col_facility", "col_amount", "col_drawn", "col_outstanding",
                                           "col_maturity", "col_rate", "col_repayment")]
    rows = []
    for fac in snap.facilities:
        cites = ctx.cite_record("facility_register", fac.name)
        rec = CellSource(kind="record", cites=cites)

        def amount(v: Decimal | None) -> Cell:
            return Cell(text=money(v, ctx.lang, fac.currency), source=rec) if v is not None else Cell(text="—", missing=unknown)

        rows.append([
            Cell(text=fac.name),
            amount(fac.amount),
            amount(fac.drawn),
            amount(fac.outstanding),
            Cell(text=date_text(fac.maturity_date, ctx.lang), source=rec if fac.maturity_date else None),
            Cell(text=percent(fac.rate, 2), source=rec) if fac.rate is not None else Cell(text="—", missing=unknown),
            Cell(text=repayment_status(ctx, fac), source=rec if fac.schedule else None),
        ])
    blocks.append(Table(caption=say("overview", "facility_table"), header=header, rows=rows,
                        align=["l", "r", "r", "r", "r", "r", "l"]))
    for fac in snap.facilities:
        security = ("；" if ctx.lang == "zh" else "; ").join(s for s in (fac.collateral, fac.guarantors) if s)
        if security:
            blocks.append(_p(_r(say("overview", "security", facility=fac.name, security=security),
                                ctx.cite_record("facility_register", fac.name))))
    return Section(key="overview", title="", blocks=blocks)


def repayment_status(ctx: MemoContext, fac: Facility) -> str:
    """Overdue and late instalments as of the memo date, from the repayment schedule."""
    say, as_of = ctx.say, ctx.as_of
    due = [r for r in fac.schedule if r.due <= as_of]
    if not due:
        return say("overview", "repay_none")
    overdue = [r for r in due if r.paid_on is None or r.paid_on > as_of]
    if overdue:
        worst = max((as_of - r.due).days for r in overdue)
        return say("overview", "repay_overdue", count=len(overdue), days=worst)
    late = [r for r in due if r.paid_on is not None and r.paid_on > r.due]
    if late:
        return say("overview", "repay_late", count=len(late))
    return say("overview", "repay_ok")


# ---------------------------------------------------------------- 2 changes

CHANGE_KEYS = ("revenue", "net_profit", "net_cash_operating", "total_liabilities", "cash", "debt_to_assets",
               "current_ratio", "quick_ratio", "gross_margin", "net_margin", "interest_coverage", "dscr")
MAX_MOVES = 6
MAX_MATERIALITY = Decimal(10)  # a change through zero (+372 %) should not crowd out the rest
#: What a credit officer reads first: the repayment sources and the covenant metrics.
IMPORTANCE = {"revenue": Decimal(2), "net_cash_operating": Decimal("1.5"), "dscr": Decimal("1.5"),
              "current_ratio": Decimal("1.5"), "debt_to_assets": Decimal("1.5"), "net_profit": Decimal("1.2")}


def changes(ctx: MemoContext) -> Section:
    say = ctx.say
    prior = ctx.prior_span or ctx.last_year_span
    if ctx.before is None:
        return Section(key="changes", title="", blocks=[_p(_r(say("changes", "no_prior", prior=prior.label)))])
    items: list[Paragraph] = []
    now, before = ctx.now, ctx.before
    if now.grade and before.grade and now.grade != before.grade:
        worse = _grade_rank(now.grade) > _grade_rank(before.grade)
        items.append(_p(_r(say("changes", "grade_worse" if worse else "grade_better", before=before.grade, after=now.grade)),
                        style="bullet"))
    if now.classification and before.classification and now.classification != before.classification:
        items.append(_p(_r(say("changes", "class_changed", before=before.classification, after=now.classification)),
                        style="bullet"))
    was = {(c.facility, c.covenant.metric): c for c in before.covenants}
    for c in now.covenants:
        old = was.get((c.facility, c.covenant.metric))
        if old is None or c.value is None:
            continue
        key = "covenant_breach_new" if (old.status == "pass" and c.status == "breach") else (
            "covenant_cured" if (old.status == "breach" and c.status == "pass") else None)
        if key:
            items.append(_p(_r(say("changes", key, facility=c.facility, metric=ctx.name(c.covenant.metric),
                                   value=ctx.show(c.covenant.metric, c.value), op=c.operator,
                                   threshold=ctx.show(c.covenant.metric, c.threshold)),
                               ctx.cite_facts(c.inputs)), style="bullet"))
    old_rules = {a.rule for a in before.alerts}
    for alert in now.alerts:
        if alert.rule not in old_rules:
            items.append(_p(_r(say("changes", "new_alert", message=_alert_message(ctx, alert)), _alert_cites(ctx, alert)),
                            style="bullet"))
    new_rules = {a.rule for a in now.alerts}
    for alert in before.alerts:
        if alert.rule not in new_rules:
            items.append(_p(_r(say("changes", "cleared_alert", name=alert.name_zh if ctx.lang == "zh" else alert.name_en)),
                            style="bullet"))
    items.extend(_moves(ctx))
    if not items:
        return Section(key="changes", title="", blocks=[_p(_r(say("changes", "none", prior=before.span.label)))])
    return Section(key="changes", title="", blocks=[_p(_r(say("changes", "intro", prior=before.span.label))), *items])


def _moves(ctx: MemoContext) -> list[Paragraph]:
    """The largest quarter-on-quarter moves among the key figures and ratios, biggest first."""
    basis = "qoq" if ctx.prior_span is not None else "yoy"
    found = []
    for key in CHANGE_KEYS:
        c = compute_change(ctx.snapshot.facts, key, ctx.span, basis, facilities=ctx.snapshot.facilities)
        if c is None or c.absolute is None:
            continue
        size = min(materiality(key, c.absolute, c.relative), MAX_MATERIALITY)
        if size >= 1:
            found.append((size * IMPORTANCE.get(key, 1), CHANGE_KEYS.index(key), c))
    found.sort(key=lambda t: (-t[0], t[1]))
    out = []
    for _, _, c in found[:MAX_MOVES]:
        now, then = ctx.measure(c.key, c.span), ctx.measure(c.key, c.prior_span)
        size = change_text(c.key, c.absolute, c.relative, ctx.lang, ctx.currency)
        word = size_word(c.key, c.absolute, c.relative)
        change_txt = "" if size is None else (f"，幅度 {size}" if ctx.lang == "zh" else f" ({size})")
        text = ctx.say("changes", "move", label=ctx.name(c.key), verb=ctx.say("words", word),
                       prior=ctx.show(c.key, c.prior), current=ctx.show(c.key, c.current), change_text=change_txt)
        out.append(_p(_r(text, sorted(set(now.cites + then.cites))), style="bullet"))
    return out


def _grade_rank(grade: str) -> int:
    """Higher is worse: letters A…E, or numbers 1…10."""
    g = grade.strip().upper()
    if g.isdigit():
        return int(g)
    return ord(g[0]) if g else 0


# ---------------------------------------------------------------- 3 performance

TABLE_KEYS = ("revenue", "net_profit", "net_cash_operating", "cash", "total_assets", "total_liabilities", "total_equity",
              "debt_to_assets", "current_ratio", "quick_ratio", "gross_margin", "net_margin", "interest_coverage",
              "ocf_to_current_liabilities", "dscr")


def performance(ctx: MemoContext) -> Section:
    say = ctx.say
    prior, last_year = ctx.prior_span, ctx.last_year_span
    header = [say("performance", "col_item"), say("performance", "col_current", current=ctx.span.label)]
    if prior is not None:
        header.append(say("performance", "col_prior", prior=prior.label))
    header.append(say("performance", "col_last_year", last_year=last_year.label))
    if prior is not None:
        header.append(say("performance", "col_qoq"))
    header.append(say("performance", "col_yoy"))
    rows = []
    for key in TABLE_KEYS:
        if key == "dscr" and not ctx.snapshot.facilities:
            continue
        spans = [ctx.span] + ([prior] if prior is not None else []) + [last_year]
        measures = [ctx.measure(key, s) for s in spans]
        if all(m.value is None for m in measures):
            continue
        row = [Cell(text=ctx.name(key))] + [_value_cell(ctx, m) for m in measures]
        for basis in (["qoq"] if prior is not None else []) + ["yoy"]:
            row.append(_change_cell(ctx, key, basis))
        rows.append(row)
    notes = [say("performance", "missing_note")]
    if ctx.snapshot.flagged:
        sep = "、" if ctx.lang == "zh" else "; "
        notes.append(say("performance", "unconfirmed_note", statements=sep.join(
            dict.fromkeys(f"{f.document} {ctx.say('words', 'kind_' + f.kind)}" for f in ctx.snapshot.flagged))))
    if ctx.snapshot.pending_corrections:  # maker/checker: shown, never used
        sep = "；" if ctx.lang == "zh" else "; "
        notes.append(say("performance", "pending_note", items=sep.join(
            f"{ctx.name(p.key)} {p.span.label}: "
            + (f"{p.by}提交更正为{'空值' if p.value is None else ctx.show(p.key, p.value)}，尚未确认" if ctx.lang == "zh"
               else f"pending correction to {'null' if p.value is None else ctx.show(p.key, p.value)} by {p.by}, not yet confirmed")
            for p in ctx.snapshot.pending_corrections)))
    blocks: list = [Table(caption=say("performance", "table"), header=header, rows=rows, notes=notes)]
    blocks += [_p(*runs) for runs in (_revenue(ctx), _profit(ctx), _liquidity(ctx), _leverage(ctx), _cash(ctx)) if runs]
    return Section(key="performance", title="", blocks=blocks)


def _value_cell(ctx: MemoContext, m) -> Cell:
    if m.value is None:
        return Cell(text="—", missing=m.reason)
    kind = "formula" if m.formula else "fact"
    mark = ("" if ctx.lang == "zh" else " ") + ctx.say("words", "unconfirmed_mark") if m.unconfirmed else ""  # shown, marked
    return Cell(text=ctx.show(m.key, m.value) + mark, source=CellSource(kind=kind, cites=m.cites, formula=m.formula))


def _change_cell(ctx: MemoContext, key: str, basis: str) -> Cell:
    c = compute_change(ctx.snapshot.facts, key, ctx.span, basis, facilities=ctx.snapshot.facilities)
    if c is None or c.absolute is None:
        return Cell(text="—", missing=None if c is None else c.reason)
    cites = sorted(set(ctx.measure(key, c.span).cites + ctx.measure(key, c.prior_span).cites))
    formula = f"{key}({c.span.label}) − {key}({c.prior_span.label})"
    if ratio_kind(key) != "percent":
        formula = f"({formula}) / |{key}({c.prior_span.label})|"
    return Cell(text=signed_change_text(key, c.absolute, c.relative, ctx.lang, ctx.currency),
                source=CellSource(kind="formula", cites=cites, formula=formula))


def _trend(ctx: MemoContext, key: str, group: str = "performance") -> str:
    """", 较上期上升 2.1个百分点" — the QoQ (or YoY for a year) move of a ratio, or nothing."""
    basis = "qoq" if ctx.prior_span is not None else "yoy"
    c = compute_change(ctx.snapshot.facts, key, ctx.span, basis, facilities=ctx.snapshot.facilities)
    if c is None or c.absolute is None:
        return ""
    word = size_word(key, c.absolute, c.relative)
    suffix = "_yoy" if basis == "yoy" else ""  # the basis is said: 同比 / year on year, never "the prior period"
    if word == "flat":
        return ctx.say(group, f"trend_flat{suffix}")
    return ctx.say(group, f"trend_{word.split('_')[0]}{suffix}",
                   change=change_text(key, c.absolute, c.relative, ctx.lang, ctx.currency) or "")


def _direction_text(ctx: MemoContext, key: str, basis: str) -> str:
    c = compute_change(ctx.snapshot.facts, key, ctx.span, basis, facilities=ctx.snapshot.facilities)
    if c is None:
        return ctx.say("performance", f"{basis}_unknown", reason=ctx.say("words", "missing"))
    if c.absolute is None:
        return ctx.say("performance", f"{basis}_unknown", reason=c.reason or ctx.say("words", "missing"))
    if c.direction == "flat":
        return ctx.say("words", "flat_by")
    size = change_text(key, c.absolute, c.relative, ctx.lang, ctx.currency) or ""
    return ctx.say("words", "up_by" if c.direction == "up" else "down_by", value=size)


def _revenue(ctx: MemoContext) -> list[Run]:
    m = ctx.measure("revenue", ctx.span)
    if m.value is None:
        return [_r(ctx.say("performance", "revenue_unknown", reason=m.reason))]
    yoy = _direction_text(ctx, "revenue", "yoy")
    qoq = _direction_text(ctx, "revenue", "qoq") if ctx.prior_span is not None else ctx.say("performance", "qoq_unknown",
                                                                                              reason="—")
    cites = sorted(set(m.cites + ctx.measure("revenue", ctx.last_year_span).cites
                       + (ctx.measure("revenue", ctx.prior_span).cites if ctx.prior_span else [])))
    return [_r(ctx.say("performance", "revenue", value=ctx.show("revenue", m.value), yoy_text=yoy, qoq_text=qoq), cites)]


def _profit(ctx: MemoContext) -> list[Run]:
    m = ctx.measure("net_profit", ctx.span)
    if m.value is None:
        return [_r(ctx.say("performance", "profit_unknown", reason=m.reason))]
    margin = ctx.measure("net_margin", ctx.span)
    margin_text = ctx.show("net_margin", margin.value) if margin.value is not None else ctx.say("words", "missing")
    key = "profit_loss" if m.value < 0 else "profit"
    runs = [_r(ctx.say("performance", key, value=ctx.show("net_profit", abs(m.value)), margin=margin_text,
                       margin_trend=_trend(ctx, "net_margin")), sorted(set(m.cites + margin.cites)))]
    gross = ctx.measure("gross_margin", ctx.span)
    if gross.value is not None:
        runs.append(_r(("" if ctx.lang == "zh" else " ") + ctx.say("performance", "gross", value=ctx.show("gross_margin", gross.value),
                               trend=_trend(ctx, "gross_margin")), gross.cites))
    return runs


def _liquidity(ctx: MemoContext) -> list[Run]:
    m = ctx.measure("current_ratio", ctx.span)
    if m.value is None:
        return [_r(ctx.say("performance", "liquidity_unknown", reason=m.reason))]
    band = "liquidity_weak" if m.value < 1 else ("liquidity_thin" if m.value < Decimal("1.5") else "liquidity_ok")
    return [_r(ctx.say("performance", band, current_ratio=ctx.show("current_ratio", m.value),
                       trend=_trend(ctx, "current_ratio")), m.cites)]


def _leverage(ctx: MemoContext) -> list[Run]:
    m = ctx.measure("debt_to_assets", ctx.span)
    if m.value is None:
        return [_r(ctx.say("performance", "leverage_unknown", reason=m.reason))]
    band = "leverage_high" if m.value > Decimal("0.7") else ("leverage_mid" if m.value > Decimal("0.5") else "leverage_low")
    return [_r(ctx.say("performance", band, value=ctx.show("debt_to_assets", m.value),
                       trend=_trend(ctx, "debt_to_assets")), m.cites)]


def _cash(ctx: MemoContext) -> list[Run]:
    m = ctx.measure("net_cash_operating", ctx.span)
    if m.value is None:
        return [_r(ctx.say("performance", "cash_unknown", reason=m.reason))]
    profit = ctx.measure("net_profit", ctx.span)
    value = ctx.show("net_cash_operating", m.value)
    if m.value < 0:
        return [_r(ctx.say("performance", "cash_negative", value=value), m.cites)]
    if profit.value is not None and profit.value > 0 and m.value < profit.value:
        return [_r(ctx.say("performance", "cash_below_profit", value=value, profit=ctx.show("net_profit", profit.value)),
                   sorted(set(m.cites + profit.cites)))]
    return [_r(ctx.say("performance", "cash_ok", value=value), m.cites)]


# ---------------------------------------------------------------- 4 covenants


def covenants(ctx: MemoContext) -> Section:
    say = ctx.say
    results = [c for c in ctx.now.covenants if c.status != "not_tested"]
    if not results:
        return Section(key="covenants", title="", blocks=[_p(_r(say("covenants", "none")))])
    header = [say("covenants", k) for k in ("col_facility", "col_metric", "col_threshold", "col_value", "col_status",
                                            "col_headroom", "col_trend")]
    rows, notes = [], []
    for c in results:
        metric = c.covenant.metric
        cites = ctx.cite_facts(c.inputs)
        rec = CellSource(kind="record", cites=ctx.cite_record("facility_register", c.facility))
        rows.append([
            Cell(text=c.facility),
            Cell(text=ctx.name(metric)),
            Cell(text=f"{c.operator} {ctx.show(metric, c.threshold)}", source=rec),
            Cell(text=ctx.show(metric, c.value), source=CellSource(kind="formula", cites=cites, formula=c.formula or metric))
            if c.value is not None else Cell(text="—", missing=_covenant_reason(ctx, c)),
            Cell(text=say("covenants", f"status_{c.status}")),
            Cell(text=percent(c.headroom), source=CellSource(kind="formula", cites=cites,
                                                             formula="(value − threshold) / |threshold|"))
            if c.headroom is not None else Cell(text="—", missing=_covenant_reason(ctx, c)),
            Cell(text=_headroom_series(ctx, c)),
        ])
        notes.extend(_covenant_sentences(ctx, c, cites))
    if all(c.status == "pass" and not c.thin for c in results) and not notes:
        notes.append(_p(_r(say("covenants", "all_pass"))))
    table = Table(caption=say("covenants", "table"), header=header, rows=rows, align=["l", "l", "r", "r", "l", "r", "l"])
    return Section(key="covenants", title="", blocks=[table, *notes])


def _covenant_reason(ctx: MemoContext, c: CovenantResult) -> str | None:
    return (c.reason_zh or c.reason) if ctx.lang == "zh" else c.reason


def _headroom_series(ctx: MemoContext, c: CovenantResult) -> str:
    points = [percent(h) for _, h in c.headroom_trend if h is not None]
    if len(points) < 2:
        return "—"
    word = ctx.say("covenants", f"trend_{c.trend}") if c.trend else ""
    return f"{' → '.join(points)}{'（' + word + '）' if ctx.lang == 'zh' and word else (' (' + word + ')' if word else '')}"


def _covenant_sentences(ctx: MemoContext, c: CovenantResult, cites: list[int]) -> list[Paragraph]:
    say, metric = ctx.say, c.covenant.metric
    common = dict(facility=c.facility, metric=ctx.name(metric))
    if c.status == "unknown":
        return [_p(_r(say("covenants", "unknown", reason=_covenant_reason(ctx, c) or ctx.say("words", "missing"), **common)))]
    if c.status == "unconfirmed":
        return [_p(_r(say("covenants", "unconfirmed", value=ctx.show(metric, c.value), **common), cites, strong=True))]
    out = []
    if c.status == "breach":
        grace = say("covenants", "grace", date=c.cure_by.isoformat()) if c.in_grace and c.cure_by else ""
        out.append(_p(_r(say("covenants", "breach", value=ctx.show(metric, c.value), op=c.operator,
                             threshold=ctx.show(metric, c.threshold), grace=grace, **common), cites, strong=True)))
    elif c.thin:
        out.append(_p(_r(say("covenants", "thin", value=ctx.show(metric, c.value), headroom=percent(c.headroom), **common),
                         cites)))
    if c.trend == "thinning":
        series = " → ".join(percent(h) for _, h in c.headroom_trend if h is not None)
        out.append(_p(_r(say("covenants", "thinning", series=series, **common), cites)))
    return out


# ---------------------------------------------------------------- 5 projects


def projects(ctx: MemoContext) -> Section:
    say = ctx.say
    notes = notes_in(ctx.snapshot, ctx.span)
    blocks: list = []
    if not notes:
        blocks.append(_p(_r(say("projects", "none"))))
        earlier = sorted((n for n in ctx.snapshot.notes if n.visit_date and n.visit_date < ctx.span.start),
                         key=lambda n: n.visit_date)
        if earlier:
            latest = earlier[-1]
            blocks.append(_p(_r(say("projects", "latest_before", date=latest.visit_date.isoformat()), _note_cite(ctx, latest))))
            blocks.extend(_note_blocks(ctx, latest))
        return Section(key="projects", title="", blocks=blocks)
    for note in notes:
        blocks.extend(_note_blocks(ctx, note))
    return Section(key="projects", title="", blocks=blocks)


def _note_cite(ctx: MemoContext, note: InspectionNote) -> list[int]:
    detail = note.visit_date.isoformat() if note.visit_date else ""
    if note.document:
        return ctx.cite(note.document, note.page, detail)
    return ctx.cite_record("note_register", detail)


def _note_blocks(ctx: MemoContext, note: InspectionNote) -> list[Paragraph]:
    say, lang = ctx.say, ctx.lang
    unknown = say("overview", "unknown")
    cites = _note_cite(ctx, note)
    parts = [say("projects", "visit", date=date_text(note.visit_date, lang), inspector=note.inspector or unknown,
                 site=note.site or unknown)]
    actual, planned = note.progress_actual, note.progress_planned
    if actual is not None and planned is not None:
        gap = planned - actual
        pp = lambda v: f"{abs(v):.1f}个百分点" if lang == "zh" else f"{abs(v):.1f} pp"  # noqa: E731
        key = "progress_behind" if gap >= 2 else ("progress_ahead" if gap <= -2 else "progress_on")
        parts.append(say("projects", key, actual=f"{actual:.1f}%", planned=f"{planned:.1f}%", gap=pp(gap)))
    elif actual is not None:
        parts.append(say("projects", "progress_only", actual=f"{actual:.1f}%"))
    spent, budget = note.cost_spent, note.cost_budget
    if spent is not None and budget:
        share = spent / budget
        if spent > budget:
            parts.append(say("projects", "cost_over", spent=money(spent, lang), budget=money(budget, lang),
                             over=money(spent - budget, lang)))
        elif actual is not None and share * 100 - actual >= 10:
            parts.append(say("projects", "cost_high", spent=money(spent, lang), budget=money(budget, lang), share=percent(share)))
        else:
            parts.append(say("projects", "cost_ok", spent=money(spent, lang), budget=money(budget, lang), share=percent(share)))
    status = note.operating_status or "unknown"
    parts.append(say("projects", f"status_{status if status in ('normal', 'reduced', 'stopped') else 'unknown'}"))
    out = [_p(_r(("" if lang == "zh" else " ").join(parts), cites))]
    if note.problems:
        out.append(_p(_r(say("projects", "problems"))))
        out.extend(_p(_r(say("projects", "quote", text=problem), cites), style="quote") for problem in note.problems)
    return out


# ---------------------------------------------------------------- 6 warnings


def _alert_message(ctx: MemoContext, alert) -> str:
    return alert.message_zh if ctx.lang == "zh" else alert.message_en


def _alert_cites(ctx: MemoContext, alert) -> list[int]:
    out: list[int] = []
    for document, page in alert.evidence:
        out += [n for n in ctx.cite(document, page) if n not in out]
    return sorted(out)


def warnings(ctx: MemoContext) -> Section:
    say = ctx.say
    alerts = ctx.now.alerts
    if not alerts:
        return Section(key="warnings", title="", blocks=[_p(_r(say("warnings", "none")))])
    high = sum(1 for a in alerts if a.severity == "high")
    rows = []
    for alert in alerts:
        name = alert.name_zh if ctx.lang == "zh" else alert.name_en
        cites = _alert_cites(ctx, alert)
        rows.append([
            Cell(text=say("warnings", f"severity_{alert.severity}")),
            Cell(text=f"{name}：{_alert_message(ctx, alert)}" if ctx.lang == "zh" else f"{name}: {_alert_message(ctx, alert)}"),
            Cell(text="", source=CellSource(kind="formula", cites=cites, formula=alert.rule)) if cites else Cell(text="—"),
        ])
    header = [say("warnings", k) for k in ("col_severity", "col_signal", "col_evidence")]
    return Section(key="warnings", title="", blocks=[
        _p(_r(say("warnings", "summary", count=len(alerts), high=high))),
        Table(caption=say("warnings", "table"), header=header, rows=rows, align=["l", "l", "l"]),
    ])


# ---------------------------------------------------------------- 7 grade


def grade(ctx: MemoContext) -> Section:
    say, now = ctx.say, ctx.now
    blocks: list = []
    if now.grade is None:
        blocks.append(_p(_r(say("grade", "grade_unknown", reason=now.grade_reason_missing or say("words", "missing")))))
    else:
        score = say("grade", "score_text", score=now.score) if now.score is not None else ""
        blocks.append(_p(_r(say("grade", "grade", grade=now.grade, score_text=score), strong=True)))
        if now.grade_reasons:
            blocks.append(_p(_r(say("grade", "reasons"))))
            blocks.extend(_p(_r(reason), style="bullet") for reason in now.grade_reasons)
    if now.classification is None:
        blocks.append(_p(_r(say("grade", "class_unknown", reason=say("words", "missing")))))
    else:
        blocks.append(_p(_r(say("grade", "classification", category=now.classification), strong=True)))
        blocks.extend(_p(_r(reason), style="bullet") for reason in now.classification_reasons)
    return Section(key="grade", title="", blocks=blocks)


# ---------------------------------------------------------------- 8 actions

#: Which levers a warning rule calls for (rule ids of assistant/analytics/rules.yaml; a
#: user's own rules fall back on their severity).
ACTIONS_BY_RULE: dict[str, tuple[str, ...]] = {
    "revenue_decline": ("closer_monitoring", "more_reporting"),
    "ocf_negative": ("closer_monitoring", "renegotiate"),
    "ocf_decline": ("more_reporting", "renegotiate"),
    "leverage_rising": ("closer_monitoring", "collateral"),
    "leverage_high": ("collateral", "reduce_exposure"),
    "liquidity_falling": ("closer_monitoring", "more_reporting"),
    "liquidity_low": ("collateral", "renegotiate"),
    "covenant_breach": ("covenant_waiver", "collateral"),
    "covenant_headroom_thin": ("closer_monitoring",),
    "dscr_low": ("renegotiate", "reduce_exposure"),
    "construction_delay": ("site_visit", "closer_monitoring"),
    "cost_overrun": ("site_visit", "collateral"),
    "operations_stopped": ("site_visit", "reduce_exposure"),
    "operations_reduced": ("site_visit", "closer_monitoring"),
    "statements_late": ("chase_statements", "more_reporting"),
    "source_contradiction": ("verify_sources", "site_visit"),
    "repayment_overdue": ("renegotiate", "closer_monitoring"),
    "repayment_overdue_90": ("renegotiate", "collateral", "reduce_exposure"),
    "inspection_overdue": ("site_visit",),
    "adverse_words": ("verify_sources", "site_visit"),
    "note_contradicts_decline": ("verify_sources", "site_visit"),
}
_BY_SEVERITY = {"high": ("closer_monitoring", "more_reporting"), "medium": ("closer_monitoring",), "low": ()}
ACTION_ORDER = ("reduce_exposure", "covenant_waiver", "renegotiate", "collateral", "verify_sources", "site_visit",
                "chase_statements", "more_reporting", "closer_monitoring")


def actions(ctx: MemoContext) -> Section:
    say = ctx.say
    wanted: dict[str, list] = {}
    for alert in ctx.now.alerts:
        for action in ACTIONS_BY_RULE.get(alert.rule, _BY_SEVERITY[alert.severity]):
            wanted.setdefault(action, []).append(alert)
    blocks: list = []
    if not wanted:
        strong = ctx.now.grade is not None and _grade_rank(ctx.now.grade) <= _grade_rank("B")
        passes = all(c.status == "pass" for c in ctx.now.covenants)
        key = "support" if strong and passes else "maintain"
        return Section(key="actions", title="", blocks=[_p(_r(say("actions", key)), style="bullet")])
    blocks.append(_p(_r(say("actions", "intro"))))
    for action in ACTION_ORDER:
        if action not in wanted:
            continue
        names = []
        for alert in wanted[action]:
            name = alert.name_zh if ctx.lang == "zh" else alert.name_en
            if name not in names:
                names.append(name)
        basis = say("actions", "basis", signals=("、" if ctx.lang == "zh" else ", ").join(names))
        blocks.append(_p(_r(say("actions", action), strong=True), _r(("" if ctx.lang == "zh" else " ") + basis),
                         style="bullet"))
    return Section(key="actions", title="", blocks=blocks)


# ---------------------------------------------------------------- 8b warnings handled as work


#: the action keys of assistant.workitems.ACTIONS, as the phrasebook names them
WORK_ACTIONS = ("closer_monitoring", "extra_reporting", "restructuring", "collateral", "exposure_reduction")


def warning_work(ctx: MemoContext) -> Section:
    """Open and resolved warning items (acknowledged, assigned, resolved with the action taken).

    No blocks when the client has none: the builder leaves the section out.
    """
    say, items = ctx.say, ctx.snapshot.work_items
    if not items:
        return Section(key="work", title="", blocks=[])
    open_items = [i for i in items if i.status != "resolved"]
    done = [i for i in items if i.status == "resolved"]
    rows = []
    for i in [*open_items, *done]:
        state = say("work", f"state_{i.status}")
        who = i.assignee or "—"
        if i.status == "resolved":
            action = say("work", f"action_{i.action_taken}") if i.action_taken in WORK_ACTIONS else (i.action_taken or "")
            what = say("work", "resolved", action=action, note=i.resolution or "", by=i.resolved_by or "",
                       on=date_text(i.resolved_on, ctx.lang) if i.resolved_on else "")
        else:
            what = "—"
        rows.append([Cell(text=i.ref), Cell(text=state), Cell(text=f"{i.period} {i.message}"), Cell(text=who), Cell(text=what)])
    header = [say("work", k) for k in ("col_ref", "col_state", "col_signal", "col_owner", "col_action")]
    return Section(key="work", title="", blocks=[
        _p(_r(say("work", "summary", open=len(open_items), resolved=len(done)))),
        Table(caption=say("work", "table"), header=header, rows=rows, align=["l", "l", "l", "l", "l"]),
    ])


def sources(ctx: MemoContext) -> Section:
    return Section(key="sources", title="", blocks=[_p(_r(ctx.say("sources", "intro")))])


SECTION_WRITERS = (overview, changes, performance, covenants, projects, warnings, grade, actions, warning_work, sources)
