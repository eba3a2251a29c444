"""Query latency in process: dense-only search against the shipped hybrid search and ask.

Usage: .venv/bin/python -m bench.latency   (uses the index in RAG_INDEX_DIR)
Every question of eval/questions.jsonl is timed once per set-up, interleaved so that both see the
same machine state; prints medians, p90 and the ratio to dense-only.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from rag.embedder import load_embedder
from rag.evaluation import load_questions
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import load_settings
from rag.store import load_index


def main() -> None:
    settings = load_settings()
    embedder = load_embedder(settings)
    index = load_index(settings.index_dir, embedder.model_id, embedder.dimension)
    questions = [q.question for q in load_questions(Path("eval/questions.jsonl"))]
    dense = Searcher(
        index,
        embedder,
        RetrievalParams(mode="dense", sentence_weight=0.0, cross_rank=False, second_weight=0.0),
    )
    final = Searcher(index, embedder)
    setups = {
        "dense search": lambda q: dense.search(q, 5),
        "hybrid search": lambda q: final.search(q, 5),
        "hybrid ask": lambda q: final.ask(q, 5),
    }
    for run in setups.values():  # warm-up: Kiwi, torch kernels
        run(questions[0])
    times: dict[str, list[float]] = {name: [] for name in setups}
    for _ in range(2):
        for q in questions:
            for name, run in setups.items():
                started = time.perf_counter()
                run(q)
                times[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times["dense search"])
    print(f"{len(questions)} questions x 2, model {embedder.model_id}")
    for name, values in times.items():
        p50 = statistics.median(values)
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{name:<14} p50 {p50:6.1f} ms   p90 {p90:6.1f} ms   x{p50 / base:.2f} of dense")


if __name__ == "__main__":
    main()
