"""What every kind of transcript becomes: a video with its info, its summary table and its timed
sections (rag.seed reads the seed format into these, rag.sources the others).

The info labels are the seed format's own ("- 조회수: 22,868"); a sidecar's metadata is written
under the same labels (rag.sidecar), and the video's info passage shows them (rag.chunking).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import SeedError
from rag.timed import Chapter, Cue

INFO_CHANNEL = "채널명"
INFO_UPLOADED = "업로드 날짜"
INFO_LENGTH = "영상 길이"
INFO_URL = "다시보기"
INFO_FOLLOWERS = "팔로워 수"
INFO_LIKES = "좋아요 수"
INFO_VIEWS = "조회수"
# The info passage's first line (rag.chunking.info_passage), before the seed's own info lines.
INFO_TITLE = "제목"


@dataclass(frozen=True)
class TableRow:
    """One row of the summary table: where a part of the video starts and what it says."""

    start_ms: int
    summary: str
    line: int


@dataclass(frozen=True)
class Section:
    """A stretch of script between two timestamps; ``number`` 0 is the part before ``2.1.``.

    ``cues`` is empty for the seed format (times inside are interpolated) and covers the whole
    text, in order, for subtitles and speech-to-text (times inside are exact).
    """

    number: int
    start_ms: int
    end_ms: int
    summary: str | None
    text: str
    line: int
    cues: tuple[Cue, ...] = ()


@dataclass(frozen=True)
class Video:
    video_id: str
    title: str
    summary: str
    channel: str | None
    upload_date: str | None
    duration_ms: int
    url: str
    info: dict[str, str] = field(default_factory=dict)
    chapters: tuple[Chapter, ...] = ()


@dataclass(frozen=True)
class Seed:
    """A parsed transcript: ``sha256`` is of the file's bytes (and its sidecar's, when it has one),
    so any edit is a new seed."""

    path: Path
    sha256: str
    video: Video
    table: tuple[TableRow, ...]
    sections: tuple[Section, ...]
    # What was read but looks wrong (a table row with no marker in the script): said, not refused.
    warnings: tuple[SeedError, ...] = ()
