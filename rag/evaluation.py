"""Score retrieval on a labelled question set: a passage is relevant when it contains the evidence.

Metrics come from ``ranx`` (hit rate, MRR, nDCG); section accuracy and the flagging of unanswerable
questions are counted here because they are not ranking metrics.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.chunking import Passage, squash_text
from rag.errors import RagError
from rag.moments import Hit

# Re-exported (``as``): callers read the question set through this module.
from rag.questionset import Question as Question
from rag.questionset import load_questions as load_questions
from rag.result import Result
from rag.splits import DEV_SPLITS

METRICS = ("hit_rate@1", "hit_rate@3", "hit_rate@5", "mrr@10", "ndcg@10")
# Redundancy is counted over the results a person reads first.
REDUNDANCY_AT = 5


@dataclass
class Outcome:
    question: Question
    ranking: list[tuple[str, float]]
    relevant: set[str]
    top_in_section: bool
    flagged: bool
    # The answer span (even if withheld) contains the evidence.
    answer_ok: bool = False
    # Of the first REDUNDANCY_AT results, those repeating a sentence of a higher one.
    repeats: int = 0
    shown: int = 0
    # The answer span, even when withheld ("" when there is none).
    answer: str = ""

    @property
    def first_relevant(self) -> int | None:
        """The rank of the first result holding the evidence, if any is shown."""
        return next((i for i, (pid, _) in enumerate(self.ranking, 1) if pid in self.relevant), None)

    @property
    def missed(self) -> bool:
        """Not the first result, not the answer span, or withheld; for an unanswerable one, answered."""
        if not self.question.answerable:
            return not self.flagged
        return self.first_relevant != 1 or not self.answer_ok or self.flagged


@dataclass
class Report:
    rows: dict[str, dict[str, float]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def in_split(question: Question, split: str) -> bool:
    """Whether ``question`` belongs to ``split``: a split's name, "dev" (DEV_SPLITS) or "all"."""
    if split == "all":
        return True
    if split == "dev":
        return question.split in DEV_SPLITS
    return question.split == split


def questions_in(path: Path, split: str) -> list[Question]:
    """The questions of ``path`` in ``split`` (as ``in_split``); a RagError when there are none."""
    questions = [q for q in load_questions(path) if in_split(q, split)]
    if not questions:
        # Scoring nothing prints an empty table that looks like a result.
        raise RagError(
            f"no questions in {path}" if split == "all" else f"no questions in split {split} in {path}"
        )
    return questions


def run(
    questions: Sequence[Question],
    ask: Callable[[str], Result],
    passages: Sequence[Passage],
    progress: Callable[[int, int], None] | None = None,
) -> list[Outcome]:
    """Ask every question and judge the ranking against the results that contain its evidence.

    A result merged from several passages is judged by its own text; the index's passages that
    contain the evidence and lie in no result shown stay relevant, so recall is still counted.
    """
    texts = {p.id: squash_text(p.text) for p in passages}
    section = {p.id: (p.video_id, p.section) for p in passages}
    outcomes: list[Outcome] = []
    for q in questions:
        result = ask(q.question)
        hits, flagged = result.hits, result.low_confidence
        shown = [squash_text(h.passage.text) for h in hits]
        relevant: set[str] = set()
        right: set[tuple[str, int]] = set()
        if q.evidence is not None:
            needle = squash_text(q.evidence)
            contain = {pid for pid, text in texts.items() if needle in text}
            if not contain:
                raise RagError(f"question {q.id}: no passage contains its evidence {q.evidence!r}")
            right = {section[pid] for pid in contain}
            relevant = {h.passage.id for h, text in zip(hits, shown, strict=True) if needle in text}
            relevant |= {pid for pid in contain if not any(texts[pid] in text for text in shown)}
        top_ok = bool(hits) and (hits[0].passage.video_id, hits[0].passage.section) in right
        ranking = [(h.passage.id, h.score) for h in hits]
        sentence = result.candidate.text if result.candidate else ""
        answer_ok = q.evidence is not None and squash_text(q.evidence) in squash_text(sentence)
        outcome = Outcome(q, ranking, relevant, top_ok, flagged, answer_ok, answer=sentence)
        outcome.repeats, outcome.shown = repeats(hits[:REDUNDANCY_AT])
        outcomes.append(outcome)
        if progress is not None:
            progress(len(outcomes), len(questions))
    return outcomes


