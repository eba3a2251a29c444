"""Speech-to-text JSON: segments that say nothing (kept as empty, counted in the length), and whisper.cpp's output."""

from __future__ import annotations

import json
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


def _cpp(*segments: tuple[int, int, str]) -> bytes:
    """A transcript as whisper.cpp's ``-oj`` writes it: times in "offsets" (ms) and "timestamps"."""

    def stamp(ms: int) -> str:
        return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"

    return json.dumps(
        {
            "systeminfo": "AVX = 1 | AVX2 = 1 | FMA = 1 | F16C = 1 | SSE3 = 1 | ",
            "model": {"type": "base", "multilingual": True, "vocab": 51865, "mels": 80, "ftype": 1},
            "params": {"model": "models/ggml-base.bin", "language": "ko", "translate": False},
            "result": {"language": "ko"},
            "transcription": [
                {
                    "timestamps": {"from": stamp(a), "to": stamp(b)},
                    "offsets": {"from": a, "to": b},
                    "text": text,
                }
                for a, b, text in segments
            ],
        },
        ensure_ascii=False,
        indent=2,
    ).encode()


def test_whisper_cpp_json_is_read_in_milliseconds_without_its_silence_marker() -> None:
    raw = _cpp(
        (0, 4200, " 안녕하세요."), (4200, 9000, " [BLANK_AUDIO]"), (9000, 15500, " 2분 가까이 머뭅니다.")
    )
    lines = read_whisper(raw, Path("talk.wav.json"))
    assert lines == [TimedLine(0, 4200, "안녕하세요."), TimedLine(9000, 15500, "2분 가까이 머뭅니다.")]
    assert lines.end_ms == 15500


@pytest.mark.parametrize(
    ("segments", "message"),
    [
        ([(5000, 4000, "a")], "w.json: $.transcription[0].offsets.to: the segment ends at 4 s, before it starts (5 s)"),
        ([(3000, 4000, "a"), (2500, 4000, "b")], "w.json: $.transcription[1].offsets.from: 2.5 s is before the previous segment's start (3 s)"),
        ([], "w.json: $.transcription: no segments"),
        ([(0, 1000, " [BLANK_AUDIO]")], "w.json: no text in any segment"),
    ],
)  # fmt: skip
def test_bad_whisper_cpp_json_names_the_json_path(segments: list[tuple[int, int, str]], message: str) -> None:
    with pytest.raises(SeedError) as info:
        read_whisper(_cpp(*segments), Path("w.json"))
    assert str(info.value) == message


def test_a_whisper_cpp_segment_without_offsets_is_named() -> None:
    raw = b'{"transcription": [{"timestamps": {"from": "00:00:00,000", "to": "00:00:01,000"}, "text": "a"}]}'
    with pytest.raises(SeedError) as info:
        read_whisper(raw, Path("w.json"))
    assert str(info.value) == "w.json: $.transcription[0].offsets: expected an object, got nothing"


def test_a_transcript_named_after_its_recording_is_that_video(tmp_path: Path) -> None:
    from rag.sources import find_sources, read_source

    (tmp_path / "haenyeo.mp3.json").write_bytes(
        _cpp((0, 4200, " 안녕하세요."), (4200, 9000, " 물질 이야기."))
    )
    (tmp_path / "haenyeo.info.json").write_text('{"id": "haenyeo", "title": "해녀 이야기"}', encoding="utf-8")
    [source] = find_sources(tmp_path)
    video = read_source(source).video
    assert (video.video_id, video.title, video.duration_ms) == ("haenyeo", "해녀 이야기", 9000)


def test_a_segment_that_is_only_a_sound_is_not_speech() -> None:
    text = (
        '{"segments": [{"start": 0, "end": 2, "text": " [MUSIC]"}, {"start": 2, "end": 4, "text": " (웃음)"},'
        ' {"start": 4, "end": 6, "text": " 안녕하세요 (웃음) 여러분"}, {"start": 6, "end": 8, "text": "[ Silence ]"}]}'
    )
    assert read_whisper(text.encode(), Path("w.json")) == [TimedLine(4000, 6000, "안녕하세요 (웃음) 여러분")]
