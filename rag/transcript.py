"""A video's transcript read back from its indexed passages, as timed segments in a time range.

Passages overlap (``RAG_CHUNK_OVERLAP`` sentences repeat between neighbours of a section), so a
segment is a passage without the leading sentences its predecessor in the same section already
ended with: the segments of a video follow each other without repeating a word, each timed like
the passages (exact at a section's timestamp, interpolated by character position inside it).
The "영상 정보" passage is the video's info, not speech, and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.chunking import INFO_SECTION, Passage, time_at
from rag.errors import NotFoundError, QueryError
from rag.store import IndexData


@dataclass(frozen=True)
class Segment:
    video_id: str
    section: int
    section_summary: str | None
    start_ms: int
    end_ms: int
    estimated: bool
    text: str


def check_range(start_ms: int | None, end_ms: int | None) -> None:
    for name, value in (("start", start_ms), ("end", end_ms)):
        if value is not None and value < 0:
            raise QueryError(f"{name} must be 0 seconds or more, got {value / 1000:g}")
    if start_ms is not None and end_ms is not None and end_ms < start_ms:
        raise QueryError(f"end ({end_ms / 1000:g} s) is before start ({start_ms / 1000:g} s)")


def transcript(
    index: IndexData, video_id: str, start_ms: int | None = None, end_ms: int | None = None
) -> list[Segment]:
    """The video's segments that overlap ``[start_ms, end_ms]`` (either end open when None)."""
    if video_id not in index.videos:
        raise NotFoundError(f"no video with id {video_id!r} in the index")
    check_range(start_ms, end_ms)
    low = start_ms if start_ms is not None else -1
    return [
        s
        for s in segments(index.passages, video_id)
        # A segment that ends exactly where the range starts is the one before it.
        if s.end_ms > low and (end_ms is None or s.start_ms <= end_ms)
    ]


def segments(passages: list[Passage], video_id: str) -> list[Segment]:
    """Every spoken passage of a video, its repeated sentences cut off, in time order."""
    out: list[Segment] = []
    previous: Passage | None = None
    for p in passages:
        if p.video_id != video_id or p.section == INFO_SECTION:
            continue
        first = _repeated(previous, p) if previous is not None and previous.section == p.section else 0
        previous = p
        if first >= len(p.sentences):
            continue
        offset = p.sentences[first].start
        out.append(
            Segment(
                video_id=video_id,
                section=p.section,
                section_summary=p.section_summary,
                start_ms=time_at(p, offset),
                end_ms=p.end_ms,
                estimated=p.estimated or offset > 0,
                text=p.text[offset:],
            )
        )
    return out


def _repeated(before: Passage, after: Passage) -> int:
    """How many leading sentences of ``after`` are the sentences ``before`` ends with."""
    ending = [before.text[s.start : s.end] for s in before.sentences]
    leading = [after.text[s.start : s.end] for s in after.sentences]
    for n in range(min(len(ending), len(leading)), 0, -1):
        if ending[-n:] == leading[:n]:
            return n
    return 0
