"""Pick the span that answers (how sure it is: rag.confidence).

The answer is one sentence of the top results, or two adjacent ones where it runs across them.
The sentence closest to the question is often the one that restates it ("오픈AI는 지금 계속해서
영업 손실이 나고 있죠.") while the next one answers ("…440억 달러에 이를 것이고").  So every
candidate span is scored by a linear model over several signals (``FEATURES``), fitted on the
development splits by ``python -m bench.answers``:

- its cosine to the question, and its result's;
- the share of the question's key words it contains, and the share of its own words that are new
  (a span that only restates the question adds nothing);
- whether it states the kind of answer asked for (rag.answertype);
- its neighbours' cosines, and where it lies against its result's closest sentence: the sentence
  after a restatement of the question is often the answer;
- whether it is two sentences (the shortest span that answers is wanted) and its result's rank.

The type signal has a weight per kind: a quantity stated is strong evidence, while a proper noun
("a person") or a quoting ending ("a claim") is in most sentences of a talk.

Where the model cannot tell a sentence from its neighbour (their scores lie within
``RetrievalParams.answer_hedge``), the answer is the two of them: a reader then sees the answer
with the sentence that sets it up, rather than that sentence alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.answertype import KINDS, Expectation, Facts
from rag.chunking import INFO_SECTION, Passage, time_at
from rag.moments import Hit
from rag.neighbours import joins, past_short_reply
from rag.videofields import barred_field, states_field

if TYPE_CHECKING:
    from rag.corpus import Rows

# How many of the top results the answer may come from.
ANSWER_POOL = 3
FEATURES = (
    "cosine",
    "passage",
    "words",
    "focus",
    "novelty",
    "new",
    *(f"typed_{kind}" for kind in KINDS),
    "previous",
    "following",
    "lead",
    "pair",
    "first",
    "closest",
    "after_closest",
    "before_closest",
)


@dataclass(frozen=True)
class Answer:
    """The answer span: offsets are inside its result's text, times interpolated within it."""

    text: str
    score: float
    passage_rank: int
    char_start: int
    char_end: int
    start_ms: int
    end_ms: int
    passage: Passage
    # The span's own cosine to the question (its closer sentence's), without the other signals.
    cosine: float = 0.0
    # The info line a question about the video asked for: the video states it, whatever the cosine.
    info: bool = False


@dataclass(frozen=True)
class Asked:
    """What the answer choice needs of a question."""

    vector: np.ndarray[Any, Any]
    # The question's key words, each with the spellings that count as it (rag.keyword's expand).
    words: dict[str, frozenset[str]]
    expected: Expectation | None
    # Each key word's inverse document frequency: a rare word of the question is its focus.
    idf: dict[str, float] = field(default_factory=dict)
    # The info line asked for by a question about the video itself (rag.videofields).
    info_field: str | None = None
    # The info lines the question names, whether or not it names the video: a figure line may
    # answer only these ("How many views?").
    named: frozenset[str] = frozenset()
    # Whether the question names the video, its channel, its guest or host: the title and channel
    # lines answer only such a question, or one naming them (rag.videofields.barred_field).
    about_video: bool = False


@dataclass(frozen=True)
class Candidate:
    """A span of one or two adjacent sentences of a result, with its signals."""

    hit: Hit
    first: int
    last: int
    features: tuple[float, ...]
    cosine: float
    typed: bool
    # The info passage's line that a question about the video asks for (rag.videofields).
    info: bool = False
    # The neighbour a one-sentence span is answered with (rag.neighbours): -1 before, +1 after.
    joins: int = 0
    # The amounts its sentences state, (20, 년) (rag.answertype.Facts).
    amounts: frozenset[tuple[str, str]] = frozenset()

    @property
    def text(self) -> str:
        p = self.hit.passage
        return p.text[p.sentences[self.first].start : p.sentences[self.last].end]


