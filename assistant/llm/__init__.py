"""The LLM boundary: the only package that imports ``openai`` and ``langchain``.

::

    backend.py     ChatBackend protocol; OpenAIBackend (tool-calling agent + numeric guard)
    tools.py       Tool (name, description, func, args_model), ToolOutput, Citation
    quoting.py     tool results as delimited data; injected-instruction detection
    memory.py      per-session conversation memory
    client.py      settings → endpoint and clients; SDK errors → ModelError
    embeddings.py  embed_texts for any OpenAI-compatible /v1/embeddings
"""

from assistant.llm.backend import (
    AgentAnswer,
    AnswerStream,
    ChatBackend,
    Flag,
    GuardedText,
    OpenAIBackend,
    ToolCallRecord,
    language_of,
)
from assistant.llm.client import NO_KEY, Endpoint, endpoint_from_settings, require_llm
from assistant.llm.embeddings import embed_texts
from assistant.llm.memory import SessionMemory, Turn
from assistant.llm.quoting import Injection, data_block, find_injections
from assistant.llm.tools import Citation, Tool, ToolOutput, to_jsonable

__all__ = [
    "NO_KEY",
    "AgentAnswer",
    "AnswerStream",
    "ChatBackend",
    "Citation",
    "Endpoint",
    "Flag",
    "GuardedText",
    "Injection",
    "OpenAIBackend",
    "SessionMemory",
    "Tool",
    "ToolCallRecord",
    "ToolOutput",
    "Turn",
    "data_block",
    "embed_texts",
    "endpoint_from_settings",
    "find_injections",
    "language_of",
    "require_llm",
    "to_jsonable",
]
