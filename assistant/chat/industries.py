"""Clients described by what they do: "the toll road", "the solar farm", "收费公路那家", "光伏项目".

A client's ``industry`` is stored in Chinese (收费公路, 光伏发电, 污水处理 …). A question that
describes a client instead of naming it is matched through a small English↔Chinese lexicon:
each group lists the phrases a question may use and the stored industry words they mean.

Phrases are *strong* (a noun that only describes a business: "toll road", 光伏) or *weak*
(a word with other meanings: "property" in property, plant and equipment, 制造 in 制造费用).
A weak phrase counts only in a describing form: "the developer", 制造那家, 地产项目.
Only the caller's visible clients are candidates; two or more → the answer asks which one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class IndustryGroup:
    stored: tuple[str, ...]  # words of the stored (Chinese) industry that mean this group
    strong: tuple[str, ...]  # phrases that describe a client wherever they appear
    weak: tuple[str, ...] = ()  # phrases that describe a client only as "the …" / "…那家" / "…项目"


GROUPS: tuple[IndustryGroup, ...] = (
    IndustryGroup(("收费公路", "高速", "公路"),
                  ("toll road", "toll-road", "tollway", "expressway", "motorway", "收费公路", "高速公路"),
                  ("highway", "road", "高速")),
    IndustryGroup(("光伏", "太阳能"),
                  ("solar farm", "solar plant", "solar power", "solar", "photovoltaic", "光伏", "太阳能"),
                  ("pv", "pv plant")),
    IndustryGroup(("污水", "水务", "水处理"),
                  ("wastewater", "waste water", "waste-water", "sewage", "water treatment", "water utility", "污水", "水务"),
                  ("water plant", "water company", "水处理")),
    IndustryGroup(("医院", "医疗"),
                  ("hospital ppp", "hospital", "医院"),
                  ("healthcare", "health care", "医疗")),
    IndustryGroup(("房地产", "地产", "置业"),
                  ("property developer", "real estate", "real-estate", "房地产"),
                  ("developer", "property", "housing project", "地产", "楼盘")),
    IndustryGroup(("化纤", "制造", "涤纶"),
                  ("chemical fibre", "chemical fiber", "polyester", "化纤", "涤纶"),
                  ("manufacturer", "manufacturing", "fibre maker", "fiber maker", "factory", "制造", "工厂")),
)

_ZH_DESCRIBING = r"(?:那家|这家|那个|这个|项目|公司|企业|客户|借款人)"
_EN_DESCRIBING = r"(?:client|borrower|company|project|loan|one)"


@dataclass(frozen=True)
class Described:
    """A client description found in a question and the visible clients it fits."""

    phrase: str
    client_ids: tuple[int, ...]
    strong: bool  # a phrase that only describes a business (not a weak one in a describing form)


def _found(phrase: str, low: str, strong: bool) -> bool:
    if phrase not in low:  # every pattern below contains the phrase itself (skips compiling a pattern per phrase)
        return False
    if re.search(r"[\u4e00-\u9fff]", phrase):
        if strong:
            return phrase in low
        return re.search(re.escape(phrase) + _ZH_DESCRIBING, low) is not None
    word = re.escape(phrase)
    if strong:
        return re.search(rf"(?<![a-z0-9]){word}(?![a-z0-9])", low) is not None
    return re.search(rf"\b(?:the|that|this|our)\s+{word}(?![a-z0-9])|(?<![a-z0-9]){word}\s+{_EN_DESCRIBING}\b", low) is not None


def describe_client(text: str, clients: list) -> Described | None:  # noqa: ANN001 - companies.ClientName
    """The visible clients whose stored industry the question describes; None when it describes none.

    ``clients`` carry ``id`` and ``industry``. The longest phrase found wins, so "hospital PPP"
    is read before "hospital". A description that fits no visible client still comes back
    (with no ids) so the answer can say that no client you can see is one.
    """
    low = text.lower()
    hits: list[tuple[int, bool, str, IndustryGroup]] = []
    for group in GROUPS:
        hits += [(len(p), True, p, group) for p in group.strong if _found(p, low, True)]
        hits += [(len(p), False, p, group) for p in group.weak if _found(p, low, False)]
    if not hits:
        return None
    _, strong, phrase, group = max(hits, key=lambda h: (h[0], h[1]))
    ids = tuple(c.id for c in clients if c.industry and any(w in c.industry for w in group.stored))
    return Described(phrase, ids, strong)
