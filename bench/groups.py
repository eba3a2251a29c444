"""What searching one language's videos costs in a big archive (rag.ann.RowSet, search_within).

Usage: .venv/bin/python -m bench.groups [--sizes 100000,1000000] [--queries 200]
About 2 minutes and 3 GB at 1M on two cores (the real vectors are cached under var/bench).

In a library that mixes languages, each question searches the videos of its own language and
those of the others separately (rag.languages).  For each size this builds the dense index
``rag.ann.choose`` picks, splits its rows into 300-row videos given to two "languages" in turn (or
a quarter of them to one), and prints, side by side in one run, the p50 of one question (k=50,
faiss on one thread) and recall@50 against exact search within the group, for:

- the whole index, unfiltered (what a library of one language pays);
- the group, reading cells in proportion to the rows it leaves out (what the service does);
- the group, reading every cell (exact, as a one-video range is searched).
"""

from __future__ import annotations

import argparse
import math
from functools import partial
from typing import Any

import numpy as np

from bench.synthetic import load_real, passage_vectors, query_vectors, recall
from bench.timing import latencies, percentile
from rag import ann

K = 50
VIDEO_ROWS = 300


def groups(n: int, share: float) -> list[tuple[int, int]]:
    """The 300-row videos of one language, when ``share`` of them are in it (spread evenly)."""
    every = round(1 / share)
    return [(lo, min(n, lo + VIDEO_ROWS)) for i, lo in enumerate(range(0, n, VIDEO_ROWS)) if i % every == 0]


def every_cell(index: Any, rows: ann.RowSet, queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The group searched exactly: every cell read."""
    import faiss

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        params = faiss.SearchParameters(sel=rows.selector)
    else:
        params = faiss.SearchParametersIVF(sel=rows.selector, nprobe=ivf.nlist)
    scores, found = index.search(queries, K, params=params)
    return scores, found


def line(n: int, label: str, group: str, times: list[float], found: np.ndarray, truth: np.ndarray) -> str:
    return f"{n:>8} {label:<16} {group:<14} {percentile(times, 50):7.2f} {recall(found, truth, K):9.3f}"


def size(n: int, passages: np.ndarray, queries: np.ndarray) -> None:
    x = passage_vectors(passages, n)
    spec = ann.choose(n, x.shape[1])
    index = ann.build(x, spec, x.shape[1])
    ann.prepare(index, spec)
    label = spec.type if spec.type == "flat" else f"ivf {spec.nlist}/{spec.nprobe}"
    whole = latencies(lambda i: index.search(queries[i : i + 1], K), len(queries))
    truth = np.argsort(-(queries @ x.T), axis=1)[:, :K]
    print(line(n, label, "all rows", whole, index.search(queries, K)[1], truth))
    for share in (0.5, 0.25):
        ranges = groups(n, share)
        rows = ann.RowSet(ranges, n)
        inside = np.concatenate([np.arange(lo, hi) for lo, hi in ranges])
        exact = inside[np.argsort(-(queries @ x[inside].T), axis=1)[:, :K]]
        scaled = partial(ann.search_within, index, k=K, rows=rows)
        every = partial(every_cell, index, rows)
        for name, run in (("scaled", scaled), ("every cell", every)):
            times = latencies(lambda i, run=run: run(queries[i : i + 1]), len(queries))
            print(line(n, label, f"{share:.0%} {name}", times, run(queries)[1], exact))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    real = load_real()
    queries = query_vectors(real.questions, args.queries)
    print(f"{'rows':>8} {'index':<16} {'group':<14} {'p50 ms':>7} {'recall@50':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        size(n, real.passages, queries)
    print(f"(nprobe scaled: min(nlist, ceil(nprobe / share)); {math.ceil(96 / 0.5)} cells at half of 1M)")


if __name__ == "__main__":
    main()
