"""Distinct moments: ranked passages that share sentences, or touch, in one section become one result.

Passages overlap by design (``RAG_CHUNK_OVERLAP`` sentences repeat between neighbours, so a
sentence at a passage's edge can still be found with its context), and a strong moment of a talk
ranks several neighbouring passages at once: before this, 38% of top-5 results repeated a sentence
a higher result had shown.  Here the ranked candidates are folded, in rank order, into moments:
a run of consecutive sentences of one section, with the best score of the passages in it.

A moment is capped at ``MOMENT_CHARS`` characters.  The cap is two passages of the default size
(200 characters each): about fifty seconds of this talk's speech, six lines of the page on a
laptop, and the most the answer span (at most two sentences) needs around it to be read in
context.  Past the cap a moment stops growing and the rest of the passage that would have grown
it is not shown: a lower-ranked neighbour of a moment already shown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain

from rag.chunking import Passage, Span, estimated_at, time_at
from rag.corpus import Rows

MOMENT_CHARS = 400
# The first ten moments are settled the same way whatever k a caller asks for (an answer chosen
# from `rag ask -k 3` is the one `-k 10` shows, and `-k 20` shows the same ten first): they are
# folded over at least this many, and a larger k only adds moments after them.
SETTLED = 10


@dataclass(frozen=True)
class Hit:
    """A ranked result: one passage of the index, or a moment merged from several."""

    rank: int
    score: float
    passage: Passage
    # The best-ranked passage row inside the result.
    row: int
    dense: float = 0.0
    keyword: float = 0.0
    # (row, sentence of that row) for each sentence of ``passage`` (empty: those of ``row``).
    sentence_rows: tuple[tuple[int, int], ...] = field(default=(), repr=False)
    # Positions [first, last) of its sentences among its section's: which sentences it shows, told
    # apart from the same words said twice (None where unknown).
    positions: tuple[int, int] | None = None

    def sentence_refs(self) -> Sequence[tuple[int, int]]:
        return self.sentence_rows or [(self.row, j) for j in range(len(self.passage.sentences))]


@dataclass
class _Moment:
    video_id: str
    section: int
    lo: int  # first sentence position, inclusive
    hi: int  # last sentence position, exclusive
    first: int  # rows covering [lo, hi)
    last: int
    best: int  # best-ranked row
    score: float
    rows: list[int]


class Folder:
    """Folds a ranked list of passage rows into distinct moments, reading the rows it is given."""

    def __init__(self, rows: Rows) -> None:
        self.rows = rows

    def fold(
        self,
        ranked: Sequence[tuple[int, float]],
        k: int,
        cap: int = MOMENT_CHARS,
        more: Sequence[tuple[int, float]] = (),
    ) -> list[_Moment]:
        """The first ``k`` moments of ``ranked``, then of ``more`` (candidates found only by a larger
        pool than the one ``ranked`` came from, which must not change the settled moments)."""
        moments: list[_Moment] = []
        rest = self._fold(iter(ranked), moments, SETTLED, cap, 0)
        if k > SETTLED:
            # The settled moments are final: a candidate touching one is a lower-ranked neighbour
            # of a moment already shown, and the later moments are made of the rest.
            self._fold(chain(rest, more), moments, k, cap, len(moments))
        return moments[:k]

    def _fold(
        self,
        ranked: Iterator[tuple[int, float]],
        moments: list[_Moment],
        limit: int,
        cap: int,
        frozen: int,
    ) -> Iterator[tuple[int, float]]:
        """Fold ``ranked`` into ``moments`` until a new one would pass ``limit``; the first ``frozen``
        moments take nothing more.  Returns the candidates not reached, the one that stopped it first."""
        for row, score in ranked:
            p = self.rows.passage(row)
            lo = self.rows.position(row)
            hi = lo + len(p.sentences)
            near = [
                m
                for m in moments
                if (m.video_id, m.section) == (p.video_id, p.section) and lo <= m.hi and hi >= m.lo
            ]
            if any(moments.index(m) < frozen for m in near):
                continue
            if not near:
                if len(moments) == limit:
                    return chain([(row, score)], ranked)
                moments.append(_Moment(p.video_id, p.section, lo, hi, row, row, row, score, [row]))
                continue
            target = near[0]
            union = [*near[1:]]
            new_lo = min([lo, target.lo, *(m.lo for m in union)])
            new_hi = max([hi, target.hi, *(m.hi for m in union)])
            first = min([row, target.first, *(m.first for m in union)])
            last = max([row, target.last, *(m.last for m in union)])
            if self._length(first, last, new_lo, new_hi) <= max(cap, self._length(row, row, lo, hi)):
                target.lo, target.hi, target.first, target.last = new_lo, new_hi, first, last
                target.rows.append(row)
                for m in union:
                    target.rows.extend(m.rows)
                    moments.remove(m)
                continue
            # Too long: grow the best moment towards this passage, sentence by sentence, up to the
            # cap and short of any other moment.
            self._grow(target, row, lo, hi, [m for m in moments if m is not target], cap)
        return iter(())

    def _grow(self, m: _Moment, row: int, lo: int, hi: int, others: list[_Moment], cap: int) -> None:
        taken = {
            g for o in others if (o.video_id, o.section) == (m.video_id, m.section) for g in range(o.lo, o.hi)
        }
        first, last = min(row, m.first), max(row, m.last)
        before = (m.lo, m.hi)
        while hi > m.hi and m.hi not in taken and self._length(first, last, m.lo, m.hi + 1) <= cap:
            m.hi += 1
        while lo < m.lo and m.lo - 1 not in taken and self._length(first, last, m.lo - 1, m.hi) <= cap:
            m.lo -= 1
        if (m.lo, m.hi) != before:
            m.first, m.last = first, last
            m.rows.append(row)

    def _sentences(self, first: int, last: int, lo: int, hi: int) -> list[tuple[int, int]]:
        """(row, index in row) of each sentence at positions [lo, hi), in order, each once."""
        out: list[tuple[int, int]] = []
        seen = lo - 1
        for row in range(first, last + 1):
            if not self.rows.has(row):
                continue  # deleted under the question (rag.retrieval); its neighbours still tell
            base = self.rows.position(row)
            for j in range(len(self.rows.passage(row).sentences)):
                g = base + j
                if seen < g < hi:
                    out.append((row, j))
                    seen = g
        return out

    def _length(self, first: int, last: int, lo: int, hi: int) -> int:
        sentences = self._sentences(first, last, lo, hi)
        chars = sum(self._span(r, j).end - self._span(r, j).start for r, j in sentences)
        return chars + max(len(sentences) - 1, 0)

    def _span(self, row: int, j: int) -> Span:
        return self.rows.passage(row).sentences[j]

    def passage(self, m: _Moment) -> tuple[Passage, tuple[tuple[int, int], ...]]:
        """The moment as one passage (the row's own when it is one whole row) and its sentence rows."""
        sentences = self._sentences(m.first, m.last, m.lo, m.hi)
        only = self.rows.passage(m.first)
        if m.first == m.last and len(sentences) == len(only.sentences):
            return only, ()
        parts: list[str] = []
        spans: list[Span] = []
        length = 0
        previous = -1
        for row, j in sentences:
            p, span = self.rows.passage(row), self._span(row, j)
            if parts:
                # The speech between two sentences of one passage is kept; between passages that
                # only touch, one space stands for it.
                joined = j > 0 and previous == self.rows.position(row) + j - 1
                gap = p.text[p.sentences[j - 1].end : span.start] if joined else " "
                parts.append(gap)
                length += len(gap)
            parts.append(p.text[span.start : span.end])
            spans.append(Span(length, length + span.end - span.start, span.start_ms, span.end_ms))
            length += span.end - span.start
            previous = self.rows.position(row) + j
        text = "".join(parts)
        (row0, j0), (row1, j1) = sentences[0], sentences[-1]
        head, tail = self.rows.passage(row0), self.rows.passage(row1)
        start_ms = time_at(head, head.sentences[j0].start) if j0 else head.start_ms
        end_ms = time_at(tail, tail.sentences[j1].end)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        merged = Passage(
            id=f"{head.video_id}:{start_ms}:{digest}",
            video_id=head.video_id,
            section=head.section,
            section_summary=head.section_summary,
            start_ms=start_ms,
            end_ms=end_ms,
            estimated=estimated_at(head, head.sentences[j0].start),
            text=text,
            sentences=tuple(spans),
        )
        return merged, tuple(sentences)
