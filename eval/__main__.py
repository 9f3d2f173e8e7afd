"""``python -m eval NAME [args]`` runs ``eval/NAME.py``'s ``main(argv)`` (e.g. ``extraction``)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if not m.name.startswith("_"))
    if not argv or argv[0] not in names:
        print(f"usage: python -m eval {{{'|'.join(names)}}} [args]", file=sys.stderr)
        return 2
    module = importlib.import_module(f"eval.{argv[0]}")
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
