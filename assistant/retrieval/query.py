"""What a question says, as far as search needs it: other names for what reports print,
and which primary statement (balance sheet, income statement, cash flow) it is about.

Query side only; the index stores the text as printed.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Finance names that differ between how people ask and how reports print (query side only).
_EXPANSIONS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("income statement", "p&l", "profit and loss", "statement of operations", "statements of operations",
      "statement of income", "利润表", "损益表"),
     "consolidated statements of operations income statement 利润表"),
    (("balance sheet", "financial position", "资产负债表"), "consolidated balance sheets 资产负债表"),
    (("cash flow statement", "statement of cash flows", "statements of cash flows", "现金流量表"),
     "consolidated statements of cash flows 现金流量表"),
    (("revenue", "top line", "top-line", "net sales", "营业收入"), "revenue net sales 营业收入"),
    (("cogs", "cost of goods sold", "cost of sales", "cost of revenue", "营业成本"), "cost of sales cost of revenue 营业成本"),
    (("capex", "capital expenditure", "资本性支出"), "purchases of property and equipment 购建固定资产"),
    (("working capital", "current ratio", "流动比率", "营运资金"), "total current assets total current liabilities 流动资产合计 流动负债合计"),
)


def expand_query(query: str) -> str:
    """Add the printed names of statements and line items a question refers to by another name."""
    lowered = query.lower()
    extra = [terms for names, terms in _EXPANSIONS if any(name in lowered for name in names)]
    return " ".join([query, *extra])


_WORDS = re.compile(r"[a-z]+|[^a-z\s]")
_STATEMENT_NAMES = {
    "balance_sheet": ("balance sheet", "financial position", "资产负债表"),
    "income_statement": ("income statement", "p&l", "profit and loss", "statement of operations",
                         "statements of operations", "statement of income", "利润表", "损益表"),
    "cash_flow": ("cash flow statement", "statement of cash flows", "statements of cash flows", "现金流量表"),
}


@lru_cache(maxsize=1)
def _line_item_names() -> dict[str, str]:
    """Printed names of the canonical figures (FIGURES.md), lowercased → statement kind."""
    from extractors.vocabulary import FIGURES

    names: dict[str, str] = {}
    for figure in FIGURES:
        for name in (figure.en.lower(), figure.zh):
            for variant in (name, name.removeprefix("total "), name.removesuffix("合计"), name.removesuffix("总计")):
                if _CJK_RUN.match(variant):
                    if len(variant) >= 2:
                        names.setdefault(variant, figure.kind)
                elif len(variant) >= 5:  # spelled as statement_intent splits the question
                    names.setdefault(" ".join(_WORDS.findall(variant.replace("&", " and "))), figure.kind)
    return names


def statement_intent(query: str) -> set[str]:
    """The primary statements a question is about: named outright, or through a line item it asks for."""
    text = expand_query(query).lower().replace("&", " and ")
    kinds = {kind for kind, names in _STATEMENT_NAMES.items() if any(n in text for n in names)}
    words = " " + " ".join(_WORDS.findall(text)) + " "
    for name, kind in _line_item_names().items():
        if (_CJK_RUN.match(name) and name in text) or f" {name} " in words:
            kinds.add(kind)
    return kinds
