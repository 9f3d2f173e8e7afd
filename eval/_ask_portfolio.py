"""Portfolio and figure questions over the demo portfolio, with answers known from its truth.

The demo portfolio (``assistant.demo.portfolio.build_demo``) is loaded through the real
ingest path; its generator's true figures (``write_inbox(...).truth``) give the known
answers, computed here with the FIGURES.md formulas (covenant tests with the analytics on the
true figures and the stored facilities, which come from the portfolio file, not extraction).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from assistant.domain import FactSet, Span, quarter_span

AS_OF = dt.date(2026, 11, 15)
_Q = "一二三四"


def _latest(ends: list[dt.date]) -> tuple[Span, Span, Span]:
    end = ends[-1]
    q = (end.month - 1) // 3 + 1
    return Span(end), quarter_span(end.year, q), quarter_span(end.year - 1, q)


def _ratio(facts: FactSet, num: str, den: str, at: Span) -> Decimal | None:
    a, b = facts.value(num, at), facts.value(den, at)
    return None if a is None or b in (None, 0) else a / b


def _between(values: list[Decimal], k: int) -> Decimal:
    """A threshold with exactly ``k`` values below it (two decimals, halfway between neighbours)."""
    ordered = sorted(values)
    return ((ordered[k - 1] + ordered[k]) / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _listed(answer: str, names: list[str]) -> set[str]:
    shown = answer.split("无法判断")[0].split("Cannot tell")[0].split("Not testable")[0].split("无法检验")[0]
    return {n for n in names if n in shown}


def run(home: Path | None = None) -> dict:
    from assistant.analytics.covenants import check_covenants
    from assistant.chat.service import ask
    from assistant.demo.portfolio import BORROWERS, build_demo, demo_quarters, write_inbox
    from assistant.store import load_snapshot, open_store

    started = time.perf_counter()
    store = open_store()
    with store.session() as s:
        from assistant.store.repo import list_clients

        empty = not list_clients(s)
    if empty:
        build_demo(as_of=AS_OF, workers=1)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="loanwatch-demo-truth-") as tmp:
        truth = write_inbox(Path(tmp), AS_OF).truth
    ends = demo_quarters(AS_OF)
    point, quarter, quarter_ly = _latest(ends)
    names = [b.name for b in BORROWERS]
    y, q = point.end.year, (point.end.month - 1) // 3 + 1
    cases: list[dict] = []

    def check(question: str, ok: bool, expected, got) -> None:  # noqa: ANN001
        cases.append({"question": question, "ok": ok, "expected": str(expected), "got": str(got)})

    # portfolio: thresholds with known members, covenant breaches
    cr = {n: _ratio(truth[n], "total_current_assets", "total_current_liabilities", point) for n in names}
    t = _between([v for v in cr.values() if v is not None], 2)
    want = {n for n, v in cr.items() if v is not None and v < t}
    question = f"哪些客户的流动比率低于{t}?"
    a = ask(question)
    check(question, _listed(a.answer, names) == want, sorted(want), sorted(_listed(a.answer, names)))
    da = {n: _ratio(truth[n], "total_liabilities", "total_assets", point) for n in names}
    t = _between([v * 100 for v in da.values() if v is not None], len(names) - 2)
    want = {n for n, v in da.items() if v is not None and v * 100 > t}
    question = f"Which clients have a debt-to-assets ratio above {t}%?"
    a = ask(question)
    check(question, _listed(a.answer, names) == want, sorted(want), sorted(_listed(a.answer, names)))
    want = set()
    for n in names:
        facilities = load_snapshot(store, n).facilities
        if any(r.status == "breach" for r in check_covenants(truth[n], facilities, quarter)):
            want.add(n)
    for question in ("哪些客户违反了契约?", "Which clients breached a covenant this quarter?"):
        a = ask(question)
        check(question, _listed(a.answer, names) == want, sorted(want), sorted(_listed(a.answer, names)))

    # figures of each client at the latest quarter
    for b in BORROWERS:
        facts = truth[b.name]
        expected = cr[b.name]
        question = f"{b.alias}{y}年{_Q[q - 1]}季度末的流动比率是多少?"
        a = ask(question)
        check(question, a.value is not None and expected is not None and abs(a.value - expected) < Decimal("1e-9"),
              expected, a.value)
        rev, rev_ly = facts.value("revenue", quarter), facts.value("revenue", quarter_ly)
        question = f"{b.alias}{y}年第{_Q[q - 1]}季度的营业收入是多少元?"
        a = ask(question)
        check(question, a.value == rev, rev, a.value)
        question = f"{b.alias}{y}年第{_Q[q - 1]}季度营业收入同比增长率是多少?保留两位小数"
        a = ask(question)
        growth = None if rev is None or not rev_ly else (rev - rev_ly) / abs(rev_ly) * 100
        ok = a.value is not None and growth is not None and round(a.value, 2) == round(growth, 2)
        check(question, ok, growth, a.value)
    passed = sum(c["ok"] for c in cases)
    return {"questions": len(cases), "correct": passed, "rate": round(passed / len(cases), 4),
            "build_seconds": round(built, 1), "cases": cases}
