"""Timed pieces of a video that every kind of transcript shares: cues and chapters."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cue:
    """A timed stretch of a section's text: character offsets into ``Section.text`` (``end``
    exclusive) and the exact times a subtitle or speech-to-text file gives it."""

    start: int
    end: int
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Chapter:
    """A titled part of the video: a row of the seed's table, or a chapter of a yt-dlp sidecar."""

    start_ms: int
    end_ms: int
    title: str
