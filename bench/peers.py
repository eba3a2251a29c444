"""Accuracy of each peer over HTTP, judged by the evaluation's own rule (the evidence is in the text)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.http_load import Builder, Client, search_request, txtai_request
from rag.chunking import squash_text
from rag.evaluation import load_questions

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"


def hit1(url: str, build: Builder, top_text: Callable[[Any], str | None], split: str = "report") -> float:
    """Share of the split's answerable questions whose first result contains the evidence."""
    questions = [q for q in load_questions(QUESTIONS) if q.split == split and q.evidence is not None]
    client = Client(url)
    right = 0
    try:
        for q in questions:
            status, body = client.send(build(q.question))
            if status != 200:
                raise RuntimeError(f"{url}: {status} for {q.question!r}: {body[:200]!r}")
            text = top_text(json.loads(body))
            assert q.evidence is not None
            right += text is not None and squash_text(q.evidence) in squash_text(text)
    finally:
        client.close()
    return right / len(questions)


def ours_hit1(url: str) -> float:
    return hit1(
        url,
        lambda q: search_request(q, 1),
        lambda body: body["results"][0]["text"] if body["results"] else None,
    )


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
