"""What following another process's index writes costs: ``python -m eval index_follow [--home DIR] [--chunks N]``.

A long-running process (the app, ``loanwatch warm``) reads the index generation before every
search, index and removal (``assistant.retrieval.search.Retrieval._current``) and reopens an
embedded Chroma client when another process wrote. Measured in this one process, on one home:

1. the check alone: ``LexicalIndex.generation`` (a kept connection) against the same read on a
   new connection (what the lexical index did before every search, and the warm service before
   every question);
2. a hybrid search scoped to one client with the check (``Retrieval.search``) and without it
   (``Retrieval._search``), alternating, wall and CPU (user+sys of this process);
3. the first search after another process (a real ``python``) indexed a document — Chroma
   reopened, BM25 reloaded — and the next one; then the RSS after ``--cycles`` reopens (the
   generation bumped by another connection, as a writer would).

``--home DIR``: measure on a copy of that home (e.g. the 100,000-chunk one ``python -m eval
retrieval`` caches under ``$TMPDIR/loanwatch-eval-retrieval/scale-*``); else ``--chunks``
synthetic chunks (``eval.retrieval.index_synthetic``) in a temporary home. Prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
QUERY = "华信光伏现场检查发现了什么问题？"
LATER = "Site visit to Summit Retail: the interest rate swap counterparty was downgraded to BB; the hedge must be replaced."


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _per_call(fn, n: int) -> tuple[float, float]:  # noqa: ANN001
    """(wall µs, CPU µs) a call, over ``n`` calls."""
    wall, cpu = time.perf_counter(), _cpu()
    for _ in range(n):
        fn()
    return (time.perf_counter() - wall) / n * 1e6, (_cpu() - cpu) / n * 1e6


def _write_elsewhere(home: Path, document_id: int) -> float:
    """Index one document from a new Python process on ``home``; its seconds."""
    code = ("from assistant.retrieval import index_document\n"
            f"index_document(client_id=1, document_id={document_id}, name='later.pdf', kind='inspection', pages=[{LATER!r}])")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, env={**os.environ, "LOANWATCH_HOME": str(home)})
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval index_follow", description=__doc__.split("\n")[0])
    parser.add_argument("--home", type=Path, help="a home to copy and measure on (default: a synthetic one)")
    parser.add_argument("--chunks", type=int, default=2000, help="synthetic chunks when no --home (default 2,000)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds of searches with and without the check")
    parser.add_argument("--searches", type=int, default=40, help="searches a round and side")
    parser.add_argument("--cycles", type=int, default=20, help="reopens before the RSS is read again")
    args = parser.parse_args(argv)

    from assistant.config import reset_settings
    from assistant.retrieval import reset_retrieval
    from assistant.retrieval.search import get_retrieval

    with tempfile.TemporaryDirectory(prefix="loanwatch-index-follow-") as tmp:
        home = Path(tmp) / "home"
        if args.home:
            shutil.copytree(args.home, home)
        os.environ["LOANWATCH_HOME"] = str(home)
        os.environ.pop("LOANWATCH_CHROMA_URL", None)
        reset_settings()
        reset_retrieval()
        if not args.home:
            from eval.retrieval import index_synthetic

            index_synthetic(home, args.chunks, pool=min(args.chunks, 500), per_doc=50)
            reset_retrieval()
        engine = get_retrieval()
        chunks = engine.store.count()
        engine.search(QUERY, client_ids=[1], k=5)  # BM25 loaded or built, the embedder warm
        lines = [f"# Following other processes' index writes ({chunks:,} chunks, embedded Chroma)", "",
                 f"`python -m eval index_follow {' '.join(argv or [])}`; load average at start "
                 f"{os.getloadavg()[0]:.1f}.", ""]

        db = engine.lexical.path / "rows.sqlite"

        def fresh_read() -> int:
            with sqlite3.connect(db, timeout=30) as conn:
                return conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0]

        def gate() -> None:
            with engine._current():
                pass

        kept, new, whole = _per_call(engine.lexical.generation, 5000), _per_call(fresh_read, 2000), _per_call(gate, 5000)
        lines += ["| the generation check | wall µs | CPU µs |", "|---|---|---|",
                  f"| kept connection (now, every search) | {kept[0]:.1f} | {kept[1]:.1f} |",
                  f"| the whole gate a search passes (`Retrieval._current`: the read, a lock, the in-use count) | {whole[0]:.1f} | {whole[1]:.1f} |",
                  f"| new connection (before: BM25 before every search, warm before every question) | {new[0]:.1f} | {new[1]:.1f} |", ""]

        scope = {1}
        sides = {"with the check (`search`)": lambda: engine.search(QUERY, client_ids=scope, k=5),
                 "without (`_search`)": lambda: engine._search(QUERY, scope, 5, None, None, "hybrid")}
        got: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for name, fn in sides.items():
                got[name].append(_per_call(fn, args.searches))
        lines += [f"| hybrid search, 1 client, k=5 ({args.rounds} alternating rounds × {args.searches}) | median wall ms | median CPU ms |",
                  "|---|---|---|"]
        for name, values in got.items():
            lines.append(f"| {name} | {statistics.median(v[0] for v in values) / 1000:.2f} | {statistics.median(v[1] for v in values) / 1000:.2f} |"
                         f" rounds (CPU ms): {', '.join(f'{v[1] / 1000:.2f}' for v in values)}")
        lines.append("")

        lines += ["| after another process indexed a document | writer s | reopen Chroma client s | BM25 reload s "
                  "| first dense search (HNSW load) s | first hybrid search s | next hybrid search s | CPU s of the five |",
                  "|---|---|---|---|---|---|---|---|"]
        for i in range(3):
            writer = _write_elsewhere(home, 10_000_000 + i)
            opened, cpu, steps = engine.store, _cpu(), []
            for step in (gate,
                         lambda: engine.lexical.search("hedge", client_ids=[1], k=1),
                         lambda: engine._search("swap counterparty downgraded hedge", {1}, 5, None, None, "dense"),
                         lambda: engine.search("swap counterparty downgraded hedge", client_ids=[1], k=5),
                         lambda: engine.search("swap counterparty downgraded hedge", client_ids=[1], k=5)):
                wall = time.perf_counter()
                steps.append((step(), time.perf_counter() - wall))
            hits = steps[3][0]
            assert engine.store is not opened and hits and hits[0].document_id == 10_000_000 + i, "the new document was not found"
            lines.append(f"| write {i + 1} | {writer:.1f} | " + " | ".join(f"{t:.3f}" for _, t in steps) + f" | {_cpu() - cpu:.2f} |")
        lines.append("")

        rss = [_rss_mb()]
        for _ in range(3):
            for _ in range(args.cycles):
                with sqlite3.connect(db, timeout=30) as conn:  # what another writer does last
                    conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
                engine.search(QUERY, client_ids=[1], k=5)
            rss.append(_rss_mb())
        lines += [f"RSS after 0, {args.cycles}, {2 * args.cycles} and {3 * args.cycles} more reopens (each with a BM25 rebuild): "
                  f"{', '.join(f'{r:.0f}' for r in rss)} MB.", ""]
        reset_retrieval()
    print("\n".join(lines))
    return 0
