"""Documents in, typed records out: PDF / XLSX / DOCX / text → pages, tables, statements, notes."""

from extractors.errors import DocumentError
from extractors.models import Column, ExtractionResult, LineItem, Scope, Statement, StatementKind

__all__ = [
    "Column",
    "DocumentError",
    "ExtractionResult",
    "LineItem",
    "Scope",
    "Statement",
    "StatementKind",
    "extract",
]


def extract(path, **kwargs) -> ExtractionResult:
    """Extract the financial statements of one document (PDF or XLSX)."""
    from extractors.pipeline import extract_file

    return extract_file(path, **kwargs)
