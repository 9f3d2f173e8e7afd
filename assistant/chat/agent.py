"""The LLM engine's tools: the built-in engine's lookups over the caller's scoped source.

The model chooses which lookups to make and phrases the answer; every number it may print
comes from these tools (their ``allowed`` numbers feed the numeric guard of
``assistant.llm``), and retrieved passages travel as quoted data with document and page.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from assistant.chat.answer import Answer, Citation
from assistant.chat.builtin import answer as builtin_answer
from assistant.chat.understand import understand


class _FiguresArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="one precise question naming the client, the figure or ratio and the period, "
                                      "e.g. '华信光伏2026年三季度的流动比率' or 'Netflix total current liabilities as of December 31, 2017'")


class _SearchArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(description="words to look for in the clients' documents (reports, filings, inspection notes)")


def chat_tools(source: Any, unconfirmed: list[str] | None = None) -> list:
    """Tools over ``source`` (already limited to the caller's clients).

    ``unconfirmed`` collects why any figure a tool returned is unconfirmed (flagged for review),
    so the final answer carries the marker whatever the model wrote.
    """
    from assistant.llm.tools import Tool

    def figures(question: str):
        ans = builtin_answer(understand(question, source.clients()), source)
        if unconfirmed is not None:
            unconfirmed.extend(w for w in ans.unconfirmed if w not in unconfirmed)
        return _output(ans)

    def search_documents(query: str):
        ids = [c.id for c in source.clients()]
        hits = source.search(query, ids, k=5)
        from assistant.llm.tools import Citation as LlmCitation
        from assistant.llm.tools import ToolOutput

        data = [{"document": h.document, "page": h.page, "text": h.text} for h in hits]
        return ToolOutput(data, citations=[LlmCitation(h.document, h.page, h.text[:160]) for h in hits])

    return [
        Tool("figures", "Stored figures, ratios (with formula and inputs), growth, covenants, warnings, grades and "
                        "portfolio screens, computed by loanwatch from the store. Says what is missing when it is.",
             figures, _FiguresArgs),
        Tool("search_documents", "Passages from the clients' documents with document and page.", search_documents,
             _SearchArgs),
    ]


def _output(ans: Answer):
    from assistant.llm.tools import Citation as LlmCitation
    from assistant.llm.tools import ToolOutput
    from assistant.numguard import AllowedNumber

    allowed = []
    if ans.value is not None:
        allowed.append(AllowedNumber(ans.value, "percent" if ans.unit == "percent" else
                                     "amount" if ans.unit == "amount" else "number", source="loanwatch"))
    for item in ans.inputs:
        if item.value is not None:
            allowed.append(AllowedNumber(item.value, "amount", source=f"{item.document} p.{item.page}", key=item.key))
    data = ans.to_json_dict()
    data.pop("understood", None)
    return ToolOutput(data, citations=[LlmCitation(c.document, c.page, c.quote) for c in ans.citations], allowed=allowed)


def ask_llm(question: str, source: Any) -> Answer:
    """Answer through the configured OpenAI-compatible model with the tools above."""
    from assistant.llm import OpenAIBackend

    backend = OpenAIBackend.from_settings()
    waiting: list[str] = []
    result = backend.answer(question, chat_tools(source, waiting)).collect()
    flags = [f.message for f in result.flags]
    flags += [f"unconfirmed — flagged for review: {w}; not used in decisions until confirmed" for w in waiting]
    text = result.text + ("\n" + "\n".join(f"⚠ {m}" for m in flags) if flags else "")
    return Answer(answer=text, citations=[Citation(document=c.document, page=c.page, quote=c.quote)
                                          for c in result.citations if c.document],
                  engine="llm", unconfirmed=waiting)
