"""txtai as a peer for the HTTP benchmark: same model folder, same passages, its own FastAPI app.

Usage: .venv/bin/python -m bench.txtai_peer   (smoke run: install, index, serve, hit@1, p50)

txtai runs in a throwaway venv (default var/bench/txtai-venv) that :func:`ensure_env` creates once
and reuses; this module imports only the stdlib, httpx and bench.http_load at the top, so the
project venv never needs txtai.  What was verified offline (no model hub), and why the set-up looks as it does:

* ``txtai[api]==9.14.0`` installs from PyPI in about half a minute once ``torch==2.13.0`` (the
  local CPU build) is in; a constraints file keeps pip from swapping that torch for a CUDA one.
  faiss-cpu comes with txtai itself; sentence-transformers is not needed.
* With ``path=<folder>`` and no ``method`` txtai uses its own transformers backend, which reads the
  folder's ``1_Pooling`` config (mean pooling, as e5 wants) and normalizes every vector.  Passing
  ``instructions`` stops it loading the folder's prompts; ours are the same e5 prompts anyway.
* Under 5,000 rows txtai's faiss backend is an exact ``IDMap,Flat`` inner-product index, so on
  normalized vectors it ranks by cosine, like our dense search.
* The API app only adds its /search route when the YAML has an ``embeddings`` key, so the config
  carries an empty one next to ``path`` (the saved index) and ``writable: false``.
* ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE`` make transformers read the folder without trying
  the hub; the folder is a plain local path, so txtai's own download helper is not involved.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from bench.http_load import rss_mb, stop

if TYPE_CHECKING:
    from rag.chunking import Passage

TORCH = "torch==2.13.0"
TXTAI = "txtai[api]==9.14.0"
QUERY_PROMPT, PASSAGE_PROMPT = "query: ", "passage: "
OFFLINE = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
_MARKER = "txtai-peer.json"
_CHECK = "import faiss, torch, txtai.api, uvicorn; assert torch.__version__.startswith('2.13.0'), torch.__version__"

_BUILD = """
import json, sys
from txtai import Embeddings
job = json.load(sys.stdin)
embeddings = Embeddings(
    path=job["model"], content=True, backend="faiss",
    instructions={"query": job["query"], "data": job["passage"]},
)
embeddings.index({"id": pid, "text": text} for pid, text in job["passages"])
embeddings.save(job["index"])
print(embeddings.count())
"""


def _env() -> dict[str, str]:
    return {**os.environ, **OFFLINE}


def _python(root: Path) -> Path:
    return root / "bin" / "python"


def ensure_env(root: Path, log: Callable[[str], None]) -> Path:
    """Return the python of a venv at ``root`` with txtai's API installed, creating it if needed."""
    python, marker, spec = _python(root), root / _MARKER, [TORCH, TXTAI]
    if marker.is_file() and json.loads(marker.read_text()) == spec:
        check = subprocess.run([str(python), "-c", _CHECK], capture_output=True, text=True, env=_env())
        if check.returncode == 0:
            log(f"txtai venv: reusing {root}")
            return python
        log(f"txtai venv: {root} is broken ({_tail(check.stderr, 1)}), rebuilding")
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    install_log = root.with_name(root.name + ".log")
    # The project venv's python is itself a venv; venv builds on its base interpreter either way.
    _step(log, install_log, f"creating {root}", [sys.executable, "-m", "venv", str(root)])
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    _step(log, install_log, f"installing {TORCH} (CPU build)", [*pip, TORCH])
    # Anything txtai pulls in that asks for another torch must fail rather than fetch a CUDA build.
    constraints = root / "constraints.txt"
    constraints.write_text(TORCH + "\n")
    _step(log, install_log, f"installing {TXTAI}", [*pip, "-c", str(constraints), TXTAI])
    _step(log, install_log, "checking the install", [str(python), "-c", _CHECK])
    marker.write_text(json.dumps(spec))
    log(f"txtai venv: ready in {time.monotonic() - started:.0f} s")
    return python


def _step(log: Callable[[str], None], install_log: Path, what: str, command: list[str]) -> None:
    log(f"txtai venv: {what}")
    done = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=1800)
    with install_log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(
            f"txtai venv: {what} failed (exit {done.returncode}; full log {install_log}):\n"
            + _tail(done.stderr or done.stdout, 15)
        )


def _tail(text: str, lines: int) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def build_index(
    python: Path,
    model_dir: Path,
    passages: list[tuple[str, str]],
    index_dir: Path,
    *,
    query_prompt: str = QUERY_PROMPT,
    passage_prompt: str = PASSAGE_PROMPT,
) -> None:
    """Index ``(id, text)`` passages with txtai (content stored, e5 prompts) and save to ``index_dir``."""
    shutil.rmtree(index_dir, ignore_errors=True)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    job = {
        "model": str(model_dir.resolve()),
        "index": str(index_dir.resolve()),
        "query": query_prompt,
        "passage": passage_prompt,
        "passages": passages,
    }
    done = subprocess.run(
        [str(python), "-c", _BUILD], input=json.dumps(job), capture_output=True, text=True, env=_env()
    )
    if done.returncode != 0:
        raise RuntimeError(f"txtai index build failed (exit {done.returncode}):\n{_tail(done.stderr, 20)}")
    count = int(done.stdout.strip().splitlines()[-1])
    if count != len(passages):
        raise RuntimeError(f"txtai indexed {count} rows for {len(passages)} passages (duplicate ids?)")


