"""Score statement extraction against the real gold set and the synthetic set; benchmark speed.

``python -m eval extraction [--no-bench] [--no-synthetic] [--no-real] [--no-own-gold] [--no-health]``

* Real: every ``shared/data/real/*.gold.jsonl`` value, matched by (kind, scope, period_start,
  period_end, key). Per document: correct (equal value, nulls included), wrong (extracted,
  different), missed (not extracted), extra (a canonical value we extracted for a consolidated
  column and key the gold does not hold), refused (a span column of an income or cash-flow
  statement whose start the extractor refused — end printed, start null, the statement warned —
  an abstention, like "could not read this"). precision = correct / (correct + wrong + extra),
  over what was asserted; recall = correct / gold values (a refused value is missed). The
  totals also give precision with the refused values counted as wrong, for comparison.
* Own gold (corpus): every ``tests/data/corpus_gold/*.gold.jsonl`` (gold figures we read off
  corpus pages ourselves; the PDFs stay in ``shared/data/corpus/{zh,en}/``), scored the same way.
  Skipped, with the reason, when the corpus or a document is absent.
* Corpus health: ``eval.health`` ``run()`` + ``report()`` over ``shared/data/corpus`` (gold-free
  criteria, silent failures), unless ``--no-health``.
* Synthetic: ``assistant.demo.statements.generate_samples`` when it exists; every value must be
  exact (same matching, truth from the generator).
* Speed: the longest real report, our extraction vs pdfplumber extracting every page's text in
  the same run, plus peak RSS of a fresh process for our extraction.

Writes ``eval/reports/extraction.md`` and ``.json``. Data dir: ``LOANWATCH_DATA_DIR`` or
``../shared/data``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "eval" / "reports"
CORPUS_GOLD = REPO / "tests" / "data" / "corpus_gold"
CORPUS_SUBDIRS = ("zh", "en")

Key = tuple[str, str, str | None, str | None, str]


def data_dir() -> Path:
    return Path(os.environ.get("LOANWATCH_DATA_DIR", REPO.parent / "shared" / "data"))


def _iso(d) -> str | None:
    return d.isoformat() if isinstance(d, (dt.date, dt.datetime)) else d


def extracted_values(result, scope: str | None = "consolidated") -> dict[Key, Decimal | None]:
    """(kind, scope, start, end, key) → value for every mapped item of every statement."""
    out: dict[Key, Decimal | None] = {}
    for st in result.statements:
        if scope and st.scope != scope:
            continue
        for item in st.items:
            if not item.key:
                continue
            for col, value in zip(st.columns, item.values):
                k = (st.kind, st.scope, _iso(col.period_start), _iso(col.period_end), item.key)
                out.setdefault(k, value)
    return out


def gold_values(path: Path) -> dict[Key, Decimal | None]:
    out: dict[Key, Decimal | None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        v = r["value"]
        out[(r["kind"], r["scope"], r["period_start"], r["period_end"], r["key"])] = None if v is None else Decimal(str(v))
    return out


def _refused_span(k: Key) -> bool:
    """A flow statement's column with an end but no start: the extractor refused the span (never a guess)."""
    kind, _scope, start, end, _key = k
    return kind in ("income_statement", "cash_flow") and start is None and end is not None


def score(gold: dict[Key, Decimal | None], got: dict[Key, Decimal | None]) -> dict:
    correct = wrong = missed = 0
    errors: list[str] = []
    for k, v in gold.items():
        if k not in got:
            missed += 1
            errors.append(f"missed {k} gold={v}")
        elif got[k] == v or (got[k] is not None and v is not None and abs(got[k] - v) < Decimal("0.0001")):
            correct += 1
        else:
            wrong += 1
            errors.append(f"wrong {k} gold={v} got={got[k]}")
    refused = [k for k in got if k not in gold and _refused_span(k)]
    extra = [k for k in got if k not in gold and not _refused_span(k)]
    errors += [f"extra {k} got={got[k]}" for k in extra] + [f"refused {k} got={got[k]}" for k in refused]
    denom = correct + wrong + len(extra)
    return {
        "gold": len(gold), "correct": correct, "wrong": wrong, "missed": missed, "extra": len(extra), "refused": len(refused),
        "precision": (correct / denom) if denom else (1.0 if not gold else 0.0),
        "recall": (correct / len(gold)) if gold else 1.0,
        "errors": errors,
    }


def _extract(path: Path, engine: str | None):
    from extractors.pdf import extract_pdf
    from extractors.pipeline import extract_file

    return extract_file(path) if engine is None else extract_pdf(path, engine=engine)


def score_real(root: Path, engine: str | None = None) -> list[dict]:
    rows = []
    for gold_path in sorted((root / "real").glob("*.gold.jsonl")):
        pdf = gold_path.with_name(gold_path.name.replace(".gold.jsonl", ".pdf"))
        started = time.perf_counter()
        result = _extract(pdf, engine)
        secs = time.perf_counter() - started
        gold = gold_values(gold_path)
        got = extracted_values(result)
        if not gold:  # a document without statements: anything we extract is extra
            got = {k: v for k, v in extracted_values(result, scope=None).items()}
        s = score(gold, got)
        s.update(doc=pdf.name, seconds=round(secs, 2), statements=len(result.statements))
        rows.append(s)
    return rows


