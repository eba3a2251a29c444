import pytest

from rag.errors import RagError
from rag.timefmt import format_clock, link_at, parse_clock, parse_duration


@pytest.mark.parametrize(
    ("text", "ms"),
    [("0:00", 0), ("11:12", 672_000), ("05:07", 307_000), ("75:10", 4_510_000), ("1:02:03", 3_723_000)],
)
def test_parse_clock(text: str, ms: int) -> None:
    assert parse_clock(text) == ms


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("12:60", "bad timestamp '12:60': minutes and seconds must be below 60"),
        ("1:60:00", "bad timestamp '1:60:00': minutes and seconds must be below 60"),
        ("12.30", "bad timestamp '12.30': expected MM:SS or H:MM:SS"),
        ("", "bad timestamp '': expected MM:SS or H:MM:SS"),
    ],
)
def test_parse_clock_rejects(text: str, message: str) -> None:
    with pytest.raises(RagError) as info:
        parse_clock(text)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("ms", "text"), [(0, "0:00"), (672_999, "11:12"), (3_599_000, "59:59"), (3_600_000, "1:00:00")]
)
def test_format_clock(ms: int, text: str) -> None:
    assert format_clock(ms) == text


@pytest.mark.parametrize(
    ("text", "ms"),
    [("18분 27초", 1_107_000), ("1시간 2분", 3_720_000), ("45초", 45_000), ("18:27", 1_107_000)],
)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


def test_parse_duration_rejects() -> None:
    with pytest.raises(RagError, match="bad video length 'long'"):
        parse_duration("long")


def test_link_at_sets_whole_seconds() -> None:
    url = "https://www.youtube.com/watch?v=PR3c4Q63rOs"
    assert link_at(url, 672_999) == "https://www.youtube.com/watch?v=PR3c4Q63rOs&t=672"
    assert link_at(url + "&t=5", 1_000) == "https://www.youtube.com/watch?v=PR3c4Q63rOs&t=1"
