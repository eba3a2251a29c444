"""What asking a question gives: the ranked moments, the answer span and how sure we are of it.

A type of its own so that the edges (the routes, the CLI's printing, the evaluation) read answers
without importing the search that makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answer import Answer
from rag.moments import Hit


@dataclass(frozen=True)
class Result:
    hits: list[Hit]
    answer: Answer | None
    confidence: float
    low_confidence: bool
    coverage: float = 1.0
    peak: float = 0.0
    # False when the question asks for a quantity or a time no sentence of the top passages states.
    typed: bool = True
    # The best sentence even when withheld, for evaluation and calibration.
    candidate: Answer | None = field(default=None, repr=False)
    # The years and model names the question names that no top passage mentions (rag.identifiers).
    unmentioned: tuple[str, ...] = ()
    # The span the confidence was judged on (``candidate``, unless a question's own amounts moved it).
    judged: Answer | None = field(default=None, repr=False)

    @property
    def gated(self) -> bool:
        """Flagged whatever the confidence: no span states the type asked, or a detail is unmentioned."""
        return gated(self.typed, self.unmentioned)


def gated(typed: bool, unmentioned: tuple[str, ...]) -> bool:
    return not typed or bool(unmentioned)
