"""glibc's heap in a long-running server: fewer arenas, freed memory handed back (issue 14).

Measured (``LOANWATCH_MEMTRACE``, eval/soak.py, 5 sessions): the Python heap of ``loanwatch serve``
stays flat while its RSS climbs, and glibc reports most of the climb as *freed but kept*: each
thread that parses an upload (Gradio's workers, AnyIO's thread pool) gets its own malloc arena, a
PDF's parse leaves holes in it, and glibc keeps the holes. Two levers, both standard C library
calls made through ``ctypes`` (no-ops where the C library is not glibc):

* :func:`limit_arenas` — ``mallopt(M_ARENA_MAX, n)`` before the worker threads start: every
  thread shares ``n`` arenas instead of up to 8 per core, so freed space is reused across threads
  (what ``MALLOC_ARENA_MAX`` does from the environment; the environment wins when it is set);
* :func:`trim` — ``malloc_trim(0)`` hands the free pages inside every arena back to the system;
  :class:`Trimmer` calls it after each heavy step (:func:`trim_soon`) and every ``interval``
  seconds, never more often than ``min_gap`` seconds apart.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

M_ARENA_MAX = -8  # glibc's malloc.h
DEFAULT_ARENAS = 2


def _libc():  # noqa: ANN202 - a ctypes library or None
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only
        return libc
    except (OSError, AttributeError):
        return None


def limit_arenas(n: int = DEFAULT_ARENAS, environ: dict | None = None) -> int | None:
    """Cap glibc's malloc arenas at ``n`` (``MALLOC_ARENA_MAX`` in the environment wins). Returns the
    cap in force, or None where there is no glibc to tell."""
    env = os.environ if environ is None else environ
    if env.get("MALLOC_ARENA_MAX"):
        return int(env["MALLOC_ARENA_MAX"])  # glibc read it at start
    libc = _libc()
    if libc is None or not libc.mallopt(M_ARENA_MAX, n):
        return None
    return n


def trim() -> bool:
    """``malloc_trim(0)``: free pages of every arena go back to the system; True when some did."""
    libc = _libc()
    return bool(libc is not None and libc.malloc_trim(0))


class Trimmer:
    """Trims in a daemon thread: every ``interval`` seconds, and soon after :meth:`soon` is called
    (an upload just ended), at most once per ``min_gap`` seconds."""

    def __init__(self, interval: float = 60.0, min_gap: float = 5.0, trim_fn=trim):  # noqa: ANN001
        self.interval, self.min_gap, self._trim = interval, min_gap, trim_fn
        self._wake, self._stop = threading.Event(), threading.Event()
        self._last = 0.0
        self.count = 0
        self._thread: threading.Thread | None = None

    def start(self) -> Trimmer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="loanwatch-heap-trim", daemon=True)
            self._thread.start()
        return self

    def soon(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            gap = self.min_gap - (time.monotonic() - self._last)
            if gap > 0 and self._stop.wait(gap):
                return
            self._trim()
            self._last = time.monotonic()
            self.count += 1


_trimmer: Trimmer | None = None


def start_trimmer(interval: float = 60.0) -> Trimmer:
    """The process's trimmer (started once)."""
    global _trimmer
    if _trimmer is None:
        _trimmer = Trimmer(interval).start()
    return _trimmer


def trim_soon() -> None:
    """Ask the process's trimmer for a trim now (nothing when none was started)."""
    if _trimmer is not None:
        _trimmer.soon()
