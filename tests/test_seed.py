import re
from itertools import pairwise
from pathlib import Path

import pytest

from rag.errors import SeedError
from rag.seed import parse_seed, read_seed
from rag.video import Seed
from rag.weburl import video_id_from_url
from tests.conftest import SEED, VIDEO_ID


def parse(text: str, name: str = "t.txt") -> Seed:
    return parse_seed(text.encode("utf-8"), Path(name))


def error_of(text: str) -> str:
    with pytest.raises(SeedError) as info:
        parse(text)
    return str(info.value)


def test_real_seed_video_info() -> None:
    seed = read_seed(SEED)
    v = seed.video
    assert v.video_id == VIDEO_ID
    assert v.title.startswith("[지식뉴스 EP.19] 시작된 ‘AI 종속 전쟁’")
    assert v.channel == "교양이를 부탁해"
    assert v.upload_date == "2025-03-26"
    assert v.duration_ms == 1_107_000
    assert v.url == "https://www.youtube.com/watch?v=PR3c4Q63rOs"
    assert v.info["조회수"] == "22,868"
    assert len(seed.table) == 8
    assert seed.table[0].start_ms == 672_000 and seed.table[0].line == 5


def test_real_seed_sections() -> None:
    sections = read_seed(SEED).sections
    assert [s.number for s in sections] == list(range(9))
    assert [(s.start_ms, s.end_ms) for s in sections[:2]] == [(0, 672_000), (672_000, 723_000)]
    assert sections[-1].end_ms == 1_107_000
    assert sections[0].summary is None
    assert sections[4].summary is not None and sections[4].summary.startswith("일본 정부는 엔비디아 GPU")
    assert "1,041억 엔" in sections[4].text
    assert sections[0].text.startswith("손정 회장은 지금 세상을 바꾸고 싶어 하고")
    assert sections[8].text.startswith("자, 오늘 교양이 부탁해는 여기까지입니다")
    for a, b in pairwise(sections):
        assert a.end_ms == b.start_ms


def test_crlf_bom_blank_lines_and_trailing_spaces(seed_text: str) -> None:
    messy = "\ufeff\n" + "\r\n".join(line + "  " for line in seed_text.splitlines()).replace(
        "2. 스크립트", "\r\n2. 스크립트\r\n"
    )
    clean, dirty = read_seed(SEED), parse(messy)
    assert dirty.video == clean.video

    # Lines shift by the inserted blank lines; everything else is identical.
    def key(seed: Seed) -> list[tuple[object, ...]]:
        return [(s.number, s.start_ms, s.end_ms, s.summary, s.text) for s in seed.sections]

    assert key(dirty) == key(clean)


def test_hour_timestamps(seed_text: str) -> None:
    text = seed_text.replace("17:34 |", "1:01:00 |").replace("18분 27초", "1시간 5분")
    seed = parse(text)
    assert seed.table[-1].start_ms == 3_660_000
    assert seed.sections[-1].end_ms == 3_900_000


def test_first_row_at_zero_merges_intro_into_part_one(seed_text: str) -> None:
    seed = parse(seed_text.replace("11:12 |", "00:00 |"))
    first = seed.sections[0]
    assert (first.number, first.start_ms) == (1, 0)
    assert first.text.startswith("손정 회장은") and "어쨌든 손정희 회장은" in first.text


def test_rejects_missing_table(seed_text: str) -> None:
    text = seed_text.replace("시간 | 요약 |", "time | summary |")
    assert (
        error_of(text)
        == "t.txt: no timestamp table (expected a '시간 | 요약 |' header line); a transcript without one needs its times, as SRT, WebVTT or speech-to-text JSON"
    )


def test_rejects_marker_without_row(seed_text: str) -> None:
    text = seed_text.replace("2.8. 일본의 AI", "2.9. 일본의 AI")
    assert error_of(text) == "t.txt:47: marker 2.9. has no row 9 in the timestamp table (8 rows)"


def test_rejects_timestamps_out_of_order(seed_text: str) -> None:
    text = seed_text.replace("12:34 |", "12:00 |")
    assert error_of(text) == "t.txt:7: timestamp 12:00 is not after 12:03 on line 6"


