"""Every error leaves as JSON ``{"error": {"code", "message"}}`` with a fitting status."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from api.service import NotReadyError
from rag.errors import NotFoundError, QueryError, RagError, StoreError

log = logging.getLogger("rag.api")

_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


class UnauthorizedError(RagError):
    """The bearer token is missing or wrong."""


def error_response(status: int, code: str, message: str, **extra: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, **extra}}, status_code=status)


def _describe(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            # FastAPI's location is ("body", character offset) and its message only "JSON decode error".
            at = err.get("loc", ())[-1]
            why = (err.get("ctx") or {}).get("error")
            parts.append(f"the request body is not valid JSON (at character {at}{f': {why}' if why else ''})")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        message = err.get("msg", "invalid")
        if err.get("type") == "string_pattern_mismatch" and where in ("query.q", "question"):
            # The schema's pattern is the rule; people get it in words.
            message = "the question is blank or contains control characters"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", _describe(exc))

    @app.exception_handler(HTTPException)
    async def http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        response = error_response(exc.status_code, code, str(exc.detail))
        # Keep the protocol headers Starlette attaches (a 405 must say which methods are allowed).
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(NotReadyError)
    async def not_ready(_: Request, exc: NotReadyError) -> JSONResponse:
        return error_response(503, "not_ready", str(exc))

    @app.exception_handler(QueryError)
    async def bad_query(_: Request, exc: QueryError) -> JSONResponse:
        return error_response(422, "invalid_request", str(exc))

    @app.exception_handler(NotFoundError)
    async def not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return error_response(404, "not_found", str(exc))

    @app.exception_handler(UnauthorizedError)
    async def unauthorized(_: Request, exc: UnauthorizedError) -> JSONResponse:
        response = error_response(401, "unauthorized", str(exc))
        response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(StoreError)
    async def store_failed(_: Request, exc: StoreError) -> JSONResponse:
        # The index's store (a Milvus server) is down or changed under the question: nothing the
        # client did; it may retry.
        return error_response(503, "store_unavailable", str(exc))

    @app.exception_handler(RagError)
    async def other(_: Request, exc: RagError) -> JSONResponse:
        return error_response(500, "internal_error", str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The trace goes to the log (with the request id), never to the client.
        rid = getattr(request.state, "request_id", "-")
        log.error("unexpected error in request %s", rid, exc_info=exc)
        response = error_response(
            500, "internal_error", f"internal error: see the server log (request {rid})"
        )
        response.headers["x-request-id"] = rid
        return response
