"""The HTTP API as a client sees it: a running `rag serve`, or the same app inside this process.

`rag ask --server` and `rag mcp` speak only the API's JSON, so a remote server and the local index
give the same bodies and the same error messages.  In process, the app is called through httpx's
ASGI transport: nothing listens on a port, and the model and the index load on the first call.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from api.service import EmbedderFactory, Service
from rag.errors import RagError
from rag.settings import Settings

TIMEOUT_S = 30.0
LOCAL = "the local index"


class ServerError(RagError):
    """The API refused a request, or no server answered; the message says which in our words."""


class Api:
    """The routes an assistant or the command line asks, each returning the response's JSON."""

    def __init__(self, client: httpx.AsyncClient, where: str, service: Service | None = None) -> None:
        self.client = client
        self.where = where
        self._service = service
        self._started = False
        self._starting = threading.Lock()

    async def search(self, question: str, k: int = 5, video_id: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"q": question, "k": k}
        if video_id is not None:
            params["video_id"] = video_id
        return await self._call("GET", "/v1/search", params=params)

    async def ask(self, question: str, k: int = 5, video_id: str | None = None) -> dict[str, Any]:
        # Not written: a server with an LLM would otherwise write an answer (seconds, or past this
        # client's timeout) that `rag ask` and the MCP ask tool neither show nor wait for.
        body = {"question": question, "k": k, "video_id": video_id, "generate": False}
        return await self._call("POST", "/v1/ask", json=body)

    async def videos(self) -> dict[str, Any]:
        return await self._call("GET", "/v1/videos")

    async def transcript(
        self, video_id: str, start: float | None = None, end: float | None = None
    ) -> dict[str, Any]:
        if not video_id:
            raise ServerError(f"no video with id {video_id!r} in the index")
        params = {name: value for name, value in (("start", start), ("end", end)) if value is not None}
        return await self._call("GET", f"/v1/videos/{quote(video_id, safe='')}/transcript", params=params)

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        if self._service is not None and not self._started:
            import anyio.to_thread

            await anyio.to_thread.run_sync(self._start)
        response = await self._send(method, path, **kwargs)
        if response.is_success:
            body: dict[str, Any] = response.json()
            return body
        raise ServerError(_message(response, self.where, path))

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        for attempt in (1, 2):
            try:
                return await self.client.request(method, path, **kwargs)
            except httpx.TimeoutException:
                raise ServerError(
                    f"the rag server at {self.where} did not answer within {TIMEOUT_S:g} s"
                ) from None
            except httpx.TransportError:
                # A kept-alive connection the server closed while it sat idle (uvicorn closes them
                # after 5 s) can fail the next request before it reaches the server.  Every route
                # is read-only, so one more try, on a new connection, is safe; a server that is
                # down refuses that one too.
                if attempt == 2:
                    raise ServerError(
                        f"cannot reach the rag server at {self.where}: is 'rag serve' running there?"
                    ) from None
        raise AssertionError("unreachable")

    def _start(self) -> None:
        # Once: load the model and the index, then check for new index versions like a server.
        with self._starting:
            if not self._started and self._service is not None:
                self._service.start(background=False)
                self._started = True

    async def aclose(self) -> None:
        await self.client.aclose()
        if self._service is not None:
            self._service.stop()

    async def __aenter__(self) -> Api:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()


def _message(response: httpx.Response, where: str, path: str) -> str:
    """The API's own message for a refusal: every error it sends is ``{"error": {"message"}}``."""
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        message = None
    if response.status_code == 404 and message == "Not Found":
        # A rag server without the route: most often a URL given with its /v1 (…/v1/v1/ask).
        return f"the rag server at {where} has no {path}: give its address without a path, e.g. http://127.0.0.1:8000"
    if isinstance(message, str):
        return message
    return f"{where} answered {response.status_code} {response.reason_phrase}, not as a rag server would"


def remote(url: str) -> Api:
    """The API of a running `rag serve` at ``url``."""
    return Api(httpx.AsyncClient(base_url=url, timeout=TIMEOUT_S), url)


def local(settings: Settings, embedder_factory: EmbedderFactory | None = None) -> Api:
    """The API over the local index, in process; the model loads on the first call."""
    from api.app import create_app

    app = create_app(settings, embedder_factory)
    # raise_app_exceptions=False: an unexpected error becomes the app's own 500 body, as over HTTP.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url="http://rag.local", timeout=None)
    return Api(client, LOCAL, app.state.service)


def connect(settings: Settings, server_url: str | None) -> Api:
    """The server at ``server_url`` (or RAG_SERVER_URL) when one is named, else the local index."""
    url = server_url or settings.server_url
    return remote(url) if url else local(settings)
