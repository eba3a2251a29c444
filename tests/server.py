"""Start `rag serve` as a real process on 127.0.0.1 for end-to-end tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

RAG = str(Path(sys.executable).with_name("rag"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rag_env(root: Path, model_cache: Path, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("RAG_")},
        "RAG_SEEDS_DIR": str(root / "seeds"),
        "RAG_INDEX_DIR": str(root / "index"),
        "RAG_MODEL_CACHE": str(model_cache),
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


@contextmanager
def running_server(env: dict[str, str], log: Path, *args: str, ready_within: float = 180) -> Iterator[str]:
    """Yield the base URL once /healthz answers 200; the server's output goes to ``log``."""
    with server_process(env, log, *args, ready_within=ready_within) as (base, _):
        yield base


@contextmanager
def server_process(
    env: dict[str, str], log: Path, *args: str, ready_within: float = 180
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like running_server, also yielding the process (for its pid, signals and exit code)."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen([RAG, "serve", "--port", str(port), *args], env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_within
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"not ready in {ready_within} s:\n{log.read_text()}"
            time.sleep(0.3)
        yield base, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