def repeats(hits: Sequence[Hit]) -> tuple[int, int]:
    """How many of ``hits`` show a sentence a higher-ranked one already showed, and how many there are.

    A sentence is its position in its section where the hit knows it, else its words: a speaker
    who says the same sentence twice is not a result repeating itself.
    """
    seen: set[tuple[str, int, int | str]] = set()
    repeated = 0
    for h in hits:
        p = h.passage
        own: set[tuple[str, int, int | str]]
        if h.positions is not None:
            own = {(p.video_id, p.section, g) for g in range(*h.positions)}
        else:
            own = {(p.video_id, p.section, squash_text(p.text[s.start : s.end])) for s in p.sentences}
        repeated += bool(own & seen)
        seen |= own
    return repeated, len(hits)


def by_language(q: Question) -> list[str]:
    return ["overall", f"lang={q.lang}"]


def score(outcomes: Sequence[Outcome], group: Callable[[Question], Iterable[str]] = by_language) -> Report:
    try:
        from ranx import Qrels, Run, evaluate
    except ImportError:
        raise RagError("scoring needs ranx: pip install -e '.[eval]'") from None

    grouped: dict[str, list[Outcome]] = {}
    for o in outcomes:
        for name in group(o.question):
            grouped.setdefault(name, []).append(o)
    report = Report()
    for name, items in grouped.items():
        answerable = [o for o in items if o.question.answerable]
        unanswerable = [o for o in items if not o.question.answerable]
        row: dict[str, float] = {}
        if answerable:
            qrels = Qrels({o.question.id: dict.fromkeys(o.relevant, 1) for o in answerable})
            # ranx drops queries with an empty run; a dummy id keeps them in the denominator.
            runs = {o.question.id: dict(o.ranking) or {"-": 0.0} for o in answerable}
            with warnings.catch_warnings():
                # ranx's numba kernels cast ids internally on first compile; harmless, not ours, and
                # it would otherwise sit in the middle of `rag eval`'s table.
                warnings.filterwarnings("ignore", message="unsafe cast from uint64 to int64")
                values = evaluate(qrels, Run(runs), list(METRICS))
            row.update({m: float(values[m]) for m in METRICS})
            row["section@1"] = sum(o.top_in_section for o in answerable) / len(answerable)
            row["answer"] = sum(o.answer_ok for o in answerable) / len(answerable)
            row["answered"] = sum(not o.flagged for o in answerable) / len(answerable)
        if unanswerable:
            row["flagged"] = sum(o.flagged for o in unanswerable) / len(unanswerable)
        row["repeats@5"] = sum(o.repeats for o in items) / max(sum(o.shown for o in items), 1)
        report.rows[name] = row
        report.counts[name] = len(items)
    return report


def format_report(report: Report, title: str) -> str:
    columns = [*METRICS, "section@1", "answer", "answered", "flagged", "repeats@5"]
    head = f"{title:<18}{'n':>4}" + "".join(f"{c:>12}" for c in columns)
    lines = [head, "-" * len(head)]
    for name, row in report.rows.items():
        cells = "".join(f"{row[c]:>12.3f}" if c in row else f"{'-':>12}" for c in columns)
        lines.append(f"{name:<18}{report.counts[name]:>4}{cells}")
    return "\n".join(lines)


def format_misses(outcomes: Sequence[Outcome], title: str) -> str:
    """Each question ``title``'s set-up got wrong: what it ranked, said and should have said."""
    missed = [o for o in outcomes if o.missed]
    lines = [f"misses, {title}: {len(missed)} of {len(outcomes)} questions"]
    for o in missed:
        q = o.question
        if q.answerable:
            rank = o.first_relevant
            verdict = (
                f"first relevant at {rank if rank else '-'}, answer {'holds' if o.answer_ok else 'misses'}"
                f" the evidence, {'withheld' if o.flagged else 'answered'}"
            )
        else:
            verdict = "unanswerable, answered"
        lines.append(f"{q.id} ({q.lang}, {q.kind}) {verdict}: {q.question}")
        lines.append(f"    said: {o.answer or '-'}")
        if q.evidence is not None:
            lines.append(f"    wanted: {q.evidence}")
    return "\n".join(lines)
