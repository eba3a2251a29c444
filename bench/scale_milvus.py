"""The Milvus side of ``bench.scale``: Milvus Lite through the product's code path, beside FAISS.

Usage: .venv/bin/python -m bench.scale --store milvus [--sizes 100000] [--queries 200] [--uri PATH.db]

For each size, the same synthetic vectors (``bench/synthetic.py``) go into

- Milvus Lite: the collection ``index.milvus_write.create`` makes (so the dense index is the one
  the product picks at that size), rows inserted 256 at a time as the product's build does, with
  placeholders of realistic size for the fields searches do not read (a seed passage's JSON, three
  sentence vectors, synthetic tokens and their BM25 weights); searched as ``MilvusCorpus`` does;
- FAISS: the index ``rag.ann.choose`` picks, built and searched with ``rag.ann``.

Columns: build s (Milvus: from creating the collection until its rows are flushed and every
segment is indexed, which Lite finishes in a background thread after the inserts return; insert s
is the inserts alone), disk MB (Lite's files; FAISS: the serialized index), RSS MB (the process's
growth: Lite runs in-process), p50/p99 ms (one dense search at a time, k=10, faiss on one thread,
for Lite's faiss too), recall@10 against exact search, video ms and recall: k=50 within one
video's 300 rows (Milvus: the ``video_id`` filter; FAISS: ``rag.ann.search``'s row range),
keyword ms: the top 50 for the real questions' morphemes (Milvus: the sparse field, as
``MilvusCorpus.keyword``; FAISS store: bm25s via ``KeywordIndex``).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench import synthetic
from bench.synthetic import VIDEO_ROWS, K, Matrix, recall
from bench.timing import MB, latencies, percentile, rss
from index.milvus_write import create
from rag import ann, bm25sparse
from rag.bm25sparse import KeywordStats
from rag.chunking import ChunkSettings, chunk_seed
from rag.keyword import Analyzer, KeywordIndex, bm25_idf
from rag.manifest import passage_json
from rag.milvus import Milvus, MilvusConfig
from rag.milvus_corpus import encode_vectors, video_filter
from rag.seed import read_seed

POOL = 50
BATCH = 256  # rows per insert, as index.milvus_build writes them
SENTENCES = 3  # sentence vectors per row (the seed has 3.2 per passage)
TIMEOUT = 600.0


@dataclass
class Row:
    name: str
    build_s: float
    insert_s: float | None
    disk_mb: float
    rss_mb: float
    p50: float
    p99: float
    recall10: float
    video_ms: float
    video_recall: float
    keyword_ms: float

    def line(self) -> str:
        insert = f"{self.insert_s:9.1f}" if self.insert_s is not None else "        -"
        return (
            f"  {self.name:<30}{self.build_s:8.1f}{insert}{self.disk_mb:9.0f}{self.rss_mb:8.0f}"
            f"{self.p50:9.2f}{self.p99:9.2f}{self.recall10:10.3f}{self.video_ms:9.2f}"
            f"{self.video_recall:8.3f}{self.keyword_ms:11.2f}"
        )


HEADER = (
    f"  {'store, index':<30}{'build s':>8}{'insert s':>9}{'disk MB':>9}{'RSS MB':>8}{'p50 ms':>9}"
    f"{'p99 ms':>9}{'recall@10':>10}{'video ms':>9}{'video r':>8}{'keyword ms':>11}"
)


@dataclass
class Data:
    """One size's vectors, queries, exact answers and keyword side, shared by both stores."""

    x: Matrix
    queries: Matrix
    truth: Matrix  # exact top K per query
    video: tuple[int, int]  # rows [lo, hi) of the video searched alone
    video_truth: Matrix  # exact top POOL per query within the video
    docs: list[list[str]]  # token lists per passage
    stats: KeywordStats
    questions: list[list[str]]  # the real questions' morphemes


