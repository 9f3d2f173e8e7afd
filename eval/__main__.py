"""``python -m eval NAME [args]`` runs ``eval/NAME.py``'s ``main(argv)`` (e.g. ``extraction``).

An evaluation that needs what ``pip install -e .`` does not bring (an extra, a Debian package)
says so in one line and exits 2 (``eval._needs``).
"""

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
    from eval._needs import MissingDependency, install_hint

    try:
        module = importlib.import_module(f"eval.{argv[0]}")
        return int(module.main(argv[1:]) or 0)
    except MissingDependency as exc:
        print(f"python -m eval {argv[0]}: {exc}", file=sys.stderr)
    except ModuleNotFoundError as exc:  # an import that no require() named
        if exc.name is None or exc.name.split(".")[0] in ("assistant", "extractors", "ui", "eval", "tests"):
            raise
        top = exc.name.split(".")[0]
        print(f"python -m eval {argv[0]}: needs {top} (not installed): {install_hint([top])}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
