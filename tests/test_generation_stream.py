"""Written answers streamed as server-sent events, against a scripted LLM server on 127.0.0.1.

Event order, an error mid-stream, a client that leaves (the LLM request must be closed too) and the
concurrency cap; the app runs under uvicorn where a real connection matters.
"""

from __future__ import annotations

import io

import httpx
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.conftest import AppOf
from tests.llm_stub import (
    Reply,
    StubLlm,
    answer_chunks,
    chunk,
    cut_chunks,
    events_of,
    serve,
    until_first_delta,
    wait_for,
)

QUESTION = "H100 하나에 얼마인가요?"


def ask(client: TestClient, **body: object) -> dict[str, object]:
    r = client.post("/v1/ask", json={"question": QUESTION, **body})
    assert r.status_code == 200, r.text
    answered: dict[str, object] = r.json()
    return answered


def test_streaming_sends_passages_then_deltas_then_done(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(events=answer_chunks("약 25,000달러", "입니다 [1", "]. [8]")))
    with TestClient(app_of(llm_url=url)) as client:
        plain = ask(client, generate=False)
        r = client.post("/v1/ask", json={"question": QUESTION, "stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = events_of(r.text)
    assert [name for name, _ in events] == ["passages", "delta", "delta", "delta", "done"]
    passages = events[0][1]
    assert "generation" not in passages
    assert {k: v for k, v in passages.items() if k != "took_ms"} == {
        k: v for k, v in plain.items() if k not in ("took_ms", "generation")
    }
    assert [data["text"] for name, data in events if name == "delta"] == [
        "약 25,000달러",
        "입니다 [1",
        "]. [8]",
    ]
    generation = events[-1][1]["generation"]
    assert generation["text"] == "약 25,000달러입니다 [1]."
    assert [c["marker"] for c in generation["citations"]] == [1] and generation["invalid_citations"] == 1


def test_a_failure_mid_stream_sends_error_then_done(app_of: AppOf, scripted_llm: tuple[StubLlm, str]) -> None:
    llm, url = scripted_llm
    llm.then(Reply(events=[chunk("Half"), "not json"]))
    with TestClient(app_of(llm_url=url)) as client:
        r = client.post("/v1/ask", json={"question": QUESTION, "stream": True})
    events = events_of(r.text)
    assert [name for name, _ in events] == ["passages", "delta", "error", "done"]
    error = {"code": "llm_error", "message": "the LLM server sent a chunk that is not JSON"}
    assert events[2][1] == error and events[3][1]["generation"]["error"] == error


CUT_OFF = " …(답변이 최대 길이에서 잘렸습니다)"


def test_an_answer_cut_at_max_tokens_ends_its_stream_with_a_note(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(events=cut_chunks("약 25,000달러", "입니다 [1]. 일본")))
    with TestClient(app_of(llm_url=url)) as client:
        r = client.post("/v1/ask", json={"question": QUESTION, "stream": True})
    events = events_of(r.text)
    assert [name for name, _ in events] == ["passages", "delta", "delta", "delta", "done"]
    assert events[3][1] == {"text": CUT_OFF}  # the last delta, so a client joining deltas has it too
    generation = events[-1][1]["generation"]
    assert (generation["text"], generation["error"]) == ("약 25,000달러입니다 [1]. 일본" + CUT_OFF, None)


def test_rag_ask_generate_prints_the_note_of_a_cut_answer(
    fake_built: Settings, scripted_llm: tuple[StubLlm, str]
) -> None:
    from api.terminal import stream_written
    from rag.embedder import FakeEmbedder
    from rag.params import RetrievalParams
    from rag.retrieval import Searcher
    from rag.served import open_corpus

    llm, url = scripted_llm
    llm.then(Reply(events=cut_chunks("약 25,000달러", "입니다")))
    embedder = FakeEmbedder()
    corpus = open_corpus(fake_built, embedder.model_id, embedder.dimension)
    # The fake embedder's cosines mean nothing: no confidence threshold, as in app_of.
    searcher = Searcher(corpus, embedder, RetrievalParams(min_confidence=0.0))
    out = io.StringIO()
    settings = Settings(**{**fake_built.model_dump(), "llm_url": url})
    written = stream_written(settings, QUESTION, searcher.ask(QUESTION, 3, None), searcher.index.videos, out)
    assert out.getvalue() == written.text == "약 25,000달러입니다" + CUT_OFF


def test_streaming_without_generation_is_passages_then_done(app_of: AppOf) -> None:
    with TestClient(app_of()) as client:
        r = client.post("/v1/ask", json={"question": QUESTION, "stream": True})
        missing = client.post("/v1/ask", json={"question": QUESTION, "stream": True, "video_id": "nope"})
        loose = client.post("/v1/ask", json={"question": QUESTION, "generate": "yes"})
    assert [name for name, _ in events_of(r.text)] == ["passages", "done"]
    assert events_of(r.text)[1][1] == {"generation": None}
    # Errors before retrieval stay plain JSON errors with their status.
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert (
        loose.status_code == 422
        and loose.json()["error"]["message"] == "generate: Input should be a valid boolean"
    )


def test_a_client_that_leaves_cancels_the_llm_request(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(events=answer_chunks("first words")[:2], hold=True))
    with serve(app_of(llm_url=url)) as base, httpx.Client(base_url=base, timeout=10) as client:
        with client.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as r:
            until_first_delta(r)
            assert llm.active == 1
        # Closed mid-answer: the app must close its own request to the LLM.
        wait_for(lambda: llm.abandoned == 1)
        metrics = wait_for_metric(client, "rag_generation_cancelled_total 1.0")
    assert llm.active == 0 and "rag_generation_in_flight 0.0" in metrics


def test_past_the_concurrency_cap_the_answer_is_busy_at_once(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(events=answer_chunks("first words")[:2], hold=True))
    with (
        serve(app_of(llm_url=url, llm_concurrency=1)) as base,
        httpx.Client(base_url=base, timeout=10) as client,
    ):
        with client.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as r:
            lines = until_first_delta(r)  # kept: dropping the iterator would close the stream
            second = client.post("/v1/ask", json={"question": QUESTION})
            assert lines is not None
        assert second.status_code == 200 and len(second.json()["passages"]) == 5
        assert second.json()["generation"]["error"] == {
            "code": "llm_busy",
            "message": "already writing 1 answer, the most RAG_LLM_CONCURRENCY allows: try again shortly",
        }
        assert len(llm.requests) == 1
        wait_for(lambda: llm.active == 0)
        llm.then(Reply())
        third = client.post("/v1/ask", json={"question": QUESTION}).json()["generation"]
    assert third["error"] is None and third["text"] == "The video says so [1]."


def wait_for_metric(client: httpx.Client, line: str) -> str:
    found = ""

    def seen() -> bool:
        nonlocal found
        found = client.get("/metrics").text
        return line in found

    wait_for(seen)
    return found
