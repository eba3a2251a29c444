"""Read YouTube Studio's SBV subtitles (``.sbv``): a ``H:MM:SS.mmm,H:MM:SS.mmm`` line, then the
caption's lines, blocks parted by blank lines.  The format a creator downloads for their own video.
"""

from __future__ import annotations

import re
from pathlib import Path

from rag.cuetext import clean_cue_text
from rag.errors import SeedError
from rag.subtitles import SpokenLines, TimedLine
from rag.textfile import decode_text

_TIME = r"(\d+):([0-5]\d):([0-5]\d)[.,](\d{1,3})"
_TIMING = re.compile(rf"\s*{_TIME}\s*,\s*{_TIME}\s*")


def _ms(h: str, m: str, s: str, frac: str) -> int:
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(frac.ljust(3, "0"))


def read_sbv(raw: bytes, path: Path) -> SpokenLines:
    """The spoken lines of an SBV file in time order, or a SeedError naming the line."""
    lines = decode_text(raw, path).splitlines()
    spoken: list[TimedLine] = []
    end_ms = 0
    cue: tuple[int, int, int] | None = None  # start, end, line of the timing
    said: list[str] = []

    def close() -> None:
        if cue is not None and (text := " ".join(t for t in (clean_cue_text(s, True) for s in said) if t)):
            spoken.append(TimedLine(cue[0], cue[1], text, cue[2]))

    for number, line in enumerate(lines, 1):
        if not line.strip():
            close()
            cue, said = None, []
            continue
        if cue is None:
            timing = _TIMING.fullmatch(line)
            if timing is None:
                raise SeedError(
                    str(path), number, f"expected a timing line 'H:MM:SS.mmm,H:MM:SS.mmm', got {line[:40]!r}"
                )
            start, end = _ms(*timing.groups()[:4]), _ms(*timing.groups()[4:])
            if end < start:
                raise SeedError(str(path), number, "the caption ends before it starts")
            if spoken and start < spoken[-1].start_ms:
                raise SeedError(
                    str(path), number, f"the caption starts before the one on line {spoken[-1].line}"
                )
            cue, said, end_ms = (start, end, number), [], max(end_ms, end)
        else:
            said.append(line)
    close()
    if not spoken:
        raise SeedError(str(path), None, "no captions (expected 'H:MM:SS.mmm,H:MM:SS.mmm' timing lines)")
    return SpokenLines(spoken, end_ms)
