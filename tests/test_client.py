"""The API client's handling of a server that drops a connection (api.client)."""

from __future__ import annotations

import json

import anyio
import httpx
import pytest

from api.client import Api, ServerError
from rag.embedder import FakeEmbedder
from rag.settings import Settings


def _api(failures: list[Exception]) -> tuple[Api, list[str]]:
    """An Api whose transport raises ``failures`` in turn, then answers; and the paths it was sent."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if failures:
            raise failures.pop(0)
        return httpx.Response(200, json={"videos": []})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://127.0.0.1:1")
    return Api(client, "http://127.0.0.1:1"), sent


def test_a_connection_the_server_closed_while_idle_is_tried_once_more() -> None:
    api, sent = _api([httpx.RemoteProtocolError("Server disconnected without sending a response.")])
    assert anyio.run(api.videos) == {"videos": []}
    assert sent == ["/v1/videos", "/v1/videos"]


def test_a_server_that_is_down_is_reported_after_the_second_try() -> None:
    api, sent = _api([httpx.ConnectError("refused"), httpx.ConnectError("refused")])
    with pytest.raises(ServerError) as refused:
        anyio.run(api.videos)
    assert (
        str(refused.value)
        == "cannot reach the rag server at http://127.0.0.1:1: is 'rag serve' running there?"
    )
    assert len(sent) == 2


def test_a_timeout_is_not_tried_again() -> None:
    api, sent = _api([httpx.ReadTimeout("slow")])
    with pytest.raises(ServerError) as slow:
        anyio.run(api.videos)
    assert str(slow.value) == "the rag server at http://127.0.0.1:1 did not answer within 30 s"
    assert len(sent) == 1


def test_an_address_with_its_v1_says_to_leave_the_path_out(fake_built: Settings) -> None:
    from api.app import create_app

    # The app's own 404 for a route it lacks: `--server http://host:port/v1` asks /v1/v1/videos.
    app = create_app(fake_built, lambda s: FakeEmbedder(), load_in_background=False)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://rag.test/v1")
    with pytest.raises(ServerError) as wrong:
        anyio.run(Api(client, "http://rag.test/v1").videos)
    assert str(wrong.value) == (
        "the rag server at http://rag.test/v1 has no /v1/videos: give its address without a path, "
        "e.g. http://127.0.0.1:8000"
    )


def test_questions_asked_through_a_server_ask_for_no_written_answer() -> None:
    # A server with an LLM writes one by default: seconds that rag ask and MCP neither show nor wait for.
    bodies: list[bytes] = []

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content)
        return httpx.Response(200, json={"answer": None})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handle), base_url="http://127.0.0.1:1")
    anyio.run(Api(client, "http://127.0.0.1:1").ask, "질문", 3)
    assert [json.loads(body) for body in bodies] == [
        {"question": "질문", "k": 3, "video_id": None, "generate": False}
    ]
