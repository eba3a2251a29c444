"""The peers of the benchmark: our accuracy over HTTP by the evaluation's own rule, and txtai's run."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.http_load import Client, search_request, txtai_request
from bench.scoring import score_ranking
from rag.chunking import Passage

ROOT = Path(__file__).resolve().parents[1]


def as_passage(result: dict[str, Any], passages: Sequence[Passage]) -> Passage:
    """A result of our API as a passage: a merged moment has an id of its own, so its section is
    that of the indexed passage it starts in."""
    start = round(float(result["start"]) * 1000)
    home = max(
        (
            p
            for p in passages
            if p.video_id == result["video_id"]
            and p.section_summary == result["section"]
            and p.start_ms <= start
        ),
        key=lambda p: p.start_ms,
        default=None,
    )
    return Passage(
        id=str(result["id"]),
        video_id=str(result["video_id"]),
        section=home.section if home is not None else -2,
        section_summary=result["section"],
        start_ms=start,
        end_ms=round(float(result["end"]) * 1000),
        estimated=bool(result["estimated"]),
        text=str(result["text"]),
        sentences=(),
    )


def ours_hit1(url: str, k: int = 10) -> float:
    from bench.txtai_peer import service_passages

    client = Client(url)
    passages = service_passages(ROOT / "seeds")

    def rank(question: str) -> list[tuple[Passage, float]]:
        status, body = client.send(search_request(question, k))
        if status != 200:
            raise RuntimeError(f"{url}: {status} for {question!r}: {body[:200]!r}")
        return [(as_passage(r, passages), float(r["score"])) for r in json.loads(body)["results"]]

    try:
        return score_ranking(rank, passages)["hit_rate@1"]
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
