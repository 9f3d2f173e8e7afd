"""PDFium is not thread-safe: one process-wide lock, ``PDFIUM``, around every use of it.

pypdfium2's documentation: "It is not allowed to call pdfium functions simultaneously across
different threads, not even with different documents" — doing so crashes the process. The app
serves several officers from threads (one's upload extracted while another's source page is
rendered); ``python -m eval soak`` found the server killed by a segfault in libpdfium.

Every function that opens a ``PdfDocument`` does its pdfium work inside ``with PDFIUM:`` and closes
what it opened (pages, text pages, bitmaps, the document) before it lets go; work that does not
call pdfium (OCR, grouping characters into lines) runs outside it. The lock is re-entrant, so a
locked function may call another. Parallel pdfium work belongs in processes (``extractors.procs``),
each with its own pdfium and its own lock.
"""

from __future__ import annotations

import threading

PDFIUM = threading.RLock()

__all__ = ["PDFIUM"]
