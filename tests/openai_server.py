"""A small OpenAI-compatible HTTP server on 127.0.0.1 that plays a scripted model.

Tests run the real ``openai`` client and real LangChain code against it. The server
implements ``POST /v1/chat/completions`` (JSON and SSE streaming, text and tool calls),
``POST /v1/embeddings`` and ``GET /v1/models``. Each chat request takes the next turn
from the script::

    with OpenAIServer([ToolCall("get_figure", {"key": "cash"}), "现金为1.52亿元。"]) as server:
        ...  # base_url=server.base_url, api_key="test-key"
        server.requests[1]["messages"][-1]  # what the model was sent

A turn is a string (the answer), a :class:`ToolCall` or a list of them, a :class:`Reply`
(text plus tool calls, or an HTTP error), or a function of the request body returning one
of those. When the script runs out the server answers HTTP 400 so the test fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union


@dataclass
class ToolCall:
    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = field(default_factory=lambda: f"call_{uuid.uuid4().hex[:12]}")


@dataclass
class Reply:
    content: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    status: int = 200  # another status sends an OpenAI-style error body
    error: str = "scripted error"


Turn = Union[str, ToolCall, list, Reply, Callable[[dict], Any]]


def _as_reply(turn: Any, body: dict) -> Reply:
    if callable(turn) and not isinstance(turn, (ToolCall, Reply)):
        turn = turn(body)
    if isinstance(turn, Reply):
        return turn
    if isinstance(turn, str):
        return Reply(content=turn)
    if isinstance(turn, ToolCall):
        return Reply(tool_calls=[turn])
    if isinstance(turn, list):
        return Reply(tool_calls=list(turn))
    raise TypeError(f"unsupported scripted turn: {turn!r}")


def fake_embedding(text: str, dims: int = 16) -> list[float]:
    """A deterministic unit vector from the text's hash (same text, same vector)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    raw = [(digest[i % len(digest)] - 127.5) for i in range(dims)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


class OpenAIServer:
    """Start with ``with OpenAIServer(script) as server`` (or ``start()`` / ``stop()``)."""

    def __init__(self, script: list[Turn] | None = None, *, model: str = "scripted-model", chunk_size: int = 7,
                 embedding_dims: int = 16) -> None:
        self.script: list[Turn] = list(script or [])
        self.model = model
        self.chunk_size = chunk_size
        self.embedding_dims = embedding_dims
        self.requests: list[dict] = []  # chat bodies, in order
        self.embedding_requests: list[dict] = []
        self.headers: list[dict[str, str]] = []  # lower-cased names
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "OpenAIServer":
        handler = type("Handler", (_Handler,), {"server_state": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="openai-test-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "OpenAIServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def push(self, *turns: Turn) -> None:
        with self._lock:
            self.script.extend(turns)

    def next_reply(self, body: dict) -> Reply:
        with self._lock:
            self.requests.append(body)
            if not self.script:
                return Reply(status=400, error=f"script exhausted after {len(self.requests) - 1} turn(s)")
            turn = self.script.pop(0)
        return _as_reply(turn, body)

    # ---------------------------------------------------------------- bodies
    def completion(self, reply: Reply) -> dict:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": _args(c)}}
                for c in reply.tool_calls
            ]
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion", "created": int(time.time()),
            "model": self.model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if reply.tool_calls else "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }

    def chunks(self, reply: Reply, include_usage: bool) -> list[dict]:
        cid, created = f"chatcmpl-{uuid.uuid4().hex[:12]}", int(time.time())

        def chunk(delta: dict, finish: str | None = None) -> dict:
            return {"id": cid, "object": "chat.completion.chunk", "created": created, "model": self.model,
                    "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]}

        out = [chunk({"role": "assistant", "content": ""})]
        text = reply.content or ""
        for i in range(0, len(text), self.chunk_size):
            out.append(chunk({"content": text[i:i + self.chunk_size]}))
        for index, call in enumerate(reply.tool_calls):
            out.append(chunk({"tool_calls": [{"index": index, "id": call.id, "type": "function",
                                              "function": {"name": call.name, "arguments": ""}}]}))
            args = _args(call)
            for i in range(0, len(args), self.chunk_size):
                out.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": args[i:i + self.chunk_size]}}]}))
        out.append(chunk({}, "tool_calls" if reply.tool_calls else "stop"))
        if include_usage:
            out.append({"id": cid, "object": "chat.completion.chunk", "created": created, "model": self.model,
                        "choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}})
        return out

    def embeddings(self, body: dict) -> dict:
        with self._lock:
            self.embedding_requests.append(body)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        data = [{"object": "embedding", "index": i, "embedding": fake_embedding(str(t), self.embedding_dims)}
                for i, t in enumerate(texts)]
        return {"object": "list", "data": data, "model": body.get("model", "scripted-embedding"),
                "usage": {"prompt_tokens": len(texts), "total_tokens": len(texts)}}


def _args(call: ToolCall) -> str:
    return call.arguments if isinstance(call.arguments, str) else json.dumps(call.arguments, ensure_ascii=False)


class _Handler(BaseHTTPRequestHandler):
    server_state: OpenAIServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _send_json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send_json(status, {"error": {"message": message, "type": "invalid_request_error", "code": None}})

    def do_GET(self) -> None:
        if self.path.rstrip("/") == "/v1/models":
            state = self.server_state
            self._send_json(200, {"object": "list", "data": [
                {"id": state.model, "object": "model", "created": 0, "owned_by": "tests"}]})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        state = self.server_state
        path = self.path.rstrip("/")
        if path == "/v1/embeddings":
            self._send_json(200, state.embeddings(body))
            return
        if path != "/v1/chat/completions":
            self._error(404, f"no route {self.path}")
            return
        state.headers.append({k.lower(): v for k, v in self.headers.items()})
        reply = state.next_reply(body)
        if reply.status != 200:
            self._error(reply.status, reply.error)
            return
        if not body.get("stream"):
            self._send_json(200, state.completion(reply))
            return
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        for chunk in state.chunks(reply, include_usage):
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode("utf-8"))
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()
        self.close_connection = True
