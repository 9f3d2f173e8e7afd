"""Scored evaluation of ``loanwatch ask`` (built-in engine): ``python -m eval ask``.

1. **Figures.** Ingest the dev documents (``shared/data/real``) into a fresh temporary home
   through the real ingest path (``assistant.ingest.ingest``: extraction, store, retrieval
   index), then ask every question of ``questions/figures_dev.jsonl`` through
   ``assistant.chat.service.ask``. A value is *exact* when it equals the gold value within a
   relative 1e-6 (amounts) or, for ratios and percentages, when both round to the same value
   at the question's stated precision (2 places when none is stated) in the answer's unit
   (a percent answer is compared with gold × 100). *Wrong*: a value that is not exact.
   *Abstain*: value null (the answer must say what is missing). *Citations*: an answered
   question cites the question's document and only pages where the gold figures of that
   period are printed (for a single figure: exactly its gold page). Latency p50/p95 per
   question, warm (the first question pays for imports and is reported apart).
   ``--facts gold`` answers from the gold figures instead of the extraction (engine-only upper
   bound, to separate understanding errors from extraction errors).
2. **Understanding on FinGLM** (``questions/finglm_A.jsonl``, no store): company as named in
   the question, year, and metric against the organisers' annotation (``prompt``).
3. **Not-in-store answers on FinGLM.** The numeric FinGLM questions (types 1, 1-2, 2-1, 2-2)
   asked against the ingested store: companies that are not clients must get value null and
   an answer naming the company.

4. **FinanceBench** (``questions/financebench_dev.jsonl``, English 10-K/10-Q/earnings PDFs):
   asked through the same path as the figures; numeric references scored (correct within the
   question's rounding or 1% relative, wrong, abstain), text references shown unscored,
   citation = an evidence page cited (``eval/_ask_financebench.py`` states the rules).

5. **Demo portfolio** (``--demo``, on by default): the demo portfolio built through ingest into
   another temporary home; portfolio questions (below/above a threshold, covenant breaches)
   and each borrower's latest ratio, revenue and growth, against answers known from the
   generator's true figures (``eval/_ask_portfolio.py``); then the portfolio question set
   (``eval/_ask_book.py``: 150+ ranking, filter, comparison, trend, exposure and due-instalment
   questions in Chinese and English, scored exact / wrong / could not answer).
   ``--portfolio`` runs only this part (about a minute) and writes ``ask_portfolio.md``.

Writes ``eval/reports/ask.md`` and ``eval/reports/ask.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

from eval._ask_financebench import ask_financebench  # noqa: E402
from eval._ask_financebench import table as financebench_table
from eval._ask_understanding import score_finglm  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "eval" / "reports"
REL_TOL = Decimal("1e-6")


def _data_dir(arg: str | None) -> Path:
    path = Path(arg or os.environ.get("LOANWATCH_DATA_DIR", REPO.parent / "shared" / "data"))
    if not (path / "real").is_dir():
        raise SystemExit(f"no dev data at {path}: pass --data or set LOANWATCH_DATA_DIR")
    return path


def _use_home(path: Path) -> None:
    from assistant.config import reset_settings

    os.environ["LOANWATCH_HOME"] = str(path)
    for var in ("LOANWATCH_DB_URL", "LOANWATCH_CHROMA_URL", "OPENAI_API_KEY"):
        os.environ.pop(var, None)
    os.environ["LOANWATCH_ENGINE"] = "builtin"
    reset_settings()
    try:
        from assistant.store import close_stores

        close_stores()
        from assistant.retrieval import reset_retrieval

        reset_retrieval()
    except ImportError:
        pass


# ---------------------------------------------------------------- sources of facts
def ingest_documents(real: Path) -> tuple[dict, float]:
    """Ingest every PDF of ``real`` through the real ingest path; return per-file lines and seconds."""
    from assistant.ingest import ingest

    started = time.perf_counter()
    report = ingest([str(p) for p in sorted(real.glob("*.pdf"))], workers=1, progress=False)
    lines = {Path(r.path).name: r.line() for r in report.results}
    return lines, time.perf_counter() - started


def gold_source(real: Path):
    """Snapshots built from the gold figures (``--facts gold``): one client per document."""
    from assistant.chat.builtin import SnapshotSource
    from assistant.domain import ClientProfile, ClientSnapshot, Fact, FactSet, Span

    questions = _questions(real.parent)
    company = {q["doc"]: q["company"] for q in questions}
    snaps = []
    for i, gold in enumerate(sorted(real.glob("*.gold.jsonl")), 1):
        doc = gold.name.replace(".gold.jsonl", ".pdf")
        if doc not in company:
            continue
        facts = FactSet()
        for rec in map(json.loads, gold.open(encoding="utf-8")):
            span = Span(dt.date.fromisoformat(rec["period_end"]),
                        dt.date.fromisoformat(rec["period_start"]) if rec["period_start"] else None)
            value = None if rec["value"] is None else Decimal(str(rec["value"]))
            facts.add(Fact(rec["key"], value, span, doc, i, rec["page"], rec["label"]))
        snaps.append(ClientSnapshot(ClientProfile(i, company[doc]), facts=facts))
    return SnapshotSource(snaps)


# ---------------------------------------------------------------- scoring
def _questions(data: Path) -> list[dict]:
    return [json.loads(line) for line in (data / "questions" / "figures_dev.jsonl").open(encoding="utf-8")]


def _gold_pages(real: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for gold in real.glob("*.gold.jsonl"):
        out[gold.name.replace(".gold.jsonl", ".pdf")] = [json.loads(line) for line in gold.open(encoding="utf-8")]
    return out


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def is_exact(q: dict, value: Decimal, unit: str | None, decimals: int | None) -> bool:
    gold = Decimal(str(q["value"]))
    if q["unit"] == "amount" and unit == "amount":
        return abs(value - gold) <= abs(gold) * REL_TOL
    if q["unit"] == "amount":
        return False
    places = 2 if decimals is None else decimals
    if unit == "percent":
        gold = gold * 100
    elif unit != "ratio":
        return False
    return _round(value, places) == _round(gold, places)


def citations_ok(q: dict, citations: list, gold: dict[str, list[dict]]) -> bool:
    records = gold.get(q["doc"], [])
    period = [r for r in records if r["period_end"] == q["period_end"] or (
        q["type"] == "growth" and r["period_end"][:4] == str(int(q["period_end"][:4]) - 1))]
    pages = {r["page"] for r in period}
    cited = {(c.document, c.page) for c in citations}
    if not cited or any(d != q["doc"] or p not in pages for d, p in cited):
        return False
    if q["type"] == "figure":
        wanted = {r["page"] for r in period if r["value"] is not None and Decimal(str(r["value"])) == Decimal(str(q["value"]))
                  and r["period_start"] == q["period_start"]}
        return bool(wanted) and {p for _, p in cited} <= wanted
    return True


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ask_figures(data: Path, answer_fn) -> dict:  # noqa: ANN001 - question -> Answer
    from assistant.chat.understand import understand

    gold = _gold_pages(data / "real")
    rows, times = [], []
    counts: Counter = Counter()
    for q in _questions(data):
        t0 = time.perf_counter()
        ans = answer_fn(q["question"])
        elapsed = (time.perf_counter() - t0) * 1000
        times.append(elapsed)
        decimals = understand(q["question"]).decimals
        if ans.value is None:
            status = "abstain"
            counts["abstain_with_reason"] += bool(ans.missing) and bool(ans.answer)
        else:
            status = "exact" if is_exact(q, ans.value, ans.unit, decimals) else "wrong"
            counts["cited_ok"] += citations_ok(q, ans.citations, gold)
        counts[status] += 1
        counts[f"{q['type']}:{status}"] += 1
        rows.append({"id": q["id"], "type": q["type"], "status": status, "gold": q["value"],
                     "value": None if ans.value is None else str(ans.value), "unit": ans.unit,
                     "ms": round(elapsed, 1), "answer": ans.answer[:300],
                     "citations": [[c.document, c.page] for c in ans.citations]})
    n = len(rows)
    answered = counts["exact"] + counts["wrong"]
    warm = times[1:] or times
    by_type = {t: {s: counts[f"{t}:{s}"] for s in ("exact", "wrong", "abstain")} for t in ("figure", "ratio", "growth")}
    return {
        "questions": n,
        "exact": counts["exact"], "wrong": counts["wrong"], "abstain": counts["abstain"],
        "exact_rate": round(counts["exact"] / n, 4), "wrong_rate": round(counts["wrong"] / n, 4),
        "abstain_rate": round(counts["abstain"] / n, 4),
        "abstain_with_reason": counts["abstain_with_reason"],
        "citation_correct": round(counts["cited_ok"] / answered, 4) if answered else None,
        "latency_ms": {"p50": round(statistics.median(warm), 1), "p95": round(_pct(warm, 0.95), 1),
                       "first": round(times[0], 1)},
        "by_type": by_type,
        "rows": rows,
    }


def finglm_not_in_store(data: Path, source, limit: int | None = None) -> dict:  # noqa: ANN001
    """Numeric FinGLM questions about companies that are not clients: value null, company named."""
    from assistant.chat.service import answer_with

    rows = [json.loads(line) for line in (data / "questions" / "finglm_A.jsonl").open(encoding="utf-8")]
    rows = [r for r in rows if r["type"] in ("1", "1-2", "2-1", "2-2") and r["prompt"].get("ent_name")]
    clients = {c.name for c in source.clients()}
    counts: Counter = Counter()
    misses = []
    for r in rows[:limit]:
        p = r["prompt"]
        if any(p["ent_name"] == c or p.get("ent_short_name", "") in c for c in clients):
            counts["in_store"] += 1
            continue
        counts["n"] += 1
        ans = answer_with(r["question"], source)
        named = any(n and n in ans.answer for n in (p["ent_name"], p.get("ent_short_name")))
        ok = ans.value is None and named
        counts["ok"] += ok
        if not ok and len(misses) < 20:
            misses.append({"id": r["id"], "q": r["question"], "answer": ans.answer[:200]})
    return {"questions": counts["n"], "correct_not_in_store": counts["ok"],
            "rate": round(counts["ok"] / counts["n"], 4) if counts["n"] else None,
            "skipped_in_store": counts["in_store"], "misses": misses}


# ---------------------------------------------------------------- report
def _table(fig: dict, und: dict, nis: dict | None, mode: str, ingest: dict | None, demo: dict | None = None,
           fb: dict | None = None) -> str:
    lat = fig["latency_ms"]
    cited = "—" if fig["citation_correct"] is None else f"{fig['citation_correct']:.1%}"
    lines = [
        f"# ask (built-in engine) — facts from {mode}",
        "",
        f"Command: `python -m eval ask{' --facts gold' if mode == 'gold figures' else ''}`",
        "",
        "## figures_dev.jsonl",
        "",
        "| questions | exact | wrong | abstain | citation correct | p50 ms | p95 ms |",
        "|---|---|---|---|---|---|---|",
        f"| {fig['questions']} | {fig['exact']} ({fig['exact_rate']:.1%}) | {fig['wrong']} ({fig['wrong_rate']:.1%}) | "
        f"{fig['abstain']} ({fig['abstain_rate']:.1%}) | {cited} | "
        f"{lat['p50']} | {lat['p95']} |",
        "",
        "| type | exact | wrong | abstain |",
        "|---|---|---|---|",
        *[f"| {t} | {c['exact']} | {c['wrong']} | {c['abstain']} |" for t, c in fig["by_type"].items()],
        "",
        f"Abstentions that say what is missing: {fig['abstain_with_reason']} of {fig['abstain']}. "
        f"First question (imports, cold caches): {lat['first']} ms.",
        "",
        "## FinGLM understanding (finglm_A.jsonl, no store)",
        "",
        "| part | n | accuracy |",
        "|---|---|---|",
        *[f"| {k} | {und[k]['n']} | {und[k]['accuracy']:.2%} |" for k in ("company", "year", "metric")],
    ]
    if nis is not None:
        lines += ["", "## FinGLM companies not in the store", "",
                  f"{nis['correct_not_in_store']} of {nis['questions']} numeric questions answered with value null "
                  f"and the company named ({nis['rate']:.2%}); {nis['skipped_in_store']} about stored clients skipped."]
    if fb is not None:
        lines += ["", *financebench_table(fb)]
    if demo is not None:
        lines += ["", "## Demo portfolio (answers known from the generator's truth)", "",
                  f"{demo['correct']} of {demo['questions']} correct ({demo['rate']:.1%}); demo built in "
                  f"{demo['build_seconds']} s.", ""]
        lines += [f"- {'ok ' if c['ok'] else 'BAD'} {c['question']} → {c['got'][:60]}" for c in demo["cases"] if not c["ok"]]
        if demo.get("book"):
            from eval._ask_book import table as book_table

            lines += ["", *book_table(demo["book"])]
    if ingest:
        lines += ["", "## Ingest", "", f"{ingest['seconds']:.1f} s", "", *[f"- {line}" for line in ingest["lines"].values()]]
    wrong = [r for r in fig["rows"] if r["status"] != "exact"]
    if wrong:
        lines += ["", "## Not exact", "", "| id | status | gold | value | answer |", "|---|---|---|---|---|"]
        lines += [f"| {r['id']} | {r['status']} | {r['gold']} | {r['value']} | {r['answer'][:140].replace('|', '/')} |"
                  for r in wrong]
    return "\n".join(lines) + "\n"


def _demo_with_book(run_demo) -> dict:  # noqa: ANN001
    """The demo questions, then the portfolio question set on the same demo (at its fixed date)."""
    from eval._ask_book import AS_OF
    from eval._ask_book import run as run_book

    os.environ["LOANWATCH_TODAY"] = AS_OF.isoformat()  # overdue days and due instalments as of the demo's date
    from assistant.config import reset_settings

    reset_settings()
    demo = run_demo()
    demo["book"] = run_book()
    return demo


def _portfolio_only(outdir: Path) -> int:
    from eval._ask_book import table as book_table
    from eval._ask_portfolio import run as run_demo

    with tempfile.TemporaryDirectory(prefix="loanwatch-eval-book-") as tmp:
        _use_home(Path(tmp) / "demo")
        demo = _demo_with_book(run_demo)
    lines = ["# ask — demo portfolio", "", "Command: `python -m eval ask --portfolio`", "",
             f"Demo questions (eval/_ask_portfolio.py): {demo['correct']} of {demo['questions']} correct.", "",
             *book_table(demo["book"])]
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "ask_portfolio.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (outdir / "ask_portfolio.json").write_text(json.dumps(demo, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    sys.stdout.write("\n".join(lines[:16]) + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval ask", description=__doc__.split("\n")[0])
    ap.add_argument("--data", help="shared/data (default: LOANWATCH_DATA_DIR or ../shared/data)")
    ap.add_argument("--facts", choices=["ingest", "gold"], default="ingest",
                    help="answer from ingested documents (default) or from the gold figures (engine only)")
    ap.add_argument("--home", help="use this LOANWATCH_HOME (kept) instead of a temporary one")
    ap.add_argument("--finglm-limit", type=int, default=None, help="ask only this many FinGLM questions")
    ap.add_argument("--out", default=str(REPORTS), help="where to write ask.md / ask.json")
    ap.add_argument("--no-demo", action="store_true", help="skip the demo-portfolio questions (saves ~2.5 min)")
    ap.add_argument("--portfolio", action="store_true", help="only the demo portfolio and its question set")
    args = ap.parse_args(argv)
    if args.portfolio:
        return _portfolio_only(Path(args.out))
    data = _data_dir(args.data)
    und = score_finglm(data / "questions" / "finglm_A.jsonl")
    ingest_info = None
    with tempfile.TemporaryDirectory(prefix="loanwatch-eval-ask-") as tmp:
        if args.facts == "gold":
            source, mode = gold_source(data / "real"), "gold figures"
        else:
            home = Path(args.home) if args.home else Path(tmp) / "home"
            _use_home(home)
            from assistant.chat.service import scoped_source

            if not any(home.glob("loanwatch.db")) or args.home is None:
                lines, seconds = ingest_documents(data / "real")
                ingest_info = {"seconds": seconds, "lines": lines}
            source, mode = scoped_source(), "ingested documents"
        if args.facts == "gold":
            from assistant.chat.service import answer_with

            fig = ask_figures(data, lambda q: answer_with(q, source))
            fb = None  # the gold figures cover figures_dev only
        else:  # the real path, as `loanwatch ask` runs it: scope, load the snapshot, answer
            from assistant.chat.service import ask

            fig = ask_figures(data, ask)
            fb_path = data / "questions" / "financebench_dev.jsonl"
            fb = ask_financebench(fb_path, ask) if fb_path.is_file() else None
        nis = finglm_not_in_store(data, source, args.finglm_limit)
        demo = None
        if not args.no_demo and args.facts == "ingest":
            from eval._ask_portfolio import run as run_demo

            _use_home(Path(tmp) / "demo")
            demo = _demo_with_book(run_demo)
    out = {"mode": mode, "figures": fig, "finglm_understanding": {k: v for k, v in und.items() if k != "misses"},
           "finglm_not_in_store": nis, "financebench": fb, "ingest": ingest_info, "demo": demo}
    report = _table(fig, und, nis, mode, ingest_info, demo, fb)
    outdir = Path(args.out)
    outdir.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.facts == "ingest" else "_gold"
    (outdir / f"ask{suffix}.md").write_text(report, encoding="utf-8")
    (outdir / f"ask{suffix}.json").write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    sys.stdout.write(report.split("## Ingest")[0].split("## Not exact")[0])
    if ingest_info is None and args.facts == "ingest":
        sys.stdout.write("(documents were already ingested in --home: ingest time not measured)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
