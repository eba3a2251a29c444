"""A video's transcript read back from its indexed passages, as timed segments in a time range.

A segment is one sentence of the index: a sentence of the seed format, or a run of cues of a
subtitle or speech-to-text file.  Passages overlap (``RAG_CHUNK_OVERLAP`` sentences repeat
between neighbours of a section), so each sentence is taken once, where
``rag.moments.sentence_positions`` places it in its section.  Cue sentences keep their exact
times; the seed's are interpolated by character position (exact at a section's timestamp), and
run until the next one starts, so a moment inside a section always falls in one segment.  The
"영상 정보" passage is the video's info, not speech, and is left out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rag.chunking import INFO_SECTION, Passage, estimated_at, time_at
from rag.corpus import Corpus, positions
from rag.errors import NotFoundError, QueryError


@dataclass(frozen=True)
class Segment:
    video_id: str
    section: int
    section_summary: str | None
    start_ms: int
    end_ms: int
    estimated: bool
    text: str


def check_range(start: float | None, end: float | None) -> None:
    """Refuse a range in seconds that starts or ends below 0 or ends before it starts.

    The HTTP route checks the seconds it was given: rounded to milliseconds, or bounded far past
    any video's end, a backward range could turn into an empty or a one-moment one.
    """
    for name, value in (("start", start), ("end", end)):
        if value is not None and value < 0:
            raise QueryError(f"{name} must be 0 seconds or more, got {_shown(value)}")
    if start is not None and end is not None and end < start:
        raise QueryError(f"end ({_shown(end)} s) is before start ({_shown(start)} s)")


def _shown(value: float) -> str:
    """``value`` short ("10", "2e+09") unless that would hide how it differs: "5.0000001", not "5"."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000


def transcript(
    index: Corpus, video_id: str, start_ms: int | None = None, end_ms: int | None = None
) -> list[Segment]:
    """The video's segments that overlap ``[start_ms, end_ms]`` (either end open when None)."""
    if video_id not in index.videos:
        raise NotFoundError(f"no video with id {video_id!r} in the index")
    check_range(_seconds(start_ms), _seconds(end_ms))
    low = start_ms if start_ms is not None else -1
    overlap = int(index.manifest.chunking.get("overlap_sentences", 0))
    return [
        s
        for s in segments(index.video_passages(video_id), video_id, overlap)
        # A segment that ends exactly where the range starts is the one before it.
        if s.end_ms > low and (end_ms is None or s.start_ms <= end_ms)
    ]


def segments(passages: list[Passage], video_id: str, overlap: int) -> list[Segment]:
    """Every sentence of a video's speech once, in time order."""
    rows = [p for p in passages if p.video_id == video_id]
    out: list[Segment] = []
    following: dict[int, int] = {}  # section -> its first sentence position not yet taken
    for p, at in zip(rows, positions(rows, overlap), strict=True):
        if p.section == INFO_SECTION:
            continue
        for j, span in enumerate(p.sentences):
            if at + j < following.get(p.section, 0):
                continue
            following[p.section] = at + j + 1
            timed = span.start_ms is not None
            if out and not timed and out[-1].section == p.section:
                # Interpolated times leave a few milliseconds for the space between sentences.
                out[-1] = replace(out[-1], end_ms=time_at(p, span.start))
            out.append(
                Segment(
                    video_id=video_id,
                    section=p.section,
                    section_summary=p.section_summary,
                    start_ms=time_at(p, span.start),
                    end_ms=time_at(p, span.end),
                    estimated=estimated_at(p, span.start),
                    text=p.text[span.start : span.end],
                )
            )
    return out
