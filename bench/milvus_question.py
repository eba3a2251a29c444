"""What a question costs on the Milvus store, side by side with FAISS, and why sentence and second vectors are stored.

Usage: .venv/bin/python -m bench.milvus_question [--uri var/bench/question.db] [--limit 200]
About three minutes on two cores.  It builds the seed into Milvus Lite (reusing the vectors of the local
FAISS index in ``RAG_INDEX_DIR``, which `rag index` must have built), then for each of the first
200 questions of the labelled set, one after another, cache off:

- ``ask`` on FAISS and on Milvus Lite (median ms, and the ratio);
- ``ask`` on Milvus Lite as a collection built before the rows held second-encoder vectors is
  asked (rag.second): each candidate encoded when read, nothing kept between questions, as on a
  collection far larger than the Searcher's cache;
- the rows a question reads, fetched from Milvus in one query (the candidates and their
  neighbours, sentence vectors included), against recomputing those rows' sentence vectors with
  the model, which is what not storing them would cost.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

from index.build import build, build_embedder
from rag.embedder import load_embedder
from rag.evaluation import load_questions
from rag.milvus import connect
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.second import SecondScores, second_for
from rag.served import open_corpus
from rag.settings import load_settings


def _ms(seconds: list[float]) -> float:
    return statistics.median(seconds) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uri", type=Path, default=Path("var/bench/question.db"))
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--limit", type=int, default=200, help="the first N questions (default 200)")
    args = parser.parse_args()
    shutil.rmtree(args.uri, ignore_errors=True)
    faiss = load_settings(cache_size=0)
    milvus = load_settings(cache_size=0, store="milvus", milvus_uri=str(args.uri))
    started = time.perf_counter()
    build(milvus, build_embedder(milvus))
    print(f"seed into Milvus Lite: {time.perf_counter() - started:.1f} s (FAISS vectors reused)")
    embedder = load_embedder(faiss)
    params = RetrievalParams()
    here = Searcher(open_corpus(faiss, embedder.model_id, embedder.dimension), embedder, params)
    there = Searcher(open_corpus(milvus, embedder.model_id, embedder.dimension), embedder, params)
    # The same collection read as one built before the field: its layout without "second_vectors".
    store = connect(milvus)
    served = store.served()
    assert served is not None
    layout = store.state(served, ("layout",))["layout"]
    store.write(served, {"layout": {k: v for k, v in layout.items() if k != "second_vectors"}})
    before = open_corpus(milvus, embedder.model_id, embedder.dimension)
    encoder = second_for(embedder.model_id)
    # size 0: no candidate's vector is kept for the next question.
    unstored = Searcher(before, embedder, params, second=SecondScores(encoder, 0) if encoder else None)
    questions = [q.question for q in load_questions(args.questions)][: args.limit]
    for q in questions[:5]:  # warm-up: Kiwi, ONNX Runtime, USE, the gRPC channel
        here.ask(q), there.ask(q), unstored.ask(q)
    times: dict[str, list[float]] = {"faiss": [], "milvus": [], "unstored": [], "fetch": [], "recompute": []}
    rows_read: list[int] = []
    for q in questions:
        for name, searcher in (("faiss", here), ("milvus", there), ("unstored", unstored)):
            t = time.perf_counter()
            searcher.ask(q)
            times[name].append(time.perf_counter() - t)
        tokens = here.analyzer.tokens(q)
        vector = embedder.embed_batch([q], "query")[0]
        found = there.index.dense(vector, 50, None) + there.index.keyword(tokens, 50, None)
        ids = sorted({r + d for r, _ in found for d in (-1, 0, 1) if r + d >= 0})
        t = time.perf_counter()
        rows = there.index.rows(ids)
        times["fetch"].append(time.perf_counter() - t)
        texts = [
            p.text[s.start : s.end] for p in (rows.passage(r) for r, _ in found[:50]) for s in p.sentences
        ]
        rows_read.append(len(ids))
        t = time.perf_counter()
        np.asarray(embedder.embed_batch(texts, "passage"))
        times["recompute"].append(time.perf_counter() - t)
    print(f"{len(questions)} questions, one at a time, cache off (median ms)")
    print(f"  ask, FAISS in memory        {_ms(times['faiss']):8.2f}")
    print(
        f"  ask, Milvus Lite            {_ms(times['milvus']):8.2f}   x{_ms(times['milvus']) / _ms(times['faiss']):.2f}"
    )
    print(
        f"  ask, Milvus Lite, second vectors encoded as read   {_ms(times['unstored']):8.2f}   x{_ms(times['unstored']) / _ms(times['milvus']):.2f} the stored ones"
    )
    print(f"  rows a question reads: median {statistics.median(rows_read):.0f}")
    print(f"  fetch them from Milvus      {_ms(times['fetch']):8.2f}")
    print(
        f"  recompute their sentences   {_ms(times['recompute']):8.2f}   x{_ms(times['recompute']) / _ms(times['fetch']):.1f} the fetch"
    )
    shutil.rmtree(args.uri, ignore_errors=True)


if __name__ == "__main__":
    main()
