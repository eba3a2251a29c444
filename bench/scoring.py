"""A peer's rankings scored by the evaluation's own rule: shared by our server and txtai's."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rag.chunking import Passage

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "eval" / "questions.jsonl"


def score_ranking(
    rank: Callable[[str], list[tuple[Passage, float]]],
    passages: Sequence[Passage],
    split: str | None = "report",
    questions_path: Path = QUESTIONS,
) -> dict[str, float]:
    """A peer's rankings (the passage or moment it returned, its score), scored by our metrics.

    Answerable questions of ``split`` only; ``rag.evaluation`` judges a result relevant when its
    text contains the question's evidence, for every peer alike.
    """
    from rag.evaluation import METRICS, load_questions, run, score
    from rag.moments import Hit
    from rag.result import Result

    questions = [
        q for q in load_questions(questions_path) if q.answerable and (split is None or q.split == split)
    ]

    def ask(question: str) -> Result:
        hits = [Hit(i, s, p, i) for i, (p, s) in enumerate(rank(question))]
        return Result(hits=hits, answer=None, confidence=0.0, low_confidence=False)

    row = score(run(questions, ask, passages)).rows["overall"]
    return {m: row[m] for m in (*METRICS, "section@1")} | {"n": float(len(questions))}
