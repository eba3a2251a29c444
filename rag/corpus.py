"""The store seam: what a question reads of an index, whichever engine holds it.

Retrieval (``rag.retrieval``), moments (``rag.moments``) and answers (``rag.answer``) see an index
only through ``Corpus`` and the ``Rows`` a question fetches from it, as they see the model only
through ``Embedder.embed_batch``.  ``rag.local`` serves a FAISS index folder from memory;
``rag.milvus`` serves a Milvus collection and fetches the rows a question needs by id.  Ranking,
fusion, merging, answers and flags stay in one place and work the same on both.

A row is an int: a position in a FAISS index, a primary key in Milvus.  Either way the rows of
one video are consecutive and in chunk order, so a passage's neighbour is ``row + 1``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from rag.chunking import Passage
from rag.manifest import Manifest, VideoRecord

Vector = npt.NDArray[np.float32]
Ranked = list[tuple[int, float]]


class Rows(Protocol):
    """The rows a question reads: passages, where they start in their section, and their vectors."""

    def has(self, row: int) -> bool:
        """Whether the row exists (a row found by a search may be deleted before it is read)."""
        ...

    def passage(self, row: int) -> Passage: ...

    def position(self, row: int) -> int:
        """Where the passage's first sentence lies among its section's sentences."""
        ...

    def vector(self, row: int) -> Vector: ...

    def sentence_vectors(self, row: int) -> Vector:
        """One vector per sentence of the passage, in order."""
        ...

    def second_vector(self, row: int) -> Vector | None:
        """The passage's stored second-encoder vector (rag.second); None where none is stored."""
        ...


class Corpus(Protocol):
    """One index version as retrieval reads it."""

    @property
    def manifest(self) -> Manifest: ...

    @property
    def videos(self) -> Mapping[str, VideoRecord]: ...

    @property
    def size(self) -> int:
        """How many passages it holds."""
        ...

    def dense(self, vector: Vector, k: int, video_id: str | None) -> Ranked:
        """The k rows whose passage vectors are nearest (inner product), best first."""
        ...

    def dense_among(self, vector: Vector, k: int, videos: Sequence[str]) -> Ranked:
        """As ``dense``, within these videos' rows."""
        ...

    def keyword(self, tokens: list[str], k: int, video_id: str | None) -> Ranked:
        """The k best rows by BM25 over the question's tokens (expanded), best first, scores > 0."""
        ...

    def expand(self, tokens: list[str]) -> list[str]:
        """The tokens plus indexed spellings one jamo away (``rag.keyword.KeywordIndex.expand``)."""
        ...

    def idf(self, word: str) -> float: ...

    def indexed(self, word: str) -> bool:
        """Whether some passage holds ``word`` (one of the keyword index's words)."""
        ...

    def words(self) -> frozenset[str]:
        """Every word the keyword index holds."""
        ...

    def rows(self, ids: Iterable[int]) -> Rows:
        """The given rows, fetched at once; rows not among them may be read too, at a cost."""
        ...

    def baseline(self) -> Vector:
        """Up to about a thousand passage vectors spread over the index: "passages at large"."""
        ...

    def video_passages(self, video_id: str) -> list[Passage]:
        """A video's passages in chunk order."""
        ...

    def passages(self) -> Iterator[Passage]:
        """Every passage (for evaluation)."""
        ...


def spread(lo: int, hi: int, n: int) -> list[int]:
    """Up to ``n`` ids spread evenly over ``range(lo, hi)``, both ends included: the baseline's rows."""
    count = min(n, hi - lo)
    if count <= 0:
        return []
    return [int(i) for i in np.unique(np.linspace(lo, hi - 1, count).astype(np.int64))]


def positions(passages: Sequence[Passage], overlap: int) -> list[int]:
    """Where each passage's first sentence lies among its section's sentences.

    ``passages`` are in index order, which is chunk order; ``rag.chunking.chunk_section`` steps a
    section by a passage's sentence count less ``overlap``, and by at least one sentence.
    """
    out: list[int] = []
    previous: Passage | None = None
    for p in passages:
        same = previous is not None and (previous.video_id, previous.section) == (p.video_id, p.section)
        out.append(out[-1] + max(len(previous.sentences) - overlap, 1) if same and previous else 0)
        previous = p
    return out


class ListRows:
    """Rows over passages held in memory, vectors optional (``Rows`` for tests and tools)."""

    def __init__(
        self,
        passages: Sequence[Passage],
        overlap: int,
        vectors: Any = None,
        sentence_vectors: Vector | None = None,
        second_vectors: Vector | None = None,
    ) -> None:
        self._passages = passages
        self._second = second_vectors
        self._positions = positions(passages, overlap)
        self._vectors = vectors
        self._sentences = sentence_vectors
        self._offsets = [0]
        for p in passages:
            self._offsets.append(self._offsets[-1] + len(p.sentences))

    def has(self, row: int) -> bool:
        return 0 <= row < len(self._passages)

    def passage(self, row: int) -> Passage:
        return self._passages[row]

    def position(self, row: int) -> int:
        return self._positions[row]

    def vector(self, row: int) -> Vector:
        if self._vectors is None:
            raise LookupError("these rows hold no passage vectors")
        # A faiss index (reconstruct) or a matrix.
        got = self._vectors.reconstruct(row) if hasattr(self._vectors, "reconstruct") else self._vectors[row]
        return np.asarray(got, dtype=np.float32)

    def sentence_vectors(self, row: int) -> Vector:
        if self._sentences is None:
            raise LookupError("these rows hold no sentence vectors")
        return self._sentences[self._offsets[row] : self._offsets[row + 1]]

    def second_vector(self, row: int) -> Vector | None:
        return None if self._second is None else self._second[row]