def score_corpus_gold(root: Path, engine: str | None = None, gold_dir: Path = CORPUS_GOLD) -> tuple[list[dict], list[str]]:
    """Score every own gold file of ``gold_dir`` against its PDF in ``root/corpus/{zh,en}/``.

    Returns (rows, skipped): a skipped document is named with the reason, never scored as zero.
    """
    golds = sorted(gold_dir.glob("*.gold.jsonl"))
    if not golds:
        return [], [f"no gold files in {gold_dir}"]
    corpus = root / "corpus"
    if not corpus.is_dir():
        return [], [f"corpus absent ({corpus}): {len(golds)} gold files not scored; put the corpus at ../shared/data/corpus or set LOANWATCH_DATA_DIR"]
    rows, skipped = [], []
    for gold_path in golds:
        name = gold_path.name.replace(".gold.jsonl", ".pdf")
        pdf = next((corpus / sub / name for sub in CORPUS_SUBDIRS if (corpus / sub / name).is_file()), None)
        if pdf is None:
            skipped.append(f"{name}: not found under {corpus}/{{{','.join(CORPUS_SUBDIRS)}}}")
            continue
        started = time.perf_counter()
        try:
            result = _extract(pdf, engine)
        except Exception as exc:  # noqa: BLE001 - a refused document is a scored result (everything missed)
            result, err = None, f"{exc.__class__.__name__}: {exc}"
        else:
            err = None
        secs = time.perf_counter() - started
        gold = gold_values(gold_path)
        s = score(gold, extracted_values(result) if result is not None else {})
        if err:
            s["errors"].insert(0, err)
        s.update(doc=pdf.name, folder=pdf.parent.name, seconds=round(secs, 2),
                 statements=len(result.statements) if result is not None else 0)
        rows.append(s)
    return rows, skipped


def corpus_health(root: Path) -> tuple[list[dict], str]:
    """eval.health over ``root/corpus`` (rows, markdown), or ([], reason) when the corpus is absent."""
    from eval import health

    corpus = root / "corpus"
    if not corpus.is_dir():
        return [], f"## Corpus health (gold-free)\n\nSkipped: corpus absent ({corpus}).\n"
    rows = health.run([corpus])
    return rows, health.report(rows)