def test_rejects_timestamp_past_length(seed_text: str) -> None:
    text = seed_text.replace("17:34 |", "18:30 |")
    assert error_of(text) == "t.txt:12: timestamp 18:30 is past the video length 18:27"


def test_rejects_bad_timestamp(seed_text: str) -> None:
    text = seed_text.replace("12:03 |", "12:3x |")
    assert (
        error_of(text)
        == "t.txt:6: not a table row (expected 'MM:SS | summary |'): '12:3x | 손정의는 일본이 AI 기술 패권을 미중에 따라잡기 위해 노력해야 한다고 주장하며, 늦었다는 이야기를 더 이상 하고 싶지 않다고 언급함. |'"
    )


def test_rejects_empty_script(seed_text: str) -> None:
    head, _, rest = seed_text.partition("2. 스크립트\n")
    _, _, info = rest.partition("3. 영상정보")
    assert error_of(head + "2. 스크립트\n\n3. 영상정보" + info) == (
        "t.txt:13: empty script: no text after '2. 스크립트'"
    )


def test_rejects_missing_script_header(seed_text: str) -> None:
    text = seed_text.replace("2. 스크립트", "스크립트")
    assert error_of(text) == "t.txt: no script (expected a '2. 스크립트' line after the table)"


def test_rejects_duplicate_and_backwards_markers(seed_text: str) -> None:
    dup = seed_text.replace("2.5. 일본 국민들은", "2.4. 일본 국민들은")
    assert error_of(dup) == "t.txt:38: duplicate marker 2.4. (first on line 33)"
    back = seed_text.replace("2.3. 손정의는", "2.9. x").replace("2.5. 일본 국민들은", "2.3. 일본")
    assert error_of(back).startswith("t.txt:30: marker 2.9. has no row 9")


def test_rejects_missing_url_and_length(seed_text: str) -> None:
    no_url = seed_text.replace("- 다시보기: https://www.youtube.com/watch?v=PR3c4Q63rOs", "")
    assert error_of(no_url) == "t.txt:50: no video URL ('- 다시보기:' line)"
    bad_url = seed_text.replace("watch?v=PR3c4Q63rOs", "playlist")
    assert error_of(bad_url) == "t.txt:57: cannot find the video id in URL 'https://www.youtube.com/playlist'"
    bad_length = seed_text.replace("18분 27초", "long")
    assert error_of(bad_length) == ("t.txt:56: bad video length 'long': expected e.g. '18분 27초' or '18:27'")


def test_rejects_unreadable_and_undecodable(tmp_path: Path) -> None:
    with pytest.raises(SeedError) as info:
        read_seed(tmp_path / "missing.txt")
    assert str(info.value) == f"{tmp_path / 'missing.txt'}: cannot read file: No such file or directory"
    with pytest.raises(SeedError) as info:
        parse_seed(b"title\n\xff\xfe broken", Path("bin.txt"))
    assert str(info.value) == "bin.txt:2: not valid UTF-8 (nor CP949/EUC-KR) text"
    assert error_of("\n \n") == "t.txt: file is empty"


@pytest.mark.parametrize(
    ("url", "vid"),
    [
        ("https://www.youtube.com/watch?v=abc123&t=5", "abc123"),
        ("https://youtu.be/xyz789", "xyz789"),
        ("https://www.youtube.com/shorts/s1", "s1"),
        ("https://example.com/", None),
    ],
)
def test_video_id_from_url(url: str, vid: str | None) -> None:
    assert video_id_from_url(url) == vid


def test_cp949_seed_is_read(seed_text: str) -> None:
    seed = parse_seed(seed_text.replace("‘", "'").replace("’", "'").encode("cp949"), Path("k.txt"))
    assert seed.video.channel == "교양이를 부탁해" and len(seed.sections) == 9


@pytest.mark.parametrize("big_endian", [False, True])
def test_utf16_with_its_bom_is_read(seed_text: str, big_endian: bool) -> None:
    # Windows Notepad's "Unicode" (little-endian) and "Unicode big endian" both open with a BOM.
    text = seed_text.replace("\n", "\r\n")
    raw = ("\ufeff" + text).encode("utf-16-be") if big_endian else text.encode("utf-16")
    seed = parse_seed(raw, Path("u.txt"))
    assert seed.video.channel == "교양이를 부탁해" and len(seed.sections) == 9
    with pytest.raises(SeedError) as info:
        parse_seed("제목\n요약\n".encode("utf-16") + b"\x00", Path("u.txt"))
    assert str(info.value) == "u.txt:3: not valid UTF-16 text (it starts with a UTF-16 BOM)"


