"""Strings from documents and users are data, never paths, markup or SQL.

Three steps cover the whole family of "a string from outside reaches the file system, the
database or a terminal":

- ``clean_name``: a name (client, alias, user) normalised to NFKC, stripped, refused with a
  ``ConfigError`` when it holds a control, bidi-override, zero-width or other invisible
  format character, or is longer than ``MAX_NAME`` characters.
- ``clean_text``: free text (a note, a label, a page) with NUL bytes, lone surrogates and
  other C0 controls but newline and tab removed: PostgreSQL refuses NUL in text, and a lone
  surrogate cannot be written as UTF-8.
- ``output_path``: a file name generated from data (client, period) that can only land
  inside the chosen folder: every character outside letters, digits, ``-`` and ``_`` becomes
  ``_``, the name is cut to ``MAX_FILE_STEM`` characters, and the joined path is checked to
  resolve inside the folder.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from assistant.errors import ConfigError

MAX_NAME = 200  # the width of clients.name
MAX_FILE_STEM = 80  # well under every file system's 255-byte limit, even in UTF-8 CJK
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_UNSAFE_FILE_CHARS = re.compile(r"[^\w\-]+")


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}{f' {name}' if name else ''}"


def clean_name(value: str, *, what: str = "client name", max_len: int = MAX_NAME) -> str:
    """``value`` as NFKC without surrounding blanks; a ``ConfigError`` (one line) when it is not a usable name."""
    if not isinstance(value, str):
        raise ConfigError(f"the {what} is not text", hint="give it as plain text")
    name = unicodedata.normalize("NFKC", value).strip()
    if not name:
        raise ConfigError(f"the {what} is empty", hint="give the borrower's registered name")
    for ch in name:
        if ch in _BIDI:
            raise ConfigError(f"the {what} holds a bidirectional-override character ({_describe(ch)})",
                              hint="type the name without it")
        if ch in _ZERO_WIDTH:
            raise ConfigError(f"the {what} holds an invisible zero-width character ({_describe(ch)})",
                              hint="type the name without it")
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Zl", "Zp") or (cat == "Cf"):
            raise ConfigError(f"the {what} holds a control or format character ({_describe(ch)})",
                              hint="give it on one line, without control characters")
    if len(name) > max_len:
        raise ConfigError(f"the {what} is {len(name):,} characters long (at most {max_len})",
                          hint="give the registered name, or a shorter alias")
    return name


def clean_text(value: str | None) -> str | None:
    """Free text safe to store and print: NUL and other C0 controls (but newline and tab) removed, lone surrogates replaced."""
    if value is None:
        return None
    if _CONTROLS.search(value):
        value = _CONTROLS.sub("", value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def file_stem(*parts: object) -> str:
    """A file-name stem made from data: letters, digits, ``-`` and ``_`` only, at most ``MAX_FILE_STEM`` characters."""
    pieces = []
    for part in parts:
        text = unicodedata.normalize("NFKC", str(part))
        text = _UNSAFE_FILE_CHARS.sub("_", text).strip("_-")
        if text:
            pieces.append(text)
    stem = "_".join(pieces)[:MAX_FILE_STEM].strip("_-")
    return stem or "export"


def output_path(folder: str | Path, *parts: object, suffix: str) -> Path:
    """``folder/<stem>.<suffix>`` with a stem generated from ``parts``; never outside ``folder``."""
    folder = Path(folder)
    suffix = _UNSAFE_FILE_CHARS.sub("", suffix.lstrip("."))[:10] or "out"
    target = folder / f"{file_stem(*parts)}.{suffix}"
    if target.resolve().parent != folder.resolve():
        raise ConfigError(f"refusing to write outside {folder}", hint="choose the output file with --out")
    return target


def inside(folder: str | Path, relative: str) -> Path:
    """``folder/relative`` when it resolves inside ``folder`` (a stored path), else a ``ConfigError``."""
    folder = Path(folder).resolve()
    target = (folder / relative).resolve()
    if target != folder and folder not in target.parents:
        raise ConfigError("a stored file path points outside LOANWATCH_HOME", hint="run `loanwatch audit verify`")
    return target


def scrub(obj):  # noqa: ANN001, ANN201 - any record
    """Apply ``clean_text`` to every string inside ``obj`` (pydantic models, dataclasses, lists, dicts), in place; returns ``obj``."""
    import dataclasses

    from pydantic import BaseModel

    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            obj[i] = scrub(v)
    elif isinstance(obj, dict):
        for k, v in list(obj.items()):
            obj[k] = scrub(v)
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            cleaned = scrub(value)
            if cleaned is not value:
                object.__setattr__(obj, name, cleaned)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            cleaned = scrub(value)
            if cleaned is not value:
                object.__setattr__(obj, f.name, cleaned)
    return obj


def error_line(exc: BaseException, limit: int = 200) -> str:
    """``Type: message`` on one line for people: a database error shows its driver's first line, never the SQL or its data."""
    orig = getattr(exc, "orig", None)  # sqlalchemy's DBAPIError wraps the driver's exception
    text = str(orig if orig is not None else exc).strip()
    line = (text.splitlines() or [""])[0]
    line = clean_text(line) or ""
    if len(line) > limit:
        line = line[:limit] + "…"
    name = type(orig if orig is not None else exc).__name__
    return f"{name}: {line}" if line else name
