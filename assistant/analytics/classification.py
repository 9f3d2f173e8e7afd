"""A suggested five-category loan classification (五级分类), for the officer to decide.

Follows the logic of the regulator's risk-classification rules (《商业银行金融资产风险分类
办法》, 2023): each signal sets a *floor* and the suggestion is the worst floor.

==========================================  =====================
signal                                      at least
==========================================  =====================
principal or interest overdue 1–90 days     关注 special mention
overdue > 90 days                           次级 substandard
overdue > 270 days                          可疑 doubtful
overdue > 360 days                          损失 loss
covenant breach (in or past its grace)      关注
high-severity early warning                 关注
grade C or D                                关注
grade E                                     次级
==========================================  =====================

Overdue days come from the repayment schedule: an instalment due on or before ``as_of``
that is unpaid (or paid short) is overdue by ``as_of − due``. It is always a suggestion:
the classification is the officer's and the credit committee's decision. Each reason is
given in English (``reasons``) and Chinese (``reasons_zh``), item by item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from assistant.analytics.covenants import CovenantResult
from assistant.analytics.ratios import figure_label
from assistant.analytics.scorecard import Grade
from assistant.analytics.warnings import Alert
from assistant.domain import Facility

CATEGORIES = ("正常", "关注", "次级", "可疑", "损失")
ENGLISH = {"正常": "normal", "关注": "special mention", "次级": "substandard", "可疑": "doubtful", "损失": "loss"}
LABEL_ZH = "建议分类（供客户经理参考，非最终认定）"
LABEL_EN = "Suggestion for the officer — not a final classification"


@dataclass
class Overdue:
    facility: str
    due: dt.date
    days: int
    amount_due: object


@dataclass
class Classification:
    category: str  # one of CATEGORIES
    english: str
    reasons: list[str]
    overdue_days: int
    overdue: list[Overdue] = field(default_factory=list)
    label_zh: str = LABEL_ZH
    label_en: str = LABEL_EN
    reasons_zh: list[str] = field(default_factory=list)  # ``reasons`` in Chinese, item by item


def overdue_items(facilities: list[Facility], as_of: dt.date) -> list[Overdue]:
    """Instalments due on or before ``as_of`` that are unpaid or paid short."""
    out: list[Overdue] = []
    for fac in facilities:
        for p in fac.schedule:
            if p.due > as_of:
                continue
            owed = p.principal + p.interest
            short = p.paid_on is None or p.paid_on > as_of or (p.paid_amount is not None and p.paid_amount < owed)
            if short and (as_of - p.due).days > 0:
                out.append(Overdue(fac.name, p.due, (as_of - p.due).days, owed))
    return sorted(out, key=lambda o: -o.days)


RULE_CITED_ZH = "《商业银行金融资产风险分类办法》(2023)"
RULE_CITED_EN = "《商业银行金融资产风险分类办法》(2023), the regulator's risk-classification measures"
_RULE_ZH = {1: "本金、利息逾期的至少归为关注类", 2: "逾期超过90天的至少归为次级类", 3: "逾期超过270天的至少归为可疑类",
            4: "逾期超过360天的归为损失类"}
_RULE_EN = {1: "overdue principal or interest → at least special mention", 2: "overdue more than 90 days → at least substandard",
            3: "overdue more than 270 days → at least doubtful", 4: "overdue more than 360 days → loss"}


def _floor_for_overdue(days: int) -> int:
    if days > 360:
        return 4
    if days > 270:
        return 3
    if days > 90:
        return 2
    return 1 if days > 0 else 0


def classify(grade: Grade, covenants: list[CovenantResult], alerts: list[Alert], facilities: list[Facility],
             as_of: dt.date | None) -> Classification:
    """The worst floor of every signal, with one reason per signal that set a floor."""
    floors: list[tuple[int, str, str]] = []  # (floor, reason, reason in Chinese)
    overdue = overdue_items(facilities, as_of) if as_of else []
    days = overdue[0].days if overdue else 0
    if overdue:
        o = overdue[0]
        floor = _floor_for_overdue(days)
        floors.append((floor,
                       f"{o.facility}: instalment due {o.due.isoformat()} unpaid, "
                       f"{days} days overdue as of {as_of.isoformat()} ({RULE_CITED_EN}: {_RULE_EN[floor]})",  # type: ignore[union-attr]
                       f"{o.facility}：{o.due.isoformat()} 到期的一期未足额偿还，截至 {as_of.isoformat()} "  # type: ignore[union-attr]
                       f"逾期 {days} 天（{RULE_CITED_ZH}：{_RULE_ZH[floor]}）"))
    for r in covenants:
        if r.status == "breach":
            state = "within its cure period" if r.in_grace else "past any cure period"
            state_zh = "仍在宽限期内" if r.in_grace else "已过宽限期"
            floors.append((1, f"{r.facility}: covenant {r.covenant.metric} {r.operator} {r.threshold} breached "
                              f"(value {r.value:.3f}, {state})",
                           f"{r.facility}：{figure_label(r.covenant.metric)} {r.operator} {r.threshold} 的约束被违反"
                           f"（实际值 {r.value:.3f}，{state_zh}）"))
    high = [a for a in alerts if a.severity == "high" and not a.unconfirmed]  # unconfirmed: shown, not counted
    if high:
        names_zh = "、".join(dict.fromkeys(a.name_zh for a in sorted(high, key=lambda a: a.rule)))
        floors.append((1, "high-severity warning(s): " + ", ".join(sorted({a.rule for a in high})),
                       f"高风险预警：{names_zh}"))
    if grade.letter in ("C", "D"):
        floors.append((1, f"risk grade {grade.letter}", f"风险评级 {grade.letter}"))
    elif grade.letter == "E":
        floors.append((2, "risk grade E", "风险评级 E"))
    level = max((f for f, _, _ in floors), default=0)
    ordered = sorted(floors, key=lambda x: -x[0])
    reasons = [f"{reason} → at least {CATEGORIES[f]}" for f, reason, _ in ordered]
    reasons_zh = [f"{reason} → 至少为{CATEGORIES[f]}" for f, _, reason in ordered]
    if not floors:
        reasons.append(f"no overdue payment, no covenant breach, no high-severity warning, grade {grade.letter} → 正常")
        reasons_zh.append(f"无逾期、无约束违反、无高风险预警，评级 {grade.letter} → 正常")
    if grade.letter == "NR":
        reasons.append("risk grade not rated (too few figures): this suggestion rests on repayment, covenant and "
                       "warning signals only — obtain the statements before confirming it")
        reasons_zh.append("风险评级未评定（财务数据不足）：本建议仅依据还款、约束与预警信号，确认前请取得财务报表")
    waiting = [r for r in covenants if r.status == "unconfirmed"] + [a for a in alerts if a.unconfirmed]
    if waiting or any("unconfirmed" in f.explanation for f in grade.factors if f.points is None):
        reasons.append("figures flagged for review are not counted here (covenants, warnings and grade factors resting "
                       "on them): confirm or correct them before relying on this suggestion")
        reasons_zh.append("待复核（未确认）的数据未计入本建议（依据这些数据的约束测试、预警与评级因素）：确认或更正后再据此判断")
    if as_of is None:
        reasons.append("as-of date unknown: overdue days not assessed")
        reasons_zh.append("截止日期未知：未评估逾期天数")
    category = CATEGORIES[level]
    return Classification(category, ENGLISH[category], reasons, days, overdue, reasons_zh=reasons_zh)
