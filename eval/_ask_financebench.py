"""FinanceBench dev questions (``questions/financebench_dev.jsonl``) asked of the built-in engine.

Scoring rules:

- **Numeric question**: the reference answer *starts* with a number ("93.86", "$1,616.00",
  "30.8%", "-42%", "36%. The answer here assumes …"). Anything else ("Yes, there was a
  decline …", "Lower marketing expenses …") is *not scored*; the engine's answer is shown
  for a reader.
- **Correct**: the engine's value, in the reference's unit, either rounds to the reference
  at the question's stated precision (else the precision printed in the reference), or lies
  within 1% of it (relative). Unit: an amount is divided by the scale the question names
  ("in USD millions" → 1e6); a percent answer is compared with a "%" reference as is.
- **Wrong**: a value that is not correct. **Abstain**: value null (the answer must say what is
  missing) — counted apart from wrong.
- **Citation correct**: the answer cites the question's document on an evidence page
  (``evidence_page_num`` + 1, the 1-based page). Reported for answered questions and, apart,
  for every question (a document answer quotes pages too).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

REL_TOL = Decimal("0.01")
_LEADING_NUMBER = re.compile(r"^\s*(?P<neg>-)?\s*\$?\s*(?P<neg2>-)?(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<pct>%)?")
_SCALES = (("billion", Decimal("1e9")), ("million", Decimal("1e6")), ("thousand", Decimal("1e3")))


def reference_number(answer: str) -> tuple[Decimal, bool, int] | None:
    """(number, is percent, decimals printed) when the reference answer starts with a number, else None."""
    m = _LEADING_NUMBER.match(answer)
    if not m:
        return None
    text = m["num"].replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if m["neg"] or m["neg2"]:
        value = -value
    places = len(text.split(".")[1]) if "." in text else 0
    return value, bool(m["pct"]), places


def question_scale(question: str) -> Decimal:
    """The unit of amounts the question asks for ("in USD millions" → 1e6); 1 when none is named."""
    low = question.lower()
    m = re.search(r"\bin (?:units of )?(?:usd |us\$ ?|\$ ?|dollars? )?(billions?|millions?|thousands?)\b", low)
    if not m:
        return Decimal(1)
    return next(f for w, f in _SCALES if m[1].startswith(w))


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def judge(question: str, reference: str, value: Decimal | None, unit: str | None, decimals: int | None) -> str:
    """"not scored", "abstain", "correct" or "wrong" for one answer (rules in the module docstring)."""
    ref = reference_number(reference)
    if ref is None:
        return "not scored"
    if value is None:
        return "abstain"
    gold, _, printed = ref
    got = value / question_scale(question) if unit == "amount" else value
    places = printed if decimals is None else decimals
    if _round(got, places) == _round(gold, places):
        return "correct"
    if gold != 0 and abs(got - gold) <= abs(gold) * REL_TOL:
        return "correct"
    return "wrong"


def cites_evidence(q: dict, citations: list) -> bool:
    pages = {(e["doc_name"], e["evidence_page_num"] + 1) for e in q["evidence"]}
    return any((Path(c.document).stem, c.page) in pages for c in citations)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ask_financebench(path: Path, answer_fn) -> dict:  # noqa: ANN001 - question -> Answer
    from assistant.chat.understand import understand

    rows, times = [], []
    counts: Counter = Counter()
    for q in map(json.loads, path.open(encoding="utf-8")):
        t0 = time.perf_counter()
        ans = answer_fn(q["question"])
        elapsed = (time.perf_counter() - t0) * 1000
        times.append(elapsed)
        status = judge(q["question"], q["answer"], ans.value, ans.unit, understand(q["question"]).decimals)
        cited = cites_evidence(q, ans.citations)
        counts[status] += 1
        counts["cited_any"] += cited
        if ans.value is not None:
            counts["answered"] += 1
            counts["cited_ok"] += cited
        if status == "abstain":
            counts["abstain_with_reason"] += bool(ans.missing) and bool(ans.answer)
        rows.append({"id": q["financebench_id"], "doc": q["doc_name"], "status": status,
                     "reference": q["answer"][:200], "value": None if ans.value is None else str(ans.value),
                     "unit": ans.unit, "cited_evidence": cited, "ms": round(elapsed, 1),
                     "question": q["question"][:200], "answer": ans.answer[:400],
                     "citations": [[c.document, c.page] for c in ans.citations]})
    n = len(rows)
    scored = counts["correct"] + counts["wrong"] + counts["abstain"]
    return {
        "questions": n, "scored": scored, "not_scored": counts["not scored"],
        "correct": counts["correct"], "wrong": counts["wrong"], "abstain": counts["abstain"],
        "correct_rate": round(counts["correct"] / scored, 4) if scored else None,
        "wrong_rate": round(counts["wrong"] / scored, 4) if scored else None,
        "abstain_rate": round(counts["abstain"] / scored, 4) if scored else None,
        "abstain_with_reason": counts["abstain_with_reason"],
        "citation_correct": round(counts["cited_ok"] / counts["answered"], 4) if counts["answered"] else None,
        "cites_evidence_any": round(counts["cited_any"] / n, 4) if n else None,
        "latency_ms": {"p50": round(statistics.median(times), 1), "p95": round(_pct(times, 0.95), 1)} if times else None,
        "rows": rows,
    }


def table(fb: dict) -> list[str]:
    """Markdown lines of the FinanceBench section."""
    def rate(x: float | None) -> str:
        return "—" if x is None else f"{x:.1%}"

    lat = fb["latency_ms"] or {"p50": "—", "p95": "—"}
    lines = [
        "## financebench_dev.jsonl", "",
        "Numeric references only (the reference starts with a number); correct = same value at the "
        "question's stated rounding (else the reference's printed decimals) or within 1% relative, "
        "amounts in the unit the question names.", "",
        "| questions | scored | correct | wrong | abstain | citation correct (answered) | cites evidence page (all) | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {fb['questions']} | {fb['scored']} | {fb['correct']} ({rate(fb['correct_rate'])}) | "
        f"{fb['wrong']} ({rate(fb['wrong_rate'])}) | {fb['abstain']} ({rate(fb['abstain_rate'])}) | "
        f"{rate(fb['citation_correct'])} | {rate(fb['cites_evidence_any'])} | {lat['p50']} | {lat['p95']} |", "",
        "| id | status | reference | value | cites evidence | answer |", "|---|---|---|---|---|---|",
    ]
    for r in fb["rows"]:
        ans = r["answer"].replace("|", "/").replace("\n", " ")[:220]
        lines.append(f"| {r['id']} | {r['status']} | {r['reference'][:70].replace('|', '/')} | {r['value']} | "
                     f"{'yes' if r['cited_evidence'] else 'no'} | {ans} |")
    return lines
