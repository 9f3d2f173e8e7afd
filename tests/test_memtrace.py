"""assistant/memtrace.py: the opt-in memory trace of ``loanwatch serve`` (issue 14)."""

from __future__ import annotations

import tracemalloc
from collections import Counter

from assistant import memtrace


def test_off_by_default():
    was = tracemalloc.is_tracing()
    assert memtrace.start_from_env({}) is None
    assert memtrace.start_from_env({"LOANWATCH_MEMTRACE": "  "}) is None
    assert tracemalloc.is_tracing() == was


def test_grown_keeps_only_what_grew_most_first():
    before = Counter({"a": 10, "b": 5, "c": 7})
    after = Counter({"a": 11, "b": 50, "c": 7, "d": 3})
    assert memtrace.grown(before, after, top=2) == [("b", 50, 45), ("d", 3, 3)]
    assert memtrace.grown(before, after) == [("b", 50, 45), ("d", 3, 3), ("a", 11, 1)]


class Held:  # a type of this module, so its count is easy to find in the trace
    pass


def test_a_sample_names_the_type_that_grew(tmp_path):
    out = tmp_path / "trace.txt"
    tracer = memtrace.Tracer(out, every=3600, frames=0)
    tracer.sample()
    held = [Held() for _ in range(5000)]
    block = tracer.sample()
    assert block.startswith("== t=") and " rss=" in block
    assert f"type {__name__}.Held 5000 (+5000)" in block
    assert out.read_text(encoding="utf-8").count("== t=") == 2
    del held


def test_with_tracemalloc_a_sample_names_the_line_that_grew(tmp_path):
    if tracemalloc.is_tracing():
        tracemalloc.stop()
    tracer = memtrace.Tracer(tmp_path / "trace.txt", every=3600, frames=1)
    tracemalloc.start(1)
    try:
        tracer.sample()
        big = [bytes(1000) + bytes([i % 256]) for i in range(20000)]  # about 20 MB from this line
        block = tracer.sample()
    finally:
        tracemalloc.stop()
    grew = [line for line in block.splitlines() if line.startswith("  grew")]
    assert grew and "test_memtrace.py" in grew[0], block[:2000]
    del big


def test_malloc_counts_are_numbers_or_absent():
    counts = memtrace.malloc_mb()
    assert counts == {} or set(counts) == {"arena", "mmap", "used", "free"}
    assert all(v >= 0 for v in counts.values())
