"""Read WebVTT and SRT subtitles into timed lines of speech, each said once.

Files are split into cues here, by blocks of lines, so that every problem names its line and no
said line is lost or glued to another (webvtt-py, used before, glued an SRT cue without its number
into the one before and named no line).  On top come clean text and the undoing of YouTube's
rolling auto-captions.  Those show two lines at a time and scroll: each cue repeats the line before
it and adds the one being said, whose words carry inline times (``여러분<00:00:01.520><c> 안녕하세요</c>``),
followed by a 10 ms cue holding the finished line alone.  Read cue by cue, every line would
appear two or three times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Literal

from rag.cuetext import WORD_TIME, clean_cue_text
from rag.cuetime import cue_times
from rag.errors import SeedError
from rag.textfile import decode_text

Format = Literal["vtt", "srt"]
# WebVTT's line terminators: CR, LF and CRLF, and no others (U+2028 stays inside a line).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Two clock times at the start of a line in a timing line's place: a timing line with a broken
# arrow ("->", "-"), which would otherwise be read as text.  Only punctuation may stand between
# them: "1:02.33 대 1:03.10 으로 앞섰습니다" is speech.
_TIMING_LIKE = re.compile(r"\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d+\s*[^\w\s]*\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d+")
# WebVTT blocks that are no cue: comments (never read as timings or text), styles and regions.
_NOT_CUE = re.compile(r"NOTE(?:[ \t].*)?|STYLE[ \t]*|REGION[ \t]*")
_CUE_NUMBER = re.compile(r"\s*[0-9]+\s*")
# Without word times, a file rolls when most cues of two lines or more begin with the line the
# previous cue ended with.
_ROLLING_SHARE = 0.5
_FOLLOWS_TEXT = "a cue must follow a blank line (this timing line follows text)"
_NOT_SRT = "not an SRT file: expected a cue number, then a timing line first"


@dataclass(frozen=True)
class TimedLine:
    """A line of speech with the times of the cue (or segment) it was said in."""

    start_ms: int
    end_ms: int
    text: str
    # Where its cue is in the file, for messages (None for JSON).
    line: int | None = None


class SpokenLines(list[TimedLine]):
    """A transcript's lines of speech (a list, as before) and ``end_ms``, where its last cue or
    segment ends: one without text has no line, but the video still runs to its end."""

    def __init__(self, lines: Iterable[TimedLine], end_ms: int) -> None:
        super().__init__(lines)
        self.end_ms = end_ms


@dataclass(frozen=True)
class _Cue:
    start_ms: int
    end_ms: int
    line: int  # its timing line
    raw: list[str]  # payload lines with their tags (filled while the file is read)
    texts: list[str] = field(default_factory=list)  # the same lines as plain text, blank ones removed


@dataclass(frozen=True)
class _Block:
    start: int  # the index of its first line
    lines: list[str]
    # Only lines of spaces part it from the block before: WebVTT keeps those inside a cue (YouTube
    # writes one as an empty caption line), though a cue may start after one.
    soft: bool


def read_subtitles(raw: bytes, path: Path, fmt: Format) -> SpokenLines:
    """The spoken lines of a WebVTT or SRT file in time order, or a SeedError naming the line."""
    text = decode_text(raw, path)
    lines = _LINE_BREAK.split(text)
    read = _vtt_cues(lines, path) if fmt == "vtt" else _srt_cues(lines, path)
    cues = [
        replace(c, texts=[t for t in (clean_cue_text(r, fmt == "srt") for r in c.raw) if t]) for c in read
    ]
    if not cues:
        raise SeedError(str(path), None, "no cues (expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm' timing lines)")
    previous: _Cue | None = None
    for cue in cues:
        if cue.end_ms < cue.start_ms:
            raise SeedError(str(path), cue.line, f"cue ends at {_clock(cue.end_ms)}, before it starts")
        if previous is not None and cue.start_ms < previous.start_ms:
            raise SeedError(
                str(path),
                cue.line,
                f"cue starts at {_clock(cue.start_ms)}, before the cue on line {previous.line} "
                f"({_clock(previous.start_ms)})",
            )
        previous = cue
    spoken = _unrolled(cues) if _rolling(cues) else [_whole(c) for c in cues if c.texts]
    if not spoken:
        raise SeedError(str(path), None, "no text in any cue")
    return SpokenLines(spoken, max(c.end_ms for c in cues))


def _blocks(lines: list[str]) -> list[_Block]:
    """The runs of lines that are not blank; a line of spaces counts as blank."""
    blocks: list[_Block] = []
    inside = soft = False
    for i, line in enumerate(lines):
        if line.strip():
            if inside:
                blocks[-1].lines.append(line)
            else:
                blocks.append(_Block(i, [line], soft))
            inside = True
        else:
            soft = (soft or inside) and bool(line)
            inside = False
    return blocks


def _vtt_cues(lines: list[str], path: Path) -> list[_Cue]:
    # "WEBVTT" alone or followed by a space or tab and text, as the spec has it ("WEBVTTX" is not).
    if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
        raise SeedError(str(path), 1, "not a WebVTT file: expected 'WEBVTT' first")
    blocks = _blocks(lines)
    header = blocks[0]
    # A timing line ends the header even without a blank line before it, as in the spec's parser.
    if cut := next((k for k, t in enumerate(header.lines) if k and "-->" in t), None):
        blocks[1:1] = [_Block(header.start + cut, header.lines[cut:], False)]
    cues: list[_Cue] = []
    after_cue = False  # whether the block before is a cue (rather than the header or a comment)
    for block in blocks[1:]:
        b = block.lines
        not_cue = bool(_NOT_CUE.fullmatch(b[0]))
        # A cue block is an optional identifier, then the timing line; a comment is never a cue.
        timing = 0 if "-->" in b[0] and not not_cue else None
        if len(b) > 1 and "-->" in b[1] and "-->" not in b[0]:
            timing = 1
        for k, t in enumerate(b):
            if "-->" in t and k != timing and not (k == 0 and not_cue):
                raise SeedError(str(path), block.start + k + 1, _FOLLOWS_TEXT)
        if timing is not None:
            if timing and block.soft and after_cue:
                # Only spaces part it from a cue: WebVTT reads the line as that cue's text, not as
                # the next cue's identifier (which would drop a said line).
                cues[-1].raw.append(b[0])
            cues.append(_cue(b[timing], block.start + timing, "vtt", path))
            cues[-1].raw.extend(b[timing + 1 :])
            after_cue = True
        elif block.soft and not after_cue:
            continue  # more of the header or of a comment
        elif block.soft:
            _no_broken_arrow(b[:2], block.start, path)
            cues[-1].raw.extend(b)
        elif not_cue:
            after_cue = False
        else:
            # A blank line ends a cue, so this text belongs to none: refused (WebVTT is read
            # strictly), where a player would drop it without a word.
            _no_broken_arrow(b[:2], block.start, path)
            reason = f"text outside any cue (a blank line ends a cue): {b[0].strip()!r}"
            raise SeedError(str(path), block.start + 1, reason)
    return cues


def _srt_cues(lines: list[str], path: Path) -> list[_Cue]:
    blocks = _blocks(lines)
    cues: list[_Cue] = []

    def more(text: list[str]) -> None:
        """Lines with no timing line of their own: more of the cue before (SRT writers leave blank
        lines inside a cue's text, and leave out the one before a cue's number)."""
        if text and not cues:
            raise SeedError(str(path), blocks[0].start + 1, _NOT_SRT)
        if text:
            cues[-1].raw.extend(text)

    number: int | None = None  # the last cue's number, when it had one
    for n, block in enumerate(blocks):
        b, after = block.lines, blocks[n + 1 : n + 2]
        _no_broken_arrow(b[:2] if _CUE_NUMBER.fullmatch(b[0]) else b[:1], block.start, path)
        if len(b) == 1 and _CUE_NUMBER.fullmatch(b[0]) and after and "-->" in after[0].lines[0]:
            number = int(b[0])
            continue  # a cue number, a blank line, then its cue
        rest = 0  # the first line not yet given to a cue
        for k, line in enumerate(b):
            if "-->" not in line:
                continue
            if (
                k > 1
                and _CUE_NUMBER.fullmatch(b[k - 1])
                and number is not None
                and int(b[k - 1]) != number + 1
            ):
                # A number after text, right before a timing line: the next cue's number when it
                # follows the last one's (its blank line left out), else said ("100") and kept.
                more(b[rest:k])
                cues.append(_cue(line, block.start + k, "srt", path))
                rest, number = k + 1, None
                continue
            if k and _CUE_NUMBER.fullmatch(b[k - 1]):
                number = int(b[k - 1])
            elif k == 0:
                number = None
            # A timing line starts a cue at the top of a block (many files number no cue), after
            # its number there, or after a number that follows text.
            if k and not _CUE_NUMBER.fullmatch(b[k - 1]):
                if not cues:
                    raise SeedError(str(path), block.start + 1, _NOT_SRT)
                if k > 1:
                    raise SeedError(str(path), block.start + k + 1, _FOLLOWS_TEXT)
                # Not taken for the cue's label: it may as well be speech of the cue before, which
                # lost its blank line, as this cue its number.  Refused with its line rather than
                # guessed, which would either drop a said line or read a label as speech.
                reason = f"expected a cue number or a blank line before the timing line, got {b[0].strip()!r}"
                raise SeedError(str(path), block.start + 1, reason)
            more(b[rest : max(k - 1, 0)])
            cues.append(_cue(line, block.start + k, "srt", path))
            rest = k + 1
        more(b[rest:])
    return cues


def _cue(timing: str, at: int, fmt: Format, path: Path) -> _Cue:
    times = cue_times(timing, fmt == "vtt")
    if times is None:
        raise SeedError(str(path), at + 1, f"cannot read the cue timing {timing.strip()!r}")
    return _Cue(times[0], times[1], at + 1, [])


def _no_broken_arrow(lines: list[str], start: int, path: Path) -> None:
    """Refuse a line in a timing line's place that is one but for its arrow."""
    for k, text in enumerate(lines):
        if "-->" not in text and _TIMING_LIKE.match(text):
            raise SeedError(
                str(path), start + k + 1, f"a timing line without its '-->' arrow: {text.strip()!r}"
            )


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _whole(cue: _Cue) -> TimedLine:
    return TimedLine(cue.start_ms, cue.end_ms, " ".join(cue.texts), cue.line)


def _carried(before: list[str], now: list[str]) -> int:
    """How many leading lines of a cue are the lines the previous cue ended with."""
    for n in range(min(len(before), len(now)), 0, -1):
        if before[-n:] == now[:n]:
            return n
    return 0


def _rolling(cues: list[_Cue]) -> bool:
    if any(WORD_TIME.search(line) for c in cues for line in c.raw):
        return True
    multi = [(a, b) for a, b in pairwise(cues) if len(b.texts) > 1]
    return (
        bool(multi) and sum(_carried(a.texts, b.texts) > 0 for a, b in multi) / len(multi) >= _ROLLING_SHARE
    )


def _unrolled(cues: list[_Cue]) -> list[TimedLine]:
    """Each line once, at the cue that first shows it: that cue's start is when it is said.

    Only the lines a cue carries over from the one before are dropped, so a line the speaker
    really says twice in a row ("네" … "네") is kept twice.
    """
    out: list[TimedLine] = []
    before: list[str] = []
    for cue in cues:
        new = cue.texts[_carried(before, cue.texts) :]
        if new:
            out.append(TimedLine(cue.start_ms, cue.end_ms, " ".join(new), cue.line))
        before = cue.texts
    return out
