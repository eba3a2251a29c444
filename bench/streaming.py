"""Timing streamed HTTP answers for bench.generation: one keep-alive connection, and the seconds
to each first line that matters (rag's events, the LLM server's first text)."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit


class _NoDelay(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Conn:
    """One keep-alive connection, as rag keeps to its LLM server: on this machine a new connection
    costs a first request about 15 ms, which would otherwise be charged to one side only."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.http = _NoDelay(parts.hostname or "127.0.0.1", parts.port or 80, timeout=300)

    def lines(self, path: str, body: dict[str, Any]) -> Iterator[tuple[float, bytes]]:
        """POST ``body``; each line of the response with the seconds since sending it."""
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.http.request(
                    "POST", path, json.dumps(body).encode(), {"Content-Type": "application/json"}
                )
                response = self.http.getresponse()
                break
            except (ConnectionError, http.client.HTTPException):
                # The server closed the idle connection (uvicorn keeps one 5 s): once more, anew.
                self.http.close()
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}: {response.read()[:300]!r}")
        while line := response.readline():
            yield time.perf_counter() - started, line
        response.read()  # done with it, so the connection takes the next request

    def close(self) -> None:
        self.http.close()


def first_lines(conn: Conn, body: dict[str, Any], marks: dict[str, bytes]) -> dict[str, float]:
    """Ask rag: seconds to the first line starting with each of ``marks``' prefixes (by name)."""
    seen: dict[str, float] = {}
    for at, line in conn.lines("/v1/ask", body):
        for name, prefix in marks.items():
            if name not in seen and line.startswith(prefix):
                seen[name] = at
    return seen


def direct_ttft(conn: Conn, messages: list[dict[str, str]], max_tokens: int) -> float:
    """Seconds to the LLM server's first chunk of text, streamed (llama.cpp's first chunk carries
    only the role)."""
    first = None
    body = {"messages": messages, "stream": True, "max_tokens": max_tokens}
    for at, line in conn.lines("/v1/chat/completions", body):
        if first is None and line.startswith(b"data: {") and _has_text(line[6:]):
            first = at
    if first is None:
        raise RuntimeError("the LLM server sent no text")
    return first


def _has_text(data: bytes) -> bool:
    choices = json.loads(data).get("choices") or [{}]
    return bool((choices[0].get("delta") or {}).get("content"))


def flush(conn: Conn, system: str) -> None:
    """One tiny request, so that each measured one finds the same prompt cache: llama.cpp reuses
    the longest prefix of the previous prompt, and a repeated prompt would skip its reading."""
    messages = [{"role": "system", "content": system}, {"role": "user", "content": "Hello"}]
    for _ in conn.lines("/v1/chat/completions", {"messages": messages, "max_tokens": 1}):
        pass
