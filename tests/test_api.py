"""The HTTP contract, with the fake embedder (the real model is exercised in test_e2e)."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.embedder import FakeEmbedder
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index
from tests.conftest import VIDEO_ID

PASSAGE_KEYS = {
    "rank", "score", "id", "video_id", "title", "start", "end", "timestamp", "estimated", "section", "text", "url",
}  # fmt: skip


@pytest.fixture
def client(fake_built: Settings) -> Iterator[TestClient]:
    # The fake embedder's cosines mean nothing: no confidence threshold here.
    params = RetrievalParams(min_confidence=0.0)
    app = create_app(fake_built, lambda s: FakeEmbedder(), params=params, load_in_background=False)
    with TestClient(app) as c:
        yield c


def test_search_contract(client: TestClient) -> None:
    r = client.get("/v1/search", params={"q": "엔비디아 GPU 가격은 얼마인가요?", "k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["query"] == "엔비디아 GPU 가격은 얼마인가요?" and body["took_ms"] >= 0
    assert [p["rank"] for p in body["results"]] == [1, 2, 3]
    first = body["results"][0]
    assert set(first) == PASSAGE_KEYS
    assert first["video_id"] == VIDEO_ID and first["title"].startswith("[지식뉴스 EP.19]")
    assert first["url"] == f"https://www.youtube.com/watch?v={VIDEO_ID}&t={int(first['start'])}"
    minutes, secs = first["timestamp"].split(":")
    assert int(minutes) * 60 + int(secs) == int(first["start"])
    scores = [p["score"] for p in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_ask_contract(client: TestClient) -> None:
    r = client.post("/v1/ask", json={"question": "H100 하나에 얼마인가요?", "k": 5})
    assert r.status_code == 200
    body = r.json()
    answer = body["answer"]
    passage = body["passages"][answer["passage_rank"] - 1]
    assert passage["text"][answer["char_start"] : answer["char_end"]] == answer["text"]
    assert passage["start"] <= answer["start"] <= passage["end"]
    assert answer["url"].endswith(f"&t={int(answer['start'])}")
    assert len(body["passages"]) == 5
    assert body["low_confidence"] is False and 0 <= body["confidence"] <= 1


def test_low_confidence_withholds_the_answer(fake_built: Settings) -> None:
    params = RetrievalParams(min_confidence=1.01)  # a probability never reaches it: always low
    app = create_app(fake_built, lambda s: FakeEmbedder(), params=params, load_in_background=False)
    with TestClient(app) as c:
        body = c.post("/v1/ask", json={"question": "H100 하나에 얼마인가요?"}).json()
    assert body["answer"] is None and body["low_confidence"] is True
    assert 0 <= body["confidence"] <= 1 and len(body["passages"]) == 5


def test_a_question_that_stands_out_from_nothing_is_flagged(fake_built: Settings) -> None:
    from rag.retrieval import Searcher
    from rag.store import load_index

    index = load_index(fake_built.index_dir)
    result = Searcher(index, FakeEmbedder(), RetrievalParams(min_confidence=0.0)).ask(
        "H100 하나에 얼마인가요?"
    )
    # The best passage stands some deviations above the rest, and that is all the peak measures.
    assert result.peak > 1.0 and not result.low_confidence

    def on_peak_alone(needed: float) -> RetrievalParams:
        # Confidence from the peak only: above one half exactly when the peak exceeds ``needed``.
        return RetrievalParams(flag_weights=(0.0, 1.0, 0.0), flag_bias=-needed, min_confidence=0.5)

    answered = Searcher(index, FakeEmbedder(), on_peak_alone(result.peak - 0.01)).ask(
        "H100 하나에 얼마인가요?"
    )
    assert not answered.low_confidence and answered.answer is not None
    flagged = Searcher(index, FakeEmbedder(), on_peak_alone(result.peak + 0.01)).ask(
        "H100 하나에 얼마인가요?"
    )
    assert flagged.low_confidence and flagged.answer is None and flagged.candidate is not None


def test_video_filter_and_unknown_video(client: TestClient) -> None:
    ok = client.get("/v1/search", params={"q": "손정의", "video_id": VIDEO_ID})
    assert ok.status_code == 200 and ok.json()["results"]
    r = client.get("/v1/search", params={"q": "손정의", "video_id": "nope"})
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": "no video with id 'nope' in the index"}}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": ""}, "query.q: String should have at least 1 character"),
        ({"q": "질문", "k": 0}, "query.k: Input should be greater than or equal to 1"),
        ({"q": "질문", "k": 51}, "query.k: Input should be less than or equal to 50"),
        (
            {"q": "질문", "k": "many"},
            "query.k: Input should be a valid integer, unable to parse string as an integer",
        ),
        ({}, "query.q: Field required"),
    ],
)
def test_search_rejects_bad_input(client: TestClient, params: dict[str, object], message: str) -> None:
    r = client.get("/v1/search", params=params)
    assert r.status_code == 422
    assert r.json() == {"error": {"code": "invalid_request", "message": message}}


@pytest.mark.parametrize("blank", ["   \n ", "\u200b\u200b", "\ufeff", " \u2060 "])
def test_whitespace_question_is_rejected(client: TestClient, blank: str) -> None:
    # Zero-width spaces, word joiners and a byte-order mark are as blank as spaces.
    r = client.post("/v1/ask", json={"question": blank})
    assert r.status_code == 422
    assert r.json() == {
        "error": {
            "code": "invalid_request",
            "message": "question: the question is blank or contains control characters",
        }
    }


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"content": b'{"question": "x" "k": 1}', "headers": {"content-type": "application/json"}},
            "the request body is not valid JSON (at character 17: Expecting ',' delimiter)",
        ),
        ({"json": {"question": "x", "extra": 1}}, "extra: Extra inputs are not permitted"),
        (
            {"json": {"question": "x" * 1001}},
            "question: the question is 1001 characters long; the limit is 1000",
        ),
        ({"json": {"question": "x", "k": True}}, "k: Input should be a valid integer"),
        ({"json": {"question": "x", "k": "5"}}, "k: Input should be a valid integer"),
    ],
)
def test_ask_rejects_bad_bodies(client: TestClient, kwargs: dict[str, object], message: str) -> None:
    r = client.post("/v1/ask", **kwargs)  # type: ignore[arg-type]
    assert r.status_code == 422
    assert r.json()["error"]["message"] == message


def test_a_questions_length_is_counted_once_its_spacing_is_normalized(client: TestClient) -> None:
    # As the CLI and MCP count it: pasted line breaks and indentation do not count against the limit.
    pasted = "\n    ".join(["GPU"] * 250)  # 1,995 characters, 999 once runs of spaces are one
    assert client.post("/v1/ask", json={"question": pasted}).status_code == 200
    assert client.get("/v1/search", params={"q": pasted}).status_code == 200
    r = client.get("/v1/search", params={"q": pasted + " GPU"})
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "query.q: the question is 1003 characters long; the limit is 1000"


def test_videos_and_health(client: TestClient) -> None:
    videos = client.get("/v1/videos").json()
    assert [v["video_id"] for v in videos["videos"]] == [VIDEO_ID]
    v = videos["videos"][0]
    assert (v["channel"], v["upload_date"], v["length"], v["duration"]) == (
        "교양이를 부탁해",
        "2025-03-26",
        "18:27",
        1107.0,
    )
    assert v["passages"] > 10 and v["info"]["조회수"] == "22,868"
    health = client.get("/healthz")
    assert health.status_code == 200
    h = health.json()
    assert (h["status"], h["model"], h["videos"], h["index_version"]) == (
        "ok",
        "fake",
        1,
        videos["index_version"],
    )


def test_unknown_route_is_json(client: TestClient) -> None:
    r = client.get("/v2/nothing")
    assert r.status_code == 404 and r.json() == {"error": {"code": "not_found", "message": "Not Found"}}
    r = client.delete("/v1/search")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert r.headers["allow"] == "GET"  # found by schemathesis: the error handler dropped it


def test_an_empty_video_id_asks_every_video(client: TestClient) -> None:
    # A form's empty field (`&video_id=`) was "no video with id ''" (404).
    assert (
        client.get("/v1/search", params={"q": "GPU", "video_id": ""}).json()["results"]
        == (client.get("/v1/search", params={"q": "GPU"}).json()["results"])
    )
    assert client.post("/v1/ask", json={"question": "GPU 가격은?", "video_id": ""}).status_code == 200


def test_an_empty_video_id_is_every_video_for_the_searcher_too(fake_built: Settings) -> None:
    # `rag ask --video-id ""` and the MCP tools ask the Searcher itself, not the route.
    embedder = FakeEmbedder()
    searcher = Searcher(load_index(fake_built.index_dir), embedder)
    assert [h.row for h in searcher.search("GPU", 5, "")] == [h.row for h in searcher.search("GPU", 5)]
    assert searcher.ask("GPU 가격은?", 5, "").hits == searcher.ask("GPU 가격은?", 5).hits


def test_head_is_get_without_the_body(client: TestClient) -> None:
    # Uptime checks probe with HEAD: the headers of the GET, no body.
    for path in ("/healthz", "/v1/search?q=GPU", "/", "/static/app.js"):
        get, head = client.get(path), client.head(path)
        assert (head.status_code, head.content) == (200, b""), path
        assert head.headers["content-type"] == get.headers["content-type"], path
        # A search's took_ms may take a digit more or less from one run to the next.
        if "search" not in path:
            assert head.headers["content-length"] == get.headers["content-length"], path
    # A route that only takes POST still says so.
    ask = client.head("/v1/ask")
    assert ask.status_code == 405 and ask.headers["allow"] == "POST"
    # Counted as the HEAD it was, under the route it reached (not "unmatched").
    assert (
        'rag_requests_total{method="HEAD",route="/healthz",status="200"} 1.0' in client.get("/metrics").text
    )


def test_not_ready_without_index(make_settings: object, tmp_path: object) -> None:
    settings = Settings(index_dir=tmp_path / "missing", model="fake")  # type: ignore[operator]
    app = create_app(settings, lambda s: FakeEmbedder(), load_in_background=False)
    with TestClient(app) as c:
        r = c.get("/healthz")
        assert r.status_code == 503
        assert r.json()["error"] == {
            "code": "not_ready",
            "message": f"no index in {settings.index_dir}: run 'rag index' to build one",
        }
        assert c.get("/v1/search", params={"q": "x"}).status_code == 503


def test_oversized_body_is_refused_from_its_headers(client: TestClient) -> None:
    r = client.post(
        "/v1/ask", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json() == {"error": {"code": "too_large", "message": "request body over 65536 bytes"}}


def test_oversized_chunked_body_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    r = client.post("/v1/ask", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


def test_wrong_content_type(client: TestClient) -> None:
    r = client.post(
        "/v1/ask", content=b"question=x", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert r.status_code == 415
    assert r.json()["error"]["message"] == (
        "content type must be application/json, not application/x-www-form-urlencoded"
    )


def test_invalid_utf8_and_control_characters(client: TestClient) -> None:
    bad = client.post(
        "/v1/ask", content=b'{"question": "\xff\xfe"}', headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    ctrl = client.post("/v1/ask", json={"question": "손정의\u0000 회장"})
    assert ctrl.status_code == 422
    assert ctrl.json()["error"]["message"] == "question: the question is blank or contains control characters"
    get = client.get("/v1/search", params={"q": "손정의\x9c"})
    assert get.json()["error"]["message"] == "query.q: the question is blank or contains control characters"
    tab = client.post("/v1/ask", json={"question": "손정의\t회장"})
    assert tab.status_code == 200


def test_request_id_and_metrics(client: TestClient) -> None:
    r = client.get("/v1/search", params={"q": "손정의"})
    assert len(r.headers["x-request-id"]) == 16
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    odd = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert odd.headers["x-request-id"] != "bad id\twith spaces"
    client.get("/v1/admin/reindex/some-id")
    text = client.get("/metrics").text
    assert 'rag_requests_total{method="GET",route="/v1/search",status="200"} 1.0' in text
    assert 'route="/v1/admin/reindex/{job_id}"' in text and "some-id" not in text
    assert 'rag_index_info{version="' in text and "rag_request_seconds_bucket" in text


def test_bodies_refused_before_routing_are_counted_under_their_route(client: TestClient) -> None:
    client.post("/v1/ask", content=b"question=x", headers={"content-type": "text/plain"})
    client.post("/v1/ask", content=b"x" * 70_000, headers={"content-type": "application/json"})
    client.post("/nowhere", content=b"x" * 70_000)
    text = client.get("/metrics").text
    assert 'rag_requests_total{method="POST",route="/v1/ask",status="415"} 1.0' in text
    assert 'rag_requests_total{method="POST",route="/v1/ask",status="413"} 1.0' in text
    assert 'rag_requests_total{method="POST",route="unmatched",status="413"} 1.0' in text


def test_logs_are_json_with_the_request_id() -> None:
    import json
    import logging

    from api.observe import JsonFormatter, request_id

    token = request_id.set("r-1")
    try:
        record = logging.LogRecord("rag.api", logging.INFO, __file__, 1, "served %s", ("손정의",), None)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert (line["request_id"], line["message"], line["level"]) == ("r-1", "served 손정의", "info")


class BrokenEmbedder(FakeEmbedder):
    calls = 0

    def embed_batch(self, texts, kind):  # type: ignore[no-untyped-def]
        BrokenEmbedder.calls += 1
        if BrokenEmbedder.calls > 2:  # the two warm-up calls pass, requests fail
            raise RuntimeError("secret internal detail")
        return super().embed_batch(texts, kind)


def test_unexpected_errors_are_json_without_a_trace(fake_built: Settings) -> None:
    app = create_app(fake_built, lambda s: BrokenEmbedder(), load_in_background=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/v1/search", params={"q": "손정의"})
    assert r.status_code == 500
    rid = r.headers["x-request-id"]
    assert r.json() == {
        "error": {"code": "internal_error", "message": f"internal error: see the server log (request {rid})"}
    }
    assert "secret" not in r.text


def test_server_logs_leave_out_faiss_loader_chatter() -> None:
    import logging

    from api.observe import configure_logging

    loggers = configure_logging()["loggers"]
    assert loggers["faiss.loader"]["level"] == logging.WARNING
    assert configure_logging(logging.ERROR)["loggers"]["faiss.loader"]["level"] == logging.ERROR
