"""Written answers through /v1/ask against a scripted OpenAI-compatible server on 127.0.0.1.

Every failure code, deterministically: the stub (tests/llm_stub.py) is a real HTTP server that
refuses, stalls, trickles, errs or sends garbage exactly as told.  The fake embedder keeps
retrieval cheap; the real model and a real LLM server are in test_generation_real.py.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from rag.params import RetrievalParams
from tests.conftest import AppOf
from tests.llm_stub import Reply, StubLlm, answer_chunks, chunk, closed_port, cut_chunks

QUESTION = "H100 하나에 얼마인가요?"
NOT_CONFIGURED = "no LLM is configured: set RAG_LLM_URL to the base URL of an OpenAI-compatible server"


def ask(client: TestClient, **body: Any) -> dict[str, Any]:
    r = client.post("/v1/ask", json={"question": QUESTION, **body})
    assert r.status_code == 200, r.text
    answered: dict[str, Any] = r.json()
    # Whatever happened to the written answer, the passages and the extracted answer stand.
    assert len(answered["passages"]) == body.get("k", 5) and answered["answer"] is not None
    return answered


def test_without_an_llm_nothing_is_written_unless_asked(app_of: AppOf) -> None:
    with TestClient(app_of()) as client:
        assert ask(client)["generation"] is None
        generation = ask(client, generate=True)["generation"]
    assert generation["error"] == {"code": "llm_not_configured", "message": NOT_CONFIGURED}
    assert (generation["text"], generation["citations"], generation["model"]) == ("", [], None)


def test_a_written_answer_cites_the_passages_it_names(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(events=answer_chunks("H100은 약 25,000달러입니다", " [1]. 절반을 지원 [2, 7].")))
    app = app_of(llm_url=url, llm_model="small-one", llm_max_tokens=99)
    with TestClient(app) as client:
        body = ask(client)  # generate defaults to true once RAG_LLM_URL is set
        metrics = client.get("/metrics").text
    generation = body["generation"]
    assert generation["text"] == "H100은 약 25,000달러입니다 [1]. 절반을 지원 [2]."
    assert generation["invalid_citations"] == 1 and generation["error"] is None
    assert generation["model"] == "stub-model" and generation["took_ms"] > 0
    first, second = body["passages"][:2]
    assert generation["citations"] == [
        {
            "marker": 1,
            "passage_rank": 1,
            "start": first["start"],
            "timestamp": first["timestamp"],
            "url": first["url"],
        },
        {
            "marker": 2,
            "passage_rank": 2,
            "start": second["start"],
            "timestamp": second["timestamp"],
            "url": second["url"],
        },
    ]
    sent = llm.requests[0]
    assert (sent["model"], sent["max_tokens"], sent["stream"]) == ("small-one", 99, True)
    system, user = sent["messages"]
    assert system["role"] == "system" and "cite the passage" in system["content"]
    assert user["content"].startswith('Passages from the video "[지식뉴스 EP.19]')
    assert f"\n\n[1] {first['timestamp']}" in user["content"]
    assert first["text"].strip() in user["content"] and user["content"].endswith(f"Question: {QUESTION}")
    assert "rag_generation_invalid_citations_total 1.0" in metrics
    assert "rag_generation_first_token_seconds_count 1.0" in metrics
    assert 'rag_generation_seconds_count{outcome="ok"} 1.0' in metrics


def test_the_api_key_is_sent_and_never_logged_or_echoed(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str], caplog: pytest.LogCaptureFixture
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(status=401, raw=b'{"error": {"message": "Incorrect API key provided: sk-sec***cret"}}'))
    caplog.set_level(logging.DEBUG)
    with TestClient(app_of(llm_url=url, llm_api_key="sk-secret-key-123")) as client:
        body = ask(client)
        ask(client)
        seen = client.get("/metrics").text + client.get("/openapi.json").text
    assert llm.headers[0]["authorization"] == "Bearer sk-secret-key-123"
    assert body["generation"]["error"] == {"code": "llm_error", "message": "the LLM server answered HTTP 401"}
    for text in (json.dumps(body), seen, caplog.text):
        assert "secret" not in text
    assert llm.headers[1]["authorization"] == "Bearer sk-secret-key-123"  # a 4xx does not trip the breaker


def test_low_confidence_does_not_call_the_llm(app_of: AppOf, scripted_llm: tuple[StubLlm, str]) -> None:
    llm, url = scripted_llm
    app = app_of(RetrievalParams(min_confidence=1.01), llm_url=url)
    with TestClient(app) as client:
        body = client.post("/v1/ask", json={"question": QUESTION}).json()
    assert body["low_confidence"] is True and len(body["passages"]) == 5
    assert body["generation"]["error"] == {
        "code": "low_confidence",
        "message": "the passages do not seem to answer the question, so the LLM was not asked",
    }
    assert llm.requests == []


FAILURES = {
    "http 500": (Reply(status=500, raw=b"boom", content_type="text/plain"), "llm_error", "the LLM server answered HTTP 500"),
    "http 429": (Reply(status=429, raw=b"{}"), "llm_error", "the LLM server answered HTTP 429"),
    "not json": (Reply(events=["{nope"]), "llm_error", "the LLM server sent a chunk that is not JSON"),
    "no choices": (Reply(events=['{"id": 1}']), "llm_error", "the LLM server sent a chunk without choices"),
    "error chunk": (Reply(events=[chunk("Hal"), '{"error": {"message": "oom"}}']), "llm_error", "the LLM server sent an error instead of an answer"),
    "empty": (Reply(events=["[DONE]"]), "llm_error", "the LLM server sent an empty answer"),
    "nothing": (Reply(raw=b""), "llm_error", "the LLM server sent an empty answer"),
    "cut short": (Reply(events=[chunk("Half an ans")]), "llm_error", "the LLM server sent a stream that ended before the answer was complete"),
    "bad json body": (Reply(raw=b"[1]", content_type="application/json"), "llm_error", "the LLM server sent a chunk that is not a JSON object"),
    "a web page": (Reply(raw=b"<html>hello</html>", content_type="text/html; charset=utf-8"), "llm_error", "the LLM server answered text/html, not an event stream or JSON"),
    "redirect": (Reply(status=307, raw=b"", headers={"location": "https://llm.example/v1/chat/completions"}), "llm_error", "the LLM server redirected to https://llm.example/v1/chat/completions (set RAG_LLM_URL to https://llm.example/v1)"),
    "redirect with a key": (Reply(status=302, raw=b"", headers={"location": "https://u:pw@llm.example/login?key=sk-1#x"}), "llm_error", "the LLM server redirected to https://llm.example/login (set RAG_LLM_URL to the final address)"),
    "3xx without location": (Reply(status=300, raw=b"<html>pick one</html>", content_type="text/html"), "llm_error", "the LLM server answered HTTP 300"),
    "no tokens left": (Reply(events=cut_chunks()), "llm_error", "the LLM server used up max_tokens (RAG_LLM_MAX_TOKENS=512) before writing any answer"),
    "slow start": (Reply(delay=5), "llm_timeout", "the LLM server did not finish within 0.6 s"),
    "trickle": (Reply(events=answer_chunks(*"one token at a time"), gap=0.1), "llm_timeout", "the LLM server did not finish within 0.6 s"),
    "hangs": (Reply(events=answer_chunks("Hello")[:2], hold=True), "llm_timeout", "the LLM server did not finish within 0.6 s"),
}  # fmt: skip


@pytest.mark.parametrize("case", FAILURES)
def test_a_failing_llm_still_answers_with_passages(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str], case: str
) -> None:
    llm, url = scripted_llm
    reply, code, message = FAILURES[case]
    llm.then(reply)
    with TestClient(app_of(llm_url=url, llm_timeout=0.6)) as client:
        generation = ask(client)["generation"]
        metrics = client.get("/metrics").text
    assert generation["error"] == {"code": code, "message": message}
    assert (generation["text"], generation["citations"]) == ("", [])
    assert f'rag_generation_errors_total{{code="{code}"}} 1.0' in metrics


def test_a_404_names_the_address_called_and_its_setting(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.then(Reply(status=404, raw=b"{}"))
    with TestClient(app_of(llm_url=url + "?api-key=sk-1")) as client:
        error = ask(client)["generation"]["error"]
    assert error == {
        "code": "llm_error",
        "message": f"the LLM server answered HTTP 404 at {url}/chat/completions "
        "(is RAG_LLM_URL the base URL, ending in /v1?)",
    }


def test_a_redirect_is_not_followed_nor_held_against_the_server(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.default = Reply(status=308, raw=b"", headers={"location": "/api/v1/chat/completions?x=1"})
    with TestClient(app_of(llm_url=url, llm_breaker_failures=1)) as client:
        errors = [ask(client, k=k)["generation"]["error"] for k in (1, 2)]
    base = url.removesuffix("/v1")
    message = (
        f"the LLM server redirected to {base}/api/v1/chat/completions (set RAG_LLM_URL to {base}/api/v1)"
    )
    assert errors == [{"code": "llm_error", "message": message}] * 2
    assert len(llm.requests) == 2  # one request each (not followed), and the breaker stayed closed


def test_an_answer_cut_at_max_tokens_is_kept_and_says_so(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    completion = {
        "model": "plain",
        "choices": [{"message": {"role": "assistant", "content": "Yes, about"}, "finish_reason": "length"}],
    }
    llm.then(
        Reply(events=cut_chunks("H100은 약 25,000달러", "에서 [1")),
        Reply(raw=json.dumps(completion).encode(), content_type="application/json"),
    )
    with TestClient(app_of(llm_url=url)) as client:
        korean = ask(client)["generation"]
        english = client.post("/v1/ask", json={"question": "How much is one H100?"}).json()["generation"]
        metrics = client.get("/metrics").text
    assert (korean["text"], korean["error"]) == (
        "H100은 약 25,000달러에서 [1 …(답변이 최대 길이에서 잘렸습니다)",
        None,
    )
    assert (english["text"], english["error"]) == (
        "Yes, about … (the answer was cut off at its maximum length)",
        None,
    )
    assert 'rag_generation_seconds_count{outcome="ok"} 2.0' in metrics


def test_a_server_that_ignores_stream_true_is_read_whole(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    completion = {"model": "plain", "choices": [{"message": {"role": "assistant", "content": "Yes [1]."}}]}
    llm.then(Reply(raw=json.dumps(completion).encode(), content_type="application/json"))
    with TestClient(app_of(llm_url=url)) as client:
        generation = ask(client)["generation"]
    assert (generation["text"], generation["model"], generation["error"]) == ("Yes [1].", "plain", None)


def test_answers_reuse_one_connection_to_the_llm(app_of: AppOf, scripted_llm: tuple[StubLlm, str]) -> None:
    llm, url = scripted_llm
    # The second stream stays open after [DONE]: read for a second, then let go, still an answer.
    llm.then(Reply(), Reply(hold=True), Reply())
    with TestClient(app_of(llm_url=url)) as client:
        generations = [ask(client)["generation"] for _ in range(3)]
    assert [g["error"] for g in generations] == [None, None, None]
    assert generations[1]["text"] == "The video says so [1]." and generations[1]["took_ms"] > 900
    # The whole of the first answer was read, so its connection served the second; the second
    # had to be closed mid-body, so the third came on a new one.
    assert llm.clients[0] == llm.clients[1] != llm.clients[2]


def test_a_refused_connection(app_of: AppOf) -> None:
    with TestClient(app_of(llm_url=f"http://127.0.0.1:{closed_port()}/v1")) as client:
        generation = ask(client)["generation"]
    assert generation["error"] == {
        "code": "llm_unavailable",
        "message": "could not reach the LLM server (connection refused or no route)",
    }


def test_a_dead_llm_is_left_alone_after_repeated_failures(
    app_of: AppOf, scripted_llm: tuple[StubLlm, str]
) -> None:
    llm, url = scripted_llm
    llm.default = Reply(status=503, raw=b"")
    with TestClient(app_of(llm_url=url, llm_breaker_failures=2, llm_breaker_seconds=60)) as client:
        codes = [ask(client, k=k)["generation"]["error"] for k in (1, 2, 3, 4)]
        metrics = client.get("/metrics").text
    assert codes[:2] == [{"code": "llm_error", "message": "the LLM server answered HTTP 503"}] * 2
    assert (
        codes[2:]
        == [
            {
                "code": "llm_unavailable",
                "message": "the LLM server failed 2 times in a row: not calling it for another 60 s",
            }
        ]
        * 2
    )
    assert len(llm.requests) == 2
    assert "rag_llm_breaker_open 1.0" in metrics


def test_the_breaker_lets_one_call_probe_after_its_pause() -> None:
    from api.breaker import Breaker, LlmFailure

    now = [100.0]
    breaker = Breaker(failures=2, seconds=30, clock=lambda: now[0])
    for _ in range(2):
        breaker.admit()
        breaker.record(False)
    with pytest.raises(
        LlmFailure, match=r"^the LLM server failed 2 times in a row: not calling it for another 30 s$"
    ):
        breaker.admit()
    now[0] += 29.2
    with pytest.raises(LlmFailure, match=r"for another 1 s$"):
        breaker.admit()
    now[0] += 1
    breaker.admit()  # the probe
    with pytest.raises(
        LlmFailure, match=r"^the LLM server failed 2 times in a row: checking whether it is back$"
    ):
        breaker.admit()
    breaker.record(None)  # the probe said nothing (its client left): the next call probes again
    breaker.admit()
    breaker.record(False)  # still down: another pause
    with pytest.raises(LlmFailure, match=r"failed 3 times in a row: not calling it for another 30 s$"):
        breaker.admit()
    now[0] += 30
    breaker.admit()
    breaker.record(True)  # back: closed, its count forgotten
    assert not breaker.open
    breaker.admit()
    breaker.record(False)
    breaker.admit()
