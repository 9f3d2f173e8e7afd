"""Memo section titles and sentence templates, loaded from ``prompts/memo_<lang>.md``.

The file is data: ``## group`` starts a group, each ``key: template`` line is an entry,
``{name}`` is a variable. Filling a template with a variable missing raises
:class:`MissingPhraseVariable` (a ``ConfigError``): a memo never prints a blank.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "prompts"
_ENTRY = re.compile(r"^([a-z_]+):\s?(.*)$")


class MissingPhraseVariable(ConfigError):
    """A memo template names a variable the builder did not give."""


@dataclass(frozen=True)
class Phrasebook:
    lang: str
    groups: dict[str, dict[str, str]]

    def raw(self, group: str, key: str) -> str:
        try:
            return self.groups[group][key]
        except KeyError:
            raise ConfigError(
                f"memo template {group}.{key} is missing from prompts/memo_{self.lang}.md",
                hint="add the line to the template file",
            ) from None

    def __call__(self, group: str, key: str, **values: object) -> str:
        template = self.raw(group, key)
        needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        missing = sorted(needed - values.keys())
        if missing:
            raise MissingPhraseVariable(
                f"memo template {group}.{key} needs {', '.join(missing)}",
                hint=f"pass the variable(s) or edit prompts/memo_{self.lang}.md",
            )
        return template.format(**values)


def parse_phrasebook(text: str, lang: str) -> Phrasebook:
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    in_comment = False
    for line in text.splitlines():
        stripped = line.strip()
        if in_comment:
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("<!--"):
            in_comment = "-->" not in stripped
            continue
        if stripped.startswith("## "):
            current = groups.setdefault(stripped[3:].strip(), {})
            continue
        match = _ENTRY.match(stripped)
        if match and current is not None:
            current[match.group(1)] = match.group(2)
    return Phrasebook(lang, groups)


@lru_cache(maxsize=4)
def phrasebook(lang: str) -> Phrasebook:
    if lang not in ("zh", "en"):
        raise ConfigError(f"memo language {lang!r} is not supported", hint="use --lang zh or --lang en")
    path = PROMPTS_DIR / f"memo_{lang}.md"
    if not path.is_file():
        raise ConfigError(f"memo templates not found at {path}", hint="restore prompts/ from the repository")
    return parse_phrasebook(path.read_text(encoding="utf-8"), lang)


def section_titles(lang: str) -> dict[str, str]:
    return dict(phrasebook(lang).groups.get("sections", {}))
