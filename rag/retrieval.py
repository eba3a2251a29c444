"""Search an index with a question and pick the sentence that answers it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.chunking import Passage, time_at
from rag.embedder import Embedder
from rag.errors import NotFoundError, QueryError
from rag.store import IndexData

MAX_K = 50
MAX_QUESTION_CHARS = 1000
# How many of the top passages the answer sentence may come from.
ANSWER_POOL = 3
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Hit:
    rank: int
    score: float
    passage: Passage
    row: int


@dataclass(frozen=True)
class Answer:
    """The best sentence: offsets are inside its passage's text, times interpolated within it."""

    text: str
    score: float
    passage_rank: int
    char_start: int
    char_end: int
    start_ms: int
    end_ms: int
    passage: Passage


def normalize_query(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class Searcher:
    def __init__(self, index: IndexData, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder
        # Passages are stored grouped by video, so a filter is one contiguous id range.
        self._ranges: dict[str, tuple[int, int]] = {}
        for row, p in enumerate(index.passages):
            lo, _ = self._ranges.get(p.video_id, (row, row))
            self._ranges[p.video_id] = (lo, row + 1)

    def check(self, query: str, k: int, video_id: str | None) -> str:
        text = normalize_query(query)
        if not text:
            raise QueryError("the question is empty")
        if len(text) > MAX_QUESTION_CHARS:
            raise QueryError(
                f"the question is {len(text)} characters long; the limit is {MAX_QUESTION_CHARS}"
            )
        if not 1 <= k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}, got {k}")
        if video_id is not None and video_id not in self.index.videos:
            raise NotFoundError(f"no video with id {video_id!r} in the index")
        return text

    def search(self, query: str, k: int = 5, video_id: str | None = None) -> list[Hit]:
        text = self.check(query, k, video_id)
        vector = self.embedder.embed_batch([text], "query")
        return self._dense(vector, k, video_id)

    def ask(self, question: str, k: int = 5, video_id: str | None = None) -> tuple[list[Hit], Answer | None]:
        text = self.check(question, k, video_id)
        vector = self.embedder.embed_batch([text], "query")
        hits = self._dense(vector, k, video_id)
        return hits, self._answer(vector[0], hits)

    def _dense(self, vector: np.ndarray[Any, Any], k: int, video_id: str | None) -> list[Hit]:
        import faiss

        params = selector = None
        if video_id is not None:
            lo, hi = self._ranges.get(video_id, (0, 0))
            # Keep the selector referenced until the search returns: SWIG does not own it.
            selector = faiss.IDSelectorRange(lo, hi)
            params = faiss.SearchParameters()
            params.sel = selector
        scores, rows = self.index.dense.search(vector, k, params=params)
        del selector
        hits: list[Hit] = []
        for score, row in zip(scores[0], rows[0], strict=True):
            if row < 0:
                break
            hits.append(Hit(len(hits) + 1, float(score), self.index.passages[row], int(row)))
        return hits

    def _answer(self, vector: np.ndarray[Any, Any], hits: list[Hit]) -> Answer | None:
        best: Answer | None = None
        for hit in hits[:ANSWER_POOL]:
            lo, hi = self.index.sentence_offsets[hit.row], self.index.sentence_offsets[hit.row + 1]
            sims = self.index.sentence_vectors[lo:hi] @ vector
            for span, sim in zip(hit.passage.sentences, sims, strict=True):
                # The passage score keeps a sentence from a weak passage from winning on its own.
                score = (float(sim) + hit.score) / 2
                if best is None or score > best.score:
                    best = Answer(
                        text=hit.passage.text[span.start : span.end],
                        score=score,
                        passage_rank=hit.rank,
                        char_start=span.start,
                        char_end=span.end,
                        start_ms=time_at(hit.passage, span.start),
                        end_ms=time_at(hit.passage, span.end),
                        passage=hit.passage,
                    )
        return best
