"""A FAISS index folder served from memory (``rag.store``'s ``IndexData``) as a ``Corpus``.

Passages are stored grouped by video, so the video filter is one contiguous range of rows, and
every row is already at hand: ``rows`` fetches nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from rag import ann
from rag.chunking import Passage
from rag.corpus import ListRows, Ranked, Vector, spread
from rag.manifest import Manifest, VideoRecord
from rag.store import IndexData


class LocalCorpus:
    def __init__(self, index: IndexData) -> None:
        self.index = index
        overlap = int(index.manifest.chunking.get("overlap_sentences", 0))
        self._rows = ListRows(
            index.passages, overlap, index.dense, index.sentence_vectors, index.second_vectors
        )
        self._ranges: dict[str, tuple[int, int]] = {}
        self._groups: dict[tuple[str, ...], ann.RowSet] = {}
        for row, p in enumerate(index.passages):
            lo, _ = self._ranges.get(p.video_id, (row, row))
            self._ranges[p.video_id] = (lo, row + 1)

    @property
    def manifest(self) -> Manifest:
        return self.index.manifest

    @property
    def videos(self) -> Mapping[str, VideoRecord]:
        return self.index.videos

    @property
    def size(self) -> int:
        return len(self.index.passages)

    def _range(self, video_id: str | None) -> tuple[int, int] | None:
        return None if video_id is None else self._ranges.get(video_id, (0, 0))

    def dense(self, vector: Vector, k: int, video_id: str | None) -> Ranked:
        return _ranked(*ann.search(self.index.dense, vector.reshape(1, -1), k, self._range(video_id)))

    def dense_among(self, vector: Vector, k: int, videos: Sequence[str]) -> Ranked:
        # The groups asked for are few (the videos of each language) and fixed for this version.
        key = tuple(videos)
        rows = self._groups.get(key)
        if rows is None:
            ranges = [self._ranges[v] for v in videos if v in self._ranges]
            rows = self._groups.setdefault(key, ann.RowSet(self.index.dense, ranges, self.size))
        return _ranked(*ann.search_within(self.index.dense, vector.reshape(1, -1), k, rows))

    def keyword(self, tokens: list[str], k: int, video_id: str | None) -> Ranked:
        lo, hi = self._range(video_id) or (0, self.size)
        return self.index.keyword.search(tokens, k, lo, hi)

    def expand(self, tokens: list[str]) -> list[str]:
        return self.index.keyword.expand(tokens)

    def idf(self, word: str) -> float:
        return self.index.keyword.idf(word)

    def indexed(self, word: str) -> bool:
        return self.index.keyword.indexed(word)

    def words(self) -> frozenset[str]:
        return self.index.keyword.words()

    def rows(self, ids: Iterable[int]) -> ListRows:
        return self._rows

    def baseline(self) -> Vector:
        return baseline(self.index.dense, self.manifest.dimension)

    def video_passages(self, video_id: str) -> list[Passage]:
        lo, hi = self._range(video_id) or (0, 0)
        return self.index.passages[lo:hi]

    def passages(self) -> Iterator[Passage]:
        return iter(self.index.passages)


def _ranked(scores: Any, rows: Any) -> Ranked:
    """One query's FAISS answer as (row, score) pairs, without the -1 rows of a short answer."""
    return [(int(r), float(sc)) for sc, r in zip(scores[0], rows[0], strict=True) if r >= 0]


def baseline(dense: Any, dimension: int, size: int = 1024) -> Vector:
    """Up to ``size`` vectors of a faiss index, spread evenly over its rows."""
    total = int(dense.ntotal)
    if not total:
        return np.zeros((0, dimension), dtype=np.float32)
    return np.vstack([dense.reconstruct(r) for r in spread(0, total, size)]).astype(np.float32)