def main(sizes: list[int], n_queries: int, uri: str | None) -> None:
    if uri is not None and not MilvusConfig(uri, None, "bench", TIMEOUT).lite:
        raise SystemExit(f"--uri {uri}: this benchmark measures Milvus Lite, a local .db path")
    started = time.perf_counter()
    real = synthetic.load_real()
    x_all = synthetic.passage_vectors(real.passages, sizes[-1])
    queries = synthetic.query_vectors(real.questions, n_queries)
    analyzer = Analyzer()
    questions = [t for t in (analyzer.tokens(q) for q in real.question_texts) if t]
    passages = [
        json.dumps(passage_json(p), ensure_ascii=False)
        for p in chunk_seed(read_seed(synthetic.SEED_FILE), ChunkSettings())
    ]
    path = Path(uri) if uri else Path(synthetic.CACHE) / f"milvus-{os.getpid()}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"real vectors: {real.note}")
    print(
        f"{len(queries)} queries, {x_all.shape[1]}-d, {os.cpu_count()} CPUs; Milvus Lite at {path} "
        f"(in this process); searches one at a time, faiss on one thread"
    )
    try:
        for n in sizes:
            data = prepare(x_all[:n], queries, real.passage_tokens, questions)
            print(
                f"\ndense and keyword, {n:,} passages (rag.ann.choose: {ann.choose(n, x_all.shape[1]).record()})"
            )
            print(HEADER)
            milvus_row, note = milvus_lite(data, path, passages)
            print(milvus_row.line(), flush=True)
            faiss_row = faiss_store(data)
            print(faiss_row.line())
            print(f"  Milvus Lite p50 / FAISS p50: {milvus_row.p50 / faiss_row.p50:.1f}x; {note}", flush=True)
    finally:
        if uri is None:
            _close(path)
            shutil.rmtree(path, ignore_errors=True)
    print(f"\nbench.scale --store milvus took {time.perf_counter() - started:.0f} s")


def prepare(x: Matrix, queries: Matrix, tokens: list[list[str]], questions: list[list[str]]) -> Data:
    import faiss

    x = np.ascontiguousarray(x)
    exact = faiss.IndexFlatIP(x.shape[1])
    exact.add(x)
    _, truth = exact.search(queries, K)
    del exact
    lo = len(x) // 2 // VIDEO_ROWS * VIDEO_ROWS
    video = (lo, min(len(x), lo + VIDEO_ROWS))
    inside = faiss.IndexFlatIP(x.shape[1])
    inside.add(x[video[0] : video[1]])
    _, found = inside.search(queries, POOL)
    docs = synthetic.passage_tokens(tokens, len(x))
    return Data(x, queries, truth, video, found + video[0], docs, KeywordStats.of(docs), questions)


def milvus_lite(data: Data, path: Path, passages: list[str]) -> tuple[Row, str]:
    """Build and search a Milvus Lite collection as the product does; the row and a note."""
    n, d = data.x.shape
    milvus = Milvus(MilvusConfig(str(path), None, "bench", TIMEOUT))
    collection = f"bench_scale_{n}"
    if milvus.call("has_collection", collection_name=collection):
        milvus.call("drop_collection", collection_name=collection)
    disk_before, rss_before = _disk(path), rss()
    started = time.perf_counter()
    search = create(milvus, collection, d, n)
    for start in range(0, n, BATCH):
        rows = [_row(data, i, passages) for i in range(start, min(n, start + BATCH))]
        milvus.call("insert", collection_name=collection, data=rows)
    insert_s = time.perf_counter() - started
    segments = _settle(path, collection)
    build_s = time.perf_counter() - started
    disk_mb, rss_mb = (_disk(path) - disk_before) / MB, (rss() - rss_before) / MB

    def dense(i: int, k: int = K, video: str | None = None) -> list[int]:
        found = milvus.call(
            "search",
            collection_name=collection,
            data=[data.queries[i].tolist()],
            anns_field="vector",
            limit=k,
            filter=video_filter(video),
            search_params={"metric_type": "IP", "params": dict(search)},
            output_fields=["id"],
        )
        return [int(h["id"]) for h in found[0]]

    def keyword(i: int) -> list[int]:
        known = [t for t in data.questions[i % len(data.questions)] if t in data.stats.df]
        found = milvus.call(
            "search",
            collection_name=collection,
            data=[bm25sparse.query(known, lambda w: bm25_idf(n, data.stats.df.get(w, 0)))],
            anns_field="sparse",
            limit=POOL,
            filter="",
            search_params={"metric_type": "IP", "params": {}},
            output_fields=["id"],
        )
        return [int(h["id"]) for h in found[0]]

    video_id = _video_id(data.video[0])
    one, found = _timed(dense, len(data.queries))
    video_ms, video_recall = _video(lambda i: dense(i, POOL, video_id), data)
    keyword_ms = percentile(latencies(keyword, len(data.queries)), 50)
    milvus.call("drop_collection", collection_name=collection)
    milvus.client().close()
    label = "FLAT" if not search else f"IVF_FLAT nprobe {search['nprobe']}"
    row = Row(
        f"milvus lite {label}",
        build_s,
        insert_s,
        disk_mb,
        rss_mb,
        percentile(one, 50),
        percentile(one, 99),
        recall(np.asarray(found), data.truth, K),
        video_ms,
        video_recall,
        keyword_ms,
    )
    return row, f"Lite segments, each with its own index: {segments}"


