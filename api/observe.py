"""Request ids, structured logs and Prometheus metrics."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rag.generate import ERROR_CODES

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class Metrics:
    """One registry per app, so several apps (tests) never collide in a global one."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "rag_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "rag_request_seconds",
            "HTTP request latency",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.index = Gauge("rag_index_info", "index version served", ["version"], registry=self.registry)
        self.passages = Gauge("rag_index_passages", "passages in the served index", registry=self.registry)
        self.builds = Histogram(
            "rag_build_seconds", "index builds run by this server", ["outcome"], registry=self.registry
        )

    def serving(self, version: str, passages: int) -> None:
        self.index.clear()
        self.index.labels(version=version).set(1)
        self.passages.set(passages)


class LlmMetrics:
    """Written answers (api/llm.py, api/generation.py), on the app's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.seconds = Histogram(
            "rag_generation_seconds",
            "written answers: from the request to the LLM to its last token, by outcome",
            ["outcome"],
            buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120),
            registry=registry,
        )
        self.first_token = Histogram(
            "rag_generation_first_token_seconds",
            "written answers: from the request to the LLM to its first text",
            buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=registry,
        )
        self.errors = Counter(
            "rag_generation_errors_total",
            "written answers not given, by error code",
            ["code"],
            registry=registry,
        )
        for code in ERROR_CODES:
            self.errors.labels(code)
        self.invalid_citations = Counter(
            "rag_generation_invalid_citations_total",
            "citation markers naming no given passage, dropped",
            registry=registry,
        )
        self.cancelled = Counter(
            "rag_generation_cancelled_total", "generations stopped because the client left", registry=registry
        )
        self.in_flight = Gauge("rag_generation_in_flight", "generations in flight", registry=registry)
        self.breaker_open = Gauge(
            "rag_llm_breaker_open",
            "1 while the circuit breaker keeps the LLM server uncalled",
            registry=registry,
        )


class RequestContext:
    """Gives every request an id (the client's X-Request-ID when sane), returns it, times the request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _SAFE_ID.match(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        # Also on the request itself: the last-resort error handler runs outside this middleware.
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            route = scope.get("route")
            # The route template, not the raw path: ids in paths must not explode label counts.
            name = getattr(route, "path", "unmatched")
            self.metrics.requests.labels(scope["method"], name, str(status)).inc()
            self.metrics.latency.labels(name).observe(time.perf_counter() - started)
            request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served (or '-')."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": request_id.get(),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> dict[str, Any]:
    """A uvicorn log_config that sends uvicorn's and our records through the JSON formatter."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
        "root": {"handlers": ["default"], "level": level},
        "loggers": {
            "uvicorn": {"level": level},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"level": level},
            # FAISS logs each CPU-specific build it tries and fails to load before the one that
            # works, as "Could not load library": alarming in a server log, and not a problem.
            "faiss.loader": {"level": max(level, logging.WARNING)},
        },
    }
