"""Which dense index a number of passages gets, how it is built, prepared and searched.

Exact search (``IndexFlatIP``) reads every vector for every question, so its cost grows with the
archive: past a few tens of thousands of passages it is the slowest step of a search.  Beyond
that an inverted file (IVF) of k-means cells is searched instead: each question reads the
``nprobe`` cells nearest to it.  Its codes are the float vectors themselves (``IVF,Flat``), so
``reconstruct`` returns exactly what was added: ``index/reuse.py`` copies stored vectors into
the next build, and answers take cosines from them.

The constants come from ``python -m bench.scale`` (2 cores, 384-d multilingual-e5-small vectors
derived from the seed's, one question at a time, k=10):

- exact p50: 10k rows 0.5 ms, 30k 1.8 ms, 50k 3.6 ms, 100k 5.6 ms, 1M 120 ms.  Cost is rows x
  dimension, so exact is kept while that stays under 30k x 384 (about 2 ms).
- IVF at 1M, nlist 1024 (= sqrt(n) rounded to a power of two), by nprobe: 32 -> recall@10
  0.954, p50 1.4 ms; 48 -> 0.969, 2.1 ms; 64 -> 0.977, 2.9 ms; 96 -> 0.989, 5.1 ms.  nlist 4096
  is faster per recall but trains 11x longer (67 s against 6 s), and every index change
  rebuilds.  At 100k (nlist 256) and 30k (nlist 128) nprobe 64 gives 0.99 or more.
- HNSW (M 32, efConstruction 80) at 100k needs efSearch 512 for recall 0.97, builds 20x slower
  than IVF, adds 0.25 GB of links at 1M and cannot search one video's rows exactly.
- IVF training on 64 rows per list is as good as more; the sample and k-means seed are fixed so
  a rebuild of the same vectors writes the same index.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

Kind = Literal["flat", "ivf"]
KINDS: tuple[Kind, ...] = ("flat", "ivf")
EXACT_MAX_CELLS = 30_000 * 384
NPROBE = 64
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
    if n * dimension <= EXACT_MAX_CELLS:
        return DenseSpec()
    nlist = 2 ** round(math.log2(math.sqrt(n)))
    return DenseSpec("ivf", nlist, min(NPROBE, nlist), min(n, TRAIN_PER_LIST * nlist), SEED)


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