def faiss_store(data: Data) -> Row:
    """The FAISS store's dense index and bm25s keyword index over the same rows."""
    import faiss

    n, d = data.x.shape
    spec = ann.choose(n, d)
    before = rss()
    started = time.perf_counter()
    index = ann.build(data.x, spec, d)
    build_s = time.perf_counter() - started
    rss_mb = (rss() - before) / MB
    disk_mb = faiss.serialize_index(index).nbytes / MB
    one = latencies(lambda i: ann.search(index, data.queries[i : i + 1], K), len(data.queries))
    _, found = ann.search(index, data.queries, K)
    video_ms, video_recall = _video(
        lambda i: ann.search(index, data.queries[i : i + 1], POOL, data.video)[1][0].tolist(), data
    )
    keywords = KeywordIndex.build(data.docs)
    keyword_ms = percentile(
        latencies(
            lambda i: keywords.search(data.questions[i % len(data.questions)], POOL), len(data.queries)
        ),
        50,
    )
    label = "flat" if spec.type == "flat" else f"ivf {spec.nlist} nprobe {spec.nprobe}"
    return Row(
        f"faiss {label}",
        build_s,
        None,
        disk_mb,
        rss_mb,
        percentile(one, 50),
        percentile(one, 99),
        recall(found, data.truth, K),
        video_ms,
        video_recall,
        keyword_ms,
    )


def _video(search: Callable[[int], list[int]], data: Data) -> tuple[float, float]:
    """p50 ms and recall@10 (against exact within the video) of searches within one video."""
    n = min(100, len(data.queries))
    ms, found = _timed(search, n)
    return percentile(ms, 50), recall(np.asarray([f[:K] for f in found]), data.video_truth[:n], K)


def _timed(search: Callable[[int], list[int]], n: int) -> tuple[list[float], list[list[int]]]:
    """Latencies of search(i) one at a time, and every query's answer (those past the time budget
    searched untimed)."""
    got: dict[int, list[int]] = {}
    ms = latencies(lambda i: got.__setitem__(i, search(i)), n)
    return ms, [got[i] if i in got else search(i) for i in range(n)]


def _row(data: Data, i: int, passages: list[str]) -> dict[str, Any]:
    x = data.x
    tokens = data.docs[i]
    return {
        "id": i,
        "video_id": _video_id(i),
        "position": i % VIDEO_ROWS,
        "passage": passages[i % len(passages)],
        "tokens": json.dumps(tokens, ensure_ascii=False),
        "sentences": encode_vectors(x[[(i + j) % len(x) for j in range(SENTENCES)]]),
        "second": "",
        "vector": x[i].tolist(),
        "sparse": bm25sparse.document(tokens, data.stats.avgdl) or {0: 0.0},
    }


def _video_id(row: int) -> str:
    return f"v{row // VIDEO_ROWS:06d}"


def _settle(path: Path, collection: str) -> int:
    """Flush Lite's memtable and wait for its background worker to compact and index every segment.

    The product's build returns once the inserts do; Lite then indexes in a background thread
    (searches meanwhile scan unindexed segments).  No client call waits for it, so this reaches
    into the in-process server (milvus-lite 3.x internals).  Returns the number of segments.
    """
    from milvus_lite.server_manager import server_manager_instance

    _, db, _ = server_manager_instance._servers[os.path.abspath(path)]
    col = db.get_collection(collection)
    col.flush()
    col._wait_for_bg()
    return len(col._segment_cache)


def _close(path: Path) -> None:
    from milvus_lite.server_manager import server_manager_instance

    server_manager_instance.release_server(str(path))


def _disk(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.exists() else 0
