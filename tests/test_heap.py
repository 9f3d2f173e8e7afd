"""assistant/heap.py: the malloc arena cap and the trimmer of ``loanwatch serve`` (issue 14)."""

from __future__ import annotations

import threading

from assistant import heap


def test_the_environment_cap_wins_over_the_default():
    assert heap.limit_arenas(2, environ={"MALLOC_ARENA_MAX": "4"}) == 4


def test_limit_arenas_sets_the_cap_on_glibc_or_says_it_cannot():
    got = heap.limit_arenas(2, environ={})
    assert got == (2 if heap._libc() is not None else None)


def test_trim_returns_a_bool_and_never_raises():
    assert heap.trim() in (True, False)


def test_soon_wakes_the_trimmer_long_before_its_interval():
    done = threading.Event()
    calls = []

    def fake_trim() -> bool:
        calls.append(1)
        done.set()
        return True

    t = heap.Trimmer(interval=3600, min_gap=0, trim_fn=fake_trim).start()
    try:
        t.soon()
        assert done.wait(30), "soon() did not trim: the trimmer waited for its hour-long interval"
        assert t.count == len(calls) == 1
    finally:
        t.stop()


def test_a_stopped_trimmer_trims_no_more():
    calls = []
    t = heap.Trimmer(interval=3600, min_gap=3600, trim_fn=lambda: calls.append(1)).start()
    t.soon()  # waits min_gap (an hour) since the start before it trims
    t.stop()
    t._thread.join(30)
    assert not t._thread.is_alive()
    assert calls == []


def test_trim_soon_without_a_trimmer_is_a_no_op(monkeypatch):
    monkeypatch.setattr(heap, "_trimmer", None)
    heap.trim_soon()  # the command line never starts one: nothing to wake, nothing raised
