"""The peers of the benchmark: their accuracy over HTTP by the evaluation's own rule, and txtai's run."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.http_load import Client, search_request, txtai_request
from rag.chunking import Passage

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"


def score_ranking(
    rank: Callable[[str], list[tuple[str, float]]],
    passages: Sequence[Passage],
    split: str | None = "report",
    questions_path: Path = QUESTIONS,
) -> dict[str, float]:
    """A peer's rankings (passage id, score) scored by the project's own rule and metrics.

    Answerable questions of ``split`` only; ``rag.evaluation`` judges a passage relevant when it
    contains the question's evidence, for every peer alike.
    """
    from rag.evaluation import METRICS, load_questions, run, score
    from rag.moments import Hit
    from rag.retrieval import Result

    by_id = {p.id: p for p in passages}
    questions = [
        q for q in load_questions(questions_path) if q.answerable and (split is None or q.split == split)
    ]

    def ask(question: str) -> Result:
        hits = [Hit(i, s, by_id[pid], i) for i, (pid, s) in enumerate(rank(question))]
        return Result(hits=hits, answer=None, confidence=0.0, low_confidence=False)

    row = score(run(questions, ask, passages)).rows["overall"]
    return {m: row[m] for m in (*METRICS, "section@1")} | {"n": float(len(questions))}


def ours_hit1(url: str, k: int = 10) -> float:
    from bench.txtai_peer import service_passages

    client = Client(url)

    def rank(question: str) -> list[tuple[str, float]]:
        status, body = client.send(search_request(question, k))
        if status != 200:
            raise RuntimeError(f"{url}: {status} for {question!r}: {body[:200]!r}")
        return [(r["id"], float(r["score"])) for r in json.loads(body)["results"]]

    try:
        return score_ranking(rank, service_passages(ROOT / "seeds"))["hit_rate@1"]
    finally:
        client.close()


def run_txtai(
    questions: list[str], args: argparse.Namespace, model_cache: Path, work: Path
) -> dict[str, Any]:
    """txtai's own API over the same passages and model folder, measured by the same client."""
    import time

    import httpx

    from bench import txtai_peer
    from bench.http_load import concurrent, rss_mb, sequential
    from rag.e5convert import materialize

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    python = txtai_peer.ensure_env(work / "txtai-venv", say)
    passages = txtai_peer.service_passages(ROOT / "seeds")
    index_dir = work / "txtai-index"
    started = time.perf_counter()
    txtai_peer.build_index(python, materialize(model_cache), [(p.id, p.text) for p in passages], index_dir)
    out: dict[str, Any] = {"build_s": time.perf_counter() - started}
    started = time.perf_counter()
    with txtai_peer.serve(python, index_dir, args.port + 1) as server:
        out["cold_start_s"] = time.perf_counter() - started
        say("  sequential /search")
        out["search"] = sequential(server.url, txtai_request, questions, args.rounds)
        out["rss_mb"] = rss_mb(server.pid)
        say(f"  {args.clients} clients x {args.seconds} s")
        out["search_concurrent"] = concurrent(
            server.url, txtai_request, questions, args.clients, args.seconds
        )
        out["rss_mb_after_load"] = rss_mb(server.pid)
        with httpx.Client(timeout=60) as client:
            out["hit1"] = txtai_peer.evaluate(client, server.url, passages)["hit_rate@1"]
    return out
