"""Fusing the dense and keyword candidate lists into one ranking, and the sentence blend before it.

Each function takes (row, score) lists best first and returns one; the Searcher (rag.retrieval)
chooses which by its RetrievalParams.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rag.corpus import Rows


def with_sentences(
    dense: list[tuple[int, float]], vector: np.ndarray[Any, Any], weight: float, rows: Rows
) -> list[tuple[int, float]]:
    out = []
    for row, score in dense:
        best = float((rows.sentence_vectors(row) @ vector).max(initial=-1.0))
        out.append((row, (1 - weight) * score + weight * best))
    return sorted(out, key=lambda item: (-item[1], item[0]))


def with_second(
    dense: list[tuple[int, float]], cosines: list[float], weight: float
) -> list[tuple[int, float]]:
    """Each dense score plus ``weight`` of the second encoder's cosine (rag.second)."""
    out = [(row, score + weight * cosine) for (row, score), cosine in zip(dense, cosines, strict=True)]
    return sorted(out, key=lambda item: (-item[1], item[0]))


def with_bridge(
    dense: list[tuple[int, float]], bridged: list[tuple[int, float]], weight: float
) -> list[tuple[int, float]]:
    """Each dense score plus ``weight`` of its BM25 score over reading pairs (rag.readings), as a
    share of the best one: a Korean question's key words, read in a Japanese passage's kanji."""
    top = max((s for _, s in bridged), default=0.0)
    if not top:
        return dense
    bonus = {row: weight * s / top for row, s in bridged}
    out = [(row, score + bonus.get(row, 0.0)) for row, score in dense]
    return sorted(out, key=lambda item: (-item[1], item[0]))


def rrf(rankings: list[list[tuple[int, float]]], k: int) -> list[tuple[int, float]]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (row, _) in enumerate(ranking, 1):
            fused[row] = fused.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def weighted(
    dense: list[tuple[int, float]],
    keyword: list[tuple[int, float]],
    weight: float,
    foreign: frozenset[int] = frozenset(),
) -> list[tuple[int, float]]:
    """``weight`` of the normalized dense score plus the rest of the keyword score; a ``foreign``
    row (written in another script than the question, which no key word can match) gets its dense
    score whole, instead of competing with its keyword share at zero."""

    def normalized(ranking: list[tuple[int, float]]) -> dict[int, float]:
        if not ranking:
            return {}
        values = [s for _, s in ranking]
        low, high = min(values), max(values)
        span = high - low or 1.0
        return {row: (s - low) / span for row, s in ranking}

    d, kw = normalized(dense), normalized(keyword)
    fused = {
        row: d.get(row, 0.0) if row in foreign else weight * d.get(row, 0.0) + (1 - weight) * kw.get(row, 0.0)
        for row in d.keys() | kw.keys()
    }
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))
