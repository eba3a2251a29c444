"""How sure the answer is (``answerability``), and the key-word share it weighs (``coverage``)."""

from __future__ import annotations

import math
from collections.abc import Callable

from rag.answer import Answer


def answerability(
    answer: Answer | None, peak: float, covered: float, weights: tuple[float, float, float], bias: float
) -> float:
    """The estimated probability that the answer answers: a logistic model over three signals.

    The answer span's own cosine, the peak (how far the best passage stands out from the
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
