"""The built-in answer engine: a parsed question and the stored facts → a grounded ``Answer``.

No model anywhere: figures come from the client's ``ClientSnapshot``, ratios from
``assistant.analytics`` (formula and inputs stated), growth from two like spans, narrative
from retrieval hits quoted with document and page. When the store lacks what the question
needs, the answer says what is missing and ``value`` stays null.

Steps: ``pick_client → (figure | portfolio | status | document) answer → cite``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Collection, Protocol

from assistant.chat import lexicon as lx
from assistant.chat.answer import Answer, Citation, Input
from assistant.chat.resolve import describe, is_point_metric, like_span, resolve_span
from assistant.chat.understand import ClientName, ParsedQuestion
from assistant.domain import ClientSnapshot, Fact, Span, unconfirmed_reasons
from extractors.vocabulary import BY_KEY

_HUNDRED = Decimal(100)


class ChatSource(Protocol):
    """What the engine reads; every call is already limited to the caller's visible clients."""

    def clients(self) -> list[ClientName]: ...

    def snapshot(self, client_id: int) -> ClientSnapshot: ...

    def search(self, query: str, client_ids: Collection[int], k: int = 5) -> list[Any]: ...


@dataclass
class SnapshotSource:
    """A source over snapshots already built (the store's ``StoreSource`` reads the database)."""

    snapshots: list[ClientSnapshot]
    searcher: Any = None  # callable(query, client_ids=..., k=...) -> hits, e.g. assistant.retrieval.search

    def clients(self) -> list[ClientName]:
        return [ClientName(s.client.id, s.client.name, tuple(s.client.aliases), s.client.industry) for s in self.snapshots]

    def snapshot(self, client_id: int) -> ClientSnapshot:
        return next(s for s in self.snapshots if s.client.id == client_id)

    def search(self, query: str, client_ids: Collection[int], k: int = 5) -> list[Any]:
        if self.searcher is None or not client_ids:
            return []
        return list(self.searcher(query, client_ids=list(client_ids), k=k))


@dataclass
class _Result:
    """One metric computed for one client and span."""

    key: str
    value: Decimal | None
    unit: str
    span: Span | None
    formula: str | None = None
    facts: list[Fact] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    prior_span: Span | None = None


def answer(parsed: ParsedQuestion, source: ChatSource) -> Answer:
    """Answer ``parsed`` from ``source``."""
    handler = {"figure": _figure, "portfolio": _portfolio, "status": _status, "document": _document}[parsed.intent]
    if parsed.intent == "figure" and parsed.definition is not None:
        from assistant.chat.defined import answer_defined

        handler = answer_defined  # the question's own formula wins over FIGURES.md's
    out = handler(parsed, source)
    out.understood = _understood(parsed)
    return out


# ---------------------------------------------------------------- the client
def pick_client(p: ParsedQuestion, source: ChatSource) -> ClientSnapshot | Answer:
    zh = p.lang == "zh"
    visible = source.clients()
    if p.company is not None and p.company.client_id is not None:
        return source.snapshot(p.company.client_id)
    if p.company is not None and p.company.described:
        return _which_described(p.company, zh)
    if p.company is not None:
        name = p.company.name
        text = (f"存储中没有“{name}”的资料：您可查看的客户中没有这家公司，因此无法回答。"
                if zh else f"{name} is not in the store: no client you can see has that name, so this cannot be answered.")
        return Answer(answer=text, missing=[f"company {name}"])
    if len(visible) == 1:
        return source.snapshot(visible[0].id)
    names = "、".join(c.name for c in visible[:10]) if zh else ", ".join(c.name for c in visible[:10])
    if not visible:
        text = "您可查看的客户中没有任何资料。" if zh else "There are no clients you can see in the store."
    else:
        text = f"请指明是哪一家客户（可选：{names}）。" if zh else f"Which client? Name one of: {names}."
    return Answer(answer=text, missing=["company"])