def score_synthetic(engine: str | None = None) -> list[dict]:
    try:
        from assistant.demo.statements import generate_samples
    except ImportError:
        return []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            samples = generate_samples(tmp)
        except Exception as exc:  # noqa: BLE001 - the generator is another module; report, do not crash
            print(f"synthetic set unavailable: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            return []
        for sample in samples:
            truth = extracted_values(sample.truth, scope=None)
            try:
                result = _extract(Path(sample.path), engine if Path(sample.path).suffix == ".pdf" else None)
                got = extracted_values(result, scope=None)
            except Exception as exc:  # noqa: BLE001 - a failure is a scored result, not a crash
                got = {}
                truth_err = f"{exc.__class__.__name__}: {exc}"
            else:
                truth_err = None
            s = score(truth, got)
            s.update(doc=Path(sample.path).name, layout=getattr(sample, "layout", ""), statements=0)
            if truth_err:
                s["errors"].insert(0, truth_err)
            rows.append(s)
    return rows


# VmHWM is this process's own peak (ru_maxrss would include the parent's at fork time)
_PEAK = r"""
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""

_BENCH = _PEAK + r"""
import json, sys, time
t = time.perf_counter()
from extractors.pipeline import extract_file
r = extract_file(sys.argv[1])
secs = time.perf_counter() - t
print(json.dumps({"seconds": secs, "statements": len(r.statements),
                  "peak_rss_mb": peak_mb()}))
"""

_PLUMBER = _PEAK + r"""
import json, sys, time
import pdfplumber
t = time.perf_counter()
with pdfplumber.open(sys.argv[1]) as pdf:
    n = 0
    for page in pdf.pages:
        page.extract_text(); n += 1
        page.close()
print(json.dumps({"seconds": time.perf_counter() - t, "pages": n, "peak_rss_mb": peak_mb()}))
"""


def benchmark(root: Path) -> list[dict]:
    """Every real report of 100 pages or more (the longest at least), one fresh process each."""
    pdfs = sorted((root / "real").glob("*.pdf"), key=lambda p: _page_count(p), reverse=True)
    targets = [p for p in pdfs if _page_count(p) >= 100] or pdfs[:1]
    # and the corpus report nearest 200 pages with a text layer (the yardstick: a 200-page report)
    corpus = [p for p in sorted((root / "corpus").rglob("*.pdf")) if not p.name.startswith("扫描")]
    if corpus:
        targets.append(min(corpus, key=lambda p: abs(_page_count(p) - 200)))
    return [_bench_one(t) for t in targets]


def _bench_one(target: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(REPO))
    def run(script: str) -> dict:
        done = subprocess.run([sys.executable, "-c", script, str(target)], capture_output=True, text=True, check=True, env=env, cwd=REPO)
        return json.loads(done.stdout.strip().splitlines()[-1])

    ours, plumber = run(_BENCH), run(_PLUMBER)
    return {"doc": target.name, "pages": plumber["pages"], "ours_seconds": round(ours["seconds"], 2),
            "ours_peak_rss_mb": round(ours["peak_rss_mb"]), "pdfplumber_all_pages_seconds": round(plumber["seconds"], 2),
            "pdfplumber_peak_rss_mb": round(plumber["peak_rss_mb"]), "speedup": round(plumber["seconds"] / ours["seconds"], 1)}


def _page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def _totals(rows: list[dict]) -> dict:
    t = {k: sum(r.get(k, 0) for r in rows) for k in ("gold", "correct", "wrong", "missed", "extra", "refused")}
    denom = t["correct"] + t["wrong"] + t["extra"]
    t["precision"] = t["correct"] / denom if denom else 1.0
    t["precision_refused_as_wrong"] = t["correct"] / (denom + t["refused"]) if denom + t["refused"] else 1.0
    t["recall"] = t["correct"] / t["gold"] if t["gold"] else 1.0
    return t


def _table(title: str, rows: list[dict]) -> list[str]:
    out = [f"### {title}", "", "| document | gold | correct | wrong | missed | extra | refused | precision | recall |",
           "|---|---|---|---|---|---|---|---|---|"]
    total = _totals(rows)
    for r in rows + [dict(total, doc="**total**")]:
        out.append(f"| {r['doc']} | {r['gold']} | {r['correct']} | {r['wrong']} | {r['missed']} | {r['extra']} | {r.get('refused', 0)} "
                   f"| {r['precision']:.4f} | {r['recall']:.4f} |")
    if total["refused"]:
        out += ["", f"Refused values (span start not printed, never guessed) are abstentions, left out of precision; "
                    f"counted as wrong, precision would be {total['precision_refused_as_wrong']:.4f}."]
    return out + [""]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval extraction")
    ap.add_argument("--no-bench", action="store_true")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--no-real", action="store_true")
    ap.add_argument("--no-own-gold", action="store_true", help="skip tests/data/corpus_gold (own gold on corpus documents)")
    ap.add_argument("--no-health", action="store_true", help="skip the corpus health run (eval.health)")
    ap.add_argument("--engine", choices=["pdfplumber", "pdfium"], default=None, help="word engine for PDFs (default: the extractor's)")
    ap.add_argument("--errors", action="store_true", help="print every wrong/missed/extra value")
    args = ap.parse_args(argv)
    root = data_dir()
    real = score_real(root, args.engine) if (root / "real").is_dir() and not args.no_real else []
    own, own_skipped = ([], ["skipped by --no-own-gold"]) if args.no_own_gold else score_corpus_gold(root, args.engine)
    synthetic = [] if args.no_synthetic else score_synthetic(args.engine)
    bench = [] if args.no_bench or not real else benchmark(root)
    lines = ["# Extraction evaluation", "", f"Command: `python -m eval extraction` ({dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC)", ""]
    if real:
        lines += _table("Real dev set (consolidated statements)", real)
    if own or not args.no_own_gold:
        if own:
            lines += _table("Own gold (corpus): tests/data/corpus_gold, consolidated statements", own)
        else:
            lines += ["### Own gold (corpus)", ""]
        lines += [f"Skipped: {s}" for s in own_skipped] + ([""] if own_skipped else [])
    if synthetic:
        lines += _table("Synthetic set (every value must be exact)", synthetic)
    if bench:
        lines += ["### Speed and memory (same run, one process each, OMP_NUM_THREADS=1)", "",
                  "| document | pages | ours (s) | pdfplumber all pages (s) | speed-up | our peak RSS (MB) | pdfplumber peak RSS (MB) |",
                  "|---|---|---|---|---|---|---|"]
        lines += [f"| {b['doc']} | {b['pages']} | {b['ours_seconds']} | {b['pdfplumber_all_pages_seconds']} | {b['speedup']}× | "
                  f"{b['ours_peak_rss_mb']} | {b['pdfplumber_peak_rss_mb']} |" for b in bench]
        lines += ["", f"Machine load (1-minute average) at the end of the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.", ""]
    health_rows, health_text = ([], "") if args.no_health else corpus_health(root)
    if health_text:
        lines += [health_text]
    report = "\n".join(lines)
    print(report)
    if args.errors:
        for r in real + own + synthetic:
            for e in r["errors"]:
                print(r["doc"], e)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "extraction.md").write_text(report + "\n", encoding="utf-8")
    payload = {"real": real, "real_total": _totals(real) if real else None, "synthetic": synthetic,
               "own_gold": own, "own_gold_total": _totals(own) if own else None, "own_gold_skipped": own_skipped,
               "synthetic_total": _totals(synthetic) if synthetic else None, "benchmark": bench}
    if not args.no_health:
        from eval import health

        payload["health_totals"] = health.totals(health_rows) if health_rows else None
    (REPORTS / "extraction.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
