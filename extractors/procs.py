"""Worker processes that never outlive the process that started them.

``worker_pool`` is a spawn-context ``ProcessPoolExecutor`` whose workers run ``die_with_parent``
first: a daemon thread that checks every half second whether the parent is still the process
that started it, and ends the worker at once (``os._exit``) when it is not. A ``kill -9`` of
``loanwatch ingest`` (or of the app) therefore leaves no extraction or OCR worker running, even
one busy in native code (pdfium and tesseract release the GIL).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

POLL_SECONDS = 0.5


def die_with_parent(parent: int) -> None:
    """Initializer of a worker process: exit as soon as ``parent`` is no longer this process's parent."""
    if os.getppid() != parent:
        os._exit(0)

    def watch() -> None:
        while True:
            time.sleep(POLL_SECONDS)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A spawn-context pool of ``workers`` processes that die with this one."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
