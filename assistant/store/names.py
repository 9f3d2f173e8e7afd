"""How a typed company name finds a stored client: the rules both readers of the store share.

``repo.get_client`` (SQLAlchemy) and ``lite.LiteStore.client_id`` (sqlite3) look a reference up
by id, then by exact stored name, then with :func:`best_match` over every client's name and
aliases: equal up to legal-form suffixes, case, spaces and punctuation, else the one client
whose name contains the reference (or is contained in it).
"""

from __future__ import annotations

import re
from typing import Any, Iterable

_SUFFIXES = (
    "股份有限公司", "有限责任公司", "有限公司", "集团", "公司",
    "incorporated", "inc", "corporation", "corp", "company", "co", "limited", "ltd", "plc", "llc", "group", "the",
)
_PUNCT = re.compile(r"[\s,.()（）·'’&\-]+")


def normalise_name(name: str) -> str:
    """Compare company names without legal-form suffixes, case, spaces or punctuation."""
    words = [w for w in _PUNCT.split(name.lower()) if w]
    while words and words[-1] in _SUFFIXES:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    text = "".join(words)
    for suffix in _SUFFIXES[:5]:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


def best_match(company: str, clients: Iterable[Any]) -> Any | None:
    """The client (anything with ``name`` and ``aliases``) that ``company`` names up to legal-form suffixes, else None."""
    target = normalise_name(company)
    if not target:
        return None
    clients = list(clients)
    exact = [c for c in clients if target in {normalise_name(n) for n in [c.name, *(c.aliases or ())]}]
    if exact:
        return exact[0]
    near = [c for c in clients if any(_contains(target, normalise_name(n)) for n in [c.name, *(c.aliases or ())])]
    return near[0] if len(near) == 1 else None


def _contains(a: str, b: str) -> bool:
    return bool(a and b) and min(len(a), len(b)) >= 2 and (a in b or b in a)
