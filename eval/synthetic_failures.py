"""Extract every synthetic layout (PDF and Excel) and list what is not exact.

    python -m eval.synthetic_failures [eval/reports/synthetic_failures.md] [--seed N]

Writes a Markdown report: per file the layout, values correct / wrong / missed, and every
mismatch (file, layout, key, column period, expected, got). The generator knows the truth,
so every value must be exact.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from assistant.demo.compare import compare
from assistant.demo.statements import generate_samples, render_xlsx, sample_specs
from extractors.errors import LoanwatchError
from extractors.pipeline import extract_file


def run(seed: int = 0) -> list[tuple[str, str, object, list[str], float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        samples = generate_samples(tmp, seed=seed, xlsx=False)
        targets = [(s.path, s.layout, s.truth) for s in samples]
        for spec in sample_specs(seed):
            path = Path(tmp) / f"{spec.layout}.xlsx"
            targets.append((path, spec.layout, render_xlsx(spec, path)))
        for path, layout, truth in targets:
            started = time.perf_counter()
            try:
                got = extract_file(path)
            except LoanwatchError as exc:
                rows.append((path.name, layout, None, [f"extraction failed: {exc}"], 0.0))
                continue
            seconds = time.perf_counter() - started
            score = compare(truth, got)
            notes = [m.line() for m in score.mismatches]
            if got.company != truth.company:
                notes.append(f"company: expected {truth.company!r}, got {got.company!r}")
            notes += [f"warning: {w}" for st in got.statements for w in st.warnings]
            rows.append((path.name, layout, score, notes, seconds))
    return rows


def to_markdown(rows, seed: int) -> str:
    lines = [f"# Synthetic extraction failures (seed {seed})", "",
             "Every value of a generated statement must come back exact. Command: "
             "`python -m eval.synthetic_failures`.", "",
             "| file | layout | correct | wrong | missed | precision | recall | seconds |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    tc = tw = tm = 0
    for name, layout, score, _notes, seconds in rows:
        if score is None:
            lines.append(f"| {name} | {layout} | – | – | – | – | – | – |")
            continue
        tc, tw, tm = tc + score.correct, tw + score.wrong, tm + score.missed
        lines.append(f"| {name} | {layout} | {score.correct} | {score.wrong} | {score.missed} | "
                     f"{score.precision:.3f} | {score.recall:.3f} | {seconds:.2f} |")
    total = tc + tw + tm
    lines.append(f"| **all** | | {tc} | {tw} | {tm} | {tc / max(1, tc + tw):.3f} | {tc / max(1, total):.3f} | |")
    lines += ["", "## Mismatches", ""]
    for name, layout, _score, notes, _s in rows:
        if notes:
            lines.append(f"### {name} ({layout})")
            lines += [f"- {n}" for n in notes[:60]]
            if len(notes) > 60:
                lines.append(f"- … {len(notes) - 60} more")
            lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="eval/reports/synthetic_failures.md")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rows = run(args.seed)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(to_markdown(rows, args.seed), encoding="utf-8")
    print(Path(args.out).read_text(encoding="utf-8").split("## Mismatches")[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
