"""PDFium is not thread-safe: the app's threads (uploads, page views, scans) must never call it at once.

Found by ``python -m eval soak``: with 20 sessions the server died of a segfault in libpdfium while
two uploads were extracted in two of the app's worker threads. Here six threads open, read, render
and rasterise PDFs together for a few seconds in a child process (a crash there fails the test
instead of ending pytest); without ``extractors.pdfium_lock`` this crashed in every try.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

_SCRIPT = r"""
import sys, threading, time
from pathlib import Path
from extractors.document import open_pdf
from extractors.ocr import _Source
from extractors.render import render_cell, render_page
from extractors.words import page_lines_pdfium

paths = sorted(Path(sys.argv[1]).glob("*.pdf"))
stop = time.monotonic() + float(sys.argv[2])
done, failed = [], []
steps = [open_pdf, lambda p: render_page(p, 1, (50, 100, 300, 120)), lambda p: page_lines_pdfium(p, [1, 2]),
         lambda p: render_cell(p, 1, (50, 100, 300, 120)),
         lambda p: [img for _, img, _ in _Source([p], True).images([1, 2], 600)]]

def work(i):
    n = 0
    try:
        while time.monotonic() < stop:
            steps[(i + n) % len(steps)](paths[(i + n) % len(paths)])
            n += 1
    except Exception as exc:
        failed.append(repr(exc))
    done.append(n)

threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("calls", sum(done), "failed", failed)
"""


def test_pdfium_used_from_six_threads_at_once_does_not_crash_the_process(tmp_path):
    from assistant.demo import StatementSpec, render_pdf

    for seed in range(3):
        render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=dt.date(2026, 6, 30), seed=seed,
                                 layout="listed_notes"), tmp_path / f"s{seed}.pdf")
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path), "5"], env=env, cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, (run.returncode, run.stderr[-2000:])  # -11: a segfault in libpdfium
    assert "failed []" in run.stdout, run.stdout
    assert int(run.stdout.split()[1]) >= 12, run.stdout  # the threads really ran calls side by side
