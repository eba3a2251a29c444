"""Pick the sentence that answers, and say how sure we are."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.chunking import Passage, Span, time_at
from rag.moments import Hit

if TYPE_CHECKING:
    from rag.store import IndexData

# How many of the top passages the answer sentence may come from.
ANSWER_POOL = 3


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
    # The sentence's own cosine to the question, without its passage's or the key words' share.
    cosine: float = 0.0


def best_sentence(
    index: IndexData,
    vector: np.ndarray[Any, Any],
    hits: list[Hit],
    words: Callable[[str], float] | None = None,
    lexical_weight: float = 0.0,
    accept: Callable[[Hit, Span], bool] | None = None,
) -> Answer | None:
    """The sentence of the top passages closest to the question (among those ``accept`` allows).

    ``words`` (the share of the question's key words found in a sentence) adds ``lexical_weight`` times the share
    found: embeddings of short lines such as "업로드 날짜: 2025-03-26" tell dates from lengths poorly.
    """
    best: Answer | None = None
    for hit in hits[:ANSWER_POOL]:
        sims = index.sentence_vectors[list(hit.vector_rows(index.sentence_offsets))] @ vector
        for span, sim in zip(hit.passage.sentences, sims, strict=True):
            if accept is not None and not accept(hit, span):
                continue
            # The passage's own cosine keeps a stray sentence of a weak passage from winning.
            score = (float(sim) + hit.dense) / 2
            if words is not None and lexical_weight:
                score += lexical_weight * words(hit.passage.text[span.start : span.end])
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
                    cosine=float(sim),
                )
    return best


def answerability(
    answer: Answer | None, peak: float, covered: float, weights: tuple[float, float, float], bias: float
) -> float:
    """The estimated probability that the answer answers: a logistic model over three signals.

    The answer sentence's own cosine, the peak (how far the best passage stands out from the
    index) and the share of the question's key words in the top passages each separate answerable
    from unanswerable questions only roughly; weighed together they do better than each with a
    threshold of its own (bench.tune fits the weights and reports both, cross-validated).
    """
    if answer is None:
        return 0.0
    z = weights[0] * answer.cosine + weights[1] * peak + weights[2] * covered + bias
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def coverage(
    question: list[str], evidence: list[list[str]], expand: Callable[[list[str]], list[str]]
) -> float:
    """Share of the question's content morphemes (or a one-jamo spelling of them) in the evidence.

    A Korean question about something the video never mentions (a company, a number, a person's
    age) keeps a high cosine to passages on the same topic, but its key words are not there.
    """
    words = set(question)
    if not words:
        return 1.0
    seen = {t for tokens in evidence for t in tokens}
    found = sum(1 for w in words if any(x in seen for x in expand([w])))
    return found / len(words)
