"""Choose fusion parameters and the confidence threshold on the tuning split.

Usage: .venv/bin/python -m bench.tune   (uses the index in RAG_INDEX_DIR; build it with `rag index`)
Prints hit@1, hit@3 and MRR@10 for each fusion setting, then the confidence of answerable and
unanswerable questions and the threshold that flags >= 80% of unanswerable ones while keeping the
most answerable ones answered.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from rag.embedder import load_embedder
from rag.evaluation import load_questions, run, score
from rag.retrieval import RetrievalParams, Searcher
from rag.settings import load_settings
from rag.store import load_index

SETTINGS = [
    *(RetrievalParams(fusion="rrf", rrf_k=k) for k in (5, 10, 20, 40, 60, 100)),
    *(RetrievalParams(fusion="weighted", dense_weight=w) for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)),
    *(RetrievalParams(sentence_weight=w) for w in (0.25, 0.5, 0.75, 1.0)),
    *(RetrievalParams(mode="dense", sentence_weight=w) for w in (0.0, 0.5)),
    *(RetrievalParams(lexical_weight=w) for w in (0.0, 0.05, 0.1, 0.2, 0.3)),
    RetrievalParams(fusion="rrf", rrf_k=60, pool=20),
    RetrievalParams(fusion="rrf", rrf_k=60, pool=100),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="tune", choices=["tune", "report", "all"])
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    args = parser.parse_args()
    settings = load_settings()
    embedder = load_embedder(settings)
    index = load_index(settings.index_dir, embedder.model_id, embedder.dimension)
    questions = [q for q in load_questions(args.questions) if args.split in ("all", q.split)]
    for params in SETTINGS:
        searcher = Searcher(index, embedder, params)
        row = score(run(questions, partial(searcher.ask, k=10), index.passages)).rows["overall"]
        label = f"rrf k={params.rrf_k}" if params.fusion == "rrf" else f"weighted w={params.dense_weight}"
        label = f"{params.mode} {label} s={params.sentence_weight} lex={params.lexical_weight}"
        print(
            f"{label:<42} pool={params.pool:<4} hit@1={row['hit_rate@1']:.3f} "
            f"hit@3={row['hit_rate@3']:.3f} mrr@10={row['mrr@10']:.3f} section@1={row['section@1']:.3f} answer={row['answer']:.3f}"
        )
    searcher = Searcher(index, embedder, RetrievalParams())
    results = [(q, searcher.ask(q.question, 10)) for q in questions]
    for q, r in sorted(results, key=lambda item: item[1].confidence):
        kind = "answerable" if q.answerable else "UNANSWERABLE"
        print(f"  {kind:<12} confidence={r.confidence:.3f} coverage={r.coverage:.2f} {q.question}")
    best: tuple[float, float, float, float] | None = None
    for t in sorted({r.confidence + 1e-4 for _, r in results}):
        for c in (0.0, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
            flagged = [r.confidence < t or r.coverage < c for _, r in results]
            unans = [f for (q, _), f in zip(results, flagged, strict=True) if not q.answerable]
            ans = [not f for (q, _), f in zip(results, flagged, strict=True) if q.answerable]
            rate, kept = sum(unans) / max(len(unans), 1), sum(ans) / max(len(ans), 1)
            if rate >= 0.8 and (best is None or kept > best[3]):
                best = (t, c, rate, kept)
    if best:
        print(
            f"min_confidence={best[0]:.4f} min_coverage={best[1]}: flags {best[2]:.0%} of unanswerable, "
            f"answers {best[3]:.0%} of answerable"
        )


if __name__ == "__main__":
    main()