@dataclass(frozen=True)
class Server:
    url: str
    pid: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def serve(python: Path, index_dir: Path, port: int = 0, timeout: float = 180.0) -> Iterator[Server]:
    """Run txtai's own API app read-only over ``index_dir``; port 0 picks a free one."""
    port = port or free_port()
    # JSON is YAML, and the project venv has no yaml module.
    config = index_dir.with_name(index_dir.name + ".api.yml")
    config.write_text(json.dumps({"path": str(index_dir.resolve()), "writable": False, "embeddings": {}}))
    server_log = index_dir.with_name(index_dir.name + ".server.log")
    command = [str(python), "-m", "uvicorn", "txtai.api:app", "--host", "127.0.0.1", "--port", str(port)]
    # One worker means no supervisor process: the pid is the process that serves, for RSS.
    command += ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    with server_log.open("w+", encoding="utf-8") as out:
        proc = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**_env(), "CONFIG": str(config)}
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_ready(proc, url, timeout, server_log)
            yield Server(url, proc.pid)
        finally:
            stop(proc, timeout=15)


def _wait_ready(proc: subprocess.Popen[bytes], url: str, timeout: float, server_log: Path) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"txtai server exited with {proc.returncode} before it answered:\n"
                    + _tail(server_log.read_text(encoding="utf-8", errors="replace"), 20)
                )
            with contextlib.suppress(httpx.TransportError):
                # Startup loads the index before the socket opens, so the first answer is a real one.
                if client.get(f"{url}/search", params={"query": "test", "limit": 1}).status_code == 200:
                    return
            time.sleep(0.25)
    raise RuntimeError(
        f"txtai server did not answer within {timeout:.0f} s:\n"
        + _tail(server_log.read_text(encoding="utf-8", errors="replace"), 20)
    )


def search(client: httpx.Client, base_url: str, question: str, k: int) -> list[str]:
    """Passage ids in txtai's rank order."""
    return [str(row["id"]) for row in _rows(client, base_url, question, k)]


def _rows(client: httpx.Client, base_url: str, question: str, k: int) -> list[dict[str, Any]]:
    response = client.get(f"{base_url}/search", params={"query": question, "limit": k})
    response.raise_for_status()
    rows: list[dict[str, Any]] = response.json()
    return rows


def service_passages(seeds_dir: Path = Path("seeds")) -> list[Passage]:
    """Exactly the passages the service indexes: index.build's parser, chunk settings and order."""
    from index.build import chunk_settings, parse_seeds
    from rag.chunking import chunk_seed
    from rag.errors import RagError
    from rag.settings import load_settings

    settings = load_settings()
    parsed = parse_seeds(seeds_dir)
    if parsed.failures:
        raise RagError(f"seeds that do not parse: {', '.join(str(f) for f in parsed.failures)}")
    seeds = parsed.seeds
    # The build orders videos by seed file name, passages in chunker order within each.
    seeds.sort(key=lambda s: s.path.name)
    return [p for seed in seeds for p in chunk_seed(seed, chunk_settings(settings))]


def evaluate(
    client: httpx.Client,
    base_url: str,
    passages: Sequence[Passage],
    questions_path: Path = Path("eval/questions.jsonl"),
    split: str | None = "report",
    k: int = 10,
) -> dict[str, float]:
    """txtai's rankings scored by the project's own rule and metrics (hit_rate@1 ...), answerable only."""
    from bench.scoring import score_ranking

    by_id = {p.id: p for p in passages}

    def rank(question: str) -> list[tuple[Passage, float]]:
        return [(by_id[str(r["id"])], float(r["score"])) for r in _rows(client, base_url, question, k)]

    return score_ranking(rank, passages, split, questions_path)


def main() -> None:
    from rag.e5convert import materialize
    from rag.evaluation import load_questions
    from rag.settings import load_settings

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    work = Path("var/bench")
    started = time.monotonic()
    python = ensure_env(work / "txtai-venv", log)
    env_s = time.monotonic() - started
    model_dir = materialize(load_settings().model_cache, log=log)
    passages = service_passages()
    started = time.monotonic()
    index_dir = work / "txtai-index"
    build_index(python, model_dir, [(p.id, p.text) for p in passages], index_dir)
    build_s = time.monotonic() - started
    questions = [q.question for q in load_questions(Path("eval/questions.jsonl"))]
    started = time.monotonic()
    with serve(python, index_dir) as server, httpx.Client(timeout=30.0) as client:
        ready_s = time.monotonic() - started
        metrics = evaluate(client, server.url, passages)
        for q in questions[:5]:  # warm-up
            search(client, server.url, q, 5)
        times: list[float] = []
        for _ in range(2):
            for q in questions:
                t0 = time.perf_counter()
                search(client, server.url, q, 5)
                times.append((time.perf_counter() - t0) * 1000)
        rss = rss_mb(server.pid)
    p50, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    figures = "  ".join(f"{m} {v:.3f}" for m, v in metrics.items() if m != "n")
    print(
        f"{TXTAI}: env {env_s:.1f} s, {len(passages)} passages indexed in {build_s:.1f} s, up in {ready_s:.1f} s"
    )
    print(f"report split, answerable (n={metrics['n']:.0f}): {figures}")
    print(f"GET /search k=5, {len(times)} sequential: p50 {p50:.1f} ms  p90 {p90:.1f} ms")
    print(f"server RSS {rss:.0f} MiB (pid {server.pid})")


if __name__ == "__main__":
    main()
