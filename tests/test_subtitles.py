"""WebVTT and SRT files read into spoken lines: YouTube's rolling auto-captions said once, bad cues
reported by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import SeedError
from rag.subtitles import Format, TimedLine, read_subtitles
from tests.conftest import ROOT

FORMATS = ROOT / "tests" / "data" / "formats"
ROLLING = FORMATS / "Xq7LmN2pR4s.ko.vtt"
SRT = FORMATS / "haenyeo_talk.srt"


def read(text: str, fmt: Format = "vtt", encoding: str = "utf-8") -> list[TimedLine]:
    return read_subtitles(text.encode(encoding), Path(f"t.{fmt}"), fmt)


def error_of(text: str, fmt: Format = "vtt") -> str:
    with pytest.raises(SeedError) as info:
        read(text, fmt)
    return str(info.value)


def test_rolling_auto_captions_say_each_line_once_at_its_own_start() -> None:
    lines = read_subtitles(ROLLING.read_bytes(), ROLLING, "vtt")
    texts = [line.text for line in lines]
    # 36 spoken lines, 72 cues: each line is shown in three cues (growing, alone, then on top).
    assert len(texts) == 36 and len(set(texts)) == 36
    assert ROLLING.read_text(encoding="utf-8").count("2027년") == 3
    assert texts[:2] == ["안녕하세요 여러분 오늘은", "전기차 폐배터리 재활용 이야기를 해 보겠습니다"]
    assert not any("<" in t or "  " in t for t in texts)  # word times and <c> tags are gone
    at = texts.index("2027년 상반기에 완공될 예정입니다")
    # The cue that first shows the line (line 213: 00:01:41.839, its words timed inline) is when it
    # is said; the next cue (10 ms) and the one after (on top) only show it again.
    assert (lines[at].start_ms, lines[at].end_ms, lines[at].line) == (101_839, 105_950, 213)
    starts = [line.start_ms for line in lines]
    assert starts == sorted(starts) and starts[0] == 160


ROLL = """WEBVTT
Kind: captions
Language: ko

00:00:00.000 --> 00:00:01.990 align:start position:0%
␠
네<00:00:00.500><c> 맞습니다</c>

00:00:01.990 --> 00:00:02.000 align:start position:0%
네 맞습니다
␠

00:00:02.000 --> 00:00:03.990 align:start position:0%
네 맞습니다
네 맞습니다<00:00:02.500><c> 정말로</c>

00:00:03.990 --> 00:00:04.000 align:start position:0%
네 맞습니다 정말로
␠

00:00:04.000 --> 00:00:05.000 align:start position:0%
네 맞습니다 정말로
네
""".replace("␠", " ")  # YouTube leaves a lone space on the empty line


def test_a_line_said_again_is_kept_only_what_is_carried_over_is_dropped() -> None:
    assert [(line.start_ms, line.text) for line in read(ROLL)] == [
        (0, "네 맞습니다"),
        (2000, "네 맞습니다 정말로"),
        (4000, "네"),
    ]


def test_rolling_captions_without_word_times_are_recognised() -> None:
    text = "WEBVTT\n\n" + "\n\n".join(
        f"00:00:0{i}.000 --> 00:00:0{i + 1}.000\n{a}\n{b}"
        for i, (a, b) in enumerate([("하나", "둘"), ("둘", "셋"), ("셋", "넷")])
    )
    assert [line.text for line in read(text)] == ["하나 둘", "셋", "넷"]


def test_manual_webvtt_with_identifiers_comments_styles_and_tags() -> None:
    text = """WEBVTT - 강연 자막

STYLE
::cue { color: yellow }

NOTE 검수: 2025-09-14

intro
00:01.000 --> 00:04.500 line:0 align:center
<v 진행자>안녕하세요 &amp; 반갑습니다.</v>
<b>오늘의</b> 주제는 &lt;해녀&gt;입니다.