def _which_described(ref: Any, zh: bool) -> Answer:
    """A client described by industry ("the toll road") that fits several visible clients, or none."""
    if ref.candidates:
        names = "、".join(ref.candidates) if zh else ", ".join(ref.candidates)
        text = (f"您可查看的客户中有{len(ref.candidates)}家符合“{ref.name}”：{names}。请指明是哪一家。" if zh
                else f"{len(ref.candidates)} clients you can see fit '{ref.name}': {names}. Which one do you mean?")
    else:
        text = (f"您可查看的客户中没有符合“{ref.name}”的（按登记的行业）。" if zh
                else f"No client you can see fits '{ref.name}' (by its recorded industry).")
    return Answer(answer=text, missing=["company"])


# ---------------------------------------------------------------- figures and ratios
def _figure(p: ParsedQuestion, source: ChatSource) -> Answer:
    client = pick_client(p, source)
    if isinstance(client, Answer):
        return client
    zh = p.lang == "zh"
    name = client.client.name
    if not p.metrics:
        what = "、".join(p.unsupported)
        text = (f"loanwatch不保存“{what}”这一项目（不在标准科目与比率表中），无法从存储的数据回答。"
                if zh else f"loanwatch does not keep '{what}' (not a figure or ratio it stores), so it cannot be answered from stored data.")
        cites = _passages(p, source, [client.client.id], client.client.name)  # what the documents say, for a reader
        if cites:
            text += ("\n以下是文件中的相关原文：\n" if zh else "\nThe documents say:\n") + _bullets(cites, zh)
        return Answer(answer=text, citations=cites, missing=[f"metric {what}"])
    client = _scoped(client, p)
    if isinstance(client, Answer):
        return client
    if p.scope == "parent":
        name = f"{name}（母公司）" if zh else f"{name} (parent company)"
    results = [_compute(client, key, p) for key in p.metrics]
    sentences = [_sentence(name, r, p) for r in results]
    if p.unsupported:
        sentences.append(f"“{'、'.join(p.unsupported)}”不是loanwatch保存的项目。" if zh
                         else f"'{', '.join(p.unsupported)}' is not a figure loanwatch keeps.")
    missing = [m for r in results for m in r.missing] + [f"metric {u}" for u in p.unsupported]
    facts = [f for r in results for f in r.facts]
    if p.scope is None and any(f.scope == "parent" for f in printed_facts(facts)):  # never an unlabelled parent figure
        sentences.append("（以上为母公司报表数据：该期间未存储合并报表。）" if zh
                         else "(These are the parent company's own figures: no consolidated statement is stored for that period.)")
    single = results[0] if len(results) == 1 else None
    value = single.value if single is not None and not missing else None
    return Answer(
        answer="".join(sentences) if zh else " ".join(sentences),
        value=value,
        unit=_json_unit(single.unit) if single is not None and value is not None else None,
        citations=cite_facts(facts),
        formula=single.formula if single is not None else None,
        inputs=[_input(f) for f in facts],
        missing=missing,
        unconfirmed=unconfirmed_reasons(printed_facts(facts)),
    )


def _scoped(snap: ClientSnapshot, p: ParsedQuestion) -> ClientSnapshot | Answer:
    """The snapshot whose facts answer the question's scope.

    母公司 / parent company: the parent's own statements only (``parent_facts``), never the
    consolidated figure; when none is stored the answer says so. 合并 / consolidated: the
    group's figures only. Not said: the snapshot as it is (consolidated where printed).
    """
    from dataclasses import replace

    from assistant.domain import FactSet

    if p.scope == "parent":
        if len(snap.parent_facts) == 0:
            zh = p.lang == "zh"
            name = snap.client.name
            text = (f"存储中没有{name}的母公司报表（只有合并报表数据），因此无法回答母公司的数据；合并数值不代替母公司数值。"
                    if zh else f"No parent-company statement of {name} is stored (only consolidated figures), so the parent "
                    "company's figure cannot be given; the consolidated figure is not a substitute.")
            return Answer(answer=text, missing=[f"parent-company statement of {name}"])
        return replace(snap, facts=snap.parent_facts)
    if p.scope == "consolidated":
        group = FactSet()
        for f in snap.facts:
            if f.scope == "consolidated":
                group.add(f)
        return replace(snap, facts=group)
    return snap


def _unit_of(key: str, measure: str) -> str:
    if measure == "growth":
        return "percent"
    if key in lx.RATIO_BY_KEY:
        return lx.RATIO_BY_KEY[key].unit
    fig = BY_KEY.get(key)
    return "per_share" if fig is not None and fig.per_share else "amount"


