"""Synthetic demo data: borrower statements whose true figures are known.

Public API (imported lazily, so ``python -m assistant.demo.statements`` runs cleanly):
``StatementSpec``, ``LAYOUTS``, ``render_pdf``, ``render_xlsx``, ``generate_samples``, ``Sample``.
"""

from __future__ import annotations

__all__ = ["LAYOUTS", "Sample", "StatementSpec", "generate_samples", "render_pdf", "render_xlsx"]


def __getattr__(name: str):
    if name in ("LAYOUTS", "StatementSpec"):
        from assistant.demo import layouts

        return getattr(layouts, name)
    if name in __all__:
        from assistant.demo import statements

        return getattr(statements, name)
    raise AttributeError(name)
