"""A real OpenAI-compatible HTTP server on loopback, scripted per test.

``POST /v1/chat/completions`` answers with the next scripted reply: a
streamed text (server-sent events, word by word), tool calls, an HTTP
error, a malformed body, a stall, a refusal. Every request body is kept in
``requests`` so a test can check what the coach sent (and never sent).

    with FakeLlmServer() as server:
        server.push(Text("What would happen if the list were empty?"))
        ... litellm with model "openai/test-model", api_base=server.url ...

Used by tests/test_llm_coach.py and bench/coach_bench.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Text:
    """A streamed text reply, split into chunks of ``words`` words."""

    text: str
    words: int = 1
    #: Seconds to wait before each chunk (the model's generation time).
    delay_s: float = 0.0
    #: Seconds to wait before the first chunk.
    first_delay_s: float = 0.0
    usage: tuple[int, int] | None = (120, 30)
    finish_reason: str = "stop"


@dataclass(frozen=True)
class ToolCalls:
    """The model calls tools: (name, arguments as a JSON string)."""

    calls: list[tuple[str, str]]
    text: str = ""
    usage: tuple[int, int] | None = (150, 20)


@dataclass(frozen=True)
class Status:
    """An HTTP error."""

    code: int = 500
    body: str = '{"error": {"message": "the model crashed", "type": "server_error"}}'


@dataclass(frozen=True)
class Malformed:
    """A 200 whose stream carries something that is not JSON."""

    body: str = "data: {not json at all\n\n"


@dataclass(frozen=True)
class Stall:
    """Send ``text`` (maybe nothing), then say nothing for ``seconds``."""

    seconds: float = 30.0
    text: str = ""


@dataclass(frozen=True)
class Refusal:
    """The model refuses (OpenAI's ``refusal`` field, finish_reason content_filter)."""

    text: str = "I can't help with that."


Reply = Text | ToolCalls | Status | Malformed | Stall | Refusal
Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class _Timing:
    """When the server received a request and wrote its last byte (perf_counter)."""

    received: float
    done: float = 0.0


@dataclass
class FakeLlmServer:
    #: Used when the queue is empty.
    default: Reply | Responder = field(default_factory=lambda: Text("What are you thinking?"))
    requests: list[dict[str, Any]] = field(default_factory=list)
    timings: list[_Timing] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: deque[Reply | Responder] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ control

    def push(self, *replies: Reply | Responder) -> None:
        with self._lock:
            self._queue.extend(replies)

    def reset(self, default: Reply | Responder | None = None) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.timings.clear()
            if default is not None:
                self.default = default

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> FakeLlmServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # http.server calls it by this name
                server._handle(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True,
                                        name="fake-llm")
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeLlmServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------- serving

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            item = self._queue.popleft() if self._queue else self.default
        return item(body) if callable(item) else item

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        timing = _Timing(time.perf_counter())
        length = int(h.headers.get("Content-Length") or 0)
        try:
            body = json.loads(h.rfile.read(length) or b"{}")
        except json.JSONDecodeError:
            body = {}
        with self._lock:
            self.requests.append(body)
            self.timings.append(timing)
        reply = self._next(body)
        stream = bool(body.get("stream"))
        try:
            if isinstance(reply, Status):
                self._send(h, reply.code, reply.body.encode(), "application/json")
            elif isinstance(reply, Malformed):
                self._send(h, 200, reply.body.encode(),
                           "text/event-stream" if stream else "application/json")
            elif not stream:
                self._send(h, 200, json.dumps(self._whole(reply, body)).encode(),
                           "application/json")
            else:
                self._stream(h, reply, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): nothing to do
        timing.done = time.perf_counter()

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, code: int, data: bytes, content_type: str) -> None:
        h.send_response(code)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        h.wfile.flush()

    def _chunk(self, body: dict[str, Any], delta: dict[str, Any],
               finish: str | None = None) -> dict[str, Any]:
        return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1,
                "model": body.get("model", "test-model"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    def _events(self, reply: Reply, body: dict[str, Any]) -> Iterator[tuple[float, dict[str, Any]]]:
        """(delay before it, chunk) for a streamed reply."""
        usage: tuple[int, int] | None = None
        if isinstance(reply, Text):
            words = reply.text.split(" ")
            pieces = [" ".join(words[i:i + reply.words]) for i in range(0, len(words), reply.words)]
            for n, piece in enumerate(pieces):
                text = piece if n == len(pieces) - 1 else piece + " "
                delta = {"role": "assistant", "content": text} if n == 0 else {"content": text}
                yield (reply.first_delay_s if n == 0 else reply.delay_s,
                       self._chunk(body, delta))
            yield 0.0, self._chunk(body, {}, reply.finish_reason)
            usage = reply.usage
        elif isinstance(reply, ToolCalls):
            if reply.text:
                yield 0.0, self._chunk(body, {"role": "assistant", "content": reply.text})
            for i, (name, args) in enumerate(reply.calls):
                yield 0.0, self._chunk(body, {"tool_calls": [{
                    "index": i, "id": f"call_{i}_{len(self.requests)}", "type": "function",
                    "function": {"name": name, "arguments": ""}}]})
                half = len(args) // 2  # the arguments arrive in two pieces, as they do
                for part in (args[:half], args[half:]):
                    yield 0.0, self._chunk(body, {"tool_calls": [{
                        "index": i, "function": {"arguments": part}}]})
            yield 0.0, self._chunk(body, {}, "tool_calls")
            usage = reply.usage
        elif isinstance(reply, Refusal):
            yield 0.0, self._chunk(body, {"role": "assistant", "content": None,
                                          "refusal": reply.text})
            yield 0.0, self._chunk(body, {}, "content_filter")
        if usage is not None and (body.get("stream_options") or {}).get("include_usage"):
            last = self._chunk(body, {})
            last["choices"] = []
            last["usage"] = {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                             "total_tokens": usage[0] + usage[1]}
            yield 0.0, last

    def _stream(self, h: BaseHTTPRequestHandler, reply: Reply, body: dict[str, Any]) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True

        def send(data: str) -> None:
            h.wfile.write(f"data: {data}\n\n".encode())
            h.wfile.flush()

        if isinstance(reply, Stall):
            if reply.text:
                send(json.dumps(self._chunk(body, {"role": "assistant", "content": reply.text})))
            self._closing.wait(reply.seconds)
            return
        for delay, chunk in self._events(reply, body):
            if delay and self._closing.wait(delay):
                return
            send(json.dumps(chunk))
        send("[DONE]")

    def _whole(self, reply: Reply, body: dict[str, Any]) -> dict[str, Any]:
        """A non-streamed reply (the feedback call asks for one)."""
        message: dict[str, Any] = {"role": "assistant", "content": None}
        finish = "stop"
        usage = (100, 50)
        if isinstance(reply, Text):
            message["content"] = reply.text
            usage = reply.usage or usage
        elif isinstance(reply, ToolCalls):
            message["tool_calls"] = [
                {"id": f"call_{i}", "type": "function", "function": {"name": n, "arguments": a}}
                for i, (n, a) in enumerate(reply.calls)]
            finish = "tool_calls"
        elif isinstance(reply, Refusal):
            message["refusal"] = reply.text
            finish = "content_filter"
        elif isinstance(reply, Stall):
            self._closing.wait(reply.seconds)
        return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1,
                "model": body.get("model", "test-model"),
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1],
                          "total_tokens": sum(usage)}}
