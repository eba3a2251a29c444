"""Request bodies: refused before they are read whole when too large, or when not JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024


class BodyLimit:
    """Pure ASGI, so an oversized body is refused from its headers or its first chunks."""

    def __init__(
        self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES, routes: Sequence[BaseRoute] = ()
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            self._route(scope)
            await _error(send, 413, "too_large", f"request body over {self.max_bytes} bytes")
            return
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["path"] == "/v1/ask" and kind != b"application/json":
            shown = kind.decode("latin-1") or "none"
            self._route(scope)
            await _error(
                send, 415, "unsupported_media_type", f"content type must be application/json, not {shown}"
            )
            return
        seen = 0
        refused = False

        async def limited() -> Message:
            # A chunked body has no length up front: count it, and past the limit answer 413
            # ourselves and tell the app the client is gone, so it stops reading.
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    refused = True
                    await _error(send, 413, "too_large", f"request body over {self.max_bytes} bytes")
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited, guarded)

    def _route(self, scope: Scope) -> None:
        """Name the route a request refused here was sent to, as the router would: metrics count it there."""
        for route in self.routes:
            if route.matches(scope)[0] is Match.FULL:
                scope["route"] = route
                return


async def _error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
