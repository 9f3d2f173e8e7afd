"""How is a client doing? A credit officer's briefing, every statement computed and cited.

``answer_briefing(question, snapshot, span)`` runs ``assistant.analytics.assess`` at the
monitoring span and says, in the question's language:
``headline → grade and suggested classification → covenants (breaches and thin headroom
first) → warnings (most severe first) → key changes (revenue, net profit, operating cash
flow year on year; leverage and liquidity against a year earlier) → last inspection``,
each line with the documents and pages behind it. The answer is narrative: ``value`` stays null.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.analytics.assessment import Assessment, assess
from assistant.chat import lexicon as lx
from assistant.chat.answer import Answer, Citation
from assistant.chat.builtin import cite_facts, fmt_number, metric_value, printed_facts
from assistant.chat.resolve import describe
from assistant.chat.understand import ParsedQuestion
from assistant.domain import ClientSnapshot, Fact, Span

_FLOWS = ("revenue", "net_profit", "net_cash_operating")
_BALANCES = ("debt_to_assets", "current_ratio")
_SEVERITY = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}
_RANK = {"high": 0, "medium": 1, "low": 2}
_COVENANT_RANK = {"breach": 0, "unconfirmed": 1, "unknown": 2, "pass": 3, "not_tested": 4}
_HUNDRED = Decimal(100)


def answer_briefing(p: ParsedQuestion, snap: ClientSnapshot, span: Span) -> Answer:
    zh = p.lang == "zh"
    a = assess(snap, span)
    cites: list[Citation] = []
    lines = []
    for step in (_grade, _covenants, _warnings, _changes, _inspection):
        text, more = step(a, snap, p)
        lines.append(text)
        cites += [c for c in more if c not in cites]
    when = describe(a.span, p.lang)
    as_of = "" if snap.as_of is None else (f"，数据截至{snap.as_of.isoformat()}" if zh else f", as of {snap.as_of.isoformat()}")
    head = f"{snap.client.name}贷后简报（{when}{as_of}）：{_headline(a, zh)}" if zh else \
        f"{snap.client.name} — monitoring briefing for {when}{as_of}: {_headline(a, zh)}"
    numbered = [f"{i}. {line}" for i, line in enumerate(lines, 1)]
    return Answer(answer="\n".join([head, *numbered]), citations=cites)


# ---------------------------------------------------------------- steps
def _headline(a: Assessment, zh: bool) -> str:
    breaches = [r for r in a.covenants if r.status == "breach"]
    thin = [r for r in a.covenants if r.thin]
    high = [x for x in a.alerts if x.severity == "high"]
    if zh:
        parts = [f"违反契约{len(breaches)}项"] if breaches else []
        parts += [f"契约余量偏薄{len(thin)}项"] if thin else []
        parts += [f"高风险预警{len(high)}条"] if high else []
        return ("需重点关注：" + "、".join(parts) + "。") if parts else "未发现契约违反或高风险预警。"
    parts = [f"{len(breaches)} covenant breach(es)"] if breaches else []
    parts += [f"{len(thin)} covenant(s) with thin headroom"] if thin else []
    parts += [f"{len(high)} high-severity warning(s)"] if high else []
    return ("Needs attention: " + ", ".join(parts) + ".") if parts else "No covenant breach and no high-severity warning."


def _grade(a: Assessment, snap: ClientSnapshot, p: ParsedQuestion) -> tuple[str, list[Citation]]:
    zh = p.lang == "zh"
    g, c = a.grade, a.classification
    scored = [f for f in g.factors if f.points is not None and f.max_points]
    weakest = sorted((f for f in scored if f.points < f.max_points / 2), key=lambda f: f.points / f.max_points)[:3]
    why = "；".join(f"{f.name_zh}：{f.explanation_zh or f.explanation}" for f in weakest) if zh else \
        "; ".join(f"{lx.display_name(f.key, 'en')}: {f.explanation}" for f in weakest)
    cls_why = "；".join(c.reasons_zh or c.reasons) if zh else "; ".join(c.reasons)
    if zh:
        text = f"风险评级 {g.letter}（{g.points}/{g.max_points}分）" + (f"，主要扣分项：{why}" if why else "") \
            + f"。五级分类建议：{c.category}（{c.label_zh}）" + (f"，依据：{cls_why}" if cls_why else "") + "。"
    else:
        text = f"Risk grade {g.letter} ({g.points}/{g.max_points} points)" + (f"; weakest factors: {why}" if why else "") \
            + f". Suggested five-category classification: {c.category} ({c.english}) — {c.label_en}" \
            + (f"; because {cls_why}" if cls_why else "") + "."
    return text, cite_facts([f for factor in weakest for f in factor.inputs])


_COVENANT_STATUS = {"pass": ("满足", "met"), "breach": ("违反", "BREACHED"), "unknown": ("无法检验", "cannot be tested"),
                    "not_tested": ("本期不检验", "not tested this period"), "thin": ("满足但余量偏薄", "met, but headroom is thin"),
                    "unconfirmed": ("未确认（数据待复核）", "unconfirmed (figures flagged for review)")}
_TREND = {"thinning": ("余量收窄", "headroom narrowing"), "widening": ("余量扩大", "headroom widening")}


def _covenants(a: Assessment, snap: ClientSnapshot, p: ParsedQuestion) -> tuple[str, list[Citation]]:
    zh = p.lang == "zh"
    if not a.covenants:
        return ("契约：未登记贷款契约。" if zh else "Covenants: none recorded."), []
    at = 0 if zh else 1
    ordered = sorted(a.covenants, key=lambda r: (1 if r.thin else _COVENANT_RANK.get(r.status, 3), r.facility))
    parts, facts = [], []
    for r in ordered:
        label = lx.display_name(r.covenant.metric, p.lang)
        value = "—" if r.value is None else _ratio(r.covenant.metric, r.value)
        rule = f"{r.operator} {_ratio(r.covenant.metric, r.threshold)}"
        status = _COVENANT_STATUS.get("thin" if r.thin else r.status, (r.status, r.status))[at]
        if r.headroom is not None and r.status in ("pass", "breach"):
            detail = [f"余量{r.headroom:.1%}" if zh else f"headroom {r.headroom:.1%}"]
        else:
            detail = [x for x in [(r.reason_zh or r.reason) if zh else r.reason] if x]
        detail += [_TREND[r.trend][at]] if r.trend in _TREND else []
        said = "，".join([status, *detail]) if zh else ", ".join([status, *detail])
        parts.append(f"{r.facility} {label} {value}（约定{rule}）：{said}{_where(r.inputs, zh)}" if zh
                     else f"{r.facility} {label} {value} (required {rule}): {said}{_where(r.inputs, zh)}")
        facts += r.inputs
    return (("契约：" + "；".join(parts) + "。") if zh else ("Covenants: " + "; ".join(parts) + ".")), cite_facts(facts)


def _warnings(a: Assessment, snap: ClientSnapshot, p: ParsedQuestion) -> tuple[str, list[Citation]]:
    zh = p.lang == "zh"
    if not a.alerts:
        return ("预警：无。" if zh else "Warnings: none."), []
    ordered = sorted(a.alerts, key=lambda x: _RANK.get(x.severity, 3))
    parts, cites = [], []
    for x in ordered:
        sev = _SEVERITY.get(x.severity, (x.severity, x.severity))[0 if zh else 1]
        seen = [(d, pg) for d, pg in dict.fromkeys(x.evidence) if d]
        where = _pages(seen, zh)
        parts.append(f"[{sev}] {x.message_zh if zh else x.message_en}{where}")
        cites += [Citation(document=d, page=pg, quote=x.name_zh if zh else x.name_en) for d, pg in seen]
    head = f"预警{len(ordered)}条：" if zh else f"Warnings ({len(ordered)}): "
    return head + ("；".join(parts) + "。" if zh else "; ".join(parts) + "."), cites


def _changes(a: Assessment, snap: ClientSnapshot, p: ParsedQuestion) -> tuple[str, list[Citation]]:
    zh = p.lang == "zh"
    parts, facts = [], []
    for key in _FLOWS:
        text, used = _change(snap, key, a.span, zh)
        parts.append(text)
        facts += used
    for key in _BALANCES:
        text, used = _change(snap, key, Span(a.span.end), zh)
        parts.append(text)
        facts += used
    text = ("主要变化：" + "；".join(parts) + "。") if zh else ("Key changes: " + "; ".join(parts) + ".")
    return text, cite_facts(facts)


def _change(snap: ClientSnapshot, key: str, span: Span, zh: bool) -> tuple[str, list[Fact]]:
    """One metric now and a year earlier: growth for flows, the change for ratios, with their pages."""
    label = lx.display_name(key, "zh" if zh else "en")
    now = metric_value(snap, key, span, zh)
    if now.value is None:
        return (f"{label}未存储" if zh else f"{label} not stored"), now.facts
    shown = _shown(now.value, now.unit)
    before = metric_value(snap, key, span.same_span_last_year(), zh)
    used = now.facts + [f for f in before.facts if f not in now.facts]
    if before.value is None:
        return (f"{label} {shown}（上年同期未存储）{_where(now.facts, zh)}" if zh
                else f"{label} {shown} (a year earlier: not stored){_where(now.facts, zh)}"), used
    was = _shown(before.value, before.unit)
    if key in lx.RATIO_BY_KEY:
        diff = now.value - before.value
        if now.unit == "percent":
            delta = f"{diff:+.2f}个百分点" if zh else f"{diff:+.2f} percentage points"
        else:
            delta = f"{diff:+.2f}"
        return (f"{label} {shown}（上年同期 {was}，{delta}）{_where(used, zh)}" if zh
                else f"{label} {shown} (a year earlier {was}, {delta}){_where(used, zh)}"), used
    if before.value == 0:
        return (f"{label} {shown}（上年同期为零，无法计算同比）" if zh
                else f"{label} {shown} (zero a year earlier: growth undefined)"), used
    growth = (now.value - before.value) / abs(before.value) * _HUNDRED
    return (f"{label} {shown}，同比{growth:+.2f}%（上年同期 {was}）{_where(used, zh)}" if zh
            else f"{label} {shown}, {growth:+.2f}% year on year (a year earlier {was}){_where(used, zh)}"), used


def _inspection(a: Assessment, snap: ClientSnapshot, p: ParsedQuestion) -> tuple[str, list[Citation]]:
    from assistant.chat.status import inspection_text

    zh = p.lang == "zh"
    found = inspection_text(snap, zh)
    if found is None:
        return ("现场检查：未存储检查记录。" if zh else "Inspection: no inspection note is stored."), []
    text, cites = found
    where = _pages([(c.document, c.page) for c in cites], zh)
    return text.rstrip("。.") + where + ("。" if zh else "."), cites


# ---------------------------------------------------------------- wording
def _ratio(metric: str, value: Decimal) -> str:
    info = lx.RATIO_BY_KEY.get(metric)
    if info is not None and info.unit == "percent":
        return fmt_number(value * _HUNDRED, "percent", 2) + "%"
    return fmt_number(value, "ratio", 2)


def _shown(value: Decimal, unit: str) -> str:
    return fmt_number(value, unit, None) + ("%" if unit == "percent" else "")


def _where(facts: list[Fact], zh: bool) -> str:
    return _pages([(f.document, f.page) for f in printed_facts(facts) if f.document], zh)


def _pages(where: list[tuple[str | None, int | None]], zh: bool) -> str:
    seen = [w for w in dict.fromkeys(where) if w[0]]
    if not seen:
        return ""
    if zh:
        return "（来源：" + "；".join(f"{d} 第{pg}页" if pg else d for d, pg in seen) + "）"
    return " (source: " + "; ".join(f"{d}, p. {pg}" if pg else d for d, pg in seen) + ")"
