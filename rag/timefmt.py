"""Times are integer milliseconds inside; these helpers are the only place they become text."""

import re

from rag.errors import RagError

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,3}):(\d{2})$")


def parse_clock(text: str) -> int:
    """Parse ``M:SS``, ``MM:SS`` or ``H:MM:SS`` into milliseconds."""
    m = _CLOCK.match(text.strip())
    if m is None:
        raise RagError(f"bad timestamp {text!r}: expected MM:SS or H:MM:SS")
    hours, minutes, seconds = int(m[1] or 0), int(m[2]), int(m[3])
    if seconds >= 60 or (m[1] is not None and minutes >= 60):
        raise RagError(f"bad timestamp {text!r}: minutes and seconds must be below 60")
    return ((hours * 60 + minutes) * 60 + seconds) * 1000


def format_clock(ms: int) -> str:
    """Format milliseconds as ``M:SS`` below an hour, ``H:MM:SS`` from an hour on."""
    total = max(ms, 0) // 1000
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


_KO_DURATION = re.compile(r"^\s*(?:(\d+)\s*시간)?\s*(?:(\d+)\s*분)?\s*(?:(\d+)\s*초)?\s*$")


def parse_duration(text: str) -> int:
    """Parse a video length such as ``18분 27초``, ``1시간 2분`` or ``18:27`` into milliseconds."""
    if ":" in text:
        return parse_clock(text)
    m = _KO_DURATION.match(text)
    if m is None or not any(m.groups()):
        raise RagError(f"bad video length {text!r}: expected e.g. '18분 27초' or '18:27'")
    hours, minutes, seconds = (int(g or 0) for g in m.groups())
    return ((hours * 60 + minutes) * 60 + seconds) * 1000


def seconds(ms: int) -> float:
    """Milliseconds as seconds for the API (three decimals, no float noise)."""
    return round(ms / 1000, 3)


def link_at(url: str, ms: int) -> str:
    """The video URL with ``t=<whole seconds>`` set, replacing any ``t`` already there."""
    from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

    parts = urlparse(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "t"]
    query.append(("t", str(max(ms, 0) // 1000)))
    return urlunparse(parts._replace(query=urlencode(query)))
