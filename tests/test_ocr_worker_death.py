"""A killed OCR worker: the pages left go to new worker processes, not into the server's own
process (issue 14: each fallback loaded the OCR models into ``loanwatch serve`` for good)."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from types import SimpleNamespace

from PIL import Image

from extractors import ocr


class _Source:
    def __init__(self):
        self.closed = 0

    def images(self, wanted, side, top=1.0):
        try:
            for p in wanted:
                yield p, Image.new("RGB", (4, 4), "white"), 100.0
        finally:
            self.closed += 1


class _Pool:
    """Runs each page at once; ``dies_after`` pages, its futures raise BrokenProcessPool (a worker was killed)."""

    def __init__(self, dies_after: int | None):
        self.dies_after, self.read = dies_after, []

    def submit(self, fn, arr, page, *args):
        f = Future()
        if self.dies_after is not None and len(self.read) >= self.dies_after:
            f.set_exception(BrokenProcessPool("a child process terminated abruptly"))
        else:
            self.read.append(page)
            f.set_result(SimpleNamespace(number=page))
        return f

    def shutdown(self, **kw):
        pass


def _reader(monkeypatch, pools):
    in_process = []
    monkeypatch.setattr(ocr, "_read", lambda img, p, *a: in_process.append(p) or SimpleNamespace(number=p))
    reader = ocr._Reader(_Source(), workers=2)
    made = iter(pools)
    monkeypatch.setattr(reader, "_get_pool", lambda: reader._pool or setattr(reader, "_pool", next(made)) or reader._pool)
    return reader, in_process


def test_a_killed_worker_hands_the_pages_left_to_new_workers(monkeypatch):
    first, second = _Pool(dies_after=2), _Pool(dies_after=None)
    reader, in_process = _reader(monkeypatch, [first, second])
    pages = [p.number for p in reader.read([1, 2, 3, 4, 5], side=1000)]
    assert sorted(pages) == [1, 2, 3, 4, 5] and len(pages) == 5  # every page once
    assert in_process == []  # none read in the caller's process
    assert set(first.read) | set(second.read) == {1, 2, 3, 4, 5}
    assert reader.source.closed == 2  # each rendering pass closed its document


def test_workers_that_die_again_fall_back_to_this_process(monkeypatch):
    reader, in_process = _reader(monkeypatch, [_Pool(dies_after=1), _Pool(dies_after=0)])
    pages = sorted(p.number for p in reader.read([1, 2, 3], side=1000))
    assert pages == [1, 2, 3]
    assert in_process and set(in_process) <= {2, 3}
