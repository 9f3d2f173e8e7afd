"""Status questions about one client: grade, covenants, warnings, latest figures, last inspection, the loan (limit,
maturity, arrears), collateral and guarantees,
or (how is it doing?) all of them as a briefing (``assistant.chat.briefing``).

Everything comes from ``assistant.analytics`` over the client's snapshot at its latest
monitoring span (or the period asked), with the documents and pages behind each statement.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.chat import lexicon as lx
from assistant.chat.answer import Answer, Citation
from assistant.chat.builtin import cite_facts
from assistant.chat.portfolio import latest_span
from assistant.chat.resolve import describe
from assistant.chat.understand import ParsedQuestion
from assistant.domain import ClientSnapshot, Span

_KEY_FIGURES = ("revenue", "net_profit", "net_cash_operating", "total_assets", "total_liabilities")
_KEY_RATIOS = ("debt_to_assets", "current_ratio")


def answer_status(p: ParsedQuestion, snap: ClientSnapshot) -> Answer:
    zh = p.lang == "zh"
    name = snap.client.name
    if p.status_topic == "inspection":
        return _inspection(p, snap)
    if p.status_topic == "securities":
        return _securities(p, snap)
    if p.status_topic == "facility":
        return _facility(p, snap)
    span = latest_span(snap, p.period if p.period.given else None)
    if span is None:
        return Answer(answer=f"{name}没有存储任何财务数据。" if zh else f"No financial figures are stored for {name}.",
                      missing=["figures"])
    when = describe(span, p.lang)
    if p.status_topic == "overview":
        from assistant.chat.briefing import answer_briefing

        return answer_briefing(p, snap, span)
    if p.status_topic == "grade":
        from assistant.analytics.assessment import assess

        a = assess(snap, span)
        reasons = "；".join(a.grade.reasons[-3:]) if zh else "; ".join(a.grade.reasons[-3:])
        cls = a.classification.category if zh else a.classification.english
        text = (f"{name}{when}的风险评级为{a.grade.letter}（{a.grade.points}/{a.grade.max_points}分）。{reasons}"
                + (f"。五级分类建议（供信贷员参考）：{cls}" if cls else "")) if zh else (
                f"{name}'s risk grade for {when} is {a.grade.letter} ({a.grade.points}/{a.grade.max_points} points). {reasons}"
                + (f". Classification suggestion for the officer: {cls}" if cls else ""))
        facts = [f for factor in a.grade.factors for f in factor.inputs]
        return Answer(answer=text, citations=cite_facts(facts))
    if p.status_topic == "covenants":
        from assistant.analytics.covenants import check_covenants

        results = check_covenants(snap.facts, snap.facilities, span, as_of=snap.as_of)
        if not results:
            return Answer(answer=f"{name}没有登记贷款契约。" if zh else f"No covenants are recorded for {name}.",
                          missing=["covenants"])
        lines, facts = [], []
        for r in results:
            label = lx.display_name(r.covenant.metric, p.lang)
            value = "—" if r.value is None else f"{r.value:.2f}"
            status = {"pass": "满足", "breach": "违反", "unknown": "无法检验", "not_tested": "本期不检验",
                      "unconfirmed": "未确认"}.get(r.status, r.status) if zh else r.status
            extra = f"（{r.reason}）" if zh and r.reason else (f" ({r.reason})" if r.reason else "")
            lines.append(f"{r.facility} {label} {value} {r.operator} {r.threshold}：{status}{extra}" if zh
                         else f"{r.facility} {label} {value} {r.operator} {r.threshold}: {status}{extra}")
            facts += r.inputs
        head = f"{name}{when}契约检验：\n" if zh else f"{name} covenants for {when}:\n"
        return Answer(answer=head + "\n".join(lines), citations=cite_facts(facts))
    if p.status_topic == "warnings":
        from assistant.analytics.warnings import evaluate

        alerts = evaluate(snap, span)
        if not alerts:
            return Answer(answer=f"{name}{when}没有预警。" if zh else f"No warnings for {name} for {when}.")
        lines = [f"[{a.severity}] {a.message_zh if zh else a.message_en}" for a in alerts]
        cites = [Citation(document=d, page=pg, quote=a.name_zh if zh else a.name_en) for a in alerts for d, pg in a.evidence if d]
        return Answer(answer=(f"{name}{when}的预警：\n" if zh else f"Warnings for {name} for {when}:\n") + "\n".join(lines),
                      value=Decimal(len(alerts)), unit="amount", citations=cites)
    return _figures(p, snap, span)


def _figures(p: ParsedQuestion, snap: ClientSnapshot, span: Span) -> Answer:
    from assistant.chat.builtin import fmt_number, metric_value

    zh = p.lang == "zh"
    lines, facts = [], []
    for key in (*_KEY_FIGURES, *_KEY_RATIOS):
        at = Span(span.end) if key in ("total_assets", "total_liabilities", *_KEY_RATIOS) else span
        r = metric_value(snap, key, at, zh)
        label = lx.display_name(key, p.lang)
        if r.value is None:
            lines.append(f"{label}：未存储" if zh else f"{label}: not stored")
            continue
        lines.append(f"{label}：{fmt_number(r.value, r.unit, None)}{'%' if r.unit == 'percent' else ''}" if zh
                     else f"{label}: {fmt_number(r.value, r.unit, None)}{'%' if r.unit == 'percent' else ''}")
        facts += r.facts
    head = f"{snap.client.name}最新财务数据（{describe(span, p.lang)}）：\n" if zh else \
        f"Latest figures for {snap.client.name} ({describe(span, p.lang)}):\n"
    return Answer(answer=head + "\n".join(lines), citations=cite_facts(facts))


def _inspection(p: ParsedQuestion, snap: ClientSnapshot) -> Answer:
    zh = p.lang == "zh"
    found = inspection_text(snap, zh)
    if found is None:
        return Answer(answer=f"{snap.client.name}没有存储现场检查记录。" if zh else f"No inspection notes are stored for {snap.client.name}.",
                      missing=["inspection notes"])
    text, cites = found
    return Answer(answer=text, citations=cites)


def _facility(p: ParsedQuestion, snap: ClientSnapshot) -> Answer:
    """Each facility's limit, drawn, outstanding, maturity, next instalment and arrears (``analytics.book``), the
    part asked about first. From the facility records and their repayment schedules, as of the assessment date."""
    from assistant.analytics.book import exposures
    from assistant.chat.portfolio_answers import _money

    zh = p.lang == "zh"
    name, day = snap.client.name, snap.as_of
    rows = exposures(snap)
    if not rows:
        return Answer(answer=f"{name}没有登记贷款（贷款台账中无记录）。" if zh else f"No facility is recorded for {name}.",
                      missing=["facilities"])
    low = p.text.lower()
    lead = []
    if any(w in low for w in lx.ARREARS_WORDS):
        late = [e for e in rows if e.days_past_due > 0]
        if not late:
            lead.append(f"截至 {day.isoformat()}，{name}没有逾期的本息。" if zh else f"As of {day.isoformat()}, nothing {name} owes is overdue.")
        for e in late:
            lead.append(f"{e.facility}逾期 {e.days_past_due} 天，逾期本息 {_money(e.overdue_amount, zh, e.currency)}（截至 {day.isoformat()}）。" if zh
                        else f"{e.facility} is {e.days_past_due} days past due, {_money(e.overdue_amount, zh, e.currency)} overdue (as of {day.isoformat()}).")
    if any(w in low for w in lx.MATURITY_WORDS):
        for e in rows:
            if e.maturity is None:
                lead.append(f"{e.facility}没有登记到期日。" if zh else f"{e.facility} has no maturity date recorded.")
                continue
            years = Decimal((e.maturity - day).days) / Decimal("365.25")
            left = f"{years.quantize(Decimal('0.1'))}"
            lead.append(f"{e.facility}到期日 {e.maturity.isoformat()}（剩余约 {left} 年）。" if zh and years > 0 else
                        f"{e.facility}已于 {e.maturity.isoformat()} 到期。" if zh else
                        f"{e.facility} matures on {e.maturity.isoformat()} (about {left} years left)." if years > 0 else
                        f"{e.facility} matured on {e.maturity.isoformat()}.")
    lines = []
    for e in rows:
        basis = {"outstanding": "", "drawn": "（按已提款）", "schedule": "（按还款计划推算）", "limit": "（按额度，未提供余额）"}[e.basis] if zh else \
            {"outstanding": "", "drawn": " (the drawn amount)", "schedule": " (from the repayment schedule)",
             "limit": " (the limit: no balance given)"}[e.basis]
        parts = [f"额度 {_money(e.limit, zh, e.currency)}" if zh else f"limit {_money(e.limit, zh, e.currency)}"]
        if e.drawn is not None:
            parts.append(f"已提款 {_money(e.drawn, zh, e.currency)}" if zh else f"drawn {_money(e.drawn, zh, e.currency)}")
        parts.append(f"余额 {_money(e.exposure, zh, e.currency)}{basis}" if zh else f"outstanding {_money(e.exposure, zh, e.currency)}{basis}")
        if e.maturity is not None:
            parts.append(f"到期日 {e.maturity.isoformat()}" if zh else f"maturity {e.maturity.isoformat()}")
        if e.next_due is not None:
            parts.append(f"下一期 {e.next_due.isoformat()} 应还本息 {_money(e.next_amount, zh, e.currency)}" if zh
                         else f"next instalment {e.next_due.isoformat()}, {_money(e.next_amount, zh, e.currency)}")
        late = (f"逾期 {e.days_past_due} 天" if zh else f"{e.days_past_due} days past due") if e.days_past_due else None
        parts.append(late or ("无逾期" if zh else "nothing overdue"))
        lines.append(f"{e.facility}：" + "，".join(parts) if zh else f"{e.facility}: " + ", ".join(parts))
    source = (f"来源：贷款台账及还款计划（截至 {day.isoformat()}）。" if zh
              else f"Source: the facility records and their repayment schedules (as of {day.isoformat()}).")
    return Answer(answer="\n".join([*lead, *lines, source]))


def _securities(p: ParsedQuestion, snap: ClientSnapshot) -> Answer:
    """The collateral and guarantees recorded for each facility, their values and valuation dates, and the
    collateral's cover of the exposure (``analytics.book``: a stale or missing valuation is said, never dropped)."""
    from assistant.analytics.book import exposures, valuation_problems
    from assistant.chat.portfolio_answers import _money

    zh = p.lang == "zh"
    name = snap.client.name
    rows = exposures(snap)
    if not any(e.securities for e in rows) and not any(f.collateral or f.guarantors for f in snap.facilities):
        return Answer(answer=f"{name}的贷款台账中没有登记担保或抵质押。" if zh else f"No collateral or guarantee is recorded for {name}'s facilities.",
                      missing=["securities"])
    lines = []
    for e, fac in zip(rows, snap.facilities):
        items = []
        for s in e.securities:
            kind = ("抵质押" if s.kind == "collateral" else "保证") if zh else s.kind
            value = _money(s.value, zh, s.currency) if s.value is not None else ("未登记价值" if zh else "no value recorded")
            dated = (f"，评估日 {s.valuation_date.isoformat()}" if zh else f", valued {s.valuation_date.isoformat()}") if s.valuation_date else ""
            who = (f"（{'提供方' if s.kind == 'collateral' else '保证人'} {s.provider}）" if zh else f" ({s.provider})") if s.provider else ""
            items.append(f"{kind}：{s.description or '—'}{who}，{value}{dated}" if zh else f"{kind}: {s.description or '—'}{who}, {value}{dated}")
        if not e.securities:  # only the facility's free-text fields
            items += [f"抵质押：{fac.collateral}" if zh else f"collateral: {fac.collateral}"] if fac.collateral else []
            items += [f"保证：{fac.guarantors}" if zh else f"guarantee: {fac.guarantors}"] if fac.guarantors else []
        cover = ""
        if e.coverage is not None:
            pct = (e.coverage * 100).quantize(Decimal("0.1"))
            cover = (f"抵质押物价值覆盖敞口 {pct}%（敞口 {_money(e.exposure, zh, e.currency)}）" if zh
                     else f"collateral covers {pct}% of the exposure ({_money(e.exposure, zh, e.currency)})")
        notes, foreign = [], set()
        for x, problem in valuation_problems(fac, snap.as_of):  # analytics.book's judgement, in the answer's language
            label = x.description or x.provider or x.kind
            if id(x) in foreign:
                continue  # valued in another currency: that is what the officer needs to know about it
            if problem == "currency":
                foreign.add(id(x))
                notes.append(f"{label}以{x.currency}计价，未计入覆盖率（不做汇率换算）" if zh
                             else f"{label} is valued in {x.currency}: not counted in the cover (no exchange rate is kept)")
            elif problem == "no_date":
                notes.append(f"{label}没有评估日期" if zh else f"{label} has no valuation date")
            elif problem == "stale":
                notes.append(f"{label}的评估日 {x.valuation_date.isoformat()} 已超过一年，价值可能已变化" if zh
                             else f"{label} was valued {x.valuation_date.isoformat()}, more than a year ago: its value may have changed")
        sep = "；" if zh else "; "
        line = f"{fac.name}：" + sep.join(items + ([cover] if cover else [])) if zh else f"{fac.name}: " + sep.join(items + ([cover] if cover else []))
        if notes:
            line += ("。注意：" if zh else ". Note: ") + sep.join(notes)
        lines.append(line)
    head = f"{name}的担保与抵质押（来源：贷款台账）：" if zh else f"Collateral and guarantees of {name} (source: the facility records):"
    return Answer(answer=head + "\n" + "\n".join(lines))


