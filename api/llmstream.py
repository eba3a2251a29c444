"""What an OpenAI-compatible chat server sends back, read chunk by chunk (api.llm's client).

A streamed answer comes as server-sent events of JSON chunks ending in ``[DONE]``; a server that
ignores ``stream`` sends one whole completion, read here as a single chunk.  Every read keeps to the
generation's deadline, and whatever is not an answer (no JSON, no choices, an error object) is an
``llm_error`` that counts against the server (api.breaker).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import httpx

from api.breaker import LlmFailure


def malformed(what: str) -> LlmFailure:
    return LlmFailure("llm_error", f"the LLM server sent {what}", counts=True)


async def events(response: httpx.Response, deadline: float) -> AsyncGenerator[dict[str, Any] | None, None]:
    """The JSON chunks of a server-sent event stream; None for ``[DONE]``."""
    lines = response.aiter_lines()
    while True:
        async with asyncio.timeout_at(deadline):
            line = await anext(lines, None)
        if line is None:
            return
        if not line.startswith("data:"):
            continue  # comments, event names and blank separators carry nothing here
        data = line[5:].strip()
        if data == "[DONE]":
            await _drain(lines, deadline)
            yield None
            return
        yield _json_object(data)


async def _drain(lines: AsyncIterator[str], deadline: float) -> None:
    """Read what follows [DONE] (the end of the chunked body, normally at once), so the connection
    goes back to the pool: closed mid-body it cannot be reused, and the next answer would pay for a
    new one.  A server that keeps the stream open after [DONE] gets a second, then is cut off."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout_at(min(deadline, asyncio.get_running_loop().time() + 1.0)):
            async for _ in lines:
                pass


async def whole_completion(
    response: httpx.Response, deadline: float
) -> AsyncGenerator[dict[str, Any] | None, None]:
    async with asyncio.timeout_at(deadline):
        raw = await response.aread()
    completion = _json_object(raw.decode("utf-8", "replace"))
    choices = completion.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise malformed("a completion without choices")
    message = choices[0].get("message")
    content = message.get("content") if isinstance(message, dict) else None
    # A whole completion is complete by being whole; only "length" says more (cut at max_tokens).
    reason = choices[0].get("finish_reason")
    yield {
        "model": completion.get("model"),
        "choices": [
            {"delta": {"content": content}, "finish_reason": reason if reason == "length" else "stop"}
        ],
    }


def _json_object(data: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise malformed("a chunk that is not JSON") from None
    if not isinstance(value, dict):
        raise malformed("a chunk that is not a JSON object")
    if "error" in value:
        raise malformed("an error instead of an answer")
    return value


def delta(chunk: dict[str, Any]) -> tuple[str, str | None]:
    """The text of one chunk and why the answer finished there (None while it goes on)."""
    choices = chunk.get("choices")
    if not isinstance(choices, list):
        raise malformed("a chunk without choices")
    if not choices:
        return "", None  # a usage-only chunk
    choice = choices[0]
    if not isinstance(choice, dict):
        raise malformed("a chunk without choices")
    delta = choice.get("delta")
    content = delta.get("content") if isinstance(delta, dict) else None
    if content is not None and not isinstance(content, str):
        raise malformed("a chunk whose content is not text")
    reason = choice.get("finish_reason")
    return content or "", None if reason is None else str(reason)
