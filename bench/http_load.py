"""HTTP load for the benchmark: sequential latency, then N keep-alive clients for a fixed time.

The client is stdlib ``http.client`` on purpose: it shares the 2 cores with the server under test,
and httpx costs several times more CPU per request, which would be charged to the server.
Every peer (ours, txtai) is measured by the same code.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

# (method, path, body or None) for one question.
Request = tuple[str, str, bytes | None]
Builder = Callable[[str], Request]


def search_request(question: str, k: int = 5) -> Request:
    return "GET", f"/v1/search?k={k}&q={quote(question)}", None


def ask_request(question: str, k: int = 5) -> Request:
    return "POST", "/v1/ask", json.dumps({"question": question, "k": k}).encode()


def txtai_request(question: str, k: int = 5) -> Request:
    return "GET", f"/search?limit={k}&query={quote(question)}", None


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50/p90/p99 in milliseconds (nearest rank: no interpolation between samples)."""
    ordered = sorted(seconds)

    def rank(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    return {"n": len(ordered), "p50": statistics.median(ordered) * 1000, "p90": rank(90), "p99": rank(99)}


class Client:
    """One keep-alive connection; reconnects once if the server closed it."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 80
        self._conn = http.client.HTTPConnection(self._host, self._port, timeout=60)

    def send(self, request: Request) -> tuple[int, bytes]:
        method, path, body = request
        headers = {"Content-Type": "application/json"} if body is not None else {}
        for attempt in (1, 2):
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                return response.status, response.read()
            except (ConnectionError, http.client.HTTPException):
                self._conn.close()
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=60)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._conn.close()


def sequential(base: str, build: Builder, questions: list[str], rounds: int) -> dict[str, float]:
    client = Client(base)
    times: list[float] = []
    errors = 0
    try:
        client.send(build(questions[0]))  # warm-up: the connection and any lazy state
        for _ in range(rounds):
            for q in questions:
                started = time.perf_counter()
                status, _ = client.send(build(q))
                times.append(time.perf_counter() - started)
                errors += status != 200
    finally:
        client.close()
    return {**percentiles(times), "errors": errors}


def concurrent(
    base: str, build: Builder, questions: list[str], clients: int, seconds: float
) -> dict[str, float]:
    """``clients`` threads, each cycling through the questions from its own offset, for ``seconds``."""
    times: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    start = threading.Barrier(clients + 1)
    stop = threading.Event()

    def work(i: int) -> None:
        client = Client(base)
        n = i * len(questions) // clients
        start.wait()
        try:
            while not stop.is_set():
                began = time.perf_counter()
                try:
                    status, _ = client.send(build(questions[n % len(questions)]))
                except OSError:
                    status = 0
                times[i].append(time.perf_counter() - began)
                errors[i] += status != 200
                n += 1
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    flat = [t for per in times for t in per]
    return {**percentiles(flat), "rps": len(flat) / elapsed, "errors": sum(errors)}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


@dataclass
class Server:
    url: str
    pid: int
    ready_s: float


@contextmanager
def serve(command: list[str], env: dict[str, str], port: int, ready_path: str, log: Path) -> Iterator[Server]:
    """Start a server process; yield once ``ready_path`` answers 200 (the time to that is ready_s)."""
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(command, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            probe = Client(url)
            try:
                if probe.send(("GET", ready_path, None))[0] == 200:
                    break
            except OSError:
                pass
            finally:
                probe.close()
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"{command[0]} not ready in 300 s:\n{log.read_text()[-3000:]}")
            time.sleep(0.02)
        yield Server(url, proc.pid, time.perf_counter() - started)
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
