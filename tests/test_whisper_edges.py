"""Speech-to-text JSON whose segments say nothing: kept as empty segments, and counted in the length."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import SeedError
from rag.subtitles import TimedLine
from rag.whisper import read_whisper


def test_a_segment_with_null_text_is_an_empty_segment() -> None:
    text = '{"segments": [{"start": 0, "end": 1, "text": " 안녕"}, {"start": 1, "end": 2, "text": null}]}'
    lines = read_whisper(text.encode(), Path("w.json"))
    assert lines == [TimedLine(0, 1000, "안녕")] and lines.end_ms == 2000
    with pytest.raises(SeedError) as info:
        read_whisper(b'{"segments": [{"start": 0, "end": 1, "text": null}]}', Path("w.json"))
    assert str(info.value) == "w.json: no text in any segment"


def test_a_last_segment_without_text_still_ends_the_video() -> None:
    text = '{"segments": [{"start": 0, "end": 5, "text": "끝까지"}, {"start": 5, "end": 7, "text": ""}]}'
    lines = read_whisper(text.encode(), Path("w.json"))
    assert lines == [TimedLine(0, 5000, "끝까지")] and lines.end_ms == 7000


def test_the_video_runs_to_its_last_segment_said_or_not(tmp_path: Path) -> None:
    from rag.sources import Source, read_source

    path = tmp_path / "talk.json"
    path.write_text(
        '{"segments": [{"start": 0, "end": 5, "text": "끝까지"}, {"start": 5, "end": 7, "text": ""}]}',
        encoding="utf-8",
    )
    assert read_source(Source(path)).video.duration_ms == 7000
