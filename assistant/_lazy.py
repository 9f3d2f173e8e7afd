"""Package attributes that load their module on first use (PEP 562), for a fast cold start.

A package ``__init__`` that re-exports names from heavy submodules writes::

    __getattr__ = lazy_exports(__name__, {"ratios": ("compute_ratio", ...), ...})

so ``from assistant.analytics import compute_ratio`` still works, but importing one submodule
(``assistant.analytics.ratios``) no longer loads all its siblings.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable


def lazy_exports(package: str, exports: dict[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<module>`` when one of its names is first read."""
    module_of = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)  # the next read skips this function
        return value

    return __getattr__
