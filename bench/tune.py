"""Choose fusion parameters and fit the confidence model on the development splits.

Usage: .venv/bin/python -m bench.tune   (uses the index in RAG_INDEX_DIR; build it with `rag index`)
Prints hit@1, hit@3 and MRR@10 for each fusion setting, then each question's confidence and
signals, then the confidence model (bench.calibrate) with its fitted and leave-one-out flag rates.
``--calibrate-only`` skips the fusion grid.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from bench.calibrate import calibrate
from rag.embedder import load_embedder
from rag.evaluation import in_split, load_questions, run, score
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import load_settings
from rag.splits import SPLITS
from rag.store import load_index

SETTINGS = [
    *(RetrievalParams(fusion="rrf", rrf_k=k) for k in (5, 10, 20, 40, 60, 100)),
    *(RetrievalParams(fusion="weighted", dense_weight=w) for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)),
    *(RetrievalParams(sentence_weight=w) for w in (0.25, 0.5, 0.75, 1.0)),
    *(
        RetrievalParams(mode="dense", sentence_weight=w, cross_rank=False, second_weight=0.0)
        for w in (0.0, 0.5)
    ),
    RetrievalParams(fusion="rrf", rrf_k=60, pool=20),
    RetrievalParams(fusion="rrf", rrf_k=60, pool=100),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", *SPLITS, "all"])
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--calibrate-only", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    embedder = load_embedder(settings)
    index = load_index(settings.index_dir, embedder.model_id, embedder.dimension)
    questions = [q for q in load_questions(args.questions) if in_split(q, args.split)]
    for params in [] if args.calibrate_only else SETTINGS:
        searcher = Searcher(index, embedder, params)
        row = score(run(questions, partial(searcher.ask, k=10), index.passages)).rows["overall"]
        label = f"rrf k={params.rrf_k}" if params.fusion == "rrf" else f"weighted w={params.dense_weight}"
        label = f"{params.mode} {label} s={params.sentence_weight}"
        print(
            f"{label:<42} pool={params.pool:<4} hit@1={row['hit_rate@1']:.3f} "
            f"hit@3={row['hit_rate@3']:.3f} mrr@10={row['mrr@10']:.3f} section@1={row['section@1']:.3f} answer={row['answer']:.3f}"
        )
    searcher = Searcher(index, embedder, RetrievalParams())
    results = [(q, searcher.ask(q.question, 10)) for q in questions]
    for q, r in sorted(results, key=lambda item: item[1].confidence):
        kind = "answerable" if q.answerable else "UNANSWERABLE"
        cosine = r.candidate.cosine if r.candidate else 0.0
        print(
            f"  {kind:<12} confidence={r.confidence:.3f} cosine={cosine:.3f} peak={r.peak:.2f} "
            f"coverage={r.coverage:.2f} typed={r.typed} {q.question}"
        )
    calibrate(results)


if __name__ == "__main__":
    main()
