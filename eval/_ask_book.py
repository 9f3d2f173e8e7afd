"""The portfolio question set: rankings, filters, comparisons, trends, exposure and due instalments
over the demo portfolio, with answers known from the demo generator.

Truth comes from the generator, not from the store: each borrower's true figures
(``write_inbox(...).truth``), its facility as written to the portfolio file (limit, schedule,
covenants), and its site visits as generated (``visits_for``). Rankings, trends and comparisons
are computed here from the true figures with the FIGURES.md formulas (DSCR with
``analytics.compute_ratio`` over the true figures and the file's facility); exposure is the
portfolio file's own unpaid principal; covenant, warning and grade signals (attention, thin
headroom, breaches, exit and support candidates) run the analytics on a snapshot built from
the true figures, facility, visits and the dates the statements were sent (a late statement
is a warning). So the set measures what a user relies on — question
understanding, extraction, storage and answering — not the rules' definitions themselves.

Scoring per question, from the answer's ``items`` (the rows it lists; "could not tell" rows apart):
*exact* — the clients (and order, where the question ranks) and every number equal the truth
(amounts within 1e-6 relative, ratios within 1e-6 relative in the answer's unit);
*wrong* — a client set, an order or a number differs; *abstain* — no rows (the answer says what it
could not find, or the question was not understood as a portfolio question).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

AS_OF = dt.date(2026, 11, 15)
_CN = "零一二三四五六七八九十"
_EN_N = {4: "four", 8: "eight", 2: "two", 3: "three", 6: "six"}
REL = Decimal("1e-6")

METRICS = {  # key: (zh, en, percent unit in answers)
    "current_ratio": ("流动比率", "current ratio", False),
    "debt_to_assets": ("资产负债率", "debt-to-assets ratio", True),
    "dscr": ("偿债备付率", "DSCR", False),
    "net_cash_operating": ("经营现金流", "operating cash flow", False),
    "revenue": ("营业收入", "revenue", False),
    "interest_coverage": ("利息保障倍数", "interest coverage ratio", False),
    "net_profit": ("净利润", "net profit", False),
}


@dataclass
class Case:
    family: str
    lang: str
    question: str
    expect: Callable[[Any], tuple[str, str]]  # answer → (status, detail)
    truth: Any = None
    status: str = ""
    detail: str = ""
    ms: float = 0.0
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- truth


@dataclass
class Truth:
    names: list[str]
    alias: dict[str, str]
    english: dict[str, str]
    ends: list[dt.date]
    facts: dict[str, Any]
    facilities: dict[str, list]
    rows: dict[str, Any]  # name → board.ClientRow built from the true figures

    def metric(self, name: str, key: str, end: dt.date) -> Decimal | None:
        from assistant.analytics.ratios import compute_ratio
        from assistant.chat.resolve import is_point_metric
        from assistant.domain import Span, quarter_span
        from extractors.vocabulary import BY_KEY

        span = Span(end) if is_point_metric(key) else quarter_span(end.year, (end.month - 1) // 3 + 1)
        if key in BY_KEY:
            return self.facts[name].value(key, span)
        value = compute_ratio(self.facts[name], span, key, facilities=self.facilities[name]).value
        if value is not None and METRICS.get(key, ("", "", False))[2]:
            value = value * 100
        return value


def build_truth() -> Truth:
    from assistant.chat.board import client_row
    from assistant.demo.portfolio import BORROWERS, demo_quarters, visits_for, write_inbox
    from assistant.domain import ClientProfile, ClientSnapshot, DocumentInfo, InspectionNote
    from assistant.portfolio_io import read_portfolio

    ends = demo_quarters(AS_OF)
    with tempfile.TemporaryDirectory(prefix="loanwatch-book-truth-") as tmp:
        inbox = write_inbox(Path(tmp), AS_OF)
        book = read_portfolio(inbox.portfolio_file)
    facilities = {c.name: [f.to_domain() for f in c.facilities] for c in book.clients}
    rows = {}
    for i, b in enumerate(BORROWERS, 1):
        notes = [InspectionNote(visit_date=v.day, inspector=v.inspector, site=v.site,
                                progress_actual=Decimal(v.progress[0]) if v.progress else None,
                                progress_planned=Decimal(v.progress[1]) if v.progress else None,
                                cost_spent=v.cost[0] * 10000 if v.cost else None,
                                cost_budget=v.cost[1] * 10000 if v.cost else None,
                                operating_status=v.status, problems=list(v.problems)) for v in visits_for(b, ends)]
        docs = [DocumentInfo(j, f.path.name, "statement", f.received, f.pages, f.period_end)  # when each statement came in
                for j, f in enumerate(inbox.files, 1) if f.client == b.name and f.kind == "statement"]
        snap = ClientSnapshot(ClientProfile(i, b.name, [b.alias, b.english], b.industry, b.officer),
                              facilities=facilities[b.name], facts=inbox.truth[b.name], notes=notes, documents=docs, as_of=AS_OF)
        rows[b.name] = client_row(snap)
    return Truth([b.name for b in BORROWERS], {b.name: b.alias for b in BORROWERS},
                 {b.name: b.english for b in BORROWERS}, ends, inbox.truth, facilities, rows)


# ---------------------------------------------------------------- scoring helpers


def _listed(answer) -> list[dict]:  # noqa: ANN001
    return [i for i in answer.items if not i.get("unknown")]


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = Decimal(str(a)), Decimal(str(b))
    return abs(a - b) <= max(abs(b) * REL, Decimal("1e-9"))


def _qlabel(end: dt.date) -> str:
    return f"{end.year}Q{(end.month - 1) // 3 + 1}"


def expect_series(want: list[tuple[str, str, str, Decimal | None]]) -> Callable:
    """Rows (client, metric, period, value) in any order, nothing more, nothing less."""
    def check(answer) -> tuple[str, str]:  # noqa: ANN001
        got = [i for i in answer.items if i.get("metric") in {w[1] for w in want}]
        if not got:
            return "abstain", answer.answer[:120]
        index = {(i["client"], i["metric"], i.get("period")): i.get("value") for i in got}
        for client, metric, period, value in want:
            if (client, metric, period) not in index:
                return "wrong", f"missing {client} {metric} {period}; got {sorted(index)[:4]}"
            if not _close(index[(client, metric, period)], value):
                return "wrong", f"{client} {metric} {period}: {index[(client, metric, period)]} ≠ {value}"
        if len(index) != len(want):
            return "wrong", f"{len(index)} rows, expected {len(want)}"
        return "exact", ""
    return check


def expect_order(want: list[tuple[str, Decimal | None]], key: str = "value") -> Callable:
    """The clients in this order with these values."""
    def check(answer) -> tuple[str, str]:  # noqa: ANN001
        got = _listed(answer)
        if not got:
            return "abstain", answer.answer[:120]
        names = [i.get("client") for i in got]
        if names != [w[0] for w in want]:
            return "wrong", f"order {names} ≠ {[w[0] for w in want]}"
        for i, (_, value) in zip(got, want):
            if value is not None and not _close(i.get(key), value):
                return "wrong", f"{i['client']}: {i.get(key)} ≠ {value}"
        return "exact", ""
    return check


def expect_set(want: set[str], ordered: list[str] | None = None) -> Callable:
    def check(answer) -> tuple[str, str]:  # noqa: ANN001
        if answer.understood.get("intent") != "portfolio":
            return "abstain", f"not read as a portfolio question: {answer.answer[:80]}"
        got = [i["client"] for i in _listed(answer)]
        if set(got) != want:
            return "wrong", f"{sorted(set(got))} ≠ {sorted(want)}"
        if ordered is not None and list(dict.fromkeys(got)) != ordered:
            return "wrong", f"order {got} ≠ {ordered}"
        return "exact", ""
    return check


def expect_value(value: Decimal) -> Callable:
    def check(answer) -> tuple[str, str]:  # noqa: ANN001
        if answer.value is None:
            return "abstain", answer.answer[:120]
        return ("exact", "") if _close(answer.value, value) else ("wrong", f"{answer.value} ≠ {value}")
    return check


def expect_groups(want: dict[str, Decimal]) -> Callable:
    def check(answer) -> tuple[str, str]:  # noqa: ANN001
        got = {i["group"]: i["outstanding"] for i in answer.items if "group" in i}
        if not got:
            return "abstain", answer.answer[:120]
        if set(got) != set(want):
            return "wrong", f"groups {sorted(got)} ≠ {sorted(want)}"
        bad = [g for g in want if not _close(got[g], want[g])]
        return ("wrong", f"{bad}") if bad else ("exact", "")
    return check


# ---------------------------------------------------------------- the question set


def questions(t: Truth) -> list[Case]:
    from assistant.analytics.covenants import check_covenants  # noqa: F401 - truth rows already hold the results
    from assistant.chat.portfolio_answers import exit_reasons, is_support, needs_attention, severity_key

    cases: list[Case] = []
    names = t.names
    last = t.ends[-1]
    year = last.year

    # trends over N quarters (zh and en, three phrasings each)
    trend_metrics = ["current_ratio", "debt_to_assets", "dscr", "net_cash_operating", "revenue"]
    for i, name in enumerate(names):
        for j, key in enumerate(trend_metrics):
            zh, en, _ = METRICS[key]
            n = (4, 8, None)[(i + j) % 3]
            ends = t.ends[-(n or 8):]
            want = [(name, key, _qlabel(e), t.metric(name, key, e)) for e in ends]
            alias, eng = t.alias[name], t.english[name]
            q_zh = (f"{alias}近{_CN[n]}个季度{zh}趋势" if n == 4 else f"{alias}过去{n}个季度的{zh}走势如何？" if n
                    else f"{alias}的{zh}趋势如何?")
            q_en = (f"{eng} {en} trend over the last {_EN_N[n]} quarters" if n == 4 else
                    f"Show {eng}'s {en} for the past {n} quarters" if n else f"How has the {en} of {eng} trended?")
            cases.append(Case("trend", "zh", q_zh, expect_series(want)))
            cases.append(Case("trend", "en", q_en, expect_series(want)))
    # two named quarters
    for i, name in enumerate(names):
        for key in ("debt_to_assets", "current_ratio"):
            zh, en, _ = METRICS[key]
            a, b = t.ends[-2], t.ends[-1]
            qa, qb = (a.month - 1) // 3 + 1, (b.month - 1) // 3 + 1
            want = [(name, key, _qlabel(e), t.metric(name, key, e)) for e in (a, b)]
            cases.append(Case("trend", "zh", f"{t.alias[name]}{_CN[qa]}季度和{_CN[qb]}季度的{zh}对比", expect_series(want)))
            cases.append(Case("trend", "en", f"{t.english[name]} {en} Q{qa} vs Q{qb} {year}", expect_series(want)))
    # comparisons: pairs of clients on one metric, and the overview
    pairs = [(names[i], names[j]) for i in range(len(names)) for j in range(i + 1, len(names))]
    for k, (a, b) in enumerate(pairs):
        key = ("current_ratio", "debt_to_assets", "revenue")[k % 3]
        zh, en, _ = METRICS[key]
        want = [(c, key, _qlabel(last), t.metric(c, key, last)) for c in (a, b)]
        cases.append(Case("compare", "zh", f"比较{t.alias[a]}和{t.alias[b]}的{zh}", expect_series(want)))
        cases.append(Case("compare", "en", f"Compare {t.english[a]} and {t.english[b]} on {en}", expect_series(want)))
    for a, b, c in ((names[0], names[1], names[2]), (names[3], names[4], names[5])):
        want = [(x, key, _qlabel(last), t.metric(x, key, last)) for x in (a, b, c) for key in ("current_ratio", "debt_to_assets")]
        cases.append(Case("compare", "zh", f"{t.alias[a]}、{t.alias[b]}和{t.alias[c]}的流动比率和资产负债率对比", expect_series(want)))
        cases.append(Case("compare", "en", f"{t.english[a]} vs {t.english[b]} vs {t.english[c]}: current ratio and debt-to-assets ratio",
                          expect_series(want)))
    # rankings at the latest quarter
    for key in ("current_ratio", "debt_to_assets", "revenue", "net_profit", "interest_coverage", "dscr"):
        zh, en, _ = METRICS[key]
        values = {n: t.metric(n, key, last) for n in names}
        high = sorted(names, key=lambda n: (-values[n], n))
        low = sorted(names, key=lambda n: (values[n], n))
        cases.append(Case("rank", "zh", f"{zh}最高的客户是哪家？", expect_order([(high[0], values[high[0]])])))
        cases.append(Case("rank", "en", f"Which client has the lowest {en}?", expect_order([(low[0], values[low[0]])])))
        cases.append(Case("rank", "zh", f"{zh}最低的三家客户", expect_order([(n, values[n]) for n in low[:3]])))
        cases.append(Case("rank", "en", f"Top 3 clients by {en}", expect_order([(n, values[n]) for n in high[:3]])))
        cases.append(Case("rank", "zh", f"按{zh}从高到低给客户排名", expect_order([(n, values[n]) for n in high])))
    # filters: attention, headroom, breaches, exit, support
    rows = t.rows
    attention = sorted((rows[n] for n in names if needs_attention(rows[n])), key=severity_key)
    order = [r.name for r in attention]
    for q in ("哪些客户需要重点关注？", "我的客户中谁最需要关注？", "Which clients need attention?", "Who needs my attention in the portfolio?"):
        cases.append(Case("filter", "zh" if "客户" in q else "en", q, expect_set(set(order), order)))
    thin = {n for n in names if any(c.thin or c.status == "breach" for c in rows[n].covenants)}
    for q in ("哪些客户的约束条款余量不足？", "哪些客户的契约余量不足10%?", "Which clients have thin covenant headroom?",
              "Which borrowers are close to breaching a covenant?"):
        cases.append(Case("filter", "zh" if "客户" in q else "en", q, expect_set(thin)))
    breached = {n for n in names if any(c.status == "breach" for c in rows[n].covenants)}
    for q in ("哪些客户违反了契约？", "哪些客户触发了约束条款?", "Which of my clients breached a covenant?", "Which clients are in covenant breach?"):
        cases.append(Case("filter", "zh" if "客户" in q else "en", q, expect_set(breached)))
    exits = {n for n in names if exit_reasons(rows[n], True)}
    for q in ("哪些客户应该考虑退出？", "哪些客户需要压降贷款?", "Which clients should we exit?", "Which borrowers are exit candidates?"):
        cases.append(Case("filter", "zh" if "客户" in q else "en", q, expect_set(exits)))
    support = {n for n in names if is_support(rows[n])}
    for q in ("哪些客户值得加大支持？", "哪些客户可以增加授信?", "Which clients should we support?", "Which borrowers could we lend more to?"):
        cases.append(Case("filter", "zh" if "客户" in q else "en", q, expect_set(support)))
    # exposure: outstanding = the portfolio file's unpaid principal (its own `outstanding` field)
    out = {n: sum((f.outstanding for f in t.facilities[n]), Decimal(0)) for n in names}
    big = sorted(names, key=lambda n: (-out[n], n))
    total = sum(out.values(), Decimal(0))
    for n in names:
        cases.append(Case("exposure", "zh", f"{t.alias[n]}的贷款余额是多少？", expect_value(out[n])))
        cases.append(Case("exposure", "en", f"What is our outstanding exposure to {t.english[n]}?", expect_value(out[n])))
    cases.append(Case("exposure", "zh", "敞口最大的客户是哪家？", expect_order([(big[0], out[big[0]])], "outstanding")))
    cases.append(Case("exposure", "en", "Which client is our largest exposure?", expect_order([(big[0], out[big[0]])], "outstanding")))
    cases.append(Case("exposure", "zh", "贷款余额最大的三个客户", expect_order([(n, out[n]) for n in big[:3]], "outstanding")))
    cases.append(Case("exposure", "en", "Top 3 exposures", expect_order([(n, out[n]) for n in big[:3]], "outstanding")))
    cases.append(Case("exposure", "zh", "全部客户的贷款余额合计是多少？", expect_value(total)))
    cases.append(Case("exposure", "en", "What is the total outstanding exposure of the portfolio?", expect_value(total)))
    by_industry: dict[str, Decimal] = {}
    by_grade: dict[str, Decimal] = {}
    for n in names:
        by_industry[rows[n].industry] = by_industry.get(rows[n].industry, Decimal(0)) + out[n]
        by_grade[rows[n].grade] = by_grade.get(rows[n].grade, Decimal(0)) + out[n]
    cases.append(Case("exposure", "zh", "按行业统计贷款余额", expect_groups(by_industry)))
    cases.append(Case("exposure", "en", "Exposure by industry", expect_groups(by_industry)))
    cases.append(Case("exposure", "zh", "按评级统计敞口", expect_groups(by_grade)))
    cases.append(Case("exposure", "en", "Outstanding exposure by grade", expect_groups(by_grade)))
    # instalments due (the repayment schedules)
    for days in (30, 60):
        want = {n for n in names for f in t.facilities[n] for p in f.schedule
                if p.paid_on is None and AS_OF < p.due <= AS_OF + dt.timedelta(days=days)}
        cases.append(Case("deadline", "zh", f"未来{days}天内哪些客户有还款到期？", expect_set(want)))
        cases.append(Case("deadline", "en", f"Which clients have a repayment due in the next {days} days?", expect_set(want)))
    first = (AS_OF.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last_day = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    want = {n for n in names for f in t.facilities[n] for p in f.schedule if p.paid_on is None and first <= p.due <= last_day}
    cases.append(Case("deadline", "zh", "哪些客户下个月有还款？", expect_set(want)))
    cases.append(Case("deadline", "en", "Which clients have an instalment due next month?", expect_set(want)))
    return cases


# ---------------------------------------------------------------- run


def run(answer: Callable[[str], Any] | None = None) -> dict:
    """Ask every question of the set (through ``chat.service.ask`` by default) and score it."""
    from assistant.chat.service import ask

    answer = answer or ask
    t = build_truth()
    cases = questions(t)
    for c in cases:
        t0 = time.perf_counter()
        try:
            a = answer(c.question)
            c.status, c.detail = c.expect(a)
        except Exception as exc:  # noqa: BLE001 - a crash is scored as wrong and reported
            c.status, c.detail = "wrong", f"{type(exc).__name__}: {exc}"
        c.ms = (time.perf_counter() - t0) * 1000
    n = len(cases)
    by: dict[str, dict[str, int]] = {}
    for c in cases:
        fam = by.setdefault(c.family, {"n": 0, "exact": 0, "wrong": 0, "abstain": 0, "zh": 0, "en": 0})
        fam["n"] += 1
        fam[c.status] += 1
        fam[c.lang] += 1
    exact = sum(c.status == "exact" for c in cases)
    wrong = sum(c.status == "wrong" for c in cases)
    ms = sorted(c.ms for c in cases)
    return {"questions": n, "exact": exact, "wrong": wrong, "abstain": n - exact - wrong,
            "exact_rate": round(exact / n, 4), "wrong_rate": round(wrong / n, 4),
            "zh": sum(c.lang == "zh" for c in cases), "en": sum(c.lang == "en" for c in cases),
            "latency_ms": {"p50": round(ms[n // 2], 1), "max": round(ms[-1], 1)},
            "by_family": by, "truth": {"attention": [r.name for r in sorted((r for r in t.rows.values()), key=lambda r: r.name)]},
            "cases": [{"family": c.family, "lang": c.lang, "question": c.question, "status": c.status, "detail": c.detail,
                       "ms": round(c.ms, 1)} for c in cases]}


def table(result: dict) -> list[str]:
    lines = ["## Portfolio questions (demo portfolio, answers from the generator's truth)", "",
             f"{result['questions']} questions ({result['zh']} Chinese, {result['en']} English): "
             f"**{result['exact']} exact ({result['exact_rate']:.1%})**, {result['wrong']} wrong ({result['wrong_rate']:.1%}), "
             f"{result['abstain']} could not answer; latency p50 {result['latency_ms']['p50']} ms, max {result['latency_ms']['max']} ms.", "",
             "| family | questions | exact | wrong | could not answer |", "|---|---:|---:|---:|---:|"]
    for fam, c in result["by_family"].items():
        lines.append(f"| {fam} | {c['n']} | {c['exact']} | {c['wrong']} | {c['abstain']} |")
    bad = [c for c in result["cases"] if c["status"] != "exact"]
    if bad:
        lines += ["", "| status | question | detail |", "|---|---|---|"]
        lines += [f"| {c['status']} | {c['question']} | {c['detail'][:140].replace('|', '/')} |" for c in bad]
    return lines
