"""Documents in, typed records out: PDF / XLSX / DOCX / text → pages, tables, statements, notes.

The names below are imported on first use, so ``import extractors.errors`` (every CLI command
does) does not pay for pydantic and the models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
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


def __getattr__(name: str):
    if name == "DocumentError":
        from extractors.errors import DocumentError

        return DocumentError
    if name in __all__:
        from extractors import models

        return getattr(models, name)
    raise AttributeError(name)


def extract(path, **kwargs) -> ExtractionResult:
    """Extract the financial statements of one document (PDF or XLSX)."""
    from extractors.pipeline import extract_file

    return extract_file(path, **kwargs)
