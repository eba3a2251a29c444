"""Read WebVTT and SRT subtitles into timed lines of speech, each said once.

The files are parsed by webvtt-py (cue blocks, timings, settings, comments, styles and tags);
this module adds what an index needs on top: where a bad cue is (webvtt-py reports none), clean
text, and the undoing of YouTube's rolling auto-captions.  Those show two lines at a time and
scroll: each cue repeats the line before it and adds the one being said, whose words carry inline
times (``여러분<00:00:01.520><c> 안녕하세요</c>``), followed by a 10 ms cue holding the finished
line alone.  Read cue by cue, every line would appear two or three times.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Literal

from rag.errors import SeedError
from rag.textfile import decode_text

Format = Literal["vtt", "srt"]
# WebVTT's line terminators, as webvtt-py splits lines: line numbers must agree with it.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# An inline word time inside a cue's text: only YouTube's auto-captions carry these.
_WORD_TIME = re.compile(r"<(?:\d+:)?\d{2}:\d{2}\.\d{3}>")
# Two clock times at the start of a line: a timing line, even when its arrow is broken ("->"),
# which the SRT reader would silently take for text of the cue before.
_TIMING_LIKE = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d+\s*\S*\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d+")
# The tags a cue's text may carry: WebVTT's (class, italic, bold, underline, ruby; voice and
# language with an annotation; word times) and SRT's (those, strike-through, font, and web
# exports' span).  Anything else between '<' and '>' is said text: "수익률이 <5% 이면 손실이고 >10%
# 이면" or "a<b 그리고 b>c", which stripping every <…> (webvtt-py's Caption.text) would cut out.
_CUE_TAG = re.compile(
    r"</?(?:c|i|b|u|s|ruby|rt)(?:\.[\w-]+)*>|<(?:v|lang)(?:\.[\w-]+)*(?:\s[^<>]*)?>|</(?:v|lang)>"
    rf"|<font\b[^<>]*>|</font>|<span\b[^<>]*>|</span>|{_WORD_TIME.pattern}",
    re.IGNORECASE,
)
# A web export's line break inside a cue: a space between the words it parts.
_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# SubStation override tags some SRT writers leave in the text ({\an8} puts a line on top).
_ASS_TAG = re.compile(r"\{\\[^}]*\}")
# SubStation's hard line break, left as text by converters from .ass ("첫 줄\N둘째 줄").  Not its
# soft "\n": a path or code said in a talk ("C:\new") holds that too.
_ASS_BREAK = re.compile(r"\\N")
# Without word times, a file rolls when most cues of two lines or more begin with the line the
# previous cue ended with.
_ROLLING_SHARE = 0.5


@dataclass(frozen=True)
class TimedLine:
    """A line of speech with the times of the cue (or segment) it was said in."""

    start_ms: int
    end_ms: int
    text: str
    # Where its cue is in the file, for messages (None for JSON).
    line: int | None = None


@dataclass(frozen=True)
class _Cue:
    start_ms: int
    end_ms: int
    raw: list[str]  # payload lines with their tags
    texts: list[str]  # the same lines as plain text, blank ones removed
    line: int


def read_subtitles(raw: bytes, path: Path, fmt: Format) -> list[TimedLine]:
    """The spoken lines of a WebVTT or SRT file in time order, or a SeedError naming the line."""
    text = decode_text(raw, path)
    lines = _LINE_BREAK.split(text)
    if lines and lines[0].startswith("\ufeff"):
        lines[0] = lines[0][1:]
    # SRT writers leave blank lines before the first cue and spaces after a cue number ("1 "):
    # webvtt-py takes either for a file that is no SRT.  Lines keep their numbers for messages.
    skipped = 0
    if fmt == "srt":
        lines = [line.rstrip() for line in lines]
        while skipped < len(lines) - 1 and not lines[skipped]:
            skipped += 1
    try:
        cues = [replace(c, line=c.line + skipped) for c in _parse(lines[skipped:], path, fmt)]
    except SeedError as exc:
        if exc.line is None or not skipped:
            raise
        raise SeedError(exc.path, exc.line + skipped, exc.reason, exc.source) from None
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
    return spoken


def _parse(lines: list[str], path: Path, fmt: Format) -> list[_Cue]:
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    # Before the library reads them: a first cue with a broken arrow would read as "no SRT file".
    for i, text in enumerate(lines):
        if "-->" not in text and _TIMING_LIKE.match(text):
            raise SeedError(str(path), i + 1, f"a timing line without its '-->' arrow: {text.strip()!r}")
    try:
        # Strict: a malformed cue is an error to report, not a line of speech silently lost.
        captions = webvtt.WebVTT.from_buffer(lines, format=fmt, strict=True).captions
    except MalformedFileError:
        expected = "'WEBVTT'" if fmt == "vtt" else "a cue number, then a timing line"
        raise SeedError(str(path), 1, f"not {_NAMES[fmt]} file: expected {expected} first") from None
    except MalformedCaptionError as exc:
        at, reason = _locate(lines, fmt) or (None, str(exc))
        raise SeedError(str(path), at, reason) from None
    timings = [i for i, text in enumerate(lines) if "-->" in text]
    if len(timings) != len(captions):
        # The SRT reader drops cues it cannot read: find the first one it dropped.
        found = _locate(lines, fmt)
        if found:
            raise SeedError(str(path), *found)
        # Empty cues are dropped too, legitimately: match the rest to their lines by their times.
        timings = _match(lines, timings, [(c.start_time, c.end_time) for c in captions], fmt)
    cues = []
    for caption, at in zip(captions, timings, strict=True):
        raw = list(caption.lines)
        texts = [_clean(t, fmt) for t in caption.raw_text.split("\n")]
        cues.append(
            _Cue(
                caption.start_time.in_milliseconds(),
                caption.end_time.in_milliseconds(),
                raw,
                [t for t in texts if t],
                at + 1,
            )
        )
    return cues


_NAMES = {"vtt": "a WebVTT", "srt": "an SRT"}


def _one(timing: str, fmt: Format) -> tuple[object, object] | None:
    """The times webvtt-py reads from a lone timing line, or None if it cannot read them."""
    import webvtt
    from webvtt.errors import MalformedCaptionError, MalformedFileError

    cue = ["WEBVTT", "", timing, "x"] if fmt == "vtt" else ["1", timing, "x"]
    try:
        captions = webvtt.WebVTT.from_buffer(cue, format=fmt, strict=True).captions
    except (MalformedCaptionError, MalformedFileError):
        return None
    return (captions[0].start_time, captions[0].end_time) if captions else None


def _locate(lines: list[str], fmt: Format) -> tuple[int, str] | None:
    """The first timing line the library cannot read, or that no blank line separates from text."""
    for i, line in enumerate(lines):
        if "-->" not in line:
            continue
        if _one(line, fmt) is None:
            return i + 1, f"cannot read the cue timing {line.strip()!r}"
        # A cue block is an optional identifier (SRT: its number), then the timing line.
        before = 0
        while before < i and lines[i - before - 1].strip():
            before += 1
        if fmt == "vtt" and before > 1:
            return i + 1, "a cue must follow a blank line (this timing line follows text)"
    return None


def _match(
    lines: list[str], timings: list[int], wanted: list[tuple[object, object]], fmt: Format
) -> list[int]:
    out: list[int] = []
    candidates = iter(timings)
    for times in wanted:
        for i in candidates:
            if _one(lines[i], fmt) == times:
                out.append(i)
                break
    return out


def _clean(text: str, fmt: Format) -> str:
    text = _CUE_TAG.sub("", _BREAK_TAG.sub(" ", text))
    if fmt == "srt":
        text = _ASS_BREAK.sub(" ", _ASS_TAG.sub("", text))
    return " ".join(html.unescape(text).split())


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
    if any(_WORD_TIME.search(line) for c in cues for line in c.raw):
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
