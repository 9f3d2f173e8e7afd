"""What grows in a long-running process: an opt-in memory trace for ``loanwatch serve`` (issue 14).

Off unless ``LOANWATCH_MEMTRACE`` names a file. Then :func:`start_from_env` starts
``tracemalloc`` (``LOANWATCH_MEMTRACE_FRAMES`` frames per allocation, default 1) and a daemon
thread (``LOANWATCH_MEMTRACE_FRAMES=0``: no tracemalloc, only the counts below) that every
``LOANWATCH_MEMTRACE_EVERY`` seconds (default 60) appends one block to the file:
the process's RSS, glibc's bytes in use and freed-but-kept, the bytes Python's allocators trace, the source lines whose traced bytes grew
most since the first sample, and the object types whose live count grew most (``gc``). RSS that
rises while the traced bytes stay flat points below Python (native libraries, allocator
fragmentation); traced bytes that rise name their lines.

tracemalloc slows the process and roughly doubles its memory: a diagnostic, never on in service.
"""

from __future__ import annotations

import ctypes
import gc
import os
import threading
import time
from collections import Counter
from pathlib import Path

ENV_FILE = "LOANWATCH_MEMTRACE"
ENV_EVERY = "LOANWATCH_MEMTRACE_EVERY"
ENV_FRAMES = "LOANWATCH_MEMTRACE_FRAMES"
TOP = 25


def rss_mb() -> float:
    """This process's resident set size in MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]


def malloc_mb() -> dict[str, float]:
    """glibc's own count, over all its arenas: bytes it holds from the system (``arena`` + ``mmap``), bytes in use,
    and bytes freed but kept (``free``: fragmentation when it is large). Empty where glibc has no ``mallinfo2``."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        fn = libc.mallinfo2
    except (OSError, AttributeError):
        return {}
    fn.restype = _MallInfo2
    m = fn()
    return {"arena": m.arena / 2**20, "mmap": m.hblkhd / 2**20, "used": (m.uordblks + m.hblkhd) / 2**20, "free": m.fordblks / 2**20}


def type_counts() -> Counter:
    """Live objects that ``gc`` tracks, counted by type name (module-qualified)."""
    counts: Counter = Counter()
    for obj in gc.get_objects():
        kind = type(obj)
        counts[f"{kind.__module__}.{kind.__qualname__}"] += 1
    return counts


def grown(before: Counter, after: Counter, top: int = TOP) -> list[tuple[str, int, int]]:
    """The ``top`` keys whose counts grew most: (key, now, growth), growth > 0 only."""
    growth = [(key, after[key], after[key] - before.get(key, 0)) for key in after]
    return sorted((g for g in growth if g[2] > 0), key=lambda g: -g[2])[:top]


class Tracer:
    """Samples and writes; :meth:`sample` is one block (a thread calls it every ``every`` seconds)."""

    def __init__(self, path: Path, every: float = 60.0, frames: int = 1):
        self.path, self.every, self.frames = Path(path), every, frames
        self.first = None  # tracemalloc snapshot
        self.first_counts: Counter | None = None
        self.started = time.monotonic()
        self.stop = threading.Event()

    def start(self) -> threading.Thread:
        import tracemalloc

        if self.frames and not tracemalloc.is_tracing():
            tracemalloc.start(self.frames)
        thread = threading.Thread(target=self._loop, name="loanwatch-memtrace", daemon=True)
        thread.start()
        return thread

    def _loop(self) -> None:
        self.sample()
        while not self.stop.wait(self.every):
            self.sample()

    def sample(self) -> str:
        import tracemalloc

        gc.collect()
        tracing = tracemalloc.is_tracing()
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)]) if tracing else None
        counts = type_counts()
        current, peak = tracemalloc.get_traced_memory()
        heap = " ".join(f"malloc_{k}={v:.0f}MB" for k, v in malloc_mb().items())
        lines = [f"== t={time.monotonic() - self.started:.0f}s rss={rss_mb():.0f}MB traced={current / 2**20:.1f}MB "
                 f"traced_peak={peak / 2**20:.1f}MB {heap} objects={sum(counts.values())} threads={threading.active_count()}"]
        if self.first_counts is None:
            self.first, self.first_counts = snap, counts
            lines += [] if snap is None else [f"  top {s.size / 2**20:8.2f}MB {s.count:8d} {s.traceback}" for s in snap.statistics("lineno")[:TOP]]
        else:
            for stat in [] if snap is None else snap.compare_to(self.first, "traceback" if self.frames > 1 else "lineno")[:TOP]:
                where = "\n      ".join(stat.traceback.format()) if self.frames > 1 else str(stat.traceback)
                lines.append(f"  grew {stat.size_diff / 2**20:+8.2f}MB now {stat.size / 2**20:8.2f}MB "
                             f"count {stat.count_diff:+8d} {where}")
            lines += [f"  type {name} {now} (+{diff})" for name, now, diff in grown(self.first_counts, counts)]
        block = "\n".join(lines) + "\n"
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(block)
        return block


def start_from_env(environ: dict | None = None) -> Tracer | None:
    """Start the trace when ``LOANWATCH_MEMTRACE`` is set; ``None`` (nothing started) otherwise."""
    env = os.environ if environ is None else environ
    target = env.get(ENV_FILE, "").strip()
    if not target:
        return None
    tracer = Tracer(Path(target), float(env.get(ENV_EVERY) or 60), int(env.get(ENV_FRAMES) or 1))
    tracer.start()
    return tracer
