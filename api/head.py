"""HEAD is GET without the body (RFC 9110 §9.3.2), which FastAPI's GET routes do not answer.

Uptime checks and load balancers probe ``/healthz`` with HEAD; they got 405.  The route runs as
for GET and its headers (Content-Length included) go out, its body does not.  A route that takes
only POST still answers 405, with its ``Allow``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Pure ASGI: a HEAD request is handed on as GET, and the body of its answer dropped."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        inner = {**scope, "method": "GET"}
        try:
            await self.app(inner, receive, headers_only)
        finally:
            # The router writes the route it matched into the scope it was given; the request's
            # metrics (api.observe, outside) read it from theirs.
            if "route" in inner:
                scope["route"] = inner["route"]
