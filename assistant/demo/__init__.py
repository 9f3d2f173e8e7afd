"""Synthetic demo data: borrower statements whose true figures are known.

Public API (imported lazily, so ``python -m assistant.demo.statements`` runs cleanly):
``StatementSpec``, ``LAYOUTS``, ``render_pdf``, ``render_xlsx``, ``generate_samples``, ``Sample``,
and for a borrower over many periods ``company_series`` and ``quarter_ends``.
"""

from __future__ import annotations

__all__ = [
    "LAYOUTS", "Sample", "StatementSpec", "company_series", "generate_samples", "quarter_ends",
    "render_pdf", "render_xlsx",
]


def __getattr__(name: str):
    if name in ("LAYOUTS", "StatementSpec"):
        from assistant.demo import layouts

        return getattr(layouts, name)
    if name in ("company_series", "quarter_ends"):
        from assistant.demo import series

        return getattr(series, name)
    if name in __all__:
        from assistant.demo import statements

        return getattr(statements, name)
    raise AttributeError(name)
