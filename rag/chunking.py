"""Split timed sections into overlapping, sentence-aware passages that never cross a section.

In the seed format a passage's times are exact at its section's timestamp and otherwise
interpolated by character position inside the section (its speech-to-text has no timings),
flagged ``estimated``.  Subtitles and speech-to-text JSON give every cue its times: there the
"sentences" are runs of whole cues (``cue_sentences``), so every passage starts and ends on a cue
boundary, at that cue's exact time.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from rag.timed import Cue
from rag.video import INFO_TITLE, Section, Seed

# Sentence ends: ., ?, ! or … (repeated), optionally closed by a quote or bracket, followed by
# space or by a letter glued on ("된다.그리고" is common in this speech-to-text output).
# Digits after a period ("2.5") do not end a sentence.
# Full-width stops (Japanese, Chinese) end a sentence with no space after them.
_SENTENCE_END = re.compile(r"[.?!…]+[\"'”’)\]]*(?=\s|$|[^\d\s.?!…\"'”’)\]])|[。！？]+[」』）\"”’]*")
# But the period of a title ends no sentence ("My guest is Dr. Helen Tregarthen"), nor an initial's
# where a letter, another initial or a lower-case word follows ("an acorn with T.O. underneath",
# "J. K. and a date", "three a.m. after"); "plan B. Then" still ends one.
_TITLE = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Dr|Prof|St|ft)\.$")
_INITIAL = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]\.$")
_AFTER_INITIAL = re.compile(r"[A-Za-z]|\s+(?:[a-z]|[A-Z]\.)")


# Bump when passages or their sentence spans come out differently for the same text: indexes and
# reusable rows built by an older chunker are then rebuilt.  Also when what is embedded changes
# (revision 2: passages are embedded with their section summary, see embedding_text; revision 3:
# the info passage has one sentence per line; revision 4: cue-based sections, whose sentences are
# runs of whole cues carrying their times; revision 5: full-width stops end sentences, and text
# without spaces is cut after a comma; revision 6: '<' and '>' in subtitles that make no tag are
# kept as said text, where they were cut out with the words between them, and SubStation's \N
# line breaks left in an SRT are spaces; revision 7: a title's or an initial's period ends no
# sentence).
CHUNKER_REVISION = 7
# A run of cues ends at a cue that ends a sentence, before a pause of PAUSE_MS or more, or once it
# holds CUE_SENTENCE_CHARS characters: unpunctuated speech-to-text (YouTube's auto-captions) is
# cut by cue and time.  80 scored best on the seed read as auto-captions (`python -m
# bench.windows`, docs/formats.md): answer 0.60 against 0.13 for single cues, 0.41 at 40 and 0.61
# at 160, where hit@1 fell from 0.80 to 0.70 (runs longer than half a passage leave no overlap).
CUE_SENTENCE_CHARS = 80
PAUSE_MS = 1000
_ENDS_SENTENCE = re.compile(r"[.?!…。？！][\"'”’)\]]*$")


@dataclass(frozen=True)
class ChunkSettings:
    """Passage size in characters and how many trailing sentences repeat in the next passage.

    The defaults scored best on the tuning split (``python -m bench.chunk_sizes``; docs/quality.md).
    """

    max_chars: int = 200
    overlap_sentences: int = 2

    def __post_init__(self) -> None:
        if self.max_chars < 20:
            raise ValueError(f"max_chars must be at least 20, got {self.max_chars}")
        if self.overlap_sentences < 0:
            raise ValueError(f"overlap_sentences must be 0 or more, got {self.overlap_sentences}")


@dataclass(frozen=True)
class Span:
    """A piece of a section's text by character offsets, ``end`` exclusive.

    Spans made of whole cues carry the cues' exact times; the seed format's carry none.
    """

    start: int
    end: int
    start_ms: int | None = None
    end_ms: int | None = None


@dataclass(frozen=True)
class Passage:
    id: str
    video_id: str
    section: int
    section_summary: str | None
    start_ms: int
    end_ms: int
    estimated: bool
    text: str
    # Sentence offsets inside ``text``, so answers can point at a sentence without re-splitting.
    sentences: tuple[Span, ...]


def embedding_text(passage: Passage) -> str:
    """What a passage's vector is computed from: its section's summary, then its own text.

    The summary names the topic a passage of run-on speech only circles around; on the tuning split
    it lifted dense hit@1 from 0.788 to 0.848 and the first hit's section from 0.879 to 0.909.
    """
    if passage.section_summary:
        return f"{passage.section_summary}. {passage.text}"
    return passage.text


def squash_text(text: str) -> str:
    """Whitespace runs as one space: evidence and passages compare alike however lines wrapped."""
    return " ".join(text.split())


def split_sentences(text: str, max_chars: int) -> list[Span]:
    """Sentence spans covering every non-space character of ``text``; none longer than ``max_chars``."""
    spans: list[Span] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if m.group() == "." and _abbreviated(text, m.end()):
            continue
        spans.extend(_trimmed(text, start, m.end(), max_chars))
        start = m.end()
    spans.extend(_trimmed(text, start, len(text), max_chars))
    return spans


def _abbreviated(text: str, end: int) -> bool:
    """Whether the period before ``end`` closes a title or an initial rather than a sentence."""
    head = text[max(0, end - 6) : end]
    return bool(_TITLE.search(head) or (_INITIAL.search(head) and _AFTER_INITIAL.match(text, end)))


def _trimmed(text: str, start: int, end: int, max_chars: int) -> list[Span]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    out: list[Span] = []
    # Run-on speech can go on for hundreds of characters without a period: cut at a space.
    while end - start > max_chars:
        lo, hi = start + max_chars // 2, start + max_chars
        cut = text.rfind(" ", lo, hi)
        if cut <= start:
            # Japanese and Chinese have no spaces: cut after a comma where there is one.
            cut = max(text.rfind("、", lo, hi), text.rfind("，", lo, hi)) + 1
        cut = cut if cut > start else start + max_chars
        out.append(Span(start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append(Span(start, end))
    return out


def cue_sentences(cues: tuple[Cue, ...], text: str, max_chars: int) -> list[Span]:
    """Runs of whole cues, each with the first cue's start and the last one's end."""
    spans: list[Span] = []
    run: list[Cue] = []
    for i, cue in enumerate(cues):
        if run and cue.end - run[0].start > max_chars:
            spans.append(Span(run[0].start, run[-1].end, run[0].start_ms, run[-1].end_ms))
            run = []
        run.append(cue)
        following = cues[i + 1] if i + 1 < len(cues) else None
        if (
            following is None
            or (_ENDS_SENTENCE.search(text[cue.start : cue.end]) and not _abbreviated(text, cue.end))
            or following.start_ms - cue.end_ms >= PAUSE_MS
            or cue.end - run[0].start >= CUE_SENTENCE_CHARS
        ):
            spans.append(Span(run[0].start, run[-1].end, run[0].start_ms, run[-1].end_ms))
            run = []
    return spans


def section_sentences(section: Section, max_chars: int) -> list[Span]:
    """The sentences passages are made of: runs of cues where there are cues, else sentence marks."""
    if section.cues:
        return cue_sentences(section.cues, section.text, max_chars)
    return split_sentences(section.text, max_chars)


def chunk_section(video_id: str, section: Section, settings: ChunkSettings) -> list[Passage]:
    sentences = section_sentences(section, settings.max_chars)
    groups: list[list[Span]] = []
    i = 0
    while i < len(sentences):
        group = [sentences[i]]
        j = i + 1
        while j < len(sentences) and sentences[j].end - group[0].start <= settings.max_chars:
            group.append(sentences[j])
            j += 1
        groups.append(group)
        if j >= len(sentences):
            break
        # Step back for overlap, but always move forward by at least one sentence.
        i = max(j - settings.overlap_sentences, i + 1)
    return [_passage(video_id, section, group) for group in groups]


def _passage(video_id: str, section: Section, group: list[Span]) -> Passage:
    a, b = group[0].start, group[-1].end
    text = section.text[a:b]
    first, last = group[0], group[-1]
    timed = first.start_ms is not None and last.end_ms is not None
    start_ms = first.start_ms if first.start_ms is not None else _interpolate(section, a)
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return Passage(
        id=f"{video_id}:{start_ms}:{digest}",
        video_id=video_id,
        section=section.number,
        section_summary=section.summary,
        start_ms=start_ms,
        end_ms=last.end_ms if last.end_ms is not None else _interpolate(section, b),
        estimated=not timed and a > 0,
        text=text,
        sentences=tuple(Span(s.start - a, s.end - a, s.start_ms, s.end_ms) for s in group),
    )


def _interpolate(section: Section, offset: int) -> int:
    length = len(section.text)
    span = section.end_ms - section.start_ms
    return section.start_ms + (span * offset) // length if length else section.start_ms


def time_at(passage: Passage, offset: int) -> int:
    """Time of a character offset inside a passage: exact at the start and end of a timed
    sentence (a run of cues), interpolated by character position elsewhere."""
    for s in passage.sentences:
        if s.start_ms is None or s.end_ms is None:
            break
        if offset <= s.start:
            return s.start_ms
        if offset <= s.end:
            return s.start_ms + (s.end_ms - s.start_ms) * (offset - s.start) // (s.end - s.start)
    else:
        if passage.sentences:
            return passage.end_ms
    length = len(passage.text)
    span = passage.end_ms - passage.start_ms
    return passage.start_ms + (span * offset) // length if length else passage.start_ms


def estimated_at(passage: Passage, offset: int) -> bool:
    """Whether ``time_at(passage, offset)`` is an estimate rather than a time the transcript gives."""
    if offset == 0:
        return passage.estimated
    return not any(s.start == offset and s.start_ms is not None for s in passage.sentences)


INFO_SECTION = -1
INFO_SUMMARY = "영상 정보"


def info_passage(seed: Seed) -> Passage:
    """The video's own facts (channel, date, length, counts) as a passage, so they can be asked."""
    v = seed.video
    lines = [f"{INFO_TITLE}: {v.title}", *(f"{key}: {value}" for key, value in v.info.items())]
    text = f"{INFO_SUMMARY}\n" + "\n".join(lines)
    # One sentence per line: "How many followers does the channel have?" matches the line
    # "팔로워 수: 72,100" far better than the whole block with its long title.
    spans, start = [], len(INFO_SUMMARY) + 1
    for line in lines:
        spans.append(Span(start, start + len(line)))
        start += len(line) + 1
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    return Passage(
        id=f"{v.video_id}:info:{digest}",
        video_id=v.video_id,
        section=INFO_SECTION,
        section_summary=INFO_SUMMARY,
        start_ms=0,
        end_ms=0,
        estimated=False,
        text=text,
        sentences=tuple(spans),
    )


def chunk_seed(seed: Seed, settings: ChunkSettings) -> list[Passage]:
    """The info passage, then every section's passages in time order."""
    passages: list[Passage] = [info_passage(seed)]
    for section in seed.sections:
        passages.extend(chunk_section(seed.video.video_id, section, settings))
    return passages