def _compute(snap: ClientSnapshot, key: str, p: ParsedQuestion) -> _Result:
    facts = snap.facts
    zh = p.lang == "zh"
    label = lx.display_name(key, p.lang)
    span = resolve_span(p.period, facts, key)
    unit = _unit_of(key, p.measure)
    if span is None:
        return _Result(key, None, unit, None, missing=[_period_missing(snap, key, p)])
    if p.measure in ("growth", "change"):
        prior = like_span(span, facts, key, p.comparison or "yoy")
        now = metric_value(snap, key, span, zh)
        if prior is None:
            what = "上年同期" if (p.comparison or "yoy") == "yoy" else "上一季度"
            what_en = "the same span a year earlier" if (p.comparison or "yoy") == "yoy" else "the previous quarter"
            return _Result(key, None, unit, span, facts=now.facts, missing=[
                f"{label} {what}（{describe(span, 'zh')}的可比期间）未存储" if zh
                else f"{label} for {what_en} (comparable to {describe(span, 'en')}) is not stored"])
        before = metric_value(snap, key, prior, zh)
        facts_used = now.facts + [f for f in before.facts if f not in now.facts]
        missing = now.missing + before.missing
        if missing:
            return _Result(key, None, unit, span, facts=facts_used, missing=missing, prior_span=prior)
        if p.measure == "change" or key in lx.RATIO_BY_KEY:
            return _change_of(key, now, before, span, prior, facts_used)
        if before.value == 0:
            return _Result(key, None, unit, span, facts=facts_used, prior_span=prior,
                           missing=[f"{label} {describe(prior, p.lang)} 为零，无法计算增长率" if zh
                                    else f"{label} is zero for {describe(prior, 'en')}: growth is undefined"])
        growth = (now.value - before.value) / abs(before.value) * _HUNDRED  # type: ignore[operator]
        formula = f"({key} {span.label} − {key} {prior.label}) / |{key} {prior.label}| × 100"
        return _Result(key, growth, "percent", span, formula, facts_used, prior_span=prior)
    return metric_value(snap, key, span, zh)


def _change_of(key: str, now: _Result, before: _Result, span: Span, prior: Span, facts_used: list) -> _Result:
    """The change of a figure or ratio between two spans, in the unit it is printed in.

    ``metric_value`` already gives a percentage-type ratio in percent (× 100), so the change
    of one is the plain difference of the two, in percentage points; scaling it again printed
    −216.54个百分点 for a fall of 2.17 points. A multiple, a count of days or an amount changes
    by the plain difference in its own unit.
    """
    diff = now.value - before.value  # type: ignore[operator]
    unit = "percent_points" if now.unit == "percent" and key in lx.RATIO_BY_KEY else now.unit
    return _Result(key, diff, unit, span, f"{key}({span.label}) − {key}({prior.label})", facts_used, prior_span=prior)


def metric_value(snap: ClientSnapshot, key: str, span: Span, zh: bool) -> _Result:
    """The stored figure or the analytics ratio for ``span``."""
    label = lx.display_name(key, "zh" if zh else "en")
    if key in BY_KEY:
        fact = snap.facts.get(key, span)
        alone = lx.SAME_WHEN_ALONE.get(key)
        if fact is None and alone is not None and not any(k == key for k, _ in snap.facts.facts):
            fact = snap.facts.get(alone, span)  # the statements print a single total: that line
        unit = _unit_of(key, "value")
        if fact is None or fact.value is None:
            how = "报表中该项为空（未填列）" if fact is not None else "未存储"
            how_en = "printed empty in the statement" if fact is not None else "not stored"
            return _Result(key, None, unit, span, facts=[fact] if fact else [],
                           missing=[f"{label}（{describe(span, 'zh')}）{how}" if zh
                                    else f"{label} for {describe(span, 'en')} is {how_en}"])
        return _Result(key, fact.value, unit, span, facts=[fact])
    from assistant.analytics.ratios import compute_ratio

    r = compute_ratio(snap.facts, span, key, facilities=snap.facilities)
    unit = lx.RATIO_BY_KEY[key].unit
    value = r.value
    if value is not None and unit == "percent":
        value = value * _HUNDRED
    missing = [] if value is not None else [f"{label}：{r.reason}" if zh else f"{label}: {r.reason}"]
    formula = r.formula + (" × 100" if unit == "percent" else "") + (f"; {r.note}" if r.note else "")
    return _Result(key, value, unit, span, formula, list(r.inputs), missing)


