"""Measure retrieval quality against passage size and overlap.

Usage: .venv/bin/python -m bench.chunk_sizes [--split dev] [--mode dense|final]
Builds one throwaway index per setting from seeds/ with the configured model and prints
hit@1, hit@3 and MRR@10 over the answerable questions of eval/questions.jsonl.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from functools import partial
from pathlib import Path

from index.build import build
from rag.embedder import load_embedder
from rag.evaluation import in_split, load_questions, run, score
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import load_settings
from rag.splits import SPLITS
from rag.store import load_index

SIZES = (150, 200, 300, 400, 600, 900)
OVERLAPS = (0, 1, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", *SPLITS, "all"])
    parser.add_argument("--mode", default="dense", choices=["dense", "final"])
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--overlaps", type=int, nargs="+", default=list(OVERLAPS))
    args = parser.parse_args()
    base = load_settings()
    embedder = load_embedder(base)
    questions = [
        q
        for q in load_questions(args.questions)
        if q.answerable and q.kind != "video" and in_split(q, args.split)
    ]
    params = (
        RetrievalParams(mode="dense", cross_rank=False, second_weight=0.0)
        if args.mode == "dense"
        else RetrievalParams()
    )
    print(
        f"{len(questions)} answerable questions, split={args.split}, mode={args.mode}, model={embedder.model_id}"
    )
    for size in args.sizes:
        for overlap in args.overlaps:
            with tempfile.TemporaryDirectory() as tmp:
                settings = base.model_copy(
                    update={"index_dir": Path(tmp), "chunk_chars": size, "chunk_overlap": overlap}
                )
                started = time.perf_counter()
                report = build(settings, embedder)
                searcher = Searcher(load_index(settings.index_dir), embedder, params)
                outcomes = run(questions, partial(searcher.ask, k=10), list(searcher.index.passages()))
                row = score(outcomes, lambda q: ["all"]).rows["all"]
                took = time.perf_counter() - started
                print(
                    f"chars={size:4d} overlap={overlap} passages={report.passages:4d} "
                    f"hit@1={row['hit_rate@1']:.3f} hit@3={row['hit_rate@3']:.3f} "
                    f"mrr@10={row['mrr@10']:.3f} section@1={row['section@1']:.3f} ({took:.1f} s)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
