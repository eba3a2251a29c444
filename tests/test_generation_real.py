"""Written answers against a real LLM server: llama.cpp (llama-cpp-python) running SmolLM2-135M.

`rag serve` runs as a real process with the real model.  SmolLM2-135M is tiny and English-first, so
nothing here judges what it writes: these tests hold the protocol (a whole answer, a stream in
order, a client leaving, the concurrency cap, the server dying) against a server we did not write.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from rag.embedder import FakeEmbedder
from rag.generate import resolve_citations
from rag.params import RetrievalParams
from rag.settings import Settings
from tests.conftest import SEED
from tests.llama import Llama, llama_server
from tests.llm_stub import Reply, StubLlm, answer_chunks, events_of, serve, until_first_delta, wait_for
from tests.server import RAG, rag_env, running_server

pytestmark = pytest.mark.slow
QUESTION = "H100 GPU 하나의 가격은 얼마인가요?"
# One passage per prompt: SmolLM2's vocabulary spends about two tokens on a Hangul syllable, and a
# 2-core CPU reads a few hundred prompt tokens a second (fewer when the machine is busy).


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, model_cache: Path) -> Path:
    root = tmp_path_factory.mktemp("generation")
    (root / "seeds").mkdir()
    shutil.copy(SEED, root / "seeds")
    subprocess.run(
        [RAG, "index"], env=rag_env(root, model_cache), check=True, capture_output=True, timeout=600
    )
    return root


@pytest.fixture(scope="module")
def base(root: Path, model_cache: Path, llama: Llama) -> Iterator[str]:
    env = rag_env(
        root,
        model_cache,
        RAG_LLM_URL=llama.url,
        RAG_LLM_MAX_TOKENS="48",
        # A loaded 2-core machine reads 3-4k prompt tokens in seconds; no test here waits this long.
        RAG_LLM_TIMEOUT="120",
        RAG_LLM_CONCURRENCY="1",
        RAG_CACHE_SIZE="0",
    )
    with running_server(env, root / "server.log") as url:
        yield url


def test_a_whole_written_answer(base: str) -> None:
    r = httpx.post(f"{base}/v1/ask", json={"question": QUESTION, "k": 1}, timeout=150)
    assert r.status_code == 200
    body = r.json()
    generation = body["generation"]
    assert generation["error"] is None, generation
    assert generation["text"].strip() and generation["model"] and generation["took_ms"] > 0
    for citation in generation["citations"]:
        passage = body["passages"][citation["passage_rank"] - 1]
        assert (citation["url"], citation["timestamp"]) == (passage["url"], passage["timestamp"])
    metrics = httpx.get(f"{base}/metrics").text
    assert 'rag_generation_seconds_count{outcome="ok"}' in metrics
    assert "rag_generation_first_token_seconds_count 1.0" in metrics


def test_a_streamed_answer_in_order(base: str) -> None:
    started = time.perf_counter()
    arrivals: list[tuple[str, float]] = []
    text = ""
    with httpx.stream(
        "POST", f"{base}/v1/ask", json={"question": QUESTION, "k": 1, "stream": True}, timeout=150
    ) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        for line in r.iter_lines():
            text += line + "\n"
            if line.startswith("event: "):
                arrivals.append((line[7:], time.perf_counter() - started))
    events = events_of(text)
    names = [name for name, _ in events]
    assert names[0] == "passages" and names[-1] == "done" and set(names[1:-1]) == {"delta"}, names
    assert len(names) > 3  # the text came in pieces, not at once
    # The passages went out before the LLM had said anything.
    assert arrivals[0][1] < arrivals[1][1]
    deltas = "".join(data["text"] for name, data in events if name == "delta")
    passages = events[0][1]["passages"]
    generation = events[-1][1]["generation"]
    assert generation["error"] is None
    # The text checked against as many passages as were numbered (only their count matters to it).
    assert generation["text"] == resolve_citations(deltas, passages).text


def test_a_client_that_leaves_stops_the_llm(base: str, llama: Llama) -> None:
    logged = len(llama.log.read_text())
    with httpx.stream(
        "POST", f"{base}/v1/ask", json={"question": QUESTION, "k": 1, "stream": True}, timeout=150
    ) as r:
        for line in r.iter_lines():
            if line.startswith("event: delta"):
                break
    wait_for(lambda: "rag_generation_cancelled_total 1.0" in httpx.get(f"{base}/metrics").text)
    # llama-cpp-python's server says so when the client of a stream goes away mid-answer.
    wait_for(lambda: "Disconnected from client" in llama.log.read_text()[logged:])
    assert "rag_generation_in_flight 0.0" in httpx.get(f"{base}/metrics").text


def test_past_the_cap_busy_at_once(base: str) -> None:
    with httpx.stream(
        "POST", f"{base}/v1/ask", json={"question": QUESTION, "k": 1, "stream": True}, timeout=150
    ) as r:
        lines = until_first_delta(r)  # kept: dropping the iterator would close the stream
        started = time.perf_counter()
        second = httpx.post(f"{base}/v1/ask", json={"question": QUESTION, "k": 1}, timeout=30)
        took = time.perf_counter() - started
        assert lines is not None
    assert second.status_code == 200 and len(second.json()["passages"]) == 1
    assert second.json()["generation"]["error"]["code"] == "llm_busy"
    assert took < 5  # answered at once, not queued behind the generation in flight


def test_a_killed_llm_server_costs_no_answer(fake_built: Settings, tmp_path: Path) -> None:
    with llama_server(tmp_path / "llama.log") as own:
        llm = {"llm_url": own.url, "llm_max_tokens": 8, "llm_timeout": 120.0, "llm_breaker_failures": 2}
        settings = Settings(**{**fake_built.model_dump(), **llm})
        params = RetrievalParams(min_confidence=0.0)
        app = create_app(settings, lambda s: FakeEmbedder(), params=params, load_in_background=False)
        with TestClient(app) as client:
            assert _ask(client, 1)["generation"]["error"] is None
            own.proc.send_signal(signal.SIGKILL)
            own.proc.wait(timeout=30)
            errors = [_ask(client)["generation"]["error"] for _ in range(3)]
            started = time.perf_counter()
            last = _ask(client)["generation"]["error"]
            took = time.perf_counter() - started
    unreachable = {
        "code": "llm_unavailable",
        "message": "could not reach the LLM server (connection refused or no route)",
    }
    assert errors[:2] == [unreachable, unreachable]
    assert (
        errors[2]
        == last
        == {
            "code": "llm_unavailable",
            "message": "the LLM server failed 2 times in a row: not calling it for another 30 s",
        }
    )
    assert took < 1


def test_rag_ask_generate_streams_to_the_terminal(root: Path, model_cache: Path) -> None:
    stub = StubLlm().then(Reply(events=answer_chunks("H100 하나는 약 ", "25,000달러입니다 [1]. [9]")))
    with serve(stub) as url:
        env = rag_env(root, model_cache, RAG_LLM_URL=f"{url}/v1")
        out = subprocess.run(
            [RAG, "ask", "--generate", "-k", "2", QUESTION],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert out.returncode == 0, out.stderr
    first_line, sources = out.stdout.split("\n\n")[:2]
    assert first_line == "H100 하나는 약 25,000달러입니다 [1]. [9]"
    assert sources.startswith("[1] 12:34 [지식뉴스 EP.19]")
    assert sources.endswith("&t=754")
    assert "(1 citation(s) naming no passage were dropped)" in out.stderr


def _ask(client: TestClient, k: int = 5) -> dict[str, Any]:
    r = client.post("/v1/ask", json={"question": QUESTION, "k": k})
    assert r.status_code == 200 and len(r.json()["passages"]) == k and r.json()["answer"] is not None
    body: dict[str, Any] = r.json()
    return body
