"""How dense and keyword search scale to a channel's archive: 10k, 100k and 1M passages.

Usage: .venv/bin/python -m bench.scale [--sizes 10000,100000,1000000] [--queries 300]
           [--nlists 4096] [--hnsw-rows 100000] [--search-threads 1]
       .venv/bin/python -m bench.scale --store milvus [--sizes 100000] [--queries 200] [--uri PATH.db]
About 5 to 8 minutes and 9 GB at most on two cores; the real vectors are embedded once (40 s) and
cached under var/bench.

For each size it builds the dense index ``rag.ann.choose`` picks (marked *) and the
alternatives weighed against it: exact flat; IVF with flat codes at sqrt(n) and 2 sqrt(n) lists
(and ``--nlists``), each at several nprobe; IVF with 8-bit codes; HNSW.  Each is written to bytes
and read back, as the service loads it, and gets a row:

- build s: training and adding; file MB: the serialized index, vectors included; RSS MB: the
  process's resident growth from reading it back, i.e. what the service holds;
- p50/p99 ms: one question at a time, k=10, faiss on one thread (see ``latencies``);
  recall@10 and @50 against exact search (the service's candidate pool is 50); video ms: p50 of
  a search within one video's 300 rows (k=50), exact on flat and IVF (``rag.ann.search``).

Above the tables, exact search's p50 by row count shows where ``rag.ann``'s threshold comes from.
Vectors are synthetic but derived from real ones (``bench/synthetic.py`` has the recipe; the
first lines compare them with the real ones).  The keyword side builds the product's
``KeywordIndex`` (bm25s) from synthetic token lists, skipping Kiwi, whose time per passage is
measured on real text and extrapolated.  Targets at 1M: dense p50 <= 5 ms, recall@10 >= 0.95,
vectors plus index <= 2 GB.

``--store milvus`` measures Milvus Lite through the product's code path beside FAISS instead
(``bench/scale_milvus.py``).
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from bench import scale_keyword, synthetic
from bench.synthetic import VIDEO_ROWS, K, Matrix, recall
from bench.timing import MB, latencies, percentile, rss
from rag import ann

POOL = 50
HNSW_M, HNSW_EF_CONSTRUCTION = 32, 80
SEARCH_THREADS = 1
SWEEP = (10_000, 20_000, 30_000, 40_000, 50_000, 70_000, 100_000)


@dataclass
class Row:
    name: str
    settings: dict[str, int]
    build_s: float
    file_mb: float
    rss_mb: float
    p50: float
    p99: float
    recall10: float
    recall50: float
    video_ms: float | None
    chosen: bool = False

    def line(self) -> str:
        video = f"{self.video_ms:9.2f}" if self.video_ms is not None else "        -"
        mark = "*" if self.chosen else " "
        return (
            f"{mark} {self.name:<28}{self.build_s:8.1f}{self.file_mb:9.0f}{self.rss_mb:9.0f}"
            f"{self.p50:9.2f}{self.p99:9.2f}{self.recall10:10.3f}{self.recall50:10.3f}{video}"
        )


HEADER = (
    f"  {'index':<28}{'build s':>8}{'file MB':>9}{'RSS MB':>9}{'p50 ms':>9}{'p99 ms':>9}"
    f"{'recall@10':>10}{'recall@50':>10}{'video ms':>9}"
)
# An index build and the search-time settings to measure it with, one row each.
Variants = tuple[Any, list[tuple[str, dict[str, int]]]]


def one_by_one(index: Any, queries: Matrix) -> Callable[[int], object]:
    return lambda i: index.search(queries[i : i + 1], K)


def reloaded(index: Any) -> tuple[Any, float, float]:
    """The index as the service holds it, written to bytes and read back; (index, file MB, RSS MB)."""
    import faiss

    data = faiss.serialize_index(index)
    before = rss()
    back = faiss.deserialize_index(data)
    return back, data.nbytes / MB, (rss() - before) / MB


def measure(name: str, build: Callable[[], Variants], queries: Matrix, truth: Matrix) -> Iterator[Row]:
    """One row per search setting of the index ``build`` returns."""
    started = time.perf_counter()
    built, variants = build()
    build_s = time.perf_counter() - started
    index, file_mb, rss_mb = reloaded(built)
    del built
    for label, settings in variants:
        for key, value in settings.items():
            setattr(_holder(index, key), key, value)
        one = latencies(one_by_one(index, queries), len(queries), SEARCH_THREADS)
        _, found = index.search(queries, POOL)
        # HNSW cannot search one video's rows exactly (a graph walk finds few of them).
        video = None if "efSearch" in settings else _video_ms(index, queries)
        yield Row(
            f"{name} {label}".strip(),
            settings,
            build_s,
            file_mb,
            rss_mb,
            percentile(one, 50),
            percentile(one, 99),
            recall(found, truth, K),
            recall(found, truth, POOL),
            video,
        )


def _holder(index: Any, key: str) -> Any:
    import faiss

    if key == "efSearch":
        hnsw: Any = faiss.downcast_index(index)
        return hnsw.hnsw
    return faiss.extract_index_ivf(index)


def _video_ms(index: Any, queries: Matrix) -> float:
    lo = index.ntotal // 2
    rows = (lo, min(index.ntotal, lo + VIDEO_ROWS))
    return percentile(
        latencies(lambda i: ann.search(index, queries[i : i + 1], POOL, rows), 100, SEARCH_THREADS), 50
    )


def exact_sweep(x: Matrix, queries: Matrix) -> str:
    """p50 of exact search by row count, where rag.ann's threshold comes from."""
    import faiss

    cells = []
    for rows in SWEEP:
        if rows <= len(x):
            index = faiss.IndexFlatIP(x.shape[1])
            index.add(x[:rows])
            one = latencies(one_by_one(index, queries), 100, SEARCH_THREADS)
            cells.append(f"{rows // 1000}k {percentile(one, 50):.2f}")
    return " | ".join(cells)


