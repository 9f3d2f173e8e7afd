"""``python -m eval coldstart``: how long a fresh ``loanwatch`` process takes for everyday commands.

Builds a home with one client (tests/memo_fixtures' declining client: statements of several
quarters, a facility with covenants) and one indexed inspection note, then runs each command
``--runs`` times in a new process and reports the fastest and median wall time. Each command
runs twice: cold (no service) and with ``loanwatch warm`` running for the home (issue 14: the
service keeps the store, engine, embedder, jieba and BM25 loaded and answers ``ask``, a
Markdown ``memo``, ``status`` and ``client list``; the command only prints its reply). Without
the service, a figure question, a Markdown memo and ``client list`` use the SQLite store through
the standard library (``assistant.cold``, ``assistant.store.lite``); the last column of each row
says which path answered (a probe run that reports whether SQLAlchemy was imported). The memo runs
twice: the same draft again (already stored: nothing new is written), and another ``--as-of`` day
each run (a new version and its ledger entry written). The floor rows time bare imports that a command
reading the store with SQLAlchemy pays (Python, typer + pydantic, SQLAlchemy, the ORM models), and the
ten costliest imports of each cold command follow (``python -X importtime``, cumulative). The
machine's load average is printed at the start and the end: on a shared machine wall times
grow with it. The target of issue 14 is ≤ 0.5 s. Written to eval/reports/coldstart.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from eval.extraction import REPORTS

REPO = Path(__file__).resolve().parents[1]
FIGURE_Q = ["ask", "示例新能源2026年9月末的流动比率是多少?", "--engine", "builtin"]
SEARCH_Q = ["ask", "示例新能源现场检查发现了什么问题?", "--engine", "builtin"]
MEMO = ["memo", "示例新能源", "--period", "2026Q3"]
COMMANDS = {
    "client list": ["client", "list"],
    "ask (figure)": FIGURE_Q,
    "ask (search)": SEARCH_Q,
    "status": ["status", "示例新能源", "--period", "2026Q3"],
    "memo (md), draft already stored": [*MEMO, "--as-of", "2026-10-25"],
    "memo (md), a new draft stored": [*MEMO, "--as-of", "{day}"],  # another day each run: a new version each time
}
_DAYS = iter(dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(10_000))
WARM = {f"{name}, warm service": cmd for name, cmd in COMMANDS.items()}  # each one answered by `loanwatch warm`
FLOOR = {
    "python -c pass": "pass",
    "+ typer, pydantic, pydantic-settings": "import typer, pydantic, pydantic_settings",
    "+ SQLAlchemy ORM": "import typer, pydantic, pydantic_settings, sqlalchemy.orm",
    "+ the store's models (assistant.store.schema)": "import typer, pydantic, pydantic_settings, assistant.store.schema",
}
INSPECTION = "2026年9月12日现场检查：发现在建工程进度滞后，实际完成60%，计划75%。施工方资金紧张，部分设备停工。"
SETUP = f"""
from assistant.retrieval import index_document
from assistant.store import open_store
from tests.memo_fixtures import declining_client, store_snapshot
store_snapshot(open_store(), declining_client())
index_document(client_id=1, document_id=901, name="示例新能源现场检查.txt", kind="inspection", pages=[{INSPECTION!r}])
"""


def _env(home: Path) -> dict:
    """The home's environment; compiled modules are kept (under the home), as an installed package has them."""
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_ENV_FILE": "", "PYTHONPATH": str(REPO),
           "PYTHONPYCACHEPREFIX": str(home / "pycache")}
    for key in ("LOANWATCH_DB_URL", "LOANWATCH_CHROMA_URL", "OPENAI_API_KEY", "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)
    return env


def _load() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def _argv(argv: list[str]) -> list[str]:
    """``{day}`` in a command becomes a day no earlier run used (a memo that must be stored anew)."""
    return [a.replace("{day}", next(_DAYS).isoformat()) if "{day}" in a else a for a in argv]


def _time(argv: list[str], env: dict, runs: int) -> tuple[list[float], list[float], int]:
    """Wall and CPU (user + system) seconds of ``runs`` fresh processes, and the first non-zero exit status."""
    walls, cpus, code = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = _argv(argv)
        t = time.perf_counter()
        done = subprocess.run(run, capture_output=True, env=env, cwd=REPO, timeout=600)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        code = code or done.returncode
    return walls, cpus, code


def _row(label: str, walls: list[float], cpus: list[float], code: int | str, path: str = "") -> str:
    return f"| {label} | {min(walls):.2f} | {statistics.median(walls):.2f} | {min(cpus):.2f} | {code} | {path} |"


_PROBE = ("import atexit, sys\n"
          "atexit.register(lambda: print('SQLALCHEMY=' + str('sqlalchemy' in sys.modules), file=sys.stderr))\n"
          "from assistant.cli import main\nmain()")


def _path(cmd: list[str], env: dict) -> str:
    """Which path answered one more run of ``cmd``: the store read with sqlite3 (no SQLAlchemy loaded) or the store's code."""
    done = subprocess.run([sys.executable, "-c", _PROBE, *_argv(cmd)], capture_output=True, text=True, env=env, cwd=REPO,
                          timeout=600)
    return "sqlite3" if "SQLALCHEMY=False" in done.stderr else "SQLAlchemy"


def _top_imports(args: list[str], env: dict, n: int = 10) -> list[tuple[str, float]]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "assistant.cli", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=600)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) <= 2:  # top-level imports and their direct children
            rows.append((m.group(3), int(m.group(1)) / 1e6))
    return sorted(rows, key=lambda r: -r[1])[:n]