_OPERATING_ZH = {"normal": "正常", "reduced": "减产或部分停工", "stopped": "停产", "unknown": "未说明"}
_OPERATING_EN = {"normal": "normal", "reduced": "reduced or partly stopped", "stopped": "stopped", "unknown": "not stated"}


def inspection_text(snap: ClientSnapshot, zh: bool) -> tuple[str, list[Citation]] | None:
    """The latest inspection note as a sentence (date, inspector, progress, status, problems) and its citation."""
    notes = [n for n in snap.notes if n.visit_date is not None]
    if not notes:
        return None
    note = max(notes, key=lambda n: n.visit_date)
    problems = ("；".join(note.problems) if zh else "; ".join(note.problems)) or ("未记录问题" if zh else "none recorded")
    parts = []
    if note.progress_actual is not None:
        planned = f"（计划 {note.progress_planned}%）" if zh and note.progress_planned is not None else (
            f" (planned {note.progress_planned}%)" if note.progress_planned is not None else "")
        parts.append(f"进度 {note.progress_actual}%{planned}" if zh else f"progress {note.progress_actual}%{planned}")
    if note.operating_status:
        shown = _OPERATING_ZH.get(note.operating_status, note.operating_status) if zh else \
            _OPERATING_EN.get(note.operating_status, note.operating_status)
        parts.append(f"经营状态：{shown}" if zh else f"operating status: {shown}")
    if zh:
        detail = ("，".join(parts) + "。") if parts else ""
        text = f"{snap.client.name}最近一次现场检查：{note.visit_date.isoformat()}" + (f"，检查人 {note.inspector}" if note.inspector else "") \
            + f"。{detail}发现的问题：{problems}。"
    else:
        detail = (", ".join(parts)[:1].upper() + ", ".join(parts)[1:] + ". ") if parts else ""
        text = f"Last inspection of {snap.client.name}: {note.visit_date.isoformat()}" + (f" by {note.inspector}" if note.inspector else "") \
            + f". {detail}Problems found: {problems}."
    cites = [Citation(document=note.document, page=note.page, quote=(note.problems[0] if note.problems else note.text[:160]))] \
        if note.document else []
    return text, cites

