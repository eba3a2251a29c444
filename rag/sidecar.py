"""yt-dlp's ``<stem>.info.json``: the video's metadata and chapters, beside a transcript.

``yt-dlp --write-info-json`` writes it; only the fields below are read, and a bad value is
reported by its JSON path.  Its facts go into the video's info under the seed format's Korean
keys, so the "영상 정보" passage answers the same questions for every kind of transcript.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import SeedError
from rag.jsonfile import Node, load_json, milliseconds
from rag.timed import Chapter
from rag.video import (
    INFO_CHANNEL,
    INFO_FOLLOWERS,
    INFO_LENGTH,
    INFO_LIKES,
    INFO_UPLOADED,
    INFO_URL,
    INFO_VIEWS,
)
from rag.weburl import is_web_url

SIDECAR_SUFFIX = ".info.json"
_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# yt-dlp's count fields and the seed format's names for them, in the seed's order.
_COUNTS = (("channel_follower_count", INFO_FOLLOWERS), ("like_count", INFO_LIKES), ("view_count", INFO_VIEWS))


@dataclass(frozen=True)
class Sidecar:
    video_id: str
    title: str | None
    channel: str | None
    upload_date: str | None  # YYYY-MM-DD
    duration_ms: int | None
    url: str | None
    chapters: tuple[Chapter, ...] = ()
    info: dict[str, str] = field(default_factory=dict)
    # What was read but set aside (a webpage_url that is no web address): said, not refused.
    warnings: tuple[SeedError, ...] = ()


def id_problem(video_id: str) -> str | None:
    """Why ``video_id`` cannot name a video, or None.

    Every link to a video is ``/videos/<id>`` (its page, its transcript), one path segment: a
    ``/``, even percent-encoded, is decoded before routing and splits it, and ``.`` or ``..`` are
    steps of the path that browsers and HTTP clients resolve away.  Control characters are no
    site's ids and would garble the logs and terminals that print them.  Anything else (spaces,
    ``%&<>``, Hangul, ``\\``) is carried by the links, percent-encoded.
    """
    shown = json.dumps(video_id, ensure_ascii=False)
    if "/" in video_id:
        return f'the video id {shown} contains "/", which breaks every link to the video (/videos/<id>)'
    if video_id in (".", ".."):
        return f"the video id {shown} is a relative path step, which breaks every link to the video (/videos/<id>)"
    control = next((c for c in video_id if unicodedata.category(c) == "Cc"), None)
    if control is not None:
        return f"the video id {shown} contains a control character (U+{ord(control):04X})"
    return None


def korean_length(ms: int) -> str:
    """A video length as the seed format writes it: ``18분 27초``, ``1시간 2분 3초``."""
    hours, rest = divmod(round(ms / 1000), 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{hours}시간"] if hours else []
    parts += [f"{minutes}분"] if minutes or hours else []
    return " ".join([*parts, f"{seconds}초"])


def read_sidecar(raw: bytes, path: Path) -> Sidecar:
    doc = load_json(raw, path)
    if not isinstance(doc.value, dict):
        raise doc.expected("an object")
    video_id = doc.get("id").text().strip()
    if not video_id:
        raise doc.get("id").error("the video id is empty")
    if problem := id_problem(video_id):
        raise doc.get("id").error(problem)
    title = doc.get("title").optional_text()
    channel = doc.get("channel" if doc.has("channel") else "uploader").optional_text()
    upload_date = _date(doc.get("upload_date"))
    duration = milliseconds(doc.get("duration").seconds()) if doc.has("duration") else None
    url, warnings = _web_url(doc.get("webpage_url"))
    info: dict[str, str] = {}
    if channel:
        info[INFO_CHANNEL] = channel
    for key, name in _COUNTS:
        # null: yt-dlp could not read it (a hidden like count), as if it were left out.
        if doc.has(key) and doc.get(key).value is not None:
            info[name] = f"{doc.get(key).count():,}"
    if upload_date:
        info[INFO_UPLOADED] = upload_date
    if duration:
        info[INFO_LENGTH] = korean_length(duration)
    if url:
        info[INFO_URL] = url
    chapters, dropped = _chapters(doc.get("chapters")) if doc.has("chapters") else ((), ())
    warnings += dropped
    return Sidecar(video_id, title, channel, upload_date, duration, url, chapters, info, warnings)


def _web_url(node: Node) -> tuple[str | None, tuple[SeedError, ...]]:
    """An http(s) address, or None with a warning for anything else (``javascript:…``, a path).

    The URL goes out as is to the API's ``url``, the page's links and MCP clients, where another
    scheme would run or open whatever it names.  Set aside, the video is linked as one without a
    URL; its transcript is still worth indexing, so the file is warned of rather than refused.
    """
    text = node.optional_text()
    if text is None or not text.strip():
        return None, ()
    url = text.strip()
    if is_web_url(url):
        return url, ()
    shown = json.dumps(text, ensure_ascii=False)
    return None, (
        node.error(f"expected an http(s) URL, got {shown}: the video is linked as one without a URL"),
    )


def _date(node: Node) -> str | None:
    text = node.optional_text()
    if text is None:
        return None
    m = _DATE.match(text)
    if m is None:
        raise node.expected("a date as YYYYMMDD")
    return f"{m[1]}-{m[2]}-{m[3]}"


def _chapters(node: Node) -> tuple[tuple[Chapter, ...], tuple[SeedError, ...]]:
    """The chapters, and a warning for each empty one left out (it starts where it ends)."""
    if node.value is None:
        return (), ()
    out: list[Chapter] = []
    dropped: list[SeedError] = []
    for item in node.items():
        start, end = item.get("start_time").seconds(), item.get("end_time").seconds()
        if end < start:
            raise item.get("end_time").error(f"the chapter ends at {end:g} s, before it starts ({start:g} s)")
        if out and milliseconds(start) < out[-1].start_ms:
            raise item.get("start_time").error(f"{start:g} s is before the previous chapter's start")
        if milliseconds(end) == milliseconds(start):
            dropped.append(
                item.get("end_time").error(
                    f"the chapter is empty (it starts and ends at {start:g} s): left out"
                )
            )
            continue
        title = item.get("title").optional_text() or ""
        out.append(Chapter(milliseconds(start), milliseconds(end), " ".join(title.split())))
    return tuple(out), tuple(dropped)
