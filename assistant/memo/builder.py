"""Build a memo from a client snapshot with the built-in engine.

Named steps::

    resolve_span → analyse (this quarter and the one before) → write_sections → number_sources

Same snapshot, period and language → the same memo (the input digest says which facts it
was built from; nothing depends on the clock).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from assistant.analytics.assessment import Assessment, assess
from assistant.analytics.ratios import flow_span
from assistant.domain import ClientSnapshot, Span
from assistant.memo.context import Analysis, MemoContext
from assistant.memo.model import Memo, Paragraph, Run, Section
from assistant.memo.phrases import phrasebook, section_titles
from assistant.memo.sections import SECTION_WRITERS


def resolve_span(period: str | Span) -> Span:
    """``2026Q3`` / ``2026H1`` / ``2026`` / a Span → the flow span the memo covers."""
    if isinstance(period, Span):
        return flow_span(period)
    from assistant.periods import period_spans

    return flow_span(period_spans(period)[0])


def analysis_of(assessment: Assessment, lang: str) -> Analysis:
    """What the memo reads from an assessment, with grade reasons in the memo's language."""
    g, c = assessment.grade, assessment.classification
    zh = lang == "zh"
    reasons = [_factor_reason(f, lang) for f in g.factors]
    for m in g.models:
        if m.score is not None:
            zone = f"，{m.zone_zh}" if zh and m.zone else (f", {m.zone}" if m.zone else "")
            prob = ""
            if m.probability is not None:
                prob = f"，违约概率 {m.probability * 100:.1f}%" if zh else f", default probability {m.probability * 100:.1f}%"
            name = (m.name_zh or m.name) if zh else m.name
            reasons.append(f"{name}：{m.score:.2f}{prob}{zone}" if zh else f"{name}: {m.score:.2f}{prob}{zone}")
    letter = None if g.letter == "NR" else g.letter
    why_not = None if letter else "; ".join((g.reasons_zh or g.reasons)[-1:] if zh else g.reasons[-1:])
    waiting = any(f.points is None and "unconfirmed" in f.explanation for f in g.factors) or \
        any(r.status == "unconfirmed" for r in assessment.covenants)
    if waiting:  # the figures' own doubts are listed with the performance table; no numbers here
        note = ("部分数据来自待复核的报表，尚未确认，未计入评级" if zh
                else "some figures come from statements flagged for review and are left out of the grade until confirmed")
        if why_not:
            why_not = f"{why_not}（{note}）" if zh else f"{why_not} ({note})"
        else:
            reasons.append(note)
    return Analysis(
        span=assessment.span,
        ratios=assessment.ratios,
        covenants=assessment.covenants,
        alerts=assessment.alerts,
        grade=letter,
        score=f"{g.points}/{g.max_points}" if letter else None,
        grade_reasons=reasons,
        grade_reason_missing=why_not,
        classification=(c.category if zh else c.english) if c else None,
        classification_reasons=list((c.reasons_zh or c.reasons) if zh else c.reasons) if c else [],
        raw=assessment,
    )


def _factor_reason(factor, lang: str) -> str:
    from assistant.memo.context import _figure_name
    from assistant.memo.numbers import value_text

    names_zh = {"covenants": "财务约束", "warnings": "预警信号"}
    names_en = {"covenants": "Covenants", "warnings": "Warnings"}
    name = (names_zh if lang == "zh" else names_en).get(factor.key) or _figure_name(factor.key, lang)
    if factor.points is None:
        if lang == "zh":
            return f"{name}：未计量（{(factor.explanation_zh or factor.explanation).removeprefix('未计量：')}）"
        return f"{name}: not measured ({factor.explanation.removeprefix('not measured: ')})"
    if not isinstance(factor.value, Decimal):  # covenants / warnings: the points say it
        pts = f"{factor.points}/{factor.max_points}"
        return f"{name}：得分 {pts}" if lang == "zh" else f"{name}: {pts} points"
    value = value_text(factor.key, factor.value, lang)
    pts = f"{factor.points}/{factor.max_points}"
    return f"{name}：{value}，得分 {pts}" if lang == "zh" else f"{name}: {value}, {pts} points"


def input_digest(snapshot: ClientSnapshot, span: Span, lang: str) -> str:
    """sha256 of everything the memo is built from, in a canonical order."""
    facts = sorted(
        (f.key, f.span.start.isoformat() if f.span.start else "", f.span.end.isoformat(), str(f.value),
         f.document or "", f.page or 0, f.source)
        for f in snapshot.facts
    )
    payload = {
        "client": snapshot.client.name, "span": [str(span.start), str(span.end)], "lang": lang,
        "as_of": str(snapshot.as_of), "facts": facts,
        "facilities": [repr(f) for f in snapshot.facilities],
        "notes": [repr(n) for n in snapshot.notes],
    }
    if snapshot.work_items:  # only when there are some: digests of memos without them stay as they were
        payload["work_items"] = [repr(w) for w in snapshot.work_items]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, default=str).encode()).hexdigest()


def build_memo(snapshot: ClientSnapshot, period: str | Span, *, lang: str = "zh",
               assessment: Assessment | None = None, prior_assessment: Assessment | None = None) -> Memo:
    """The quarterly (or annual) review memo for ``snapshot`` at ``period``."""
    say = phrasebook(lang)
    span = resolve_span(period)
    now = analysis_of(assessment or assess(snapshot, span), lang)
    before = _before(snapshot, span, lang, prior_assessment)
    currency = next((f.currency for f in snapshot.facilities if f.currency), "CNY")
    ctx = MemoContext(snapshot=snapshot, span=span, lang=lang, say=say, now=now, before=before, currency=currency)
    titles = section_titles(lang)
    sections: list[Section] = []
    for writer in SECTION_WRITERS:
        section = writer(ctx)
        if not section.blocks:  # a section with nothing to say for this client (no warning items)
            continue
        section.title = titles[section.key]
        sections.append(section)
    sections[0].blocks.insert(0, Paragraph(style="quote", runs=[Run(text=say("meta", "draft_note"))]))
    return Memo(
        client=snapshot.client.name,
        period=span.label,
        period_end=span.end,
        as_of=snapshot.as_of,
        lang=lang,  # type: ignore[arg-type]
        title=say("meta", "title", client=snapshot.client.name, period=span.label),
        engine="builtin",
        input_digest=input_digest(snapshot, span, lang),
        sections=sections,
        sources=ctx.sources,
    )


def _before(snapshot: ClientSnapshot, span: Span, lang: str, prior: Assessment | None) -> Analysis | None:
    """The previous quarter's analysis (previous year for an annual memo), if it has data."""
    before = span.previous_quarter() if span.months == 3 else span.same_span_last_year()
    if not any(fact.span.end == before.end for fact in snapshot.facts):  # FactSet.spans() cannot sort mixed spans
        return None
    return analysis_of(prior or assess(snapshot, before), lang)
