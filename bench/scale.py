"""How dense and keyword search scale to a channel's archive: 10k, 100k and 1M passages.

Usage: .venv/bin/python -m bench.scale [--sizes 10000,100000,1000000] [--queries 300]
           [--nlists 4096] [--hnsw-rows 100000] [--search-threads 1]
About 5 minutes and 9 GB at most on two cores; the real vectors are embedded once (40 s) and
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
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench import synthetic
from rag import ann
from rag.keyword import Analyzer, KeywordIndex

K = 10
POOL = 50
VIDEO_ROWS = 300
HNSW_M, HNSW_EF_CONSTRUCTION = 32, 80
LATENCY_BUDGET_S = 8.0
SEARCH_THREADS = 1
SWEEP = (10_000, 20_000, 30_000, 40_000, 50_000, 70_000, 100_000)
MB = 1e6
Matrix = np.ndarray[Any, Any]


def rss() -> int:
    """Resident bytes of this process, after handing freed memory back to the system.

    Without the trim, an index loaded into memory freed by the previous one shows no growth.
    """
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


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


def latencies(run: Callable[[int], object], n: int) -> list[float]:
    """Milliseconds of run(i) for query i, one at a time, within the time budget (at least 50).

    Timed with faiss on SEARCH_THREADS threads: for one query, a second thread only helps when
    a core is idle, and while another process is busy it waits for its turn on a core (16 ms
    for 10k exact rows instead of 0.3 ms here).  A service answering concurrent requests gets
    its parallelism from them.
    """
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(SEARCH_THREADS)
    try:
        for i in range(min(5, n)):  # warm-up
            run(i)
        out: list[float] = []
        deadline = time.perf_counter() + LATENCY_BUDGET_S
        for i in range(n):
            started = time.perf_counter()
            run(i)
            out.append((time.perf_counter() - started) * 1000)
            if i >= 50 and time.perf_counter() > deadline:
                break
    finally:
        faiss.omp_set_num_threads(threads)
    return out


def one_by_one(index: Any, queries: Matrix) -> Callable[[int], object]:
    return lambda i: index.search(queries[i : i + 1], K)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def recall(found: Matrix, truth: Matrix, k: int) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth, strict=True)]))


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
        one = latencies(one_by_one(index, queries), len(queries))
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
    return percentile(latencies(lambda i: ann.search(index, queries[i : i + 1], POOL, rows), 100), 50)


def exact_sweep(x: Matrix, queries: Matrix) -> str:
    """p50 of exact search by row count, where rag.ann's threshold comes from."""
    import faiss

    cells = []
    for rows in SWEEP:
        if rows <= len(x):
            index = faiss.IndexFlatIP(x.shape[1])
            index.add(x[:rows])
            one = latencies(one_by_one(index, queries), 100)
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


def keyword_line(real: synthetic.Real, n: int, questions: list[list[str]], kiwi_ms: float) -> str:
    docs = synthetic.passage_tokens(real.passage_tokens, n)
    started = time.perf_counter()
    index = KeywordIndex.build(docs)
    build_s = time.perf_counter() - started
    del docs
    with tempfile.TemporaryDirectory() as tmp:
        index.save(Path(tmp))
        del index
        # The sparse matrix: bm25s keeps it as three arrays, saved one .npy file each.
        sparse = sum(f.stat().st_size for f in Path(tmp).glob("*.npy"))
        before = rss()
        index = KeywordIndex.load(Path(tmp))
        grown = rss() - before
    one = latencies(lambda i: index.search(questions[i % len(questions)], POOL), 300)
    return (
        f"  {n:>9,}{build_s:9.1f}{kiwi_ms * n / 60_000:11.1f}{sparse / MB:11.0f}{grown / MB:9.0f}"
        f"{percentile(one, 50):9.2f}{percentile(one, 99):9.2f}"
    )


def main() -> None:
    global SEARCH_THREADS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="passage counts, comma-separated")
    parser.add_argument("--queries", type=int, default=300, help="queries (the real questions first)")
    parser.add_argument("--nlists", default="", help="more IVF list counts to compare, comma-separated")
    parser.add_argument(
        "--hnsw-rows", type=int, default=10**9, help="largest size to build HNSW at (90 s at 1M)"
    )
    parser.add_argument(
        "--search-threads", type=int, default=SEARCH_THREADS, help="faiss threads for timed searches"
    )
    args = parser.parse_args()
    SEARCH_THREADS = args.search_threads
    import faiss

    sizes = sorted(int(s) for s in args.sizes.split(","))
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
    analyzer = Analyzer()
    texts = synthetic.real_texts()
    kiwi_started = time.perf_counter()
    for text in texts:
        analyzer.tokens(text)
    kiwi_ms = (time.perf_counter() - kiwi_started) * 1000 / len(texts)
    questions = [t for t in (analyzer.tokens(q) for q in real.question_texts) if t]
    print(
        f"\nkeyword (bm25s via KeywordIndex; synthetic token lists, Kiwi skipped: "
        f"{kiwi_ms:.2f} ms/passage measured, extrapolated below), top {POOL} of {len(questions)} real questions"
    )
    print(
        f"  {'passages':>9}{'build s':>9}{'Kiwi min':>11}{'sparse MB':>11}{'RSS MB':>9}{'p50 ms':>9}{'p99 ms':>9}"
    )
    for n in sizes:
        print(keyword_line(real, n, questions, kiwi_ms), flush=True)
    print(f"\nbench.scale took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