def test_a_markdown_table_and_full_width_colons_are_read(seed_text: str) -> None:
    # As a Markdown editor writes the table ("| 시간 | 요약 |", ":---"), and a full-width colon.
    text = re.sub(r"^(\d+:\d+ \|)", r"| \1", seed_text, flags=re.M)
    text = text.replace("시간 | 요약 |", "| 시간 | 요약 |").replace("---|---|", "|:---|---:|")
    text = text.replace("- 조회수:", "- 조회수\uff1a")
    seed = parse(text)
    assert seed.table == parse(seed_text).table and len(seed.table) == 8
    assert seed.video.info["조회수"] == parse(seed_text).video.info["조회수"]


def test_latin1_and_binary_are_rejected() -> None:
    with pytest.raises(SeedError) as info:
        parse_seed("title\ncafé\n".encode("latin-1"), Path("l.txt"))
    assert str(info.value) == "l.txt:2: not valid UTF-8 (nor CP949/EUC-KR) text"
    with pytest.raises(SeedError) as info:
        parse_seed(b"title\n\xa1\xa1 symbols only\n", Path("s.txt"))
    assert str(info.value) == "s.txt:2: not valid UTF-8 text (and no Korean when read as CP949)"
    with pytest.raises(SeedError) as info:
        parse_seed(b"title\nsum\n\x00\x01\x02", Path("b.txt"))
    assert str(info.value) == "b.txt:3: binary data (NUL byte) in a text file"


def test_windows_1252_is_not_read_as_korean() -> None:
    # Its curly apostrophe (U+2019) is a CP949 lead byte: "It\u2019s" decoded as "It뭩" before.
    with pytest.raises(SeedError) as info:
        parse_seed("title\nIt’s fine, and that’s it\n".encode("cp1252"), Path("w.txt"))
    assert str(info.value) == "w.txt:2: not valid UTF-8 text (and no Korean when read as CP949)"


def test_cp949_with_a_rare_syllable_is_read(seed_text: str) -> None:
    # 똠 lies in CP949's extension; one among thousands of common syllables is still Korean.
    text = seed_text.replace("‘", "'").replace("’", "'").replace("교양이를", "똠양이를")
    seed = parse_seed(text.encode("cp949"), Path("k.txt"))
    assert seed.video.channel == "똠양이를 부탁해"


def without_markers(text: str, *numbers: int) -> str:
    return re.sub(rf"^2\.(?:{'|'.join(map(str, numbers))})\.[^\n]*\n", "", text, flags=re.M)


def test_a_table_row_without_its_marker_is_read_and_warned_of(seed_text: str) -> None:
    assert parse(seed_text).warnings == ()
    seed = parse(without_markers(seed_text, 3))
    # Nothing is lost: the part before holds its text, at estimated times.
    assert [s.number for s in seed.sections] == [0, 1, 2, 4, 5, 6, 7, 8]
    assert [str(w) for w in seed.warnings] == [
        "t.txt:7: timestamp table row 3 (12:34) has no '2.3.' marker in the script: "
        "its text is read as part of the one before, with estimated times"
    ]
    seed = parse(without_markers(seed_text, 3, 5))
    assert [str(w) for w in seed.warnings] == [
        "t.txt:7: timestamp table rows 3 (12:34), 5 (16:08) have no markers ('2.3.', '2.5.') in the "
        "script: their text is read as part of the one before each, with estimated times"
    ]


def test_a_video_url_that_is_no_web_address_is_refused(seed_text: str) -> None:
    # It goes out as the video's link: to API and MCP clients a javascript: URL would run.
    url = "https://www.youtube.com/watch?v=PR3c4Q63rOs"
    assert url in seed_text
    bad = "javascript:alert(1)//?v=PR3c4Q63rOs"
    assert (
        error_of(seed_text.replace(url, bad)) == f"t.txt:57: the video URL {bad!r} is not an http(s) address"
    )
