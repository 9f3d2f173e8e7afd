"""``python -m eval coldstart``: how long a fresh ``loanwatch`` process takes for everyday commands.

Builds a home with one client (tests/memo_fixtures' declining client: statements of several
quarters, a facility with covenants), then runs each command ``--runs`` times in a new process
and reports the fastest and median wall time, plus the ten imports that cost most
(``python -X importtime``, cumulative) for each. The target of issue 14 is ≤ 0.5 s for
``status``, a figure question and ``memo``. Written to eval/reports/coldstart.md.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.extraction import REPORTS

REPO = Path(__file__).resolve().parents[1]
COMMANDS = {
    "status": ["status", "示例新能源", "--period", "2026Q3"],
    "ask (figure)": ["ask", "示例新能源2026年9月末的流动比率是多少?", "--engine", "builtin"],
    "memo (md)": ["memo", "示例新能源", "--period", "2026Q3", "--as-of", "2026-10-25"],
    "client list": ["client", "list"],
}


def _env(home: Path) -> dict:
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_ENV_FILE": "", "PYTHONPATH": str(REPO)}
    env.pop("LOANWATCH_DB_URL", None)
    env.pop("OPENAI_API_KEY", None)
    return env


def _top_imports(args: list[str], env: dict, n: int = 10) -> list[tuple[str, float]]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant.cli", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=300)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) <= 2:  # top-level imports and their direct children
            rows.append((m.group(3), int(m.group(1)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval coldstart")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="loanwatch-coldstart-"))
    env = _env(home)
    subprocess.run([sys.executable, "-c", "from assistant.store import open_store\n"
                    "from tests.memo_fixtures import declining_client, store_snapshot\n"
                    "store_snapshot(open_store(), declining_client())"], check=True, env=env, cwd=REPO, timeout=300)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = ["# Cold start of the command line", "",
             f"{args.runs} fresh processes per command; load average {load:.1f} at the start (2 cores). Target ≤ 0.5 s.", "",
             "| command | fastest s | median s | exit |", "|---|---|---|---|"]
    details = []
    for name, cmd in COMMANDS.items():
        times, code = [], 0
        for _ in range(args.runs):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "assistant.cli", *cmd], capture_output=True, env=env, cwd=REPO, timeout=300)
            times.append(time.perf_counter() - t)
            code = done.returncode
        lines.append(f"| `loanwatch {' '.join(cmd)}` | {min(times):.2f} | {statistics.median(times):.2f} | {code} |")
        top = _top_imports(cmd, env)
        details.append(f"- `{name}`: " + ", ".join(f"{mod} {sec:.2f} s" for mod, sec in top))
    text = "\n".join(lines + ["", "Costliest imports (cumulative, `-X importtime`):", "", *details]) + "\n"
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "coldstart.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0
