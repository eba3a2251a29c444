"""Response bodies of the transcript route (beside api/schemas.py, which holds the others)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rag.manifest import VideoRecord
from rag.timed import Chapter
from rag.timefmt import format_clock, link_at, seconds
from rag.transcript import Segment


class SegmentOut(BaseModel):
    start: float = Field(description="seconds from the start of the video")
    end: float
    timestamp: str = Field(description="start as M:SS or H:MM:SS")
    estimated: bool = Field(
        description="true when start is interpolated inside a section; false at a section's timestamp and "
        "for subtitles and speech-to-text, whose cues give exact times"
    )
    section: str | None = Field(description="summary of the part of the video this segment is in")
    chapter: str | None = Field(
        description="title of the chapter it is in: the seed's summary row or the sidecar's chapter (null "
        "outside chapters)"
    )
    text: str
    url: str = Field(description="video URL that opens at start")

    @classmethod
    def of(cls, segment: Segment, video: VideoRecord) -> SegmentOut:
        return cls(
            start=seconds(segment.start_ms),
            end=seconds(segment.end_ms),
            timestamp=format_clock(segment.start_ms),
            estimated=segment.estimated,
            section=segment.section_summary,
            chapter=segment.section_summary,
            text=segment.text,
            url=link_at(video.url, segment.start_ms),
        )


class ChapterOut(BaseModel):
    start: float = Field(description="seconds from the start of the video")
    end: float
    title: str

    @classmethod
    def of(cls, chapter: Chapter) -> ChapterOut:
        return cls(start=seconds(chapter.start_ms), end=seconds(chapter.end_ms), title=chapter.title)


class TranscriptResponse(BaseModel):
    video_id: str
    title: str
    url: str = Field(description="the video's URL, or this server's page of the video when it has none")
    duration: float = Field(description="the video's length in seconds")
    chapters: list[ChapterOut] = Field(
        description="the seed's summary rows or the sidecar's chapters, in order"
    )
    start: float | None = Field(description="the range asked for, in seconds (null: from the beginning)")
    end: float | None = Field(description="null: to the end")
    segments: list[SegmentOut] = Field(
        description="the transcript's segments that overlap the range, in time order, none repeating another"
    )
