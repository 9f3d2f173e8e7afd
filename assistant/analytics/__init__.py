"""Monitoring analytics over a ``ClientSnapshot``: ratios, trends, covenants, warnings, grade.

Pure functions of the snapshot (no database access). ``assess(snapshot, span)`` is the one
call most callers need; the parts are importable for chat answers and memos. The names load
their module on first use: a figure question that needs ``ratios`` does not load the warning
rules (YAML) and the grade models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant._lazy import lazy_exports

__getattr__ = lazy_exports(__name__, {
    "assessment": ("Assessment", "assess"),
    "classification": ("Classification", "classify"),
    "covenants": ("CovenantResult", "check_covenant", "check_covenants"),
    "models": ("ModelResult", "altman_z2", "ohlson_o"),
    "ratios": ("RATIO_KEYS", "RATIO_LABELS", "RatioResult", "compute_ratio", "compute_ratios"),
    "scorecard": ("Grade", "grade"),
    "trends": ("Change", "change", "trends"),
    "warnings": ("Alert", "Rule", "evaluate", "load_rules"),
})

if TYPE_CHECKING:
    from assistant.analytics.assessment import Assessment, assess
    from assistant.analytics.classification import Classification, classify
    from assistant.analytics.covenants import CovenantResult, check_covenant, check_covenants
    from assistant.analytics.models import ModelResult, altman_z2, ohlson_o
    from assistant.analytics.ratios import RATIO_KEYS, RATIO_LABELS, RatioResult, compute_ratio, compute_ratios
    from assistant.analytics.scorecard import Grade, grade
    from assistant.analytics.trends import Change, change, trends
    from assistant.analytics.warnings import Alert, Rule, evaluate, load_rules

__all__ = [
    "Alert", "Assessment", "Change", "Classification", "CovenantResult", "Grade", "ModelResult",
    "RATIO_KEYS", "RATIO_LABELS", "RatioResult", "Rule", "altman_z2", "assess", "change",
    "check_covenant", "check_covenants", "classify", "compute_ratio", "compute_ratios", "evaluate",
    "grade", "load_rules", "ohlson_o", "trends",
]
