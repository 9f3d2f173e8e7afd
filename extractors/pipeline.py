"""Dispatch a file to the extractor for its format and time the work."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from extractors.document import PdfText, sniff_format
from extractors.errors import UnsupportedFormatError
from extractors.models import ExtractionResult


def extract_file(
    path: str | Path, *, max_pages: int = 5000, max_file_mb: int = 200, engine: str = "auto",
    progress: Callable[[str], None] | None = None, workers: int = 2, text: PdfText | None = None,
) -> ExtractionResult:
    """Extract the statements of a PDF, Excel or scanned-image file; raise ``DocumentError`` when unreadable.

    ``engine`` picks the PDF word engine: ``auto`` (pypdfium2 character boxes, doubtful
    statements re-read with pdfplumber), ``pdfium`` or ``pdfplumber``. A scan (a PDF without a
    text layer, a PNG/JPEG/TIFF image) is read by OCR with ``workers`` threads; ``progress``
    hears one line per page read. ``text``: the PDF's fast text pass when the caller has
    already read it (``extractors.document.open_pdf`` of this file with the same limits), so
    that a PDF is read once.
    """
    path = Path(path)
    started = time.perf_counter()
    fmt = sniff_format(path)
    if fmt == "pdf":
        from extractors.pdf import extract_pdf

        result = extract_pdf(path, max_pages=max_pages, max_file_mb=max_file_mb, engine=engine,
                             progress=progress, workers=workers, text=text)
    elif fmt == "image":
        result = extract_images([path], max_pages=max_pages, progress=progress, workers=workers)
    elif fmt == "xlsx":
        from extractors.xlsx import extract_xlsx

        result = extract_xlsx(path)
    else:
        raise UnsupportedFormatError(
            f"{path.name}: a {fmt} file holds no financial statements loanwatch can extract",
            path=str(path),
            hint="send the statements as PDF, Excel (.xlsx) or a scan (PDF, PNG, JPEG, TIFF); ingest text and Word files as notes or filings",
        )
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def extract_images(paths: list[str | Path], *, max_pages: int = 5000, progress: Callable[[str], None] | None = None,
                   workers: int = 2) -> ExtractionResult:
    """The statements of a scan sent as image files, one page per file (a TIFF may hold several), in order."""
    import hashlib

    from extractors.document import _checked_size
    from extractors.ocr import extract_scanned

    paths = [Path(p) for p in paths]
    h = hashlib.sha256()
    for p in paths:
        _checked_size(p)
        h.update(p.read_bytes())
    name = paths[0].name if len(paths) == 1 else f"{paths[0].name} (+{len(paths) - 1} pages)"
    return extract_scanned(paths, sha256=h.hexdigest(), name=name, max_pages=max_pages, threads=workers, progress=progress)
