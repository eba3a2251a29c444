"""What a seeds folder holds besides transcripts: said in the build's notes, never a failure."""

from __future__ import annotations

import shutil
from collections.abc import Callable

from index.build import build
from rag.embedder import FakeEmbedder
from rag.settings import Settings
from rag.store import load_index
from tests.conftest import ROOT

FORMATS = ROOT / "tests" / "data" / "formats"
SRT, WHISPER = FORMATS / "haenyeo_talk.srt", FORMATS / "coffee_lecture.json"


def test_openai_whispers_default_outputs_index_one_video(make_settings: Callable[..., Settings]) -> None:
    # `whisper lecture.mp3` writes all of these by default: the .txt is the text again, without times.
    settings = make_settings(model="fake")
    seeds = settings.seeds_dir
    seeds.mkdir()
    shutil.copy(WHISPER, seeds / "lecture.json")
    shutil.copy(SRT, seeds / "lecture.srt")
    (seeds / "lecture.txt").write_text(
        "커피 이야기를 하겠습니다.\n한국인은 커피를 많이 마십니다.\n", encoding="utf-8"
    )
    (seeds / "lecture.tsv").write_text("start\tend\ttext\n0\t5000\t커피 이야기\n", encoding="utf-8")
    report = build(settings, FakeEmbedder())
    assert report.failures == []
    assert report.notes == [
        "lecture.tsv: tab-separated segments (openai-whisper's TSV) are not read, not indexed "
        "(video lecture is indexed from lecture.json)",
        "lecture.srt: not indexed: video lecture is indexed from lecture.json",
        "lecture.txt: not indexed: plain text without times (no seed table); video lecture is indexed "
        "from lecture.json",
    ]
    assert list(load_index(settings.index_dir).videos) == ["lecture"]


def test_subtitles_in_formats_not_read_are_named(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(model="fake")
    seeds = settings.seeds_dir
    seeds.mkdir()
    shutil.copy(SRT, seeds / "talk.srt")
    (seeds / "movie.ass").write_text("[Script Info]\nTitle: 영화\n", encoding="utf-8")
    (seeds / "talk.srv3").write_text('<?xml version="1.0" encoding="utf-8" ?><timedtext/>', encoding="utf-8")
    (seeds / "notes.md").write_text("# 메모\n", encoding="utf-8")
    report = build(settings, FakeEmbedder())
    assert report.failures == [] and report.added == ["talk.srt"]
    assert report.notes == [
        "movie.ass: SubStation Alpha subtitles are not read, not indexed "
        "(convert them to SRT, e.g. ffmpeg -i talk.ass talk.srt)",
        "talk.srv3: YouTube's srv3 captions are not read, not indexed (video talk is indexed from talk.srt)",
    ]


def test_a_broken_seed_beside_subtitles_of_its_name_is_still_a_failure(
    make_settings: Callable[..., Settings],
) -> None:
    # Its table is there, its script is not: a seed written wrong, not whisper's plain text.
    settings = make_settings(model="fake")
    seeds = settings.seeds_dir
    seeds.mkdir()
    shutil.copy(SRT, seeds / "lecture.ko.srt")
    (seeds / "lecture.txt").write_text(
        "제목\n\n| 시간 | 요약 |\n|---|---|\n| 00:00 | 시작 |\n", encoding="utf-8"
    )
    report = build(settings, FakeEmbedder())
    assert [f.source for f in report.failures] == ["lecture.txt"]
    assert report.set_aside == {}
