"""A labelled question set (``eval/*.jsonl``): one JSON record a line, checked as it is read.

A record that would score wrongly is refused by file and line rather than scored: blank evidence
is inside every passage, so it would count every ranking as perfect.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

from rag.chunking import squash_text
from rag.errors import QueryError, RagError
from rag.question import checked


@dataclass(frozen=True)
class Question:
    id: str
    lang: str
    kind: str
    split: str
    question: str
    # None (JSON null) marks a question the videos do not answer.
    evidence: str | None

    @property
    def answerable(self) -> bool:
        return self.evidence is not None


_FIELDS = [f.name for f in fields(Question)]


def _problems(record: object) -> str:
    """What keeps ``record`` from being a question record, in words; "" when nothing does."""
    if not isinstance(record, dict):
        return "a JSON object is expected"
    missing = [name for name in _FIELDS if name not in record]
    unknown = [name for name in record if name not in _FIELDS]
    wrong = [
        f"{name} must be a string" + (" or null" if name == "evidence" else "")
        for name in _FIELDS
        if name in record
        and not isinstance(record[name], str)
        and not (name == "evidence" and record[name] is None)
    ]
    return "; ".join(
        [
            *([f"missing field(s): {', '.join(missing)}"] if missing else []),
            *([f"unknown field(s): {', '.join(unknown)}"] if unknown else []),
            *wrong,
        ]
    )


def load_questions(path: Path) -> list[Question]:
    questions: list[Question] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RagError(f"{path}: cannot read the question set ({exc.strerror or exc})") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RagError(f"{path}:{number}: not a question record ({exc})") from None
        if problems := _problems(record):
            raise RagError(f"{path}:{number}: not a question record ({problems})")
        q = Question(**record)
        try:
            # The rules every question asked must meet, so that the record, not the asking, is blamed.
            checked(q.question, 1)
        except QueryError as exc:
            raise RagError(f"{path}:{number}: question {q.id}: {exc}") from None
        if q.evidence is not None and not squash_text(q.evidence):
            raise RagError(
                f"{path}:{number}: question {q.id}: the evidence is blank (an unanswerable question's is null)"
            )
        questions.append(q)
    return questions
