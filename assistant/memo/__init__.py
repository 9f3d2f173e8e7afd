"""Quarterly review memos: a typed document built from the facts, rendered, verified, versioned.

``build_memo(snapshot, period, lang=...)`` drafts the memo with the built-in engine;
``render_markdown`` / ``render_docx`` / ``render_pdf`` write it; ``allowed_numbers`` and
``verify_memo`` check that every number in it traces to the facts; ``versions`` keeps the
draft → edited → approved history and carries the officer's edits onto a regenerated draft;
``rewrite_memo`` is the LLM engine (the model rephrases the narrative, every number checked).
The names load their module on first use: a Markdown memo never loads reportlab or python-docx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant._lazy import lazy_exports

__getattr__ = lazy_exports(__name__, {
    "builder": ("build_memo", "resolve_span"),
    "model": ("Cell", "CellSource", "Memo", "MemoFlag", "Paragraph", "Run", "Section", "Source", "Table"),
    "render_docx": ("render_docx",),
    "render_md": ("render_markdown",),
    "render_pdf": ("render_pdf",),
    "rewrite": ("rewrite_memo",),
    "verify": ("VerifyReport", "allowed_numbers", "memo_text", "verify_memo"),
})

if TYPE_CHECKING:
    from assistant.memo.builder import build_memo, resolve_span
    from assistant.memo.model import Cell, CellSource, Memo, MemoFlag, Paragraph, Run, Section, Source, Table
    from assistant.memo.render_docx import render_docx
    from assistant.memo.render_md import render_markdown
    from assistant.memo.render_pdf import render_pdf
    from assistant.memo.rewrite import rewrite_memo
    from assistant.memo.verify import VerifyReport, allowed_numbers, memo_text, verify_memo

__all__ = [
    "Cell", "CellSource", "Memo", "MemoFlag", "Paragraph", "Run", "Section", "Source", "Table", "VerifyReport",
    "allowed_numbers", "build_memo", "memo_text", "render_docx", "render_markdown", "render_pdf", "resolve_span",
    "rewrite_memo", "verify_memo",
]
