"""Understanding accuracy of the built-in engine on the FinGLM question set (no store needed).

For every question with a company, year and metric in its ``prompt`` (the organisers'
annotation), check what ``understand`` found: the company as named in the question, the
year, and the metric (a FIGURES.md key, a growth of one, or "not a figure we keep"). The
mapping from the organisers' metric names to our keys below is the gold annotation.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from assistant.chat.understand import understand

# FinGLM metric name → (our key, measure), or None when FIGURES.md does not define it.
FINGLM_FIGURES: dict[str, str | None] = {
    "营业外收入": "non_operating_income", "管理费用": "admin_expenses", "销售费用": "selling_expenses",
    "无形资产": "intangible_assets", "研发费用": "rd_expenses", "财务费用": "financial_expenses",
    "利息收入": "interest_income", "营业收入": "revenue", "营业成本": "cost_of_revenue", "固定资产": "fixed_assets",
    "利润总额": "total_profit", "净利润": "net_profit", "营业外支出": "non_operating_expenses",
    "利息支出": "interest_expense", "营业利润": "operating_profit", "营业税金及附加": "taxes_and_surcharges",
    "资产总计": "total_assets", "每股收益": "basic_eps", "负债合计": "total_liabilities",
    "归属母公司所有者净利润": "net_profit_attributable_to_parent", "货币资金": "cash", "投资收益": "investment_income",
    "所得税费用": "income_tax", "期末现金及现金等价物余额": "cash_end",
}
FINGLM_FORMULAS: dict[str, tuple[str, str] | None] = {
    "企业研发经费与利润比值": ("rd_to_net_profit", "value"), "营业利润率": ("operating_margin", "value"),
    "速动比率": ("quick_ratio", "value"), "现金比率": ("cash_ratio", "value"), "三费比重": ("three_expense_ratio", "value"),
    "财务费用率": ("financial_expense_ratio", "value"), "营业成本率": ("cost_ratio", "value"),
    "企业研发经费与营业收入比值": ("rd_to_revenue", "value"), "净利润率": ("net_margin", "value"),
    "管理费用率": ("admin_expense_ratio", "value"), "流动比率": ("current_ratio", "value"),
    "非流动负债比率": ("non_current_liabilities_share", "value"), "资产负债比率": ("debt_to_assets", "value"),
    "毛利率": ("gross_margin", "value"),
    "现金及现金等价物增长率": ("cash", "growth"), "投资收益增长率": ("investment_income", "growth"),
    "净利润增长率": ("net_profit", "growth"), "无形资产增长率": ("intangible_assets", "growth"),
    "销售费用增长率": ("selling_expenses", "growth"), "营业利润增长率": ("operating_profit", "growth"),
    "总资产增长率": ("total_assets", "growth"), "流动负债增长率": ("total_current_liabilities", "growth"),
    "营业收入增长率": ("revenue", "growth"), "固定资产增长率": ("fixed_assets", "growth"),
    "管理费用增长率": ("admin_expenses", "growth"), "研发费用增长率": ("rd_expenses", "growth"),
    "货币资金增长率": ("cash", "growth"), "总负债增长率": ("total_liabilities", "growth"),
    "财务费用增长率": ("financial_expenses", "growth"),
    "研发人员占职工人数比例": None, "企业研发经费占费用比例": None, "流动负债比率": None,
    "投资收益占营业收入比率": None, "企业硕士及以上人员占职工人数比例": None,
}


def _company_ok(found: str | None, prompt: dict) -> bool:
    if not found:
        return False
    names = [n for n in (prompt.get("ent_name"), prompt.get("ent_short_name")) if n]
    return any(found == n or (len(found) >= 2 and (found in n or n in found)) for n in names)


def _expected_metric(row: dict) -> tuple[str, object] | None:
    """("figures", set of keys | None) or ("formula", (key, measure) | None); None: not scored."""
    p = row["prompt"]
    if row["type"] in ("1", "1-2"):
        words = [w for w in p.get("key_word", "").split("、") if w]
        if not words or any(w not in FINGLM_FIGURES for w in words):
            return None
        keys = [FINGLM_FIGURES[w] for w in words]
        return ("figures", None if None in keys else set(keys))
    if row["type"] == "2-1":
        name = p.get("公式", "").split("=")[0]
        if name not in FINGLM_FORMULAS:
            return None
        return ("formula", FINGLM_FORMULAS[name])
    return None


def score_finglm(path: Path) -> dict:
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    counts: Counter = Counter()
    misses: list[dict] = []
    for row in rows:
        p = row["prompt"]
        parsed = understand(row["question"])
        if p.get("ent_name"):
            counts["company_n"] += 1
            ok = _company_ok(parsed.company.name if parsed.company else None, p)
            counts["company_ok"] += ok
            if not ok and len(misses) < 400:
                misses.append({"id": row["id"], "what": "company", "q": row["question"],
                               "found": parsed.company.name if parsed.company else None})
        if p.get("year"):
            counts["year_n"] += 1
            counts["year_ok"] += parsed.period.year == int(p["year"])
        expected = _expected_metric(row)
        if expected is None:
            continue
        kind, want = expected
        counts["metric_n"] += 1
        if want is None:
            ok = bool(parsed.unsupported) and not parsed.metrics
        elif kind == "figures":
            ok = set(parsed.metrics) == want and parsed.measure == "value"
        else:
            key, measure = want
            ok = parsed.metrics == [key] and parsed.measure == measure
        counts["metric_ok"] += ok
        if not ok and len(misses) < 400:
            misses.append({"id": row["id"], "what": "metric", "q": row["question"], "want": str(want),
                           "found": [parsed.metrics, parsed.unsupported, parsed.measure]})
    rate = lambda a, b: round(counts[a] / counts[b], 4) if counts[b] else None  # noqa: E731
    return {
        "questions": len(rows),
        "company": {"n": counts["company_n"], "accuracy": rate("company_ok", "company_n")},
        "year": {"n": counts["year_n"], "accuracy": rate("year_ok", "year_n")},
        "metric": {"n": counts["metric_n"], "accuracy": rate("metric_ok", "metric_n")},
        "misses": misses,
    }


if __name__ == "__main__":  # quick look while developing
    import sys

    out = score_finglm(Path(sys.argv[1]))
    print(json.dumps({k: v for k, v in out.items() if k != "misses"}, ensure_ascii=False))
    for m in out["misses"][: int(sys.argv[2]) if len(sys.argv) > 2 else 30]:
        print(json.dumps(m, ensure_ascii=False))
