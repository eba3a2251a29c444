"""The Milvus store end to end: the real model and seed, `rag index`, `rag eval` and `rag serve`."""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.server import RAG, running_server

# hit_rate@1, hit_rate@3, mrr@10: the columns `rag eval` prints first, third and fifth.
COLUMNS = {"hit@1": 0, "hit@3": 1, "mrr": 3}


def _rag(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RAG, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _scores(output: str) -> dict[str, float]:
    overall = next(line for line in output.splitlines() if line.startswith("overall"))
    cells = [float(c) for c in overall.split()[2:]]
    return {name: cells[i] for name, i in COLUMNS.items()}


@pytest.fixture(scope="module")
def milvus_env(seed_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """``seed_env`` pointed at a Milvus Lite file, indexed by `rag index` (reusing the FAISS vectors)."""
    uri = tmp_path_factory.mktemp("milvus") / "rag.db"
    env = {**seed_env, "RAG_STORE": "milvus", "RAG_MILVUS_URI": str(uri)}
    built = _rag(env, "index")
    assert built.returncode == 0, built.stderr
    assert "full build into a new collection: no index yet" in built.stderr
    assert f"in Milvus at {uri} (collection 'rag')" in built.stdout
    again = _rag(env, "index")
    assert again.returncode == 0 and "is up to date" in again.stdout, again.stderr
    return env


def test_eval_on_milvus_is_within_0_02_of_faiss(seed_env: dict[str, str], milvus_env: dict[str, str]) -> None:
    uri = {"RAG_MILVUS_URI": milvus_env["RAG_MILVUS_URI"]}
    # Both at once: each is mostly its own model's start and questions, one core each.
    with ThreadPoolExecutor(2) as pool:
        running = pool.submit(_rag, seed_env, "eval", "--split", "report", "--mode", "final", "--misses")
        milvus = _rag(
            {**seed_env, **uri}, "eval", "--split", "report", "--mode", "final", "--store", "milvus"
        )
        faiss = running.result()
    assert faiss.returncode == milvus.returncode == 0, milvus.stderr
    assert "(milvus)" in milvus.stdout.splitlines()[0] and "(faiss)" in faiss.stdout.splitlines()[0]
    here, there = _scores(faiss.stdout), _scores(milvus.stdout)
    for metric in COLUMNS:
        assert abs(here[metric] - there[metric]) <= 0.02, (metric, here, there)
    # --misses lists, after the table, each question the set-up got wrong; progress goes to stderr.
    head = re.search(r"^misses, final: (\d+) of 36 questions$", faiss.stdout, re.M)
    assert head is not None and "misses" not in milvus.stdout
    listed = re.findall(r"^q\d+ \((?:ko|en|ja), \w+\) (?:first relevant|unanswerable)", faiss.stdout, re.M)
    assert 0 < len(listed) == int(head.group(1)) < 36
    assert "asking final: 36/36" in faiss.stderr


def test_serve_on_milvus_needs_no_index_folder(milvus_env: dict[str, str], tmp_path: Path) -> None:
    empty = tmp_path / "no-index"
    env = {**milvus_env, "RAG_INDEX_DIR": str(empty)}
    with running_server(env, tmp_path / "server.log") as base:
        health = httpx.get(f"{base}/healthz", timeout=30).json()
        assert health["passages"] == 86 and health["videos"] == 1
        asked = httpx.post(
            f"{base}/v1/ask", json={"question": "일본 정부는 GPU 구매에 얼마를 지원했나요?"}, timeout=60
        )
        assert asked.status_code == 200
        assert "1,041억 엔" in asked.json()["passages"][0]["text"]
        # Milvus Lite lets one process open its file: a second `rag index` says so, at once.
        started = time.monotonic()
        busy = _rag({**env, "RAG_SEEDS_DIR": milvus_env["RAG_SEEDS_DIR"]}, "index", "--force", timeout=60)
        assert busy.returncode == 1 and time.monotonic() - started < 30
        assert busy.stderr.strip().startswith(
            f"error: the Milvus Lite file {milvus_env['RAG_MILVUS_URI']} is open in another process"
        )
        assert "POST /v1/admin/reindex" in busy.stderr
    assert not empty.exists() or not any(empty.iterdir())
