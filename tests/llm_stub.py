"""A scripted OpenAI-compatible chat server on 127.0.0.1, and a way to serve any ASGI app in a thread.

The stub is a real HTTP server (uvicorn) that misbehaves exactly as told: refused, slow, a trickle,
an HTTP error, a malformed or empty stream, a stream that never ends.  It records what it was sent
and whether the client left before it had finished, so tests can check the upstream side too.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send


def chunk(content: str | None = None, finish: str | None = None, model: str = "stub-model") -> str:
    delta = {} if content is None else {"content": content}
    return json.dumps(
        {
            "object": "chat.completion.chunk",
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
    )


def answer_chunks(*pieces: str, model: str = "stub-model") -> list[str]:
    """A well-formed stream: a role chunk, one chunk per piece, a finish chunk, [DONE]."""
    role = json.dumps(
        {"model": model, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
    )
    return [role, *(chunk(p, model=model) for p in pieces), chunk(finish="stop", model=model), "[DONE]"]


def cut_chunks(*pieces: str, model: str = "stub-model") -> list[str]:
    """A stream the server stopped at max_tokens: the pieces, then finish_reason "length"."""
    return [*answer_chunks(*pieces, model=model)[:-2], chunk(finish="length", model=model), "[DONE]"]


@dataclass
class Reply:
    """What the stub answers to one request."""

    # SSE data payloads, each sent as "data: <payload>\n\n"; raw replaces them with exact bytes.
    events: list[str] = field(default_factory=lambda: answer_chunks("The video says so [1]."))
    raw: bytes | None = None
    status: int = 200
    content_type: str = "text/event-stream"
    # More response headers, such as a redirect's location.
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds before the response starts, and between two events.
    delay: float = 0.0
    gap: float = 0.0
    # After the events, keep the response open until the client leaves.
    hold: bool = False


class StubLlm:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.default = Reply()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        # (host, port) each request came from: one port for several means a reused connection.
        self.clients: list[tuple[str, int]] = []
        # Responses the client left before they were complete.
        self.abandoned = 0
        self.active = 0

    def then(self, *replies: Reply) -> StubLlm:
        self.replies.extend(replies)
        return self

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.requests.append(json.loads(body) if body else {})
        self.headers.append({k.decode(): v.decode() for k, v in scope["headers"]})
        self.clients.append(tuple(scope["client"]))
        reply = self.replies.pop(0) if self.replies else self.default
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.create_task(watch())
        self.active += 1
        finished = False
        try:
            if await _left(gone, reply.delay):
                return
            headers = [(b"content-type", reply.content_type.encode())]
            headers += [(k.encode(), v.encode()) for k, v in reply.headers.items()]
            await send({"type": "http.response.start", "status": reply.status, "headers": headers})
            payloads = (
                [reply.raw] if reply.raw is not None else [f"data: {e}\n\n".encode() for e in reply.events]
            )
            for i, payload in enumerate(payloads):
                if i and await _left(gone, reply.gap):
                    return
                await send({"type": "http.response.body", "body": payload, "more_body": True})
            if reply.hold:
                await gone.wait()
                return
            await send({"type": "http.response.body", "body": b""})
            finished = True
        finally:
            self.active -= 1
            if not finished:
                self.abandoned += 1
            watcher.cancel()


async def _left(gone: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds`` unless the client leaves first; True when it left."""
    if seconds <= 0:
        return gone.is_set()
    try:
        await asyncio.wait_for(gone.wait(), seconds)
    except TimeoutError:
        return False
    return True


def closed_port() -> int:
    """A port nothing listens on: connecting to it is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: ASGIApp, lifespan: str = "auto") -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 in a thread; yield its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def events_of(text: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of a text/event-stream body."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def until_first_delta(r: httpx.Response) -> Iterator[str]:
    """Read a stream up to its first delta event; return the line iterator, still open (dropping
    it would close the stream: httpx closes the connection of an iterator left mid-way)."""
    lines = r.iter_lines()
    for line in lines:
        if line.startswith("event: delta"):
            return lines
    raise AssertionError("the stream ended without a delta")


def wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)
