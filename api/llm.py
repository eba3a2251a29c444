"""The client of an OpenAI-compatible chat server (llama.cpp, vLLM, Ollama, OpenAI), for written answers.

One ``httpx.AsyncClient`` per process, opened in the app's lifespan.  Every call streams, so a
written answer can be passed on as it comes and a server that trickles is cut off by one deadline
for the whole generation (a per-read timeout never fires on a token a second).  Around the calls:
a cap on generations in flight (past it ``llm_busy`` at once: a queue would only turn into
timeouts) and a circuit breaker (after repeated failures the server is left alone for a while,
and asks get ``llm_unavailable`` at once instead of waiting for a timeout each).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client import CollectorRegistry

from api.breaker import Breaker, LlmFailure
from api.llmstream import delta, events, malformed, whole_completion
from api.observe import LlmMetrics
from rag.settings import Settings

NOT_CONFIGURED = "no LLM is configured: set RAG_LLM_URL to the base URL of an OpenAI-compatible server"


@dataclass
class Trace:
    """What one call learned besides its text."""

    model: str | None = None
    started: float | None = None
    first_token: float | None = None
    # Why the server stopped: "stop", or "length" when it reached max_tokens mid-answer.
    finish_reason: str | None = None


def completions_url(base: str) -> str:
    """The chat completions endpoint under ``base``, keeping its query (Azure's ?api-version=…)."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base.strip())
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/chat/completions"))


class LlmClient:
    def __init__(
        self,
        settings: Settings,
        metrics: LlmMetrics | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = completions_url(settings.llm_url) if settings.llm_url else None
        self.model = settings.llm_model
        self.timeout = settings.llm_timeout
        self.max_tokens = settings.llm_max_tokens
        self.concurrency = settings.llm_concurrency
        self.breaker = Breaker(settings.llm_breaker_failures, settings.llm_breaker_seconds, clock)
        self.metrics = metrics or LlmMetrics(CollectorRegistry())
        self._key = settings.llm_api_key
        self._http: httpx.AsyncClient | None = None
        self._in_flight = 0

    @property
    def configured(self) -> bool:
        return self.url is not None

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def open(self) -> None:
        headers = {"Authorization": f"Bearer {self._key.get_secret_value()}"} if self._key else {}
        # The deadline of each generation is enforced around every read (see _deltas); httpx's own
        # timeouts are only the same bound again, for a connection that stalls inside httpx.
        self._http = httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(self.timeout))

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def stream(self, messages: list[dict[str, str]], trace: Trace) -> AsyncGenerator[str, None]:
        """The answer's text as it comes; raises LlmFailure for anything but a complete answer."""
        if self.url is None:
            raise LlmFailure("llm_not_configured", NOT_CONFIGURED)
        if self._in_flight >= self.concurrency:
            raise LlmFailure(
                "llm_busy",
                f"already writing {self._in_flight} answer{'s' if self._in_flight != 1 else ''}, "
                "the most RAG_LLM_CONCURRENCY allows: try again shortly",
            )
        self.breaker.admit()
        self._in_flight += 1
        self.metrics.in_flight.inc()
        healthy: bool | None = None
        try:
            async for text in self._deltas(self.url, messages, trace):
                yield text
            healthy = True
        except LlmFailure as exc:
            healthy = False if exc.counts else None
            raise
        finally:
            self._in_flight -= 1
            self.metrics.in_flight.dec()
            self.breaker.record(healthy)
            self.metrics.breaker_open.set(1 if self.breaker.open else 0)

    async def _deltas(
        self, url: str, messages: list[dict[str, str]], trace: Trace
    ) -> AsyncGenerator[str, None]:
        if self._http is None:
            raise RuntimeError("LlmClient.open() was not called")
        body: dict[str, Any] = {"messages": messages, "stream": True, "max_tokens": self.max_tokens}
        if self.model:
            body["model"] = self.model
        trace.started = time.perf_counter()
        deadline = asyncio.get_running_loop().time() + self.timeout
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._http.send(
                    self._http.build_request("POST", url, json=body), stream=True
                )
        except (TimeoutError, httpx.TimeoutException):
            raise self._timed_out() from None
        except httpx.TransportError as exc:
            raise LlmFailure(
                "llm_unavailable", f"could not reach the LLM server ({_reason(exc)})", counts=True
            ) from None
        try:
            if response.status_code >= 400:
                # The body is not passed on: a provider's 401 can quote part of the key.
                # A 404 is most often the address: name the one called and the setting it came from.
                where = f" at {_shown_url(url)} (is RAG_LLM_URL the base URL, ending in /v1?)"
                raise LlmFailure(
                    "llm_error",
                    f"the LLM server answered HTTP {response.status_code}"
                    + (where if response.status_code == 404 else ""),
                    counts=response.status_code >= 500,
                )
            if 300 <= response.status_code < 400:
                # httpx does not follow it: a POST sent on could arrive as a GET, or leave the key
                # with another host.  Not the server's failure, so the breaker ignores it, as a 4xx.
                raise LlmFailure("llm_error", _redirected(response), counts=False)
            media = response.headers.get("content-type", "").partition(";")[0].strip().lower()
            if media not in ("text/event-stream", "application/json", ""):
                # A web page (a proxy's login, a UI at that address) would read as an empty stream.
                raise LlmFailure(
                    "llm_error", f"the LLM server answered {media}, not an event stream or JSON", counts=True
                )
            # A server that ignores "stream": true answers with the whole completion at once.
            whole = media == "application/json"
            chunks = whole_completion(response, deadline) if whole else events(response, deadline)
            finished = False
            async for chunk in chunks:
                if chunk is None:
                    finished = True
                    break
                trace.model = trace.model or _text(chunk.get("model"))
                text, reason = delta(chunk)
                if reason is not None:
                    finished, trace.finish_reason = True, reason
                if text:
                    if trace.first_token is None:
                        trace.first_token = time.perf_counter() - trace.started
                    yield text
            if trace.first_token is None and trace.finish_reason == "length":
                # A reasoning model can spend every token on thinking it does not stream as content.
                raise LlmFailure(
                    "llm_error",
                    f"the LLM server used up max_tokens (RAG_LLM_MAX_TOKENS={self.max_tokens}) "
                    "before writing any answer",
                )
            if trace.first_token is None:
                raise malformed("an empty answer")
            if not finished:
                raise malformed("a stream that ended before the answer was complete")
        except (TimeoutError, httpx.TimeoutException):
            raise self._timed_out() from None
        except httpx.TransportError as exc:
            raise LlmFailure(
                "llm_error", f"the LLM server broke off the answer ({_reason(exc)})", counts=True
            ) from None
        finally:
            await response.aclose()

    def _timed_out(self) -> LlmFailure:
        return LlmFailure(
            "llm_timeout", f"the LLM server did not finish within {self.timeout:g} s", counts=True
        )


def _redirected(response: httpx.Response) -> str:
    location = response.headers.get("location")
    if not location:
        return f"the LLM server answered HTTP {response.status_code}"
    shown = _shown_url(response.url.join(location))
    base = shown.removesuffix("/chat/completions")
    hint = base if base != shown else "the final address"
    return f"the LLM server redirected to {shown} (set RAG_LLM_URL to {hint})"


def _shown_url(url: str | httpx.URL) -> str:
    """Scheme, host and path only: user info or a query (an Azure key) could carry credentials."""
    return str(httpx.URL(url).copy_with(userinfo=b"", query=None, fragment=None))


def _reason(exc: httpx.TransportError) -> str:
    # The exception's own text can name the URL, which may carry credentials: its kind is enough.
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or no route"
    return type(exc).__name__


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
