"""SAMI subtitles (.smi), as Korean subtitle sites and players write them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import SeedError
from rag.sami import LAST_CAPTION_MS, read_sami
from rag.subtitles import TimedLine

TWO_LANGUAGES = """<SAMI>
<HEAD>
<TITLE>해녀 이야기</TITLE>
<STYLE TYPE="text/css">
<!--
P { margin-left:8pt; margin-right:8pt; margin-bottom:2pt; margin-top:2pt;
    text-align:center; font-size:20pt; font-family:arial, sans-serif; font-weight:normal; color:white; }
.ENCC { Name:English; lang:en-US; SAMIType:CC; }
.KRCC { Name:Korean; lang:ko-KR; SAMIType:CC; }
-->
</STYLE>
</HEAD>
<BODY>
<SYNC Start=1000><P Class=ENCC>Hello, everyone.
<SYNC Start=1000><P Class=KRCC>안녕하세요,<br>여러분.
<SYNC Start=3500><P Class=KRCC>&nbsp;
<SYNC Start=4000><P Class=ENCC>Haenyeo dive without air tanks.
<SYNC Start=4200><P Class=KRCC><font color="#ffff00">해녀는</font> 산소통 없이 물에 들어갑니다.
<SYNC Start=7000><P Class=KRCC>수익률이 <5% 이면 손실입니다.
</BODY>
</SAMI>
"""


def test_the_korean_captions_are_read_each_until_the_next() -> None:
    lines = read_sami(TWO_LANGUAGES.encode("cp949"), Path("talk.smi"))
    assert lines == [
        TimedLine(1000, 3500, "안녕하세요, 여러분.", 15),
        TimedLine(4200, 7000, "해녀는 산소통 없이 물에 들어갑니다.", 18),
        TimedLine(7000, 7000 + LAST_CAPTION_MS, "수익률이 <5% 이면 손실입니다.", 19),
    ]
    assert lines.end_ms == 7000 + LAST_CAPTION_MS


def test_one_language_without_classes() -> None:
    text = "<SAMI><BODY>\n<SYNC Start=0>첫 자막\n<SYNC Start=2000>&nbsp;\n<SYNC Start=2500>둘째 자막\n<SYNC Start=5000>&nbsp;</BODY></SAMI>"
    lines = read_sami(text.encode("utf-8"), Path("one.smi"))
    assert lines == [TimedLine(0, 2000, "첫 자막", 2), TimedLine(2500, 5000, "둘째 자막", 4)]
    assert lines.end_ms == 5000


def test_english_where_the_file_has_no_korean() -> None:
    text = "<SAMI><BODY><SYNC Start=0><P Class=ENCC>Hi<SYNC Start=900><P Class=JPCC>こんにちは</BODY></SAMI>"
    assert [line.text for line in read_sami(text.encode(), Path("en.smi"))] == ["Hi"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<SAMI><BODY>자막</BODY></SAMI>", "s.smi: no captions (expected '<SYNC Start=…>' tags)"),
        ("<SAMI><BODY>\n<SYNC>자막</BODY></SAMI>", "s.smi:2: a SYNC tag without a Start time: <SYNC>"),
        (
            "<SAMI><BODY>\n<SYNC Start=5000>하나\n<SYNC Start=1000>둘</BODY></SAMI>",
            "s.smi:3: caption starts at 1000 ms, before the caption on line 2 (5000 ms)",
        ),
        ("<SAMI><BODY><SYNC Start=0>&nbsp;</BODY></SAMI>", "s.smi: no text in any caption"),
    ],
)
def test_bad_sami_names_the_line(text: str, message: str) -> None:
    with pytest.raises(SeedError) as info:
        read_sami(text.encode(), Path("s.smi"))
    assert str(info.value) == message


def test_a_sami_file_is_a_video_of_the_folder(tmp_path: Path) -> None:
    from rag.sources import find_sources, read_source

    (tmp_path / "haenyeo.smi").write_bytes(TWO_LANGUAGES.encode("cp949"))
    [source] = find_sources(tmp_path)
    seed = read_source(source)
    assert (seed.video.video_id, seed.video.title, seed.video.url) == (
        "haenyeo",
        "haenyeo",
        "/videos/haenyeo",
    )
    assert seed.sections[0].text.startswith("안녕하세요, 여러분. 해녀는")


def test_a_sync_in_a_comment_is_no_caption_and_an_end_time_is_kept() -> None:
    text = (
        "<sami><head><style><!--\n.KRCC {name:Korean; lang:ko-KR;}\n.ENCC {name:English; lang:en-US;}\n"
        "--></style></head><body>\n<!-- <SYNC Start=500><P Class=KRCC>지운 자막 -->\n"
        '<sync start="1000" end="2000"><p class="KRCC">하나<br/>둘<p class=ENCC>one\n'
        "<sync start='2500'><p class='KRCC'>셋 &amp; 넷\n<SYNC Start=4000><P Class=KRCC>&nbsp;</P>\n</body></sami>"
    )
    assert read_sami(text.encode(), Path("x.smi")) == [
        TimedLine(1000, 2000, "하나 둘", 6),
        TimedLine(2500, 4000, "셋 & 넷", 7),
    ]
