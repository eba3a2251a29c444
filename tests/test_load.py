"""A bounded load test on loopback: 32 clients for 45 s against a real server, then SIGTERM.

Mixed searches, asks and bad requests; every response must be the expected one, resident memory
must stay flat, and requests in flight when SIGTERM arrives must still be answered.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server import server_process

pytestmark = pytest.mark.slow
CLIENTS, SECONDS = 32, 45
QUESTIONS = [
    "H100 GPU 가격은?",
    "손정의 회장의 로봇 전략",
    "What did Japan pay for GPUs?",
    "라인 사용자 수",
    "SB 오픈AI 재팬",
]
# (method, path, body or params, expected status)
REQUESTS = [
    *(("GET", "/v1/search", {"q": q, "k": 5}, 200) for q in QUESTIONS),
    *(("POST", "/v1/ask", {"question": q}, 200) for q in QUESTIONS),
    ("GET", "/v1/search", {"q": "", "k": 5}, 422),
    ("GET", "/v1/search", {"q": "질문", "k": 0}, 422),
    ("POST", "/v1/ask", {"question": "질문", "video_id": "nope"}, 404),
    ("POST", "/v1/ask", {"question": "x" * 70_000}, 413),
    ("GET", "/v1/videos", {}, 200),
]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, seed_env: dict[str, str]
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    # Its own process over the session's index of the seed: serving only reads the folder.
    with server_process(seed_env, tmp_path_factory.mktemp("load") / "server.log") as running:
        yield running


def test_load_then_graceful_shutdown(server: tuple[str, subprocess.Popen[bytes]]) -> None:
    base, proc = server
    stop = threading.Event()
    latencies: list[float] = []
    unexpected: list[str] = []
    memory: list[tuple[float, int]] = []

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            i = n
            while not stop.is_set():
                method, path, data, expected = REQUESTS[i % len(REQUESTS)]
                started = time.monotonic()
                try:
                    r = http.get(path, params=data) if method == "GET" else http.post(path, json=data)
                    if r.status_code != expected:
                        unexpected.append(f"{method} {path} -> {r.status_code} {r.text[:120]}")
                except httpx.HTTPError as exc:
                    unexpected.append(f"{method} {path} -> {exc!r}")
                latencies.append(time.monotonic() - started)
                i += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    # The clock starts once every client has had an answer: the server's 32 worker threads exist
    # and the load is steady, so the first and last windows compare like with like.
    while len(latencies) < 2 * CLIENTS:
        time.sleep(0.05)
    began = time.monotonic()
    while time.monotonic() - began < SECONDS:
        memory.append((time.monotonic() - began, rss_kib(proc.pid)))
        time.sleep(1)
    stop.set()
    for t in threads:
        t.join(timeout=120)
    first = statistics.mean(kib for at, kib in memory if at < 10)
    last = statistics.mean(kib for at, kib in memory if at >= SECONDS - 10)
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{len(latencies)} requests in {SECONDS} s by {CLIENTS} clients ({len(latencies) / SECONDS:.1f}/s): "
        f"p50 {cuts[49] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms; "
        f"RSS {first / 1024:.0f} MiB -> {last / 1024:.0f} MiB ({(last - first) / first:+.1%})"
    )
    assert unexpected == [], unexpected[:5]
    assert (last - first) / first < 0.05

    # SIGTERM with requests in flight: they are answered, then the server exits cleanly.
    results: list[int] = []

    def ask() -> None:
        results.append(httpx.post(f"{base}/v1/ask", json={"question": QUESTIONS[0]}, timeout=60).status_code)

    flight = [threading.Thread(target=ask) for _ in range(8)]
    for t in flight:
        t.start()
    time.sleep(0.3)  # all eight connected and queued behind the model
    proc.send_signal(signal.SIGTERM)
    for t in flight:
        t.join(timeout=60)
    # uvicorn finishes the requests, then re-raises the signal it caught, so the exit status is
    # "terminated by SIGTERM" after a clean shutdown.
    assert proc.wait(timeout=30) in (0, -signal.SIGTERM)
    assert results == [200] * 8
