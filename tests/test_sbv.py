"""YouTube Studio's SBV subtitles, as a creator downloads them for their own video."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import SeedError
from rag.sbv import read_sbv
from rag.subtitles import TimedLine

STUDIO = """0:00:00.599,0:00:04.160
>> 진행자: 안녕하세요, 오늘은
해녀 이야기를 합니다.

0:00:04.160,0:00:06.770
해녀는 <i>산소통</i> 없이 들어갑니다.

1:02:03.000,1:02:05.500
끝입니다.
"""


def test_captions_are_read_with_their_times() -> None:
    lines = read_sbv(STUDIO.encode("utf-8-sig"), Path("talk.sbv"))
    assert lines == [
        TimedLine(599, 4160, ">> 진행자: 안녕하세요, 오늘은 해녀 이야기를 합니다.", 1),
        TimedLine(4160, 6770, "해녀는 산소통 없이 들어갑니다.", 5),
        TimedLine(3_723_000, 3_725_500, "끝입니다.", 8),
    ]
    assert lines.end_ms == 3_725_500


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0:00:01.000 --> 0:00:02.000\n안녕\n", "s.sbv:1: expected a timing line 'H:MM:SS.mmm,H:MM:SS.mmm', got '0:00:01.000 --> 0:00:02.000'"),
        ("0:00:03.000,0:00:02.000\n안녕\n", "s.sbv:1: the caption ends before it starts"),
        ("0:00:05.000,0:00:06.000\n하나\n\n0:00:01.000,0:00:02.000\n둘\n", "s.sbv:4: the caption starts before the one on line 1"),
        ("\n\n", "s.sbv: no captions (expected 'H:MM:SS.mmm,H:MM:SS.mmm' timing lines)"),
    ],
)  # fmt: skip
def test_bad_sbv_names_the_line(text: str, message: str) -> None:
    with pytest.raises(SeedError) as info:
        read_sbv(text.encode(), Path("s.sbv"))
    assert str(info.value) == message


def test_an_sbv_file_is_a_video_of_the_folder(tmp_path: Path) -> None:
    from rag.sources import find_sources, read_source

    (tmp_path / "studio.sbv").write_text(STUDIO, encoding="utf-8")
    [source] = find_sources(tmp_path)
    seed = read_source(source)
    assert (seed.video.video_id, seed.video.duration_ms) == ("studio", 3_725_500)
