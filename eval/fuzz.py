"""``python -m eval fuzz``: the long fuzz run — mutated statements against the extractor.

The mutations and the oracle are tests/fuzz.py's (bit flips, truncation, damaged xref and page
tree, flate bombs, garbled font maps; outcomes complete / partial / flagged / refused, and the
failures silent / crash / hang). This run takes generated statements of every layout and the
real gold reports (``--real``, all of shared/data/real by default when present), mutates each
``--per-source`` times with ``--seed``, and writes a table per mutation and outcome, the wall
time and every failure to eval/reports/fuzz.md (exit 1 when any failure is found).

A ToUnicode map shuffled or permuted among Latin letters is found by judging each font's words
(``extractors.plausible``); one permuted among digits by the identity checks, the header years and
the leading digits of the numbers (Benford's law). Damage inside the streams of an encrypted file
that opens without a password (NETFLIX_2017_10K) is found: the integrity check decrypts them first.

The run ends with the false alarms: every real PDF of shared/data (real/ and corpus/, 71) read with
``open_pdf``; any damage reported there is a false alarm (``--no-false-alarms`` skips it).

    python -m eval fuzz                         # ≈ 10 min on 2 cores
    python -m eval fuzz --per-source 12 --real ULTA,平安   # quicker
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from eval._needs import require
from eval.extraction import REPORTS, data_dir


def main(argv: list[str] | None = None) -> int:
    require("pikepdf")
    from assistant.demo import LAYOUTS, StatementSpec, render_pdf
    from extractors.pipeline import extract_file
    from tests.fuzz import FAILURES, MUTATIONS, run_cases, table

    ap = argparse.ArgumentParser(prog="python -m eval fuzz")
    ap.add_argument("--per-source", type=int, default=36, help="mutations of each source file")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--real", default="*", help="comma-separated parts of real report names ('' none, '*' all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a file counts as a hang")
    ap.add_argument("--keep", default="", help="keep the mutated files in this folder")
    ap.add_argument("--no-false-alarms", action="store_true", help="skip reading the real PDFs for false damage alarms")
    args = ap.parse_args(argv)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="loanwatch-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    sources = []
    for i, layout in enumerate(LAYOUTS):
        path = work / f"generated_{layout}.pdf"
        render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=dt.date(2026, 9, 30), layout=layout,
                                 seed=args.seed + i), path)
        sources.append((f"generated {layout}", path.read_bytes(), extract_file(path)))
    real_dir = data_dir() / "real"
    if args.real and real_dir.is_dir():
        wanted = None if args.real == "*" else args.real.split(",")
        for path in sorted(real_dir.glob("*.pdf")):
            if wanted is None or any(w in path.name for w in wanted):
                sources.append((path.name, path.read_bytes(), extract_file(path)))
    rng = random.Random(args.seed)
    kinds = list(MUTATIONS)
    cases = [(*src, kinds[k % len(kinds)], rng.randrange(1 << 30)) for src in sources for k in range(args.per_source)]
    started = time.perf_counter()
    out = run_cases(cases, work / "mutated", workers=args.workers, timeout=args.timeout)
    seconds = time.perf_counter() - started
    failures = [c for c in out if c.outcome in FAILURES]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = ["# Fuzz: mutated statements", "",
             f"{len(out)} mutated files from {len(sources)} sources (seed {args.seed}, {args.per_source} each), "
             f"{seconds:.0f} s wall with {args.workers} workers, load average {load:.1f} at the end.", "",
             table(out), "",
             "complete: the original's figures; partial: read only in part and marked so; flagged: figures differ "
             "and each such statement carries a warning; refused: a one-line DocumentError. "
             "silent / crash / hang are failures.", ""]
    lines += [f"- {c.outcome}: {c.source} {c.mutation} seed {c.seed}: {c.detail[:300]}" for c in failures] or ["No failures."]
    alarms: list[str] = []
    if not args.no_false_alarms:
        alarms, read = _false_alarms(data_dir())
        lines += ["", f"False damage alarms on {read} real PDFs (real/ and corpus/, read whole): {len(alarms)}"]
        lines += [f"- {a}" for a in alarms]
    text = "\n".join(lines) + "\n"
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "fuzz.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 1 if failures or alarms else 0


def _false_alarms(data: Path) -> tuple[list[str], int]:
    """(each real PDF that ``open_pdf`` reports damaged, with why; the PDFs read). Scans are not read."""
    from extractors.document import open_pdf
    from extractors.errors import ScannedDocumentError

    out, read = [], 0
    for path in sorted([*(data / "real").glob("*.pdf"), *(data / "corpus").rglob("*.pdf")]):
        try:
            damage = open_pdf(path).damage
        except ScannedDocumentError:
            continue
        read += 1
        if damage:
            out.append(f"{path.name}: {'; '.join(damage)}")
    return out, read
