"""Read speech-to-text JSON: openai-whisper's and faster-whisper's
``{"language", "segments": [{"start", "end", "text"}, …]}`` with times in seconds, and whisper.cpp's
``-oj`` output, ``{"transcription": [{"offsets": {"from", "to"}, "text"}, …]}`` in milliseconds.

Other keys (tokens, probabilities, word times) are ignored; a bad value is reported by its JSON
path (``$.segments[3].end``) and bad syntax by its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from rag.errors import SeedError
from rag.jsonfile import Node, load_json, milliseconds
from rag.subtitles import SpokenLines, TimedLine

# whisper.cpp's own words for a stretch of silence: not something said.
_SILENCE = "[BLANK_AUDIO]"
# A segment that is only a bracketed sound ("[MUSIC]", "(applause)", "[ Silence ]", "(웃음)"): what
# the recogniser heard, not what was said.
_SOUND = re.compile(r"[\[(][^\[\]()]*[\])]")


def read_whisper(raw: bytes, path: Path) -> SpokenLines:
    doc = load_json(raw, path)
    if not isinstance(doc.value, dict):
        raise doc.expected('an object with "segments"')
    cpp = "segments" not in doc.value and "transcription" in doc.value
    listed = doc.get("transcription" if cpp else "segments")
    segments = listed.items()
    if not segments:
        raise listed.error("no segments")
    out: list[TimedLine] = []
    previous = 0
    end_ms = 0  # a segment without text still runs the video to its end
    for seg, start, end, start_node in _timed(segments, cpp):
        if start < previous:
            raise start_node.error(f"{_s(start)} s is before the previous segment's start ({_s(previous)} s)")
        previous = start
        end_ms = max(end_ms, end)
        text = " ".join(_text(seg).replace(_SILENCE, " ").split())
        if text and not _SOUND.fullmatch(text):
            out.append(TimedLine(start, end, text))
    if not out:
        raise SeedError(str(path), None, "no text in any segment")
    return SpokenLines(out, end_ms)


def _timed(segments: list[Node], cpp: bool) -> Iterator[tuple[Node, int, int, Node]]:
    """Each segment with its start and end in milliseconds, and the node its start came from."""
    for seg in segments:
        if cpp:
            offsets = seg.get("offsets")
            first, last = offsets.get("from"), offsets.get("to")
            start, end = first.count(), last.count()
        else:
            first, last = seg.get("start"), seg.get("end")
            start, end = milliseconds(first.seconds()), milliseconds(last.seconds())
        if end < start:
            raise last.error(f"the segment ends at {_s(end)} s, before it starts ({_s(start)} s)")
        yield seg, start, end, first


def _s(ms: int) -> str:
    return f"{ms / 1000:g}"


def _text(segment: Node) -> str:
    # "text": null says nothing was said: an empty segment, as "" is, not a reason to keep the whole
    # transcript out.  A segment with no "text" at all is still refused: it is not this format.
    if isinstance(segment.value, dict) and "text" in segment.value and segment.value["text"] is None:
        return ""
    return segment.get("text").text()
