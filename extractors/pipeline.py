"""Dispatch a file to the extractor for its format and time the work."""

from __future__ import annotations

import time
from pathlib import Path

from extractors.document import sniff_format
from extractors.errors import UnsupportedFormatError
from extractors.models import ExtractionResult


def extract_file(
    path: str | Path, *, max_pages: int = 5000, max_file_mb: int = 200, engine: str = "auto"
) -> ExtractionResult:
    """Extract the statements of a PDF or Excel file; raise ``DocumentError`` when unreadable.

    ``engine`` picks the PDF word engine: ``auto`` (pypdfium2 character boxes, doubtful
    statements re-read with pdfplumber), ``pdfium`` or ``pdfplumber``.
    """
    path = Path(path)
    started = time.perf_counter()
    fmt = sniff_format(path)
    if fmt == "pdf":
        from extractors.pdf import extract_pdf

        result = extract_pdf(path, max_pages=max_pages, max_file_mb=max_file_mb, engine=engine)
    elif fmt == "xlsx":
        from extractors.xlsx import extract_xlsx

        result = extract_xlsx(path)
    else:
        raise UnsupportedFormatError(
            f"{path.name}: a {fmt} file holds no financial statements loanwatch can extract",
            path=str(path),
            hint="send the statements as PDF or Excel (.xlsx); ingest text and Word files as notes or filings",
        )
    result.seconds = round(time.perf_counter() - started, 3)
    return result
