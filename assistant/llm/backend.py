"""The OpenAI-compatible backend: a tool-calling agent whose answers pass the numeric guard.

One answer runs as named steps::

    start_conversation   system prompt (prompts/chat_system.{lang}.md) + memory + question
    converse             model ⇄ tools (bind_tools + an explicit loop), each tool result a data block
    guard_text           numbers checked against what the tools returned; unsupported →
                         regenerate once with feedback → still unsupported: drop the sentence, flag it;
                         sentences carrying out an injected instruction dropped and flagged
    stream               the guarded sentences, one by one

An explicit loop rather than ``langchain.agents.create_agent``: the guard has to see every
tool result and step in between the model's last word and the caller, which a hand-written
loop of twenty lines shows plainly. No text reaches the caller before the guard has passed it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal, Protocol, Sequence, runtime_checkable

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from assistant import config
from assistant.config import Settings
from assistant.errors import ModelError
from assistant.llm.client import Endpoint, chat_model, endpoint_from_settings, model_errors
from assistant.llm.memory import SessionMemory, Turn
from assistant.llm.quoting import Injection, data_block, echoes, find_injections, new_nonce
from assistant.llm.tools import Citation, Tool, ToolOutput, render_data, to_jsonable
from assistant.numguard import AllowedNumber, GuardResult, allowed_date, check, drop_unsupported, harvest, split_sentences
from assistant.templates import render

FlagKind = Literal["unsupported_number", "regenerated", "injection", "followed_injection", "tool_error"]
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Flag:
    """Something the caller must show beside the answer."""

    kind: FlagKind
    message: str
    detail: str = ""


@dataclass
class ToolCallRecord:
    name: str
    arguments: dict
    error: str | None = None


@dataclass
class AgentAnswer:
    text: str
    flags: list[Flag] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    guard: GuardResult | None = None
    engine: str = "llm"
    model: str = ""


@dataclass
class GuardedText:
    text: str
    flags: list[Flag] = field(default_factory=list)
    guard: GuardResult | None = None
    raw: str = ""  # the model's last text before any sentence was dropped (for callers that check by parts)


class AnswerStream:
    """An iterator of answer text; ``result`` (the whole :class:`AgentAnswer`) is set once it is exhausted.

    Nothing is yielded before the guard has passed the whole answer: the tool rounds and the
    model's text stream in from the server, and the guarded answer then comes sentence by
    sentence. An unchecked number never reaches the screen, even for a moment.
    """

    def __init__(self, steps: Callable[["AnswerStream"], Iterator[str]]) -> None:
        self.result: AgentAnswer | None = None
        self._steps = steps(self)

    def __iter__(self) -> "AnswerStream":
        return self

    def __next__(self) -> str:
        return next(self._steps)

    def collect(self) -> AgentAnswer:
        """Run to the end and return the whole answer."""
        for _ in self:
            pass
        assert self.result is not None
        return self.result


@runtime_checkable
class ChatBackend(Protocol):
    name: str

    def answer(self, question: str, tools: Sequence[Tool], *, history: Sequence[Turn] | None = None,
               system: str | None = None) -> Iterator[str]: ...


def language_of(text: str) -> str:
    """zh or en: a question in English may still name a Chinese company."""
    cjk = len(_CJK.findall(text))
    words = len(re.findall(r"[A-Za-z]{2,}", text))
    return "zh" if cjk and cjk / 2 >= words else "en"


@dataclass
class _Run:
    """The state of one conversation with the model."""

    language: str
    nonce: str
    messages: list[BaseMessage]
    allowed: list[AllowedNumber] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    injections: list[Injection] = field(default_factory=list)


class OpenAIBackend:
    """Any OpenAI-compatible server (OpenAI, Azure, DeepSeek, Qwen, vLLM, Ollama, llama.cpp)."""

    name = "llm"

    def __init__(self, endpoint: Endpoint, *, memory: SessionMemory | None = None, max_tool_rounds: int = 6,
                 today: dt.date | None = None) -> None:
        self.endpoint = endpoint
        self.memory = memory if memory is not None else SessionMemory()
        self.max_tool_rounds = max_tool_rounds
        self.today = today
        self._model = chat_model(endpoint)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs) -> "OpenAIBackend":
        """ConfigError ("No key found - …") when OPENAI_API_KEY is not set."""
        return cls(endpoint_from_settings(settings), **kwargs)

    # ------------------------------------------------------------------ chat
    def answer(self, question: str, tools: Sequence[Tool], *, history: Sequence[Turn] | None = None,
               system: str | None = None, session: str | None = None) -> AnswerStream:
        """Stream a guarded answer. ``history`` adds earlier turns (``session`` keeps them for you);
        ``system`` adds instructions after the base system prompt (e.g. the client in view)."""
        return AnswerStream(lambda stream: self._answer_steps(stream, question, list(tools), history, system, session))

    def _answer_steps(self, stream: AnswerStream, question: str, tools: list[Tool], history: Sequence[Turn] | None,
                      system: str | None, session: str | None) -> Iterator[str]:
        turns = list(history or []) + (self.memory.get(session) if session else [])
        run = self._start_conversation(question, turns, system)
        converse = self._converser(run, tools)
        guarded = self._guard_text(run, converse(), converse)
        if session:
            self.memory.append(session, Turn("user", question), Turn("assistant", guarded.text))
        stream.result = AgentAnswer(guarded.text, run.flags, _unique(run.citations), run.tool_calls, guarded.guard,
                                    model=self.endpoint.model)
        yield from (s for s in split_sentences(guarded.text) if s)

    def _start_conversation(self, question: str, turns: list[Turn], system: str | None) -> _Run:
        language = language_of(question)
        today = self.today or config.today()
        nonce = new_nonce()
        prompt = render("chat_system", language=language, today=today.isoformat(), nonce=nonce)
        if system:
            prompt = f"{prompt}\n\n{system}"
        messages: list[BaseMessage] = [SystemMessage(prompt)]
        allowed = harvest(question, source="question", bind=True) + [allowed_date(today, source="today")]
        for turn in turns:
            messages.append(HumanMessage(turn.content) if turn.role == "user" else AIMessage(turn.content))
            allowed += harvest(turn.content, source="conversation", bind=True)
        messages.append(HumanMessage(question))
        return _Run(language, nonce, messages, allowed)

    def _converser(self, run: _Run, tools: list[Tool]) -> Callable[[], str]:
        by_name = {t.name: t for t in tools}
        bound = self._model.bind_tools([t.spec() for t in tools]) if tools else self._model
        rounds = {"left": self.max_tool_rounds}

        def converse() -> str:
            while True:
                can_call = bool(tools) and rounds["left"] > 0  # out of rounds: the model must answer
                reply = self._complete(bound if can_call else self._model, run.messages)
                calls = list(reply.tool_calls) + list(getattr(reply, "invalid_tool_calls", None) or [])
                if not calls or not can_call:
                    run.messages.append(AIMessage(_text(reply.content)))
                    return _text(reply.content)
                run.messages.append(reply)
                rounds["left"] -= 1
                for call in calls:
                    run.messages.append(self._call_tool(run, by_name, call))

        return converse

    def _complete(self, model, messages: list[BaseMessage]) -> AIMessage:
        reply = None
        with model_errors(self.endpoint):
            for chunk in model.stream(messages):
                reply = chunk if reply is None else reply + chunk
        if reply is None:
            raise ModelError("The model returned an empty stream", hint="check LOANWATCH_LLM_MODEL and the server logs")
        return reply

    def _call_tool(self, run: _Run, by_name: dict[str, Tool], call: dict) -> ToolMessage:
        name, call_id = call.get("name") or "", call.get("id") or ""
        args = call.get("args")
        tool = by_name.get(name)
        if tool is None:
            output = ToolOutput({"error": f"no tool named {name!r}; tools: {', '.join(sorted(by_name))}"})
        elif not isinstance(args, dict):  # an invalid tool call: unparsable arguments
            output = ToolOutput({"error": f"arguments for {name} are not valid JSON: {call.get('error') or args!r}"})
        else:
            output = tool.invoke(args)
        text = render_data(output.data)
        error = output.data.get("error") if isinstance(output.data, dict) and len(output.data) == 1 else None
        run.tool_calls.append(ToolCallRecord(name, args if isinstance(args, dict) else {}, error))
        if error:
            run.flags.append(Flag("tool_error", f"tool {name} failed", str(error)))
        # bound: a number the tool's text attaches to a label supports it under that label only
        run.allowed += harvest(text, source=f"tool {name}", bind=True) + list(output.allowed)
        run.citations += output.citations
        content = data_block(text, nonce=run.nonce, label=f"tool={name} call={call_id}")
        injections = [i for piece in _strings(to_jsonable(output.data)) for i in find_injections(piece)]
        if injections:
            content += "\n" + render("injection_note", language=run.language).strip()
            run.injections += injections
            for injection in injections:
                run.flags.append(Flag("injection", f"a result of tool {name} contains text phrased as instructions; "
                                                   "it was passed to the model as data and not followed", injection.excerpt))
        return ToolMessage(content=content, tool_call_id=call_id)

    # ------------------------------------------------------------------ guard
    def _guard_text(self, run: _Run, text: str, regenerate: Callable[[], str], *,
                    allow_counts: bool = True) -> GuardedText:
        result = check(text, run.allowed, allow_counts=allow_counts)
        if not result.ok:
            numbers = ", ".join(dict.fromkeys(m.text for m in result.unsupported))
            run.flags.append(Flag("regenerated", "the first answer printed numbers not in the sources; asked again", numbers))
            run.messages.append(HumanMessage(render("guard_feedback", language=run.language, numbers=numbers).strip()))
            text = regenerate()
            result = check(text, run.allowed, allow_counts=allow_counts)
        raw = text
        text, dropped = drop_unsupported(text, result)
        for sentence in dropped:
            bad = [m.text for m in result.unsupported if m.text in sentence]
            run.flags.append(Flag("unsupported_number", f"removed a statement with numbers not in the sources: {', '.join(bad)}",
                                  sentence))
        if run.injections:
            kept = []
            for sentence in split_sentences(text):
                if any(echoes(sentence, i) for i in run.injections):
                    run.flags.append(Flag("followed_injection", "removed a statement that carries out an instruction "
                                                                "found inside a document", sentence.strip()))
                else:
                    kept.append(sentence)
            text = "".join(kept).strip()
        if not text.strip():
            text = render("guard_fallback", language=run.language).strip()
        return GuardedText(text, run.flags, check(text, run.allowed, allow_counts=allow_counts), raw)

    # ------------------------------------------------------------------ memos
    def rewrite(self, draft: str, *, facts: str, allowed: Sequence[AllowedNumber] = (), language: str = "zh",
                allow_counts: bool = True) -> GuardedText:
        """Rewrite a memo narrative from ``facts`` (text the model reads) and ``draft``; every number
        of the result is checked against ``allowed`` plus the numbers printed in facts and draft
        (``allow_counts=False``: a counted number must equal a count given, see ``numguard``)."""
        nonce = new_nonce()
        today = (self.today or config.today()).isoformat()
        request = "\n\n".join([
            data_block(facts, nonce=nonce, label="facts"),
            data_block(draft, nonce=nonce, label="draft"),
            render("memo_rewrite_request", language=language).strip(),
        ])
        run = _Run(language, nonce, [SystemMessage(render("memo_rewrite", language=language, today=today, nonce=nonce)),
                                     HumanMessage(request)])
        run.allowed = list(allowed) + harvest(facts, source="facts", bind=True) + harvest(draft, source="draft", bind=True)

        def once() -> str:
            reply = self._complete(self._model, run.messages)
            run.messages.append(reply)
            return _text(reply.content)

        return self._guard_text(run, once(), once, allow_counts=allow_counts)


_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)


def _text(content) -> str:
    """The answer text, without the <think> block that reasoning models served by vLLM/Ollama print."""
    if not isinstance(content, str):
        content = "".join(p if isinstance(p, str) else p.get("text", "") for p in content or [] if isinstance(p, (str, dict)))
    return _THINK.sub("", content).strip()


def _strings(data) -> Iterator[str]:
    """Every string inside a JSON-able value (where a document's own words are)."""
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)


def _unique(citations: list[Citation]) -> list[Citation]:
    return list(dict.fromkeys(citations))