def _period_missing(snap: ClientSnapshot, key: str, p: ParsedQuestion) -> str:
    zh = p.lang == "zh"
    label = lx.display_name(key, p.lang)
    point = is_point_metric(key)
    have = sorted({s for (k, s) in snap.facts.facts if s.is_point == point and (k == key or key not in BY_KEY)})
    shown = ", ".join(s.label for s in have[-6:]) or ("无" if zh else "none")
    asked = p.period.text or (str(p.period.year) if p.period.year else "")
    if zh:
        return f"{snap.client.name}的{label}没有存储{asked or '所问'}期间的数据（已存储期间：{shown}）"
    return f"{snap.client.name} has no stored {label} for {asked or 'that period'} (stored periods: {shown})"


# ---------------------------------------------------------------- wording
def fmt_number(value: Decimal, unit: str, decimals: int | None) -> str:
    if unit in ("percent", "percent_points", "ratio", "times", "days"):
        places = 2 if decimals is None else decimals
        shown = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,}" if places >= 0 else str(value)
        return shown
    if decimals is not None:
        return f"{value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):,}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}" if value.as_tuple().exponent >= -2 else f"{value:,}"


_SCALES = (("亿元", Decimal("1e8")), ("百万元", Decimal("1e6")), ("万元", Decimal("1e4")), ("千元", Decimal("1e3")),
           ("billions", Decimal("1e9")), ("billion", Decimal("1e9")), ("millions", Decimal("1e6")),
           ("million", Decimal("1e6")), ("thousands", Decimal("1e3")), ("thousand", Decimal("1e3")))


def _scaled(value: Decimal, unit: str, p: ParsedQuestion) -> str:
    """The amount again in the unit the question asks for ("in USD millions", "多少亿元"); value stays in base units."""
    if unit != "amount":
        return ""
    low = p.text.lower()
    for word, factor in _SCALES:
        if word in low:
            places = 2 if p.decimals is None else p.decimals
            return f"（{fmt_number(value / factor, 'ratio', places)} {word}）" if p.lang == "zh" else \
                f" ({fmt_number(value / factor, 'ratio', places)} {word})"
    return ""


#: Chinese wording of a currency: (before the amount, after it)
_CURRENCY_ZH = {"CNY": ("人民币", "元"), "RMB": ("人民币", "元"), "USD": ("", "美元"), "HKD": ("", "港元"),
                "EUR": ("", "欧元"), "GBP": ("", "英镑"), "JPY": ("", "日元")}


def currency_of(facts: list[Fact]) -> str | None:
    """The one currency of the amounts behind a result (a derived fact's through its inputs); None when unknown or mixed."""
    found = set()
    for f in facts:
        found |= {f.currency} if f.currency or not f.inputs else {i.currency for i in f.inputs}
    return found.pop() if len(found) == 1 and None not in found else None


def with_currency(shown: str, currency: str | None, zh: bool) -> str:
    """"USD 5,466,312,000" / "人民币5,466,312,000元"; the bare number when the currency is unknown."""
    if not currency:
        return shown
    if zh:
        before, after = _CURRENCY_ZH.get(currency, (f"{currency} ", ""))
        return f"{before}{shown}{after}"
    return f"{currency} {shown}"


def _suffix(unit: str, zh: bool) -> str:
    return {"percent": "%", "percent_points": (" 个百分点" if zh else " percentage points"), "days": (" 天" if zh else " days"),
            "times": (" 倍" if zh else "x")}.get(unit, "")


