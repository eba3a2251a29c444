"""Written answers for /v1/ask and `rag ask --generate`: whole, or streamed as server-sent events.

A failure of the LLM never costs the ask: retrieval and the extracted answer are done before it is
called, and whatever goes wrong with it ends up in ``generation.error``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from api.breaker import LlmFailure
from api.llm import NOT_CONFIGURED, LlmClient, Trace
from api.schemas import AskResponse, CitationOut, GenerationErrorOut, GenerationOut
from rag.generate import Citation, build_messages, cut_off_note, resolve_citations
from rag.timefmt import format_clock, link_at, seconds

if TYPE_CHECKING:
    from sse_starlette import EventSourceResponse

    from rag.manifest import VideoRecord
    from rag.moments import Hit
    from rag.result import Result

LOW_CONFIDENCE = "the passages do not seem to answer the question, so the LLM was not asked"


def _event(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """One event of the stream: its data is JSON of the given schema (checked by schemathesis)."""
    return {
        "type": "object",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": name},
            "data": {"type": "string", "contentMediaType": "application/json", "contentSchema": data},
        },
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# /v1/ask's 200 documents the stream beside the JSON, one schema per event (Open API 3.1: the
# schema of an event stream describes each event).
STREAM_DOC: dict[str, Any] = {
    "description": "the ask response as JSON; with stream: true, server-sent events: passages (this "
    "response without generation), delta ({text}) any number of times, error ({code, message}) on "
    "failure, then done ({generation})",
    "content": {
        "text/event-stream": {
            "schema": {
                "oneOf": [
                    _event("passages", _ref("AskResponse")),
                    _event(
                        "delta",
                        {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}},
                    ),
                    _event("error", _ref("GenerationErrorOut")),
                    _event(
                        "done",
                        {
                            "type": "object",
                            "required": ["generation"],
                            "properties": {
                                "generation": {"anyOf": [_ref("GenerationOut"), {"type": "null"}]}
                            },
                        },
                    ),
                ]
            }
        }
    },
}


@dataclass(frozen=True)
class Written:
    """The outcome of one generation: the answer with its citations resolved, or the error."""

    text: str = ""
    citations: list[Citation] = field(default_factory=list)
    invalid_citations: int = 0
    model: str | None = None
    took_ms: float = 0.0
    error: LlmFailure | None = None


async def write(
    llm: LlmClient, question: str, result: Result, titles: Mapping[str, str]
) -> AsyncGenerator[str | Written, None]:
    """The text as it comes, then one ``Written``: citations checked against ``result.hits``."""
    started = time.perf_counter()
    trace = Trace()
    parts: list[str] = []
    metrics = llm.metrics
    try:
        if not llm.configured:
            raise LlmFailure("llm_not_configured", NOT_CONFIGURED)
        # The confidence flag says the video does not answer: a model asked anyway would make
        # something up from the nearest passages.
        if result.low_confidence:
            raise LlmFailure("low_confidence", LOW_CONFIDENCE)
        messages = build_messages(question, result.hits, titles)
        async with aclosing(llm.stream(messages, trace)) as deltas:
            async for text in deltas:
                parts.append(text)
                yield text
        if trace.finish_reason == "length":
            # Cut at max_tokens: kept, and said so as the last delta, so the streamed text and
            # the final one both end with it.
            note = cut_off_note(question)
            parts.append(note)
            yield note
    except LlmFailure as exc:
        outcome = Written(model=trace.model or llm.model, took_ms=_ms(started), error=exc)
    except (asyncio.CancelledError, GeneratorExit):
        # The client left (cancelled mid-read, or closed while its consumer was sending).
        metrics.cancelled.inc()
        raise
    else:
        cited = resolve_citations("".join(parts), result.hits)
        metrics.invalid_citations.inc(cited.invalid)
        outcome = Written(
            cited.text, cited.citations, cited.invalid, trace.model or llm.model, _ms(started), None
        )
    if outcome.error is not None:
        metrics.errors.labels(outcome.error.code).inc()
    if trace.started is not None:
        label = outcome.error.code if outcome.error else "ok"
        metrics.seconds.labels(label).observe(time.perf_counter() - trace.started)
    if trace.first_token is not None:
        metrics.first_token.observe(trace.first_token)
    yield outcome


async def written(llm: LlmClient, question: str, result: Result, titles: Mapping[str, str]) -> Written:
    """The whole written answer at once."""
    async with aclosing(write(llm, question, result, titles)) as items:
        async for item in items:
            if isinstance(item, Written):
                return item
    raise AssertionError("write() always ends with a Written")


def generation_out(w: Written, videos: Mapping[str, VideoRecord]) -> GenerationOut:
    return GenerationOut(
        text=w.text,
        citations=[_citation_out(c.marker, c.hit, videos) for c in w.citations],
        invalid_citations=w.invalid_citations,
        model=w.model,
        took_ms=round(w.took_ms, 2),
        error=GenerationErrorOut(code=w.error.code, message=w.error.message) if w.error else None,
    )


def _citation_out(marker: int, hit: Hit, videos: Mapping[str, VideoRecord]) -> CitationOut:
    p = hit.passage
    return CitationOut(
        marker=marker,
        passage_rank=hit.rank,
        start=seconds(p.start_ms),
        timestamp=format_clock(p.start_ms),
        url=link_at(videos[p.video_id].url, p.start_ms),
    )


def titles_of(videos: Mapping[str, VideoRecord]) -> dict[str, str]:
    return {vid: v.title for vid, v in videos.items()}


def event_stream(
    llm: LlmClient | None,
    question: str,
    result: Result,
    response: AskResponse,
    videos: Mapping[str, VideoRecord],
) -> EventSourceResponse:
    """passages, delta…, done (error before done on failure); ``llm`` None: no generation asked."""
    from sse_starlette import EventSourceResponse

    async def events() -> AsyncGenerator[dict[str, Any], None]:
        # Retrieval is done: the passages go out before the LLM is even called.
        yield {"event": "passages", "data": response.model_dump_json(exclude={"generation"})}
        if llm is None:
            yield {"event": "done", "data": json.dumps({"generation": None})}
            return
        async with aclosing(write(llm, question, result, titles_of(videos))) as items:
            async for item in items:
                if isinstance(item, str):
                    yield {"event": "delta", "data": json.dumps({"text": item}, ensure_ascii=False)}
                    continue
                out = generation_out(item, videos)
                if out.error is not None:
                    yield {"event": "error", "data": out.error.model_dump_json()}
                yield {
                    "event": "done",
                    "data": json.dumps({"generation": out.model_dump()}, ensure_ascii=False),
                }

    # sse-starlette's comment pings (every 15 s) keep proxies from closing a stream whose LLM is
    # still reading a long prompt; every SSE client skips them.  On SIGTERM a stream in flight
    # gets 8 s to finish, within the 10 s `rag serve` gives requests in flight.
    return EventSourceResponse(events(), shutdown_grace_period=8)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
