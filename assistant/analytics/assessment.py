"""One call for everything analytics says about a client at a span.

``assess(snapshot, span)`` runs the named steps
``ratios → trends → covenants → alerts → models → grade → classification``
over a ``ClientSnapshot`` (no database access) and returns an :class:`Assessment` whose
parts each carry their reasons and evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from assistant.analytics.classification import Classification, classify
from assistant.analytics.covenants import CovenantResult, check_covenants
from assistant.analytics.models import ModelResult, altman_z2, ohlson_o
from assistant.analytics.ratios import RatioResult, compute_ratios, flow_span
from assistant.analytics.scorecard import Grade, grade
from assistant.analytics.training import load_model
from assistant.analytics.trends import Change, trends
from assistant.analytics.warnings import Alert, Rule, evaluate
from assistant.domain import ClientSnapshot, Span


@dataclass
class Assessment:
    client: str
    span: Span
    as_of: dt.date | None
    ratios: dict[str, RatioResult]
    trends: list[Change]
    covenants: list[CovenantResult]
    alerts: list[Alert]
    models: list[ModelResult]
    grade: Grade
    classification: Classification
    notes: list[str] = field(default_factory=list)  # conventions applied, e.g. which model was used


def default_models(snapshot: ClientSnapshot, span: Span, ratios: dict[str, RatioResult], *,
                   home: Path | None = None) -> tuple[list[ModelResult], str]:
    """The bank's trained model when one is saved, else the published Altman Z'' and Ohlson O."""
    bank = load_model(home)
    if bank is not None:
        return [bank.predict(ratios)], f"default model: the bank's trained model ({bank.metadata.get('source', '')})"
    return [altman_z2(snapshot.facts, span), ohlson_o(snapshot.facts, span)], \
        "default models: Altman Z'' and Ohlson O-score (no trained bank model)"


def assess(snapshot: ClientSnapshot, span: Span, *, rules: list[Rule] | None = None,
           home: Path | None = None) -> Assessment:
    """Ratios, trends, covenant results, alerts, grade and classification for ``span``."""
    span = flow_span(span)
    ratios = compute_ratios(snapshot.facts, span, facilities=snapshot.facilities)
    changes = trends(snapshot.facts, span, facilities=snapshot.facilities)
    covenants = check_covenants(snapshot.facts, snapshot.facilities, span, as_of=snapshot.as_of)
    alerts = evaluate(snapshot, span, rules, covenants=covenants)
    models, model_note = default_models(snapshot, span, ratios, home=home)
    graded = grade(ratios, covenants, alerts, models, span_months=span.months)
    classification = classify(graded, covenants, alerts, snapshot.facilities, snapshot.as_of)
    return Assessment(snapshot.client.name, span, snapshot.as_of, ratios, changes, covenants, alerts, models,
                      graded, classification, [model_note])
