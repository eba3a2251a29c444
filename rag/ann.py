"""Which dense index a number of passages gets, how it is built, prepared and searched.

Exact search (``IndexFlatIP``) reads every vector for every question, so its cost grows with the
archive: past a few tens of thousands of passages it is the slowest step of a search.  Beyond
that an inverted file (IVF) of k-means cells is searched instead: each question reads the
``nprobe`` cells nearest to it.  Its codes are the float vectors themselves (``IVF,Flat``), so
``reconstruct`` returns exactly what was added: ``index/reuse.py`` copies stored vectors into
the next build, and answers take cosines from them.

The constants come from ``python -m bench.scale`` (2 cores, faiss searching on one thread, 384-d
vectors derived from the seed's multilingual-e5-small ones, one question at a time, k=10,
recall against exact search; build times vary 2x with what else the machine runs):

- exact p50: 10k rows 0.19 ms, 20k 0.70, 30k 1.11, 40k 2.16, 50k 2.77, 100k 5.78, 1M 50.7.
  The cost is rows x dimension; exact (recall 1, nothing to train) is kept up to 40k x 384,
  about 2 ms.
- IVF at 1M, 2048 lists (2 sqrt(n) as a power of two), by nprobe: 64 -> recall@10 0.951, p50
  1.30 ms; 96 -> 0.972, 1.83 ms; 128 -> 0.983, 2.38 ms.  1024 lists (sqrt(n)) need about the
  same nprobe for the same recall at twice the time (96 -> 0.983, 3.41 ms) but build in 6-15 s
  instead of 17-38; 4096 lists build in about 56 s and reach only 0.95 at 96.  nprobe 96 keeps
  a margin over the 0.95 target; at 100k (512 lists) it gives 0.979 in 0.82 ms.  At 1M the
  vectors plus index take 1555 MB.
- IVF with 8-bit codes holds a quarter (395 MB at 1M) but loses recall (0.944 at nprobe 96)
  and reconstructs vectors only approximately.
- HNSW (M 32, efConstruction 80) at 1M builds in 95-167 s, holds 1808 MB and reaches recall
  0.887 at efSearch 512 (0.955 at 100k); a graph walk also cannot search one video's rows
  exactly.
- IVF trains on 64 sampled rows per list (faiss asks for at least 39); the sample and the
  k-means seed are fixed, so a rebuild of the same vectors writes the same index.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Kind = Literal["flat", "ivf"]
KINDS: tuple[Kind, ...] = ("flat", "ivf")
EXACT_MAX_CELLS = 40_000 * 384
LISTS_PER_SQRT = 2
NPROBE = 96
TRAIN_PER_LIST = 64
SEED = 1234

Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class DenseSpec:
    """The dense index's type and parameters, as recorded in the manifest."""

    type: Kind = "flat"
    nlist: int = 0  # IVF: k-means cells
    nprobe: int = 0  # IVF: cells read per question
    train_rows: int = 0  # IVF: rows sampled to train the cells
    seed: int = 0  # IVF: sample and k-means seed

    def __post_init__(self) -> None:
        if self.type not in KINDS:
            raise ValueError(f"unknown dense index type {self.type!r} (known: {', '.join(KINDS)})")
        if self.type == "ivf" and not 1 <= self.nprobe <= self.nlist <= self.train_rows:
            raise ValueError(
                f"IVF needs 1 <= nprobe <= nlist <= train_rows, got nprobe {self.nprobe}, "
                f"nlist {self.nlist}, train_rows {self.train_rows}"
            )

    def record(self) -> dict[str, Any]:
        return {"type": "flat"} if self.type == "flat" else asdict(self)

    @classmethod
    def from_record(cls, raw: object) -> DenseSpec:
        """The spec a manifest records; ValueError says what is wrong with it."""
        if not isinstance(raw, dict):
            raise ValueError(f"dense_index should be an object, got {raw!r}")
        try:
            return cls(**raw)
        except TypeError as exc:
            raise ValueError(f"dense_index {raw!r}: {exc}") from None


def _faiss() -> Any:
    # Imported when first needed, like the model; its bundled stubs miss keyword arguments of
    # the search parameters and DirectMap, so it is used untyped.
    import faiss

    return faiss


def choose(n: int, dimension: int) -> DenseSpec:
    """Exact search while it is cheap (rows x dimension), an IVF index sized to n beyond."""
    return DenseSpec() if n * dimension <= EXACT_MAX_CELLS else ivf_for(n)


def ivf_for(n: int) -> DenseSpec:
    """The IVF index for n rows: about 2 sqrt(n) lists (a power of two), NPROBE of them read."""
    nlist = 2 ** round(math.log2(LISTS_PER_SQRT * math.sqrt(max(n, 1))))
    return DenseSpec("ivf", nlist, min(NPROBE, nlist), max(nlist, min(n, TRAIN_PER_LIST * nlist)), SEED)