def candidates(
    rows: Rows, asked: Asked, hits: Sequence[Hit], facts: Callable[[str], Facts]
) -> list[Candidate]:
    """Every one- and two-sentence span of the top results, with its signals."""
    known_words = {s for spellings in asked.words.values() for s in spellings}
    weight = sum(asked.idf.get(w, 1.0) for w in asked.words)

    def found(tokens: set[str]) -> tuple[float, float]:
        """Share of the question's key words in ``tokens``, plain and weighted by rarity."""
        if not asked.words:
            return 0.0, 0.0
        hit = [w for w, spellings in asked.words.items() if spellings & tokens]
        return len(hit) / len(asked.words), sum(asked.idf.get(w, 1.0) for w in hit) / weight

    out: list[Candidate] = []
    for hit in hits[:ANSWER_POOL]:
        p = hit.passage
        vectors = np.vstack([rows.sentence_vectors(r)[j] for r, j in hit.sentence_refs()])
        sims = (vectors @ asked.vector).tolist()
        stated = [facts(p.text[s.start : s.end]) for s in p.sentences]
        own = [set(f.tokens) for f in stated]
        # A Japanese sentence also holds a Korean question's words as its kanji's readings
        # (rag.readings); they count as the question's words there, not as new words.
        read = [tokens | f.readings for tokens, f in zip(own, stated, strict=True)]
        n = len(sims)
        closest = max(sims)
        # The info passage's lines answer only the questions that ask about the video or name them.
        barred = set()
        if p.section == INFO_SECTION:
            barred = {
                i
                for i, s in enumerate(p.sentences)
                if barred_field(p.text[s.start : s.end], asked.info_field, asked.named, asked.about_video)
            }
        for a in range(n):
            for b in (a, a + 1):
                if b >= n or a in barred or b in barred:
                    continue
                tokens = own[a] | own[b]
                words, focus = found(read[a] | read[b])
                new = tokens - known_words
                expected = asked.expected
                typed = expected is not None and (stated[a].satisfy(expected) or stated[b].satisfy(expected))
                cosine = max(sims[a], sims[b])
                features = (
                    cosine,
                    hit.dense,
                    words,
                    focus,
                    len(new) / len(tokens) if tokens else 0.0,
                    math.log1p(len(new)),
                    *(float(typed and expected is not None and expected.kind == kind) for kind in KINDS),
                    sims[a - 1] if a > 0 else cosine,
                    sims[b + 1] if b + 1 < n else cosine,
                    # A sentence restating the question often comes just before its answer.
                    found(read[a - 1])[0] if a > 0 else 0.0,
                    float(b > a),
                    1.0 / hit.rank,
                    float(cosine == closest),
                    float(a > 0 and sims[a - 1] == closest),
                    float(b + 1 < n and sims[b + 1] == closest),
                )
                info = (
                    asked.info_field is not None
                    and a == b
                    and p.section == INFO_SECTION
                    and states_field(p.text[p.sentences[a].start : p.sentences[a].end], asked.info_field)
                )
                amounts = stated[a].amounts | stated[b].amounts
                out.append(
                    Candidate(hit, a, b, features, cosine, typed, info, joins(p, a, b, n, expected), amounts)
                )
    return out


def choose(
    spans: Sequence[Candidate],
    weights: Sequence[float],
    decisive: Expectation | None = None,
    hedge: float = 0.0,
    margin: float = math.inf,
) -> tuple[Answer | None, bool]:
    """The best span, and whether some span states what a decisive expectation asks for.

    A question asking for a quantity or a time is answered only by a span that states one, while
    there is one; the caller flags it when none does within ``margin`` of the best span's score
    (a figure in a sentence on something else states nothing asked).  A question about the video itself is
    answered by the info line it asks for, where that is among the spans.  A best sentence whose
    neighbour scores within ``hedge`` of it is answered with both.  A short question asked in the
    talk with its short reply gives way to the reply and the sentence after it (rag.neighbours).
    """
    info = [c for c in spans if c.info]
    if info:
        return _answer(info[0], float(np.dot(weights, info[0].features)), info=True), True
    scored = [(float(np.dot(weights, c.features)), c) for c in spans]
    typed = True
    if decisive is not None:
        stating = [(s, c) for s, c in scored if c.typed]
        # "2월 3일" in a sentence about a presentation does not answer "오픈AI 작년 매출은 얼마?".
        top = max((s for s, _ in scored), default=0.0)
        typed = any(s >= top - margin for s, _ in stating)
        scored = stating or scored
    if not scored:
        return None, typed
    score, best = max(scored, key=lambda item: item[0])
    if best.joins:
        first, last = sorted((best.first, best.first + best.joins))
        best = _span(scored, best, first, last)
    elif hedge > 0 and best.first == best.last:
        best = _hedged(scored, best, score - hedge)
    if past_short_reply(best.hit.passage, best.first, best.last):
        reply = _span(scored, best, best.last, best.last + 1)
        # The question sentence is what matched; its reply keeps that match for the confidence.
        best = replace(reply, cosine=max(reply.cosine, best.cosine))
    return _answer(best, score), typed


def _hedged(scored: Sequence[tuple[float, Candidate]], best: Candidate, floor: float) -> Candidate:
    """``best`` with its neighbour when that scores at least ``floor``, else ``best`` alone."""
    near = [
        (s, c)
        for s, c in scored
        if c.hit is best.hit and c.first == c.last and abs(c.first - best.first) == 1 and s >= floor
    ]
    if not near:
        return best
    other = max(near, key=lambda item: item[0])[1]
    first, last = min(best.first, other.first), max(best.first, other.first)
    return _span(scored, best, first, last)


def _span(scored: Sequence[tuple[float, Candidate]], best: Candidate, first: int, last: int) -> Candidate:
    """The span of ``best``'s result from sentence ``first`` to ``last``, or ``best`` when there is none."""
    return next((c for _, c in scored if c.hit is best.hit and (c.first, c.last) == (first, last)), best)


def _answer(c: Candidate, score: float, info: bool = False) -> Answer:
    p = c.hit.passage
    start, end = p.sentences[c.first].start, p.sentences[c.last].end
    return Answer(
        text=p.text[start:end],
        score=score,
        passage_rank=c.hit.rank,
        char_start=start,
        char_end=end,
        start_ms=time_at(p, start),
        end_ms=time_at(p, end),
        passage=p,
        cosine=c.cosine,
        info=info,
    )
