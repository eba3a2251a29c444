"""Read speech-to-text JSON (openai-whisper, faster-whisper, whisper.cpp's ``-oj`` converted alike):
``{"language", "segments": [{"start", "end", "text"}, …]}`` with times in seconds.

Other keys (tokens, probabilities, word times) are ignored; a bad value is reported by its JSON
path (``$.segments[3].end``) and bad syntax by its line.
"""

from __future__ import annotations

from pathlib import Path

from rag.errors import SeedError
from rag.jsonfile import load_json, milliseconds
from rag.subtitles import TimedLine


def read_whisper(raw: bytes, path: Path) -> list[TimedLine]:
    doc = load_json(raw, path)
    if not isinstance(doc.value, dict):
        raise doc.expected('an object with "segments"')
    segments = doc.get("segments").items()
    if not segments:
        raise doc.get("segments").error("no segments")
    out: list[TimedLine] = []
    previous = 0.0
    for seg in segments:
        start, end = seg.get("start").seconds(), seg.get("end").seconds()
        if end < start:
            raise seg.get("end").error(f"the segment ends at {end:g} s, before it starts ({start:g} s)")
        if start < previous:
            raise seg.get("start").error(
                f"{start:g} s is before the previous segment's start ({previous:g} s)"
            )
        previous = start
        text = " ".join(seg.get("text").text().split())
        if text:
            out.append(TimedLine(milliseconds(start), milliseconds(end), text))
    if not out:
        raise SeedError(str(path), None, "no text in any segment")
    return out