2
00:00:05.000 --> 00:00:07.000
네 그렇습니다.
"""
    assert read(text) == [
        TimedLine(1000, 4500, "안녕하세요 & 반갑습니다. 오늘의 주제는 <해녀>입니다.", 9),
        TimedLine(5000, 7000, "네 그렇습니다.", 14),
    ]


def test_srt_with_bom_crlf_and_tags() -> None:
    lines = read_subtitles(SRT.read_bytes(), SRT, "srt")
    assert SRT.read_bytes().startswith(b"\xef\xbb\xbf1\r\n")
    assert len(lines) == 20 and lines[0] == TimedLine(
        1200, 5560, "안녕하세요. 오늘은 제주 해녀 이야기를 들려드리겠습니다.", 2
    )
    assert lines[10].text == "그래서 제주도는 2008년부터 해녀학교를 운영하고 있습니다."  # {\an8} gone
    assert lines[12].text == "바다에는 불턱이라는 쉼터가 있는데,"  # <i> gone


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_angle_brackets_that_are_no_tag_are_said_text(fmt: Format) -> None:
    cue = (
        '<i>수익률이</i> <5% 이면 손실이고 >10% 이면 <font color="red">이익</font>입니다.\n'
        "조건은 a<b 그리고 b>c, <3 그리고 <c.yellow><v.loud 사회자>1 <= 2</v></c> <lang en>OK</lang><br/>"
        '<span style="color:red">끝</span>\n'
    )
    text = f"1\n00:00:01,000 --> 00:00:04,000\n{cue}"
    if fmt == "vtt":
        text = f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{cue}"
    assert [line.text for line in read(text, fmt)] == [
        "수익률이 <5% 이면 손실이고 >10% 이면 이익입니다. 조건은 a<b 그리고 b>c, <3 그리고 1 <= 2 OK 끝"
    ]


def test_srt_blank_lines_before_the_first_cue_and_spaces_after_its_number() -> None:
    text = "\n\n1 \n00:00:01,000 --> 00:00:02,000 \n안녕\n\n2\n00:00:03,000 --> 00:00:04,000\n끝\n"
    assert read(text, "srt") == [TimedLine(1000, 2000, "안녕", 4), TimedLine(3000, 4000, "끝", 8)]
    late = "\n\n1\n00:00:01,000 --> 00:00:02,000\n안녕\n\n2\n00:00:05,000 --> 00:00:06,000\n끝\n\n3\n00:00:03,000 --> 00:00:04,000\n늦음\n"
    assert (
        error_of(late, "srt")
        == "t.srt:12: cue starts at 00:00:03.000, before the cue on line 8 (00:00:05.000)"
    )


def test_a_broken_arrow_in_the_first_cue_is_named_as_such() -> None:
    text = "1\n00:00:01,000 -> 00:00:02,000\n안녕\n"
    assert (
        error_of(text, "srt")
        == "t.srt:2: a timing line without its '-->' arrow: '00:00:01,000 -> 00:00:02,000'"
    )


def test_substation_line_breaks_left_in_an_srt_are_spaces() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}첫 줄\\N둘째 줄, 경로는 C:\\new\n"
    assert [line.text for line in read(text, "srt")] == ["첫 줄 둘째 줄, 경로는 C:\\new"]


def test_an_empty_srt_cue_is_skipped_and_the_rest_keep_their_lines() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n안녕\n\n2\n00:00:03,000 --> 00:00:04,000\n\n3\n00:00:05,000 --> 00:00:06,000\n끝\n"
    assert read(text, "srt") == [TimedLine(1000, 2000, "안녕", 2), TimedLine(5000, 6000, "끝", 9)]
    # An empty last cue still runs the video to its end.
    lines = read(text + "\n4\n00:00:07,000 --> 00:00:09,000\n\n", "srt")
    assert [line.text for line in lines] == ["안녕", "끝"] and lines.end_ms == 9000


def test_srt_cues_without_their_number_are_cues() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\n첫째\n\n2\n00:00:03,000 --> 00:00:04,000\n둘째\n\n"
        "00:00:05,000 --> 00:00:06,000\n번호 빠짐\n\n4\n00:00:07,000 --> 00:00:08,000\n넷째\n"
    )
    assert read(text, "srt") == [
        TimedLine(1000, 2000, "첫째", 2),
        TimedLine(3000, 4000, "둘째", 6),
        TimedLine(5000, 6000, "번호 빠짐", 9),
        TimedLine(7000, 8000, "넷째", 13),
    ]
    assert read("00:00:01,000 --> 00:00:02,000\n안녕\n", "srt") == [TimedLine(1000, 2000, "안녕", 1)]


def test_srt_fractions_are_fractions_of_a_second() -> None:
    text = "1\n0:00:01,5 --> 0:00:02,05\n가\n\n2\n00:00:03,500 --> 00:00:04,5009\n나\n"
    assert [(line.start_ms, line.end_ms) for line in read(text, "srt")] == [(1500, 2050), (3500, 4500)]


@pytest.mark.parametrize(
    "settings",
    [
        "align:middle",
        "position:50%,middle",
        "size:80",
        "line:abc",
        "foo:bar",
        "X-foo",
        "align:sideways line:0",
    ],
)
def test_cue_settings_are_ignored_whatever_they_say(settings: str) -> None:
    text = f"WEBVTT\n\n00:00:01.000 --> 00:00:02.000 {settings}\n안녕\n"
    assert read(text) == [TimedLine(1000, 2000, "안녕", 3)]


def test_a_line_of_spaces_ends_a_webvtt_cue_where_a_cue_follows() -> None:
    text = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n안녕\n \n00:00:03.000 --> 00:00:04.000\n끝\n\t\n"
    assert read(text) == [TimedLine(1000, 2000, "안녕", 3), TimedLine(3000, 4000, "끝", 6)]


def test_clock_times_in_cue_text_and_comments_are_no_timing_lines() -> None:
    said = "1:02.33 대 1:03.10 으로 앞섰습니다."
    vtt = f"WEBVTT\n\nNOTE\n00:05.000 - 00:07.000 구간 번역 확인 필요\n\n00:00:01.000 --> 00:00:02.000\n{said}\n"
    assert read(vtt) == [TimedLine(1000, 2000, said, 6)]
    srt = f"1\n00:00:01,000 --> 00:00:02,000\n{said}\n\n{said}\n"
    assert read(srt, "srt") == [TimedLine(1000, 2000, f"{said} {said}", 2)]


def test_cp949_subtitles_are_read() -> None:
    assert read("1\n00:00:01,000 --> 00:00:02,000\n안녕하세요\n", "srt", "cp949")[0].text == "안녕하세요"


GOOD = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n안녕\n\n"


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        ("vtt", GOOD + "00:00:03.000 --> 00:00:0x.000\n나쁜 줄\n", "t.vtt:6: cannot read the cue timing '00:00:03.000 --> 00:00:0x.000'"),
        ("vtt", GOOD + "00:00:03.000 --> 00:00:04.000\n첫줄\n\n이어지는 둘째 줄\n\n00:00:05.000 --> 00:00:06.000\n셋\n", "t.vtt:9: text outside any cue (a blank line ends a cue): '이어지는 둘째 줄'"),
        ("vtt", "WEBVTT\n\n안녕\n\n00:00:01.000 --> 00:00:02.000\n끝\n", "t.vtt:3: text outside any cue (a blank line ends a cue): '안녕'"),
        ("vtt", GOOD[:-1] + "00:00:03.000 --> 00:00:04.000\n붙은 줄\n", "t.vtt:5: a cue must follow a blank line (this timing line follows text)"),
        ("vtt", GOOD + "00:00:03.000 - 00:00:04.000\n화살표\n", "t.vtt:6: a timing line without its '-->' arrow: '00:00:03.000 - 00:00:04.000'"),
        ("vtt", "00:00:01.000 --> 00:00:02.000\n안녕\n", "t.vtt:1: not a WebVTT file: expected 'WEBVTT' first"),
        ("vtt", "WEBVTTX\n\n00:00:01.000 --> 00:00:02.000\n안녕\n", "t.vtt:1: not a WebVTT file: expected 'WEBVTT' first"),
        ("vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:04.000\n거꾸로\n", "t.vtt:3: cue ends at 00:00:04.000, before it starts"),
        ("vtt", "WEBVTT\n\n00:00:05.000 --> 00:00:06.000\n하나\n\n00:00:03.000 --> 00:00:04.000\n둘\n", "t.vtt:6: cue starts at 00:00:03.000, before the cue on line 3 (00:00:05.000)"),
        ("vtt", "WEBVTT\n\nNOTE 아직 비어 있음\n", "t.vtt: no cues (expected 'HH:MM:SS.mmm --> HH:MM:SS.mmm' timing lines)"),
        ("vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<c> </c>\n", "t.vtt: no text in any cue"),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\n안녕\n\n2\n00:00:03,000 -> 00:00:04,000\n화살표\n", "t.srt:6: a timing line without its '-->' arrow: '00:00:03,000 -> 00:00:04,000'"),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\n안녕\n\n2\n00:00:03,000 --> 00:00:0x,000\n나쁨\n", "t.srt:6: cannot read the cue timing '00:00:03,000 --> 00:00:0x,000'"),
        ("srt", "안녕\n00:00:01,000 --> 00:00:02,000\n", "t.srt:1: not an SRT file: expected a cue number, then a timing line first"),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\n첫째\n\n2\n00:00:03,000 --> 00:00:04,000\n둘째\n\nthree\n00:00:05,000 --> 00:00:06,000\n셋째\n", "t.srt:9: expected a cue number or a blank line before the timing line, got 'three'"),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\n첫째\n00:00:03,000 --> 00:00:04,000\n둘째\n", "t.srt:4: a cue must follow a blank line (this timing line follows text)"),
        ("srt", "1\n00:00:01,000 --> 00:00:02,000\n\x00\n", "t.srt:3: binary data (NUL byte) in a text file"),
    ],
)  # fmt: skip
def test_malformed_subtitles_name_the_line(fmt: Format, text: str, message: str) -> None:
    assert error_of(text, fmt) == message


def test_a_line_after_a_line_of_spaces_is_the_cues_text_not_the_next_ones_identifier() -> None:
    # WebVTT: a line of spaces does not end a cue, so "more" is said in the first cue.
    text = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n \nmore\n00:00:03.000 --> 00:00:04.000\nthere\n"
    assert [line.text for line in read_subtitles(text, Path("t.vtt"), "vtt")] == ["hi more", "there"]


@pytest.mark.parametrize(
    ("number", "said"),
    [("100", ["hi 100", "there"]), ("2", ["hi", "there"])],
)
def test_a_number_after_text_is_the_next_cues_only_when_it_follows_the_last(
    number: str, said: list[str]
) -> None:
    # The blank line before cue 2 left out, or a cue whose last said line is a number.
    text = f"1\n00:00:01,000 --> 00:00:02,000\nhi\n{number}\n00:00:02,500 --> 00:00:03,000\nthere\n"
    assert [line.text for line in read_subtitles(text.encode(), Path("t.srt"), "srt")] == said


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_a_ruby_reading_is_left_out_of_the_text(fmt: Format) -> None:
    # Furigana: the reading tells how to say the word above it; it is not said twice.
    cue = (
        "<ruby>半導体<rt>はんどうたい</rt></ruby>の<ruby>価格<rt>かかく</rt></ruby>は"
        "<ruby>三万<rt>さんまん</ruby>ドルです。\n"
    )
    text = f"1\n00:00:01,000 --> 00:00:04,000\n{cue}"
    if fmt == "vtt":
        text = f"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n{cue}"
    assert [line.text for line in read(text, fmt)] == ["半導体の価格は三万ドルです。"]


def test_chinese_in_gbk_is_refused_not_read_as_korean(tmp_path: Path) -> None:
    from rag.sources import Source, read_source

    # GBK's common characters fall where CP949 keeps its common syllables: "大家好" read "댕소봤".
    text = (
        "1\n00:00:01,000 --> 00:00:04,000\n大家好，今天我们来谈谈半导体。\n\n"
        "2\n00:00:05,000 --> 00:00:08,000\n日本政府提供了补贴。\n"
    )
    path = tmp_path / "zh_talk.zh-Hans.srt"
    path.write_bytes(text.encode("gbk"))
    with pytest.raises(SeedError) as info:
        read_source(Source(path))
    assert str(info.value) == f"{path}:3: not valid UTF-8 text (and no Korean when read as CP949)"
    # Korean in CP949 is still read, Hanja and all where a talk quotes a few.
    korean = "1\n00:00:01,000 --> 00:00:04,000\n반도체(半導體) 보조금은 일본 정부가 냈습니다.\n"
    path.write_bytes(korean.encode("cp949"))
    assert read_source(Source(path)).sections[0].text == "반도체(半導體) 보조금은 일본 정부가 냈습니다."


def test_a_ruby_reading_with_attributes_or_fallback_parentheses_is_left_out() -> None:
    cue = '<ruby>漢<rp>(</rp><rt class="x">kan</rt><rp>)</rp></ruby>字'
    text = f"1\n00:00:01,000 --> 00:00:04,000\n{cue}\n"
    assert [line.text for line in read(text, "srt")] == ["漢字"]
