"""Read speech-to-text JSON (openai-whisper, faster-whisper, whisper.cpp's ``-oj`` converted alike):
``{"language", "segments": [{"start", "end", "text"}, …]}`` with times in seconds.

Other keys (tokens, probabilities, word times) are ignored; a bad value is reported by its JSON
path (``$.segments[3].end``) and bad syntax by its line.
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import SeedError
from rag.jsonfile import Node, load_json, milliseconds
from rag.subtitles import SpokenLines, TimedLine


def read_whisper(raw: bytes, path: Path) -> SpokenLines:
    doc = load_json(raw, path)
    if not isinstance(doc.value, dict):
        raise doc.expected('an object with "segments"')
    segments = doc.get("segments").items()
    if not segments:
        raise doc.get("segments").error("no segments")
    out: list[TimedLine] = []
    previous = 0.0
    end_ms = 0  # a segment without text still runs the video to its end
    for seg in segments:
        start, end = seg.get("start").seconds(), seg.get("end").seconds()
        if end < start:
            raise seg.get("end").error(f"the segment ends at {end:g} s, before it starts ({start:g} s)")
        if start < previous:
            raise seg.get("start").error(
                f"{start:g} s is before the previous segment's start ({previous:g} s)"
            )
        previous = start
        end_ms = max(end_ms, milliseconds(end))
        text = " ".join(_text(seg).split())
        if text:
            out.append(TimedLine(milliseconds(start), milliseconds(end), text))
    if not out:
        raise SeedError(str(path), None, "no text in any segment")
    return SpokenLines(out, end_ms)


def _text(segment: Node) -> str:
    # "text": null says nothing was said: an empty segment, as "" is, not a reason to keep the whole
    # transcript out.  A segment with no "text" at all is still refused: it is not this format.
    if isinstance(segment.value, dict) and "text" in segment.value and segment.value["text"] is None:
        return ""
    return segment.get("text").text()
