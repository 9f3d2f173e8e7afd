"""What the section writers share while one memo is built: the facts, the analysis, the
phrasebook and the numbered sources.

``MemoContext.measure(key, span)`` reads a figure or a ratio with the sources behind it;
``cite_*`` give the footnote numbers, numbering sources in the order they are first cited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from assistant.analytics.covenants import CovenantResult
from assistant.analytics.ratios import RATIO_KEYS, RatioResult, compute_ratio, flow_span
from assistant.analytics.warnings import Alert
from assistant.domain import ClientSnapshot, Fact, Span
from assistant.memo.model import Source
from assistant.memo.numbers import value_text
from assistant.memo.phrases import Phrasebook
from extractors.vocabulary import BY_KEY


@dataclass
class Analysis:
    """The analytics of one span as the memo reads them (from ``assess``)."""

    span: Span
    ratios: dict[str, RatioResult] = field(default_factory=dict)
    covenants: list[CovenantResult] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    grade: str | None = None
    score: str | None = None  # e.g. 62/85 (scorecard points of the measured factors)
    grade_reasons: list[str] = field(default_factory=list)
    grade_reason_missing: str | None = None
    classification: str | None = None
    classification_reasons: list[str] = field(default_factory=list)
    raw: Any = None  # the assessment object itself


@dataclass
class Measure:
    key: str
    span: Span
    value: Decimal | None
    reason: str | None
    cites: list[int]
    formula: str | None = None  # for ratios
    unconfirmed: str | None = None  # rests on figures flagged for review (``Fact.unconfirmed``)


@dataclass
class MemoContext:
    snapshot: ClientSnapshot
    span: Span  # the flow span of the period
    lang: str
    say: Phrasebook
    now: Analysis
    before: Analysis | None  # the previous quarter, when there is one
    currency: str = "CNY"
    sources: list[Source] = field(default_factory=list)
    _index: dict[tuple[str, int | None], int] = field(default_factory=dict)

    # ------------------------------------------------------------ spans

    @property
    def prior_span(self) -> Span | None:
        return self.span.previous_quarter() if self.span.months == 3 else None

    @property
    def last_year_span(self) -> Span:
        return self.span.same_span_last_year()

    @property
    def as_of(self) -> dt.date:
        return self.snapshot.as_of or self.span.end

    # ------------------------------------------------------------ sources

    def cite(self, document: str | None, page: int | None, detail: str = "") -> list[int]:
        if not document:
            return []
        key = (document, page)
        if key not in self._index:
            n = len(self.sources) + 1
            self._index[key] = n
            self.sources.append(Source(n=n, document=document, page=page, detail=detail))
        return [self._index[key]]

    def cite_fact(self, fact: Fact) -> list[int]:
        """A fact's source; a derived fact cites the facts it was computed from."""
        if fact.source == "derived" and fact.inputs:
            return self.cite_facts(fact.inputs)
        detail = ""  # a page holds many figures: the citation is the document and page
        if fact.source == "corrected":
            detail = "经人工更正" if self.lang == "zh" else "corrected by the officer"
        if fact.document is None:
            return self.cite(self.say("sources", "computed") if fact.source == "derived" else "—", None, detail)
        return self.cite(fact.document, fact.page, detail)

    def cite_facts(self, facts) -> list[int]:
        out: list[int] = []
        for fact in facts:
            for n in self.cite_fact(fact):
                if n not in out:
                    out.append(n)
        return sorted(out)

    def cite_record(self, register: str, name: str) -> list[int]:
        return self.cite(self.say("sources", register), None, name)

    # ------------------------------------------------------------ measures

    def measure(self, key: str, span: Span | None) -> Measure:
        """A figure or ratio at ``span`` with its value, why it is missing, and its sources."""
        if span is None:
            return Measure(key, self.span, None, "no comparable span", [])
        facilities = self.snapshot.facilities
        if key in RATIO_KEYS:
            if span == self.span and key in self.now.ratios:
                result = self.now.ratios[key]
            elif self.before is not None and span == self.before.span and key in self.before.ratios:
                result = self.before.ratios[key]
            else:
                result = compute_ratio(self.snapshot.facts, span, key, facilities=facilities)
            reason = (result.reason_zh or result.reason) if self.lang == "zh" else result.reason
            return Measure(key, span, result.value, reason, self.cite_facts(result.inputs), result.formula,
                           result.unconfirmed)
        fig = BY_KEY.get(key)
        at = Span(span.end) if fig is not None and fig.kind == "balance_sheet" else flow_span(span)
        fact = self.snapshot.facts.get(key, at)
        if fact is None or fact.value is None:
            why = f"{_figure_name(key, self.lang)} {'缺失' if self.lang == 'zh' else 'missing for'} {at.label}"
            return Measure(key, at, None, why, [])
        return Measure(key, at, fact.value, None, self.cite_fact(fact), unconfirmed=fact.unconfirmed)

    def show(self, key: str, value: Decimal) -> str:
        return value_text(key, value, self.lang, self.currency)

    def name(self, key: str) -> str:
        return _figure_name(key, self.lang)


def _figure_name(key: str, lang: str) -> str:
    from assistant.analytics.ratios import RATIO_LABELS

    fig = BY_KEY.get(key)
    if fig is not None:
        return fig.zh if lang == "zh" else fig.en
    zh, en = RATIO_LABELS.get(key, (key, key))
    return zh if lang == "zh" else en