def _start_warm(env: dict, home: Path) -> subprocess.Popen:
    """``loanwatch warm`` for ``home``, once it answers a ping."""
    from assistant import warm

    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "warm"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=REPO)
    deadline = time.monotonic() + 300
    while (warm.request({"op": "ping"}, home=home) or {}).get("pid") != proc.pid:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("python -m eval coldstart: `loanwatch warm` did not start")
        time.sleep(0.2)
    return proc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval coldstart")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="lw-cold-"))
    env = _env(home)
    subprocess.run([sys.executable, "-c", SETUP], check=True, env=env, cwd=REPO, timeout=600)
    for cmd in COMMANDS.values():  # untimed: compiles what each command imports, once (and stores the first draft)
        subprocess.run([sys.executable, "-m", "assistant.cli", *_argv(cmd)], capture_output=True, env=env, cwd=REPO, timeout=600)
    load_start = _load()
    lines = ["# Cold start of the command line", "",
             f"{args.runs} fresh processes per row: fastest and median wall time, and the least CPU time (user + system, "
             "which the machine's load inflates less). Target ≤ 0.5 s. Each command ran once untimed first, so "
             "modules are read compiled (PYTHONPYCACHEPREFIX under the home), as from an installed package.", "",
             "The last column says what read the store: `sqlite3` (assistant.store.lite, SQLAlchemy never imported) or "
             "`SQLAlchemy`; with the service, the service read it.", "",
             "| command | fastest s | median s | CPU s | exit | read by |", "|---|---|---|---|---|---|"]
    for name, cmd in COMMANDS.items():
        walls, cpus, code = _time([sys.executable, "-m", "assistant.cli", *cmd], env, args.runs)
        lines.append(_row(f"`loanwatch {' '.join(cmd)}` ({name})", walls, cpus, code, _path(cmd, env)))
    from assistant import warm

    proc = _start_warm(env, home)
    try:
        for name, cmd in WARM.items():
            walls, cpus, code = _time([sys.executable, "-m", "assistant.cli", *cmd], env, args.runs)
            lines.append(_row(f"`loanwatch {' '.join(cmd)}` ({name})", walls, cpus, code, "service"))
        answered = (warm.request({"op": "ping"}, home=home) or {}).get("answered")  # the untimed runs above were cold
        if answered != len(WARM) * args.runs:  # the rows above would then be cold answers
            lines.append(f"| the service answered {answered} of {len(WARM) * args.runs} questions: "
                         "the others fell back to the cold path | | | | |")
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    lines += ["", "Floor: what every store command imports before any of its own work.", "",
              "| import | fastest s | median s | CPU s | | |", "|---|---|---|---|---|---|"]
    for name, code in FLOOR.items():
        walls, cpus, _ = _time([sys.executable, "-c", code], env, args.runs)
        lines.append(_row(name, walls, cpus, ""))
    load_end = _load()
    lines += ["", f"Load average (1 min, {os.cpu_count()} cores): {load_start:.1f} at the start, {load_end:.1f} at the end."]
    details = []
    for name, cmd in COMMANDS.items():
        top = _top_imports(_argv(cmd), env)
        details.append(f"- `{name}`: " + ", ".join(f"{mod} {sec:.2f} s" for mod, sec in top))
    text = "\n".join(lines + ["", "Costliest imports (cumulative, `-X importtime`, cold):", "", *details]) + "\n"
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "coldstart.md").write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0
