"""What an evaluation needs beyond ``pip install -e .``, named in one line with its fix.

``require("playwright", "gradio_client")`` raises ``MissingDependency`` before any work starts
when one of those modules cannot be imported; the message names the extra of ``pyproject.toml``
that installs it (``pip install -e ".[test]"``), read from the project's own requirements so a
new extra needs no change here. ``python -m eval`` prints it and exits 2.
"""

from __future__ import annotations

import importlib
import re
import shutil
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


class MissingDependency(Exception):
    """An evaluation cannot run here; the message says what to install."""


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _extras() -> dict[str, list[str]]:
    """extra → distribution names, from pyproject.toml (a checkout) or the installed metadata."""
    out: dict[str, list[str]] = {}
    if PYPROJECT.is_file():
        import tomllib

        optional = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"].get("optional-dependencies", {})
        for extra, reqs in optional.items():
            out[extra] = [re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0] for req in reqs]
        return out
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("loanwatch") or []
    except PackageNotFoundError:
        return out
    for req in reqs:
        m = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", req)
        if m:
            out.setdefault(m.group(1), []).append(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0])
    return out


def install_hint(modules: list[str]) -> str:
    """The pip command that installs ``modules`` (import names): the smallest extra holding each."""
    extras = {extra: {_norm(d) for d in dists} for extra, dists in _extras().items()}
    chosen, rest = set(), []
    for module in modules:
        holding = [e for e in sorted(extras) if _norm(module) in extras[e]]
        if holding:
            chosen.add(min(holding, key=lambda e: len(extras[e])))
        else:
            rest.append(module)
    parts = [f'pip install -e ".[{",".join(sorted(chosen))}]"'] if chosen else []
    parts += [f"pip install {' '.join(rest)}"] if rest else []
    return " and ".join(parts)


def require(*modules: str, programs: dict[str, str] | None = None) -> None:
    """Raise ``MissingDependency`` unless every module imports and every program is on disk.

    ``programs`` maps a path or command to the Debian package that provides it.
    """
    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise MissingDependency(f"needs {', '.join(missing)} (not installed): {install_hint(missing)}")
    for program, package in (programs or {}).items():
        if not (Path(program).is_file() if "/" in program else shutil.which(program)):
            raise MissingDependency(f"needs {program}: apt-get install {package}")