def _sentence(name: str, r: _Result, p: ParsedQuestion) -> str:
    zh = p.lang == "zh"
    label = lx.display_name(r.key, p.lang)
    if r.value is None:
        return ("；".join(r.missing) + "。") if zh else ("; ".join(r.missing) + ".")
    shown = fmt_number(r.value, r.unit, p.decimals) + _suffix(r.unit, zh)
    if r.unit == "amount":
        shown = with_currency(shown, currency_of(r.facts), zh)
    shown += _scaled(r.value, r.unit, p)
    when = describe(r.span, p.lang) if r.span else ""
    for_when = when if when.startswith("as of") else f"for {when}"
    src = _sources(r.facts, zh)
    src += unconfirmed_note(r.facts, zh) + pending_note(r.facts, zh)
    if r.prior_span is not None:
        before = describe(r.prior_span, p.lang)
        verb = ("同比" if (p.comparison or "yoy") == "yoy" else "环比") if zh else ""
        if zh:
            what = "变动" if r.unit == "percent_points" or p.measure == "change" else "增长率"
            return f"{name}{when}{label}{verb}{what}为{shown}（对比{before}；公式：{r.formula}）。{src}"
        what = "change" if r.unit == "percent_points" or p.measure == "change" else "growth"
        return f"{name}'s {label} {what} {for_when} was {shown} (compared with {before}; formula: {r.formula}). {src}"
    if r.formula:
        inputs = _inputs_text(r.facts, zh)
        if zh:
            return f"{name}{when}的{label}为{shown}（公式：{r.formula}；{inputs}）。{src}"
        return f"{name}'s {label} {for_when} was {shown} (formula: {r.formula}; {inputs}). {src}"
    if zh:
        return f"{name}{when}的{label}为{shown}。{src}"
    return f"{name}'s {label} {for_when} was {shown}. {src}"


def unconfirmed_note(facts: list[Fact], zh: bool) -> str:
    """" (unconfirmed — flagged for review: <reason>)" when a figure behind the value is unconfirmed, else ""."""
    why = unconfirmed_reasons(printed_facts(facts))
    if not why:
        return ""
    if zh:
        return f"（未确认——待复核：{'；'.join(why)}；复核确认前不用于决策。）"
    return f" (unconfirmed — flagged for review: {'; '.join(why)}; not used in decisions until confirmed.)"


def pending_note(facts: list[Fact], zh: bool) -> str:
    """The corrections awaiting a checker behind the value (maker/checker): named, never used in it."""
    seen: list = []
    for f in [*facts, *printed_facts(facts)]:
        seen.extend(p for p in f.pending if p not in seen)
    if not seen:
        return ""
    def shown(p) -> str:  # noqa: ANN001
        return "null" if p.value is None else fmt_number(p.value, "amount", None)
    if zh:
        return "（" + "；".join(f"{p.span.label}{lx.display_name(p.key, 'zh')}有{p.by}提交的更正（改为{shown(p)}），待复核确认，尚未采用"
                               for p in seen) + "。）"
    return " (" + "; ".join(f"{lx.display_name(p.key, 'en')} {p.span.label}: pending correction to {shown(p)} by {p.by}, "
                            "not yet confirmed" for p in seen) + ".)"


def _inputs_text(facts: list[Fact], zh: bool) -> str:
    parts = [f"{f.key}（{f.label or f.key}，{describe(f.span, 'zh')}）= {with_currency(fmt_number(f.value, 'amount', None), f.currency, True)}" if zh
             else f"{f.key} ({f.label or f.key}, {describe(f.span, 'en')}) = {with_currency(fmt_number(f.value, 'amount', None), f.currency, False)}"
             for f in facts if f.value is not None]
    return ("；".join(parts)) if zh else "; ".join(parts)


def _sources(facts: list[Fact], zh: bool) -> str:
    seen = []
    for f in printed_facts(facts):
        where = (f.document, f.page)
        if f.document and where not in seen:
            seen.append(where)
    if not seen:
        return ""
    if zh:
        return "来源：" + "；".join(f"{d} 第{pg}页" for d, pg in seen) + "。"
    return "Source: " + "; ".join(f"{d}, p. {pg}" for d, pg in seen) + "."


def _json_unit(unit: str) -> str:
    return {"percent_points": "percent"}.get(unit, unit)


def printed_facts(facts: list[Fact]) -> list[Fact]:
    """The printed facts behind ``facts``: a derived fact (Q3 = 9M − H1) is cited through its inputs."""
    out: list[Fact] = []
    for f in facts:
        for g in (printed_facts(list(f.inputs)) if f.document is None and f.inputs else [f]):
            if g not in out:
                out.append(g)
    return out