def build(vectors: Matrix, spec: DenseSpec, dimension: int) -> Any:
    """A filled faiss index (inner product) of ``vectors`` as ``spec`` says, ready to search."""
    faiss = _faiss()

    if spec.type == "flat":
        index = faiss.IndexFlatIP(dimension)
    else:
        if len(vectors) < spec.nlist:
            raise ValueError(f"an IVF index of {spec.nlist} lists needs as many vectors, got {len(vectors)}")
        index = faiss.index_factory(dimension, f"IVF{spec.nlist},Flat", faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(spec.seed)
        rows = np.sort(rng.choice(len(vectors), min(len(vectors), spec.train_rows), replace=False))
        faiss.extract_index_ivf(index).cp.seed = spec.seed
        index.train(np.ascontiguousarray(vectors[rows]))
    if len(vectors):
        # One add in row order keeps ids sorted within each list, which range search relies on.
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    prepare(index, spec)
    return index


def prepare(index: Any, spec: DenseSpec) -> None:
    """Search-time settings, applied after building and after loading."""
    faiss = _faiss()

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = spec.nprobe
        # reconstruct(row) needs to know where each row went.
        if ivf.direct_map.type == faiss.DirectMap.NoMap:
            ivf.make_direct_map()


def mismatch(index: Any, spec: DenseSpec) -> str | None:
    """How a loaded faiss index differs from what the manifest records, or None."""
    faiss = _faiss()

    found: str = type(index).__name__
    if type(index) in (faiss.IndexFlatIP, faiss.IndexFlat):
        found = "flat"
    elif type(index) is faiss.IndexIVFFlat:
        found = "ivf"
    if found in KINDS and index.metric_type != faiss.METRIC_INNER_PRODUCT:
        found += " (not inner product)"
    if found != spec.type:
        return f"index type {found!r}, the manifest records {spec.type!r}"
    if spec.type == "ivf" and index.nlist != spec.nlist:
        return f"{index.nlist} IVF lists, the manifest records {spec.nlist}"
    return None


def search_params(index: Any, selector: Any) -> Any:
    """Search parameters restricting ``index`` to ``selector``'s rows.

    Plain SearchParameters make an IVF index throw; for IVF the parameters read every list,
    which is exact within the rows and cheap for a range: ids are sorted within each list, so a
    range selector with ``assume_sorted`` finds its part of a list by binary search.
    """
    faiss = _faiss()

    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None:
        return faiss.SearchParameters(sel=selector)
    return faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nlist)


def search(
    index: Any, queries: Matrix, k: int, rows: tuple[int, int] | None = None
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Scores and rows of the k best matches per query, within rows [lo, hi) when given."""
    faiss = _faiss()

    if rows is None:
        scores, found = index.search(queries, k)
    else:
        # Referenced here until the search returns: SWIG does not own the selector.
        selector = faiss.IDSelectorRange(rows[0], rows[1], True)
        scores, found = index.search(queries, k, params=search_params(index, selector))
        del selector
    return scores, found


class RowSet:
    """A fixed set of an index's rows to search within (a group of videos: rag.local), made once
    and kept: a bitmap of the rows, so a question pays neither for building it nor for hashing.

    An IVF index searched within it reads the cells nearest the question until they hold about as
    many of its rows as an unfiltered search reads rows (``nprobe`` cells' worth).  Reading every
    cell, as a one-video range does, would scan half of a million-row archive twice per question;
    scaling ``nprobe`` by the share of rows left out assumes the rows are spread evenly over the
    cells, and a language's are not: e5's vectors cluster by language, so the cells near a Korean
    question hold few English rows (recall 0.51 against 0.90 this way, docs/performance.md).
    """

    def __init__(self, index: Any, ranges: list[tuple[int, int]], total: int) -> None:
        faiss = _faiss()
        mask = np.zeros(total, dtype=bool)
        for lo, hi in ranges:
            mask[lo:hi] = True
        self.count = int(mask.sum())
        self._bits = np.packbits(mask, bitorder="little")
        # The selector keeps a reference to the bitmap it reads.
        self.selector = faiss.IDSelectorBitmap(self._bits)
        ivf = faiss.try_extract_index_ivf(index)
        # Each cell's rows in the set, to choose how many cells a question reads.
        self.cells: npt.NDArray[np.int64] | None = None
        if ivf is not None:
            self.cells = np.zeros(ivf.nlist, dtype=np.int64)
            for cell in range(ivf.nlist):
                size = ivf.invlists.list_size(cell)
                if size:
                    ids = faiss.rev_swig_ptr(ivf.invlists.get_ids(cell), size)
                    self.cells[cell] = int(mask[ids].sum())


def search_within(
    index: Any, queries: Matrix, k: int, rows: RowSet
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """Scores and rows of the k best matches per query among ``rows``."""
    faiss = _faiss()

    if not rows.count:
        empty = (len(queries), k)
        return np.full(empty, -np.inf, dtype=np.float32), np.full(empty, -1, dtype=np.int64)
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is None or rows.cells is None:
        scores, found = index.search(queries, k, params=faiss.SearchParameters(sel=rows.selector))
        return scores, found
    # The rows an unfiltered search reads, and the nearest cells that hold as many of the set's.
    wanted = ivf.nprobe * ivf.ntotal / ivf.nlist
    _, order = ivf.quantizer.search(queries, ivf.nlist)
    held = np.cumsum(rows.cells[order], axis=1)
    nprobe = int(min(ivf.nlist, (held < wanted).sum(axis=1).max() + 1))
    params = faiss.SearchParametersIVF(sel=rows.selector, nprobe=nprobe)
    scores, found = index.search(queries, k, params=params)
    return scores, found
