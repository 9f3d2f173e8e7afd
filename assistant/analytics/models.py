"""Published default-risk models, each with its inputs shown and missing inputs named.

**Altman Z''** (Altman 1995, non-manufacturers and emerging markets)::

    Z'' = 6.56 X1 + 3.26 X2 + 6.72 X3 + 1.05 X4
    X1 = working capital / total assets          (total_current_assets − total_current_liabilities)
    X2 = retained earnings / total assets        (retained_earnings)
    X3 = EBIT / total assets                     (total_profit + interest_expense, annualised)
    X4 = book equity / total liabilities         (total_equity)

Zones: Z'' > 2.60 safe; 1.10–2.60 grey; < 1.10 distress. The emerging-market score
(EMS = Z'' + 3.25) is shown beside it.

**Ohlson O-score** (Ohlson 1980, model 1)::

    O = −1.32 − 0.407 SIZE + 6.03 TLTA − 1.43 WCTA + 0.0757 CLCA − 1.72 OENEG
        − 2.37 NITA − 1.83 FUTL + 0.285 INTWO − 0.521 CHIN
    P(default) = exp(O) / (1 + exp(O))

SIZE = ln(total assets in millions of the statement currency) — Ohlson deflated by a US GNP
price index; we do not, so SIZE is only comparable within one currency. FUTL uses net cash
from operating activities for Ohlson's "funds from operations" (statements rarely print
depreciation separately). INTWO = 1 when net profit was negative in this span and the same
span one year earlier; CHIN compares net profit with the same span one year earlier.

Both models were fitted on annual figures: flow inputs (EBIT, net profit, operating cash
flow) of a shorter span are annualised by 12 / months of the span, and the result says so.
The O-score's zones are our convention for the grade, not Ohlson's: probability < 0.2
safe, 0.2–0.5 grey, ≥ 0.5 distress.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from assistant.analytics.ratios import figure_label, flow_span, like_span
from assistant.domain import Fact, FactSet, Span

ZONES_ZH = {"safe": "安全区", "grey": "灰色区", "distress": "困境区"}


@dataclass
class ModelResult:
    model: str  # altman_z2 | ohlson_o | bank_logit
    name: str
    score: Decimal | None
    probability: Decimal | None = None  # of default, for logistic models
    zone: Literal["safe", "grey", "distress"] | None = None
    components: dict[str, Decimal] = field(default_factory=dict)
    inputs: list[Fact] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    note: str = ""
    name_zh: str = ""  # the model's name in Chinese ("" → ``name``)
    missing_zh: list[str] = field(default_factory=list)  # ``missing`` in Chinese, item by item

    @property
    def reason(self) -> str | None:
        return "; ".join(self.missing) if self.score is None else None

    @property
    def reason_zh(self) -> str | None:
        return "；".join(self.missing_zh or self.missing) if self.score is None else None

    @property
    def zone_zh(self) -> str | None:
        return ZONES_ZH.get(self.zone) if self.zone else None


class _Inputs:
    def __init__(self, facts: FactSet, span: Span) -> None:
        self.facts, self.span = facts, span
        self.used: list[Fact] = []
        self.missing: list[str] = []
        self.missing_zh: list[str] = []
        self.factor = Decimal(12) / Decimal(span.months)

    def get(self, key: str, at: Span) -> Decimal | None:
        fact = self.facts.get(key, at)
        if fact is None or fact.value is None:
            self.miss(f"{figure_label(key)} missing for {at.label}", f"{at.label} {figure_label(key)}缺失")
            return None
        if fact not in self.used:
            self.used.append(fact)
        return fact.value

    def miss(self, en: str, zh: str) -> None:
        if en not in self.missing:
            self.missing.append(en)
            self.missing_zh.append(zh)

    def point(self, key: str) -> Decimal | None:
        return self.get(key, Span(self.span.end))

    def flow(self, key: str, at: Span | None = None) -> Decimal | None:
        v = self.get(key, at or self.span)
        return None if v is None else v * self.factor

    def note(self) -> str:
        return "" if self.span.months == 12 else f"flows of {self.span.label} annualised ×{self.factor:.2f}"


_NAMES_ZH = {"total assets": "资产总计", "total liabilities": "负债合计", "total current assets": "流动资产合计"}


def _ratio(a: Decimal | None, b: Decimal | None, name: str, inp: _Inputs) -> Decimal | None:
    if a is None or b is None:
        return None
    if b == 0:
        inp.miss(f"{name} is zero", f"{_NAMES_ZH.get(name, name)}为零")
        return None
    return a / b


def altman_z2(facts: FactSet, span: Span) -> ModelResult:
    span = flow_span(span)
    inp = _Inputs(facts, span)
    ta, tl = inp.point("total_assets"), inp.point("total_liabilities")
    ca, cl = inp.point("total_current_assets"), inp.point("total_current_liabilities")
    re_, eq = inp.point("retained_earnings"), inp.point("total_equity")
    profit, interest = inp.flow("total_profit"), inp.flow("interest_expense")
    ebit = None if profit is None or interest is None else profit + abs(interest)
    wc = None if ca is None or cl is None else ca - cl
    x = {"X1": _ratio(wc, ta, "total assets", inp), "X2": _ratio(re_, ta, "total assets", inp),
         "X3": _ratio(ebit, ta, "total assets", inp), "X4": _ratio(eq, tl, "total liabilities", inp)}
    out = ModelResult("altman_z2", "Altman Z'' (non-manufacturing / emerging markets)", None,
                      inputs=inp.used, missing=inp.missing, note=inp.note(),
                      name_zh="Altman Z'' 模型（非制造业／新兴市场）", missing_zh=inp.missing_zh)
    if any(v is None for v in x.values()):
        return out
    out.components = {k: v for k, v in x.items()}  # type: ignore[misc]
    z = Decimal("6.56") * x["X1"] + Decimal("3.26") * x["X2"] + Decimal("6.72") * x["X3"] + Decimal("1.05") * x["X4"]  # type: ignore[operator]
    out.score = z
    out.components["EMS"] = z + Decimal("3.25")
    out.zone = "safe" if z > Decimal("2.60") else ("grey" if z >= Decimal("1.10") else "distress")
    return out


OHLSON = {"const": Decimal("-1.32"), "SIZE": Decimal("-0.407"), "TLTA": Decimal("6.03"), "WCTA": Decimal("-1.43"),
          "CLCA": Decimal("0.0757"), "OENEG": Decimal("-1.72"), "NITA": Decimal("-2.37"), "FUTL": Decimal("-1.83"),
          "INTWO": Decimal("0.285"), "CHIN": Decimal("-0.521")}


def logistic(score: Decimal) -> Decimal:
    s = float(score)
    p = 1 / (1 + math.exp(-s)) if s >= 0 else math.exp(s) / (1 + math.exp(s))
    return Decimal(repr(p))


def ohlson_o(facts: FactSet, span: Span) -> ModelResult:
    span = flow_span(span)
    inp = _Inputs(facts, span)
    ta, tl = inp.point("total_assets"), inp.point("total_liabilities")
    ca, cl = inp.point("total_current_assets"), inp.point("total_current_liabilities")
    ni, ocf = inp.flow("net_profit"), inp.flow("net_cash_operating")
    prior = like_span(facts, "net_profit", span.same_span_last_year())
    ni_prior = inp.flow("net_profit", prior)
    out = ModelResult("ohlson_o", "Ohlson O-score (1980, model 1)", None, inputs=inp.used, missing=inp.missing,
                      note="; ".join(n for n in (inp.note(), "SIZE not deflated by a price index; FUTL uses operating cash flow") if n),
                      name_zh="Ohlson O 值模型（1980，模型一）", missing_zh=inp.missing_zh)
    if ta is not None and ta <= 0:
        inp.miss("total assets must be positive for SIZE", "资产总计须为正数才能计算 SIZE")
    if any(v is None for v in (ta, tl, ca, cl, ni, ocf, ni_prior)) or inp.missing:
        return out
    x = {"SIZE": Decimal(repr(math.log(float(ta) / 1e6))),
         "TLTA": tl / ta, "WCTA": (ca - cl) / ta, "CLCA": _ratio(cl, ca, "total current assets", inp),
         "OENEG": Decimal(1 if tl > ta else 0), "NITA": ni / ta, "FUTL": _ratio(ocf, tl, "total liabilities", inp),
         "INTWO": Decimal(1 if ni < 0 and ni_prior < 0 else 0)}
    denom = abs(ni) + abs(ni_prior)
    x["CHIN"] = (ni - ni_prior) / denom if denom else Decimal(0)
    if any(v is None for v in x.values()):
        return out
    score = OHLSON["const"] + sum((OHLSON[k] * v for k, v in x.items()), Decimal(0))  # type: ignore[operator]
    out.components, out.score, out.probability = x, score, logistic(score)  # type: ignore[assignment]
    out.zone = "safe" if out.probability < Decimal("0.2") else ("grey" if out.probability < Decimal("0.5") else "distress")
    return out
