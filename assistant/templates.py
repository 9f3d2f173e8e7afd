"""Prompt templates: files in ``prompts/``, rendered with variables, failing on a missing one.

Like simonw/llm's ``Template``: a prompt is data, not code. A template is a Markdown or text
file with ``$name`` / ``${name}`` placeholders (``$$`` prints a dollar sign), looked up as
``prompts/{name}.{language}.md``, then ``prompts/{name}.md`` (and ``.txt``)::

    render("chat_system", language="zh", today="2026-11-29")

A placeholder with no value raises :class:`MissingVariables`, naming every missing one.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parents[1] / "prompts"
_SUFFIXES = (".md", ".txt")


class MissingVariables(ConfigError):
    """A template placeholder was given no value."""

    def __init__(self, template: str, missing: list[str]) -> None:
        self.template = template
        self.missing = missing
        super().__init__(
            f"Template {template!r} is missing variable(s): {', '.join(missing)}",
            hint="pass a value for each placeholder, or write $$ for a literal dollar sign",
        )


@dataclass(frozen=True)
class Template:
    name: str
    text: str
    path: Path | None = None

    @property
    def variables(self) -> list[str]:
        """Placeholder names, in order of first use."""
        seen: dict[str, None] = {}
        for name in string.Template(self.text).get_identifiers():
            seen.setdefault(name, None)
        return list(seen)

    def render(self, **variables: object) -> str:
        missing = [v for v in self.variables if v not in variables]
        if missing:
            raise MissingVariables(self.name, missing)
        try:
            return string.Template(self.text).substitute({k: str(v) for k, v in variables.items()})
        except ValueError as err:  # a lone "$" not followed by a name
            raise ConfigError(f"Template {self.name!r} is malformed: {err}", hint="write $$ for a literal dollar sign") from err


def template_path(name: str, *, language: str | None = None, directory: Path | None = None) -> Path:
    """The file for ``name`` (language-specific first); ConfigError when there is none."""
    root = directory or PROMPTS_DIR
    stems = ([f"{name}.{language}"] if language else []) + [name]
    for stem in stems:
        for suffix in _SUFFIXES:
            path = root / f"{stem}{suffix}"
            if path.is_file():
                return path
    raise ConfigError(
        f"No prompt template {name!r}{f' ({language})' if language else ''} in {root}",
        hint=f"add {root / (stems[0] + '.md')}",
    )


def load_template(name: str, *, language: str | None = None, directory: Path | None = None) -> Template:
    path = template_path(name, language=language, directory=directory)
    return Template(name, path.read_text(encoding="utf-8"), path)


def render(name: str, /, *, language: str | None = None, directory: Path | None = None, **variables: object) -> str:
    """Load ``name`` from ``prompts/`` and fill in ``variables``."""
    return load_template(name, language=language, directory=directory).render(**variables)


__all__ = ["MissingVariables", "PROMPTS_DIR", "Template", "load_template", "render", "template_path"]
