"""The answer span model's fit: bench.answers labels the shortest right span and learns what tells it."""

from __future__ import annotations

import numpy as np

from bench.answers import fit, hits, labelled
from rag.answer import FEATURES, Candidate
from rag.chunking import Passage, Span
from rag.moments import Hit

TEXT = "손실이 나고 있죠. 440억 달러에 이를 것이고. 흑자는 2029년."
PASSAGE = Passage("v:0:x", "v", 1, None, 0, 10_000, False, TEXT, (Span(0, 10), Span(11, 27), Span(28, 38)))
HIT = Hit(1, 1.0, PASSAGE, 0)


def span(first: int, last: int) -> Candidate:
    return Candidate(HIT, first, last, tuple([0.0] * len(FEATURES)), 0.0, False)


def test_the_shortest_span_holding_the_evidence_is_the_right_one() -> None:
    spans = [span(0, 0), span(1, 1), span(2, 2), span(0, 1), span(1, 2)]
    _, right, contains = labelled(spans, "440억 달러")
    # Both pairs contain it, but the sentence alone says it: only the sentence is right.
    assert contains.tolist() == [False, True, False, True, True]
    assert right.tolist() == [False, True, False, False, False]
    # Evidence running across two sentences: only the pair holds it, and it is right.
    _, right, _ = labelled(spans, "이를 것이고. 흑자는")
    assert right.tolist() == [False, False, False, False, True]


def test_fit_learns_the_feature_that_marks_the_answer() -> None:
    rng = np.random.default_rng(3)
    groups = []
    for _ in range(60):
        x = rng.normal(0, 1, (8, len(FEATURES)))
        answer = int(rng.integers(8))
        # The answer has the highest value of feature 3 ("focus"); the rest is noise.
        x[answer, 3] = x[:, 3].max() + 1.0
        right = np.arange(8) == answer
        groups.append((x, right, right))
    w = fit(groups)
    assert int(np.argmax(np.abs(w))) == 3 and w[3] > 0
    assert hits(w, groups) == 1.0
    assert hits(-w, groups) == 0.0