def cite_facts(facts: list[Fact]) -> list[Citation]:
    out: list[Citation] = []
    seen = set()
    for f in printed_facts(facts):
        if not f.document:
            continue
        quote = f"{f.label or f.key} {fmt_number(f.value, 'amount', None) if f.value is not None else '—'}"
        if (f.document, f.page, quote) in seen:
            continue
        seen.add((f.document, f.page, quote))
        out.append(Citation(document=f.document, page=f.page, quote=quote))
    return out


def _input(f: Fact) -> Input:
    return Input(key=f.key, label=f.label or f.key, period=f.span.label, value=f.value, document=f.document, page=f.page,
                 unconfirmed=f.unconfirmed)


def _understood(p: ParsedQuestion) -> dict[str, Any]:
    pq = p.period
    return {
        "intent": p.intent,
        "company": None if p.company is None else p.company.client_name or p.company.name,
        "metrics": p.metrics,
        "measure": p.measure,
        "comparison": p.comparison,
        "period": {"year": pq.year, "end": pq.end.isoformat() if pq.end else None, "months": pq.months,
                   "quarter": pq.quarter, "point": pq.point, "opening": pq.opening} if pq.given else None,
        "decimals": p.decimals,
    }


# ---------------------------------------------------------------- portfolio, status, documents
def _portfolio(p: ParsedQuestion, source: ChatSource) -> Answer:
    from assistant.chat.portfolio import answer_portfolio

    return answer_portfolio(p, source)


def _status(p: ParsedQuestion, source: ChatSource) -> Answer:
    client = pick_client(p, source)
    if isinstance(client, Answer):
        return client
    from assistant.chat.status import answer_status

    return answer_status(p, client)


def _document(p: ParsedQuestion, source: ChatSource) -> Answer:
    zh = p.lang == "zh"
    visible = source.clients()
    if p.company is not None and p.company.client_id is None and p.company.name:
        picked = pick_client(p, source)
        if isinstance(picked, Answer):
            return picked
    named = p.company is not None and p.company.client_id is not None
    ids = [p.company.client_id] if named else [c.id for c in visible]
    cites = _passages(p, source, ids, p.company.name if named else None)
    if not cites:
        text = "在您可查看的文件中没有找到相关段落。" if zh else "No passage in the documents you can see answers this."
        return Answer(answer=text, missing=["passage"])
    text = ("以下是文件中的相关原文：\n" if zh else "The documents say:\n") + _bullets(cites, zh)
    return Answer(answer=text, citations=cites)


def _passages(p: ParsedQuestion, source: ChatSource, ids: list[int], name: str | None) -> list[Citation]:
    """The three passages of ``ids``' documents nearest the question, each quoted with document and page."""
    query = p.text
    if name:  # the search is already limited to that client: its name only adds noise
        query = re.sub(re.escape(name), " ", query, flags=re.IGNORECASE).strip() or p.text
    hits = source.search(query, ids, k=5) if ids else []
    return [Citation(document=h.document, page=h.page, quote=quote(h.text, query)) for h in hits[:3]]


def _bullets(cites: list[Citation], zh: bool) -> str:
    if zh:
        return "\n".join(f"• {c.document} 第{c.page}页：“{c.quote}”" for c in cites)
    return "\n".join(f"• {c.document}, p. {c.page}: \"{c.quote}\"" for c in cites)


def quote(text: str, question: str, limit: int = 180) -> str:
    """The sentence of ``text`` sharing most words with the question, cut to ``limit`` characters."""
    sentences = [s.strip() for s in re.split(r"(?<=[。！？；])|(?<=[.!?;])\s+|\n+", text) if s and s.strip()]
    if not sentences:
        return text[:limit]
    q = set(_tokens(question))
    best = max(sentences, key=lambda s: (len(q & set(_tokens(s))), min(len(s), 120)))
    return best if len(best) <= limit else best[: limit - 1] + "…"


_STOP = frozenset("what which when where does did about say says the and for with from that this have has was were "
                  "how are its their there into been more than company".split())


def _tokens(text: str) -> list[str]:
    low = text.lower()
    words = [w for w in re.findall(r"[a-z0-9]{3,}", low) if w not in _STOP]
    cjk = re.findall(r"[\u4e00-\u9fff]", low)
    return words + [a + b for a, b in zip(cjk, cjk[1:])]