def dense_rows(x: Matrix, queries: Matrix, nlists: list[int], hnsw_rows: int) -> Iterator[Row]:
    import faiss

    n, d = x.shape
    exact = faiss.IndexFlatIP(d)
    exact.add(x)
    _, truth = exact.search(queries, POOL)
    del exact
    chosen = ann.choose(n, d)
    for row in measure(
        "flat (exact)", lambda: (ann.build(x, ann.DenseSpec(), d), [("", {})]), queries, truth
    ):
        row.chosen = chosen.type == "flat"
        yield row
    nlist = min(ann.ivf_for(n).nlist, n // 39)  # faiss wants 39 training rows per list
    # Half the lists is the textbook sqrt(n); the flag adds more to compare.
    others = [nlist // 2, *nlists]
    for size in [nlist, *sorted({s for s in others if s != nlist and s * 39 <= n})]:
        for row in measure(f"ivf {size}", partial(ivf_build, x, size), queries, truth):
            row.chosen = (chosen.type, chosen.nlist, chosen.nprobe) == ("ivf", size, row.settings["nprobe"])
            yield row
    yield from measure(f"ivf {nlist} sq8", partial(sq8_build, x, nlist), queries, truth)
    if n <= hnsw_rows:
        yield from measure(f"hnsw M{HNSW_M}", partial(hnsw_build, x), queries, truth)


def ivf_build(x: Matrix, nlist: int) -> Variants:
    spec = ann.DenseSpec("ivf", nlist, 1, min(len(x), ann.TRAIN_PER_LIST * nlist), ann.SEED)
    probes = sorted({min(p, nlist) for p in (32, 48, 64, 96, 128)})
    return ann.build(x, spec, x.shape[1]), [(f"nprobe {p}", {"nprobe": p}) for p in probes]


def sq8_build(x: Matrix, nlist: int) -> Variants:
    """IVF with 8-bit codes: a quarter of the memory, but reconstruct is lossy (see rag.ann)."""
    import faiss

    index = faiss.index_factory(x.shape[1], f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    rows = np.random.default_rng(ann.SEED).choice(
        len(x), min(len(x), ann.TRAIN_PER_LIST * nlist), replace=False
    )
    index.train(x[np.sort(rows)])
    index.add(x)
    return index, [(f"nprobe {ann.NPROBE}", {"nprobe": min(ann.NPROBE, nlist)})]


def hnsw_build(x: Matrix) -> Variants:
    import faiss

    index = faiss.IndexHNSWFlat(x.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    index.add(x)
    return index, [(f"efSearch {ef}", {"efSearch": ef}) for ef in (128, 256, 512)]


def main() -> None:
    global SEARCH_THREADS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=("faiss", "milvus"), default="faiss", help="the store measured")
    parser.add_argument(
        "--sizes", help="passage counts, comma-separated (default 10000,100000,1000000; milvus: 100000)"
    )
    parser.add_argument("--queries", type=int, default=300, help="queries (the real questions first)")
    parser.add_argument("--nlists", default="", help="more IVF list counts to compare, comma-separated")
    parser.add_argument(
        "--hnsw-rows", type=int, default=10**9, help="largest size to build HNSW at (1.5-3 min at 1M)"
    )
    parser.add_argument(
        "--search-threads", type=int, default=SEARCH_THREADS, help="faiss threads for timed searches"
    )
    parser.add_argument("--uri", help="milvus: the Milvus Lite file (default: a fresh one under var/bench)")
    args = parser.parse_args()
    SEARCH_THREADS = args.search_threads
    default_sizes = "100000" if args.store == "milvus" else "10000,100000,1000000"
    sizes = sorted(int(s) for s in (args.sizes or default_sizes).split(","))
    if args.store == "milvus":
        from bench import scale_milvus

        scale_milvus.main(sizes, args.queries, args.uri)
        return
    import faiss

    nlists = [int(s) for s in args.nlists.split(",") if s]
    started = time.perf_counter()
    real = synthetic.load_real()
    d = real.passages.shape[1]
    x_all = synthetic.passage_vectors(real.passages, sizes[-1])
    queries = synthetic.query_vectors(real.questions, args.queries)
    print(f"real vectors: {real.note}")
    print(f"synthetic vs real: {synthetic.likeness(real, x_all, queries)}")
    print(
        f"{len(queries)} queries ({len(real.questions)} real questions), {d}-d, "
        f"{os.cpu_count()} CPUs; faiss builds on {faiss.omp_get_max_threads()} threads, searches on {SEARCH_THREADS}"
    )
    print(f"exact search p50 ms by rows: {exact_sweep(x_all, queries)}")
    print(f"rag.ann keeps exact search up to {ann.EXACT_MAX_CELLS // d:,} rows of {d} dimensions")
    for n in sizes:
        print(f"\ndense, {n:,} passages (* = what rag.ann.choose picks: {ann.choose(n, d).record()})")
        print(HEADER)
        for row in dense_rows(np.ascontiguousarray(x_all[:n]), queries, nlists, args.hnsw_rows):
            print(row.line(), flush=True)
        sentences = real.sentences_per_passage * n * d * 4
        print(
            f"  not in these figures: sentences.npy, {real.sentences_per_passage:.2f} sentence vectors "
            f"per passage for the answer picker, {sentences / MB:.0f} MB at this size"
        )
        if n > args.hnsw_rows:
            print(f"  hnsw not built above --hnsw-rows {args.hnsw_rows:,}")
    del x_all
    gc.collect()
    scale_keyword.report(real, sizes)
    print(f"\nbench.scale took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
