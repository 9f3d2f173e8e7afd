"""A transparent risk grade: points per factor, then a check against a default model.

Each factor earns the points of the first band its value meets (values from
``ratios.py``; ocf_to_current_liabilities annualised by 12 / months of the span):

============================  ======  =====================================================
factor                        max     bands (value → points)
============================  ======  =====================================================
debt_to_assets                15      ≤ 0.50 → 15; ≤ 0.65 → 11; ≤ 0.75 → 7; ≤ 0.85 → 3; else 0
current_ratio                 10      ≥ 1.5 → 10; ≥ 1.2 → 7; ≥ 1.0 → 4; else 0
interest_coverage             10      ≥ 5 → 10; ≥ 3 → 7; ≥ 1.5 → 4; ≥ 1 → 2; else 0
dscr                          15      ≥ 1.5 → 15; ≥ 1.25 → 11; ≥ 1.1 → 6; ≥ 1.0 → 3; else 0
net_margin                    10      ≥ 0.10 → 10; ≥ 0.05 → 7; ≥ 0 → 4; else 0
revenue_growth (YoY)          10      ≥ 0.05 → 10; ≥ 0 → 7; ≥ −0.10 → 4; ≥ −0.25 → 2; else 0
ocf_to_current_liabilities    10      ≥ 0.40 → 10; ≥ 0.20 → 7; ≥ 0 → 4; else 0
covenants                     10      all pass with headroom → 10; some thin → 5; any breach → 0
early warnings                10      none → 10; low only → 8; medium → 5; any high → 0
============================  ======  =====================================================

A factor that cannot be measured (missing input, no covenant tested) is left out and
named; the grade is the share of the points of the measured factors:

=====  ==========  ============================================
grade  share       meaning
=====  ==========  ============================================
A      ≥ 0.80      sound
B      ≥ 0.65      acceptable
C      ≥ 0.50      watch
D      ≥ 0.35      weak
E      < 0.35      critical
NR     —           under 50 points measurable: not rated
=====  ==========  ============================================

Then the default model (the bank's trained model when present, else Altman Z'' and the
Ohlson O-score) may move the grade one notch worse: a model in its distress zone lowers
A–D by one letter. It never improves a grade. Every step is written into ``reasons`` (and
in Chinese into ``reasons_zh``; each factor has ``explanation`` and ``explanation_zh``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from assistant.analytics.covenants import CovenantResult
from assistant.analytics.models import ModelResult
from assistant.analytics.ratios import RatioResult, figure_label
from assistant.analytics.warnings import Alert
from assistant.domain import Fact, unconfirmed_reasons

D = Decimal
LETTERS = ("A", "B", "C", "D", "E")
_BANDS: dict[str, tuple[int, str, list[tuple[Decimal, int]]]] = {
    # key: (max points, ">=" or "<=", [(bound, points), ...]) — first band met wins
    "debt_to_assets": (15, "<=", [(D("0.50"), 15), (D("0.65"), 11), (D("0.75"), 7), (D("0.85"), 3)]),
    "current_ratio": (10, ">=", [(D("1.5"), 10), (D("1.2"), 7), (D("1.0"), 4)]),
    "interest_coverage": (10, ">=", [(D(5), 10), (D(3), 7), (D("1.5"), 4), (D(1), 2)]),
    "dscr": (15, ">=", [(D("1.5"), 15), (D("1.25"), 11), (D("1.1"), 6), (D("1.0"), 3)]),
    "net_margin": (10, ">=", [(D("0.10"), 10), (D("0.05"), 7), (D(0), 4)]),
    "revenue_growth": (10, ">=", [(D("0.05"), 10), (D(0), 7), (D("-0.10"), 4), (D("-0.25"), 2)]),
    "ocf_to_current_liabilities": (10, ">=", [(D("0.40"), 10), (D("0.20"), 7), (D(0), 4)]),
}
_GRADE_BOUNDS = ((D("0.80"), "A"), (D("0.65"), "B"), (D("0.50"), "C"), (D("0.35"), "D"))
FACTOR_NAMES_ZH = {"revenue_growth": "营业收入增长率", "covenants": "财务约束", "warnings": "预警信号"}
MIN_MEASURED = 50


@dataclass
class Factor:
    key: str
    value: Decimal | str | None
    points: int | None  # None: not measured
    max_points: int
    explanation: str
    inputs: list[Fact] = field(default_factory=list)
    explanation_zh: str = ""  # ``explanation`` in Chinese

    @property
    def name_zh(self) -> str:
        return FACTOR_NAMES_ZH.get(self.key) or figure_label(self.key)


@dataclass
class Grade:
    letter: str  # A–E or NR
    points: int
    max_points: int
    factors: list[Factor]
    models: list[ModelResult]
    reasons: list[str]
    reasons_zh: list[str] = field(default_factory=list)  # ``reasons`` in Chinese, step by step

    @property
    def share(self) -> Decimal | None:
        return D(self.points) / D(self.max_points) if self.max_points else None


def _band_points(key: str, value: Decimal) -> tuple[int, str, str]:
    """Points, the band met, and the band in Chinese."""
    max_points, op, bands = _BANDS[key]
    for bound, pts in bands:
        if (value >= bound) if op == ">=" else (value <= bound):
            return pts, f"{op} {bound}", f"{'≥' if op == '>=' else '≤'} {bound}"
    edge = f"{'<' if op == '>=' else '>'} {bands[-1][0]}"
    return 0, f"outside every band ({edge})", f"不在任何档位（{edge}）"


def _ratio_factor(key: str, r: RatioResult | None, annualise: Decimal = D(1)) -> Factor:
    max_points = _BANDS[key][0]
    if r is not None and r.value is not None and r.unconfirmed:
        return Factor(key, None, None, max_points,
                      f"not measured: {r.value * annualise:.3f} is unconfirmed — flagged for review: {r.unconfirmed}",
                      list(r.inputs), explanation_zh=f"未计量：{r.value * annualise:.3f} 未确认——待复核：{r.unconfirmed}")
    if r is None or r.value is None:
        why_zh = (r.reason_zh or r.reason) if r else "未计算"
        return Factor(key, None, None, max_points, f"not measured: {r.reason if r else 'not computed'}",
                      explanation_zh=f"未计量：{why_zh}")
    value = r.value * annualise
    pts, band, band_zh = _band_points(key, value)
    shown = f"{value:.3f}" + (" (annualised)" if annualise != 1 else "")
    shown_zh = f"{value:.3f}" + ("（年化）" if annualise != 1 else "")
    return Factor(key, value, pts, max_points, f"{shown} {band} → {pts}/{max_points}", list(r.inputs),
                  explanation_zh=f"{shown_zh} {band_zh} → {pts}/{max_points}")


def _covenant_factor(results: list[CovenantResult]) -> Factor:
    tested = [r for r in results if r.status in ("pass", "breach")]
    waiting = [r for r in results if r.status == "unconfirmed"]
    if waiting and not tested:
        names = ", ".join(f"{r.facility} {r.covenant.metric}" for r in waiting)
        return Factor("covenants", None, None, 10, f"not measured: {names} rest(s) on unconfirmed figures",
                      explanation_zh=f"未计量：{'、'.join(f'{r.facility} {figure_label(r.covenant.metric)}' for r in waiting)}"
                                     "所依据的数据未确认")
    if not tested:
        return Factor("covenants", None, None, 10, "not measured: no covenant tested in this span",
                      explanation_zh="未计量：本期没有约束需要测试")
    breaches = [r for r in tested if r.status == "breach"]
    thin = [r for r in tested if r.thin]

    def names_zh(results: list[CovenantResult]) -> str:
        return "、".join(f"{r.facility} {figure_label(r.covenant.metric)}" for r in results)

    if breaches:
        names = ", ".join(f"{r.facility} {r.covenant.metric}" for r in breaches)
        return Factor("covenants", "breach", 0, 10, f"breach: {names} → 0/10",
                      explanation_zh=f"违反：{names_zh(breaches)} → 0/10")
    if thin:
        names = ", ".join(f"{r.facility} {r.covenant.metric}" for r in thin)
        return Factor("covenants", "thin", 5, 10, f"thin headroom: {names} → 5/10",
                      explanation_zh=f"余量偏薄：{names_zh(thin)} → 5/10")
    return Factor("covenants", "pass", 10, 10, f"{len(tested)} covenant(s) pass with headroom → 10/10",
                  explanation_zh=f"{len(tested)} 项约束均满足且有余量 → 10/10")


def _warning_factor(alerts: list[Alert]) -> Factor:
    alerts = [a for a in alerts if not a.unconfirmed]  # shown with the alert list, never scored
    severities = {a.severity for a in alerts}
    if "high" in severities:
        pts, what, what_zh = 0, "high-severity warning(s)", "有高风险预警"
    elif "medium" in severities:
        pts, what, what_zh = 5, "medium-severity warning(s)", "有中风险预警"
    elif "low" in severities:
        pts, what, what_zh = 8, "low-severity warning(s) only", "仅有低风险预警"
    else:
        pts, what, what_zh = 10, "no warning", "无预警"
    ids = ", ".join(sorted({a.rule for a in alerts}))
    names = "、".join(dict.fromkeys(a.name_zh for a in sorted(alerts, key=lambda a: a.rule)))
    return Factor("warnings", what, pts, 10, f"{what}{': ' + ids if ids else ''} → {pts}/10",
                  explanation_zh=f"{what_zh}{'：' + names if names else ''} → {pts}/10")


def grade(ratios: dict[str, RatioResult], covenants: list[CovenantResult], alerts: list[Alert],
          models: list[ModelResult], *, span_months: int = 12) -> Grade:
    """Score the factors, letter the share, then apply the model check."""
    annual = D(12) / D(span_months or 12)
    factors = [_ratio_factor(k, ratios.get(k), annual if k == "ocf_to_current_liabilities" else D(1)) for k in _BANDS]
    factors += [_covenant_factor(covenants), _warning_factor(alerts)]
    measured = [f for f in factors if f.points is not None]
    points = sum(f.points for f in measured)  # type: ignore[misc]
    max_points = sum(f.max_points for f in measured)
    reasons = [f"{f.key}: {f.explanation}" for f in factors]
    reasons_zh = [f"{f.name_zh}：{f.explanation_zh}" for f in factors]
    waiting = unconfirmed_reasons(f for x in factors for f in x.inputs if x.points is None)
    if waiting or any(a.unconfirmed for a in alerts) or any(c.status == "unconfirmed" for c in covenants):
        reasons.append("figures flagged for review are left out of this grade until confirmed"
                       + (f": {'; '.join(waiting)}" if waiting else ""))
        reasons_zh.append("待复核（未确认）的数据未计入本评级，确认后重新评定" + (f"：{'；'.join(waiting)}" if waiting else ""))
    if max_points < MIN_MEASURED:
        reasons.append(f"only {max_points} of 100 points measurable: not rated")
        reasons_zh.append(f"满分 100 分中仅 {max_points} 分可计量：不予评级")
        return Grade("NR", points, max_points, factors, models, reasons, reasons_zh)
    share = D(points) / D(max_points)
    letter = next((g for bound, g in _GRADE_BOUNDS if share >= bound), "E")
    reasons.append(f"scorecard {points}/{max_points} = {share:.0%} → {letter}")
    reasons_zh.append(f"评分卡 {points}/{max_points} = {share:.0%} → {letter}")
    for m in models:
        why = "; ".join(unconfirmed_reasons(m.inputs))
        if m.zone == "distress" and why:
            reasons.append(f"{m.name} in distress zone on unconfirmed figures: not applied (flagged for review: {why})")
            reasons_zh.append(f"{m.name_zh or m.name}处于困境区，但所用数据未确认：不据此下调（待复核：{why}）")
    distress = [m for m in models if m.zone == "distress" and not unconfirmed_reasons(m.inputs)]
    if distress and letter != "E":
        worse = LETTERS[LETTERS.index(letter) + 1]
        m = distress[0]
        shown = f"P(default) {m.probability:.1%}" if m.probability is not None else f"score {m.score:.2f}"
        shown_zh = f"违约概率 {m.probability:.1%}" if m.probability is not None else f"得分 {m.score:.2f}"
        reasons.append(f"{m.name} in distress zone ({shown}) → one notch worse: {letter} → {worse}")
        reasons_zh.append(f"{m.name_zh or m.name}处于困境区（{shown_zh}）→ 下调一级：{letter} → {worse}")
        letter = worse
    for m in models:
        if m.score is None:
            reasons.append(f"{m.name}: not computed ({m.reason})")
            reasons_zh.append(f"{m.name_zh or m.name}：未计算（{m.reason_zh}）")
    return Grade(letter, points, max_points, factors, models, reasons, reasons_zh)
