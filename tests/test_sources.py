"""The seeds folder's other transcripts: file naming, yt-dlp sidecars, speech-to-text JSON, sections
by chapter or window, and passages cut on cue boundaries at exact times."""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from rag.chunking import ChunkSettings, chunk_seed, cue_sentences, estimated_at, time_at
from rag.errors import SeedError
from rag.filenames import split_language
from rag.settings import Settings
from rag.sidecar import read_sidecar
from rag.sources import Source, find_sources, lone_sidecars, read_source, source_hash
from rag.subtitles import TimedLine
from rag.timed import Chapter, Cue
from rag.whisper import read_whisper
from tests.conftest import ROOT

FORMATS = ROOT / "tests" / "data" / "formats"
VTT, INFO = FORMATS / "Xq7LmN2pR4s.ko.vtt", FORMATS / "Xq7LmN2pR4s.info.json"
SRT, WHISPER = FORMATS / "haenyeo_talk.srt", FORMATS / "coffee_lecture.json"


@pytest.mark.parametrize(
    ("stem", "split"),
    [
        ("Xq7LmN2pR4s.ko", ("Xq7LmN2pR4s", "ko")),
        ("talk.en-US", ("talk", "en-US")),
        ("talk.ko-orig", ("talk", "ko-orig")),
        ("talk.zh-Hans", ("talk", "zh-Hans")),
        ("haenyeo_talk", ("haenyeo_talk", None)),
        ("v1.final", ("v1.final", None)),
        (".ko", (".ko", None)),
        # whisper.cpp names its output after the recording: talk.wav.srt, talk.mp3.json.
        ("talk.wav", ("talk", None)),
        ("talk.MP3", ("talk", None)),
        ("talk.ko.m4a", ("talk", "ko")),
        ("mp3", ("mp3", None)),
        # Only a language's code is one: "pm" and "old" name no language.
        ("seminar.pm", ("seminar.pm", None)),
        ("seminar.am", ("seminar", "am")),
        ("talk.old", ("talk.old", None)),
        ("talk.fil", ("talk", "fil")),
        # mkvextract and Plex name tracks by ISO 639-2.
        ("talk.kor", ("talk", "kor")),
        ("talk.eng", ("talk", "eng")),
    ],
)
def test_language_suffix(stem: str, split: tuple[str, str | None]) -> None:
    assert split_language(stem) == split


def test_sources_pair_transcripts_with_their_sidecars(tmp_path: Path) -> None:
    for name in [
        "abc.ko.vtt",
        "abc.info.json",
        "talk.srt",
        "talk.info.json",
        "lone.info.json",
        "x.json",
        "abc.live_chat.json",
        "n.md",
    ]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    sources = find_sources(tmp_path)
    assert [(s.name, s.kind, s.sidecar and s.sidecar.name) for s in sources] == [
        ("abc.ko.vtt", "vtt", "abc.info.json"),
        ("talk.srt", "srt", "talk.info.json"),
        ("x.json", "whisper", None),  # *.info.json and yt-dlp's *.live_chat.json are no transcripts
    ]
    assert lone_sidecars(tmp_path, sources) == ["lone.info.json"]
    before = source_hash(sources[0])
    (tmp_path / "abc.info.json").write_text('{"id": "abc"}', encoding="utf-8")
    assert source_hash(sources[0]) != before  # a changed sidecar is a changed source


def test_an_extension_in_capitals_is_read_as_its_kind(tmp_path: Path) -> None:
    names = ["Lecture01.SRT", "Lecture01.info.json", "Keynote.VTT", "Keynote.INFO.JSON", "NOTES.TXT"]
    for name in [*names, "Whisper.Json", "a.INFO.JSON"]:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    sources = find_sources(tmp_path)
    assert [(s.name, s.kind, s.sidecar and s.sidecar.name) for s in sources] == [
        ("Keynote.VTT", "vtt", "Keynote.INFO.JSON"),
        ("Lecture01.SRT", "srt", "Lecture01.info.json"),
        ("NOTES.TXT", "seed", None),
        ("Whisper.Json", "whisper", None),
    ]
    assert lone_sidecars(tmp_path, sources) == ["a.INFO.JSON"]


def test_a_yt_dlp_pair_takes_the_sidecar_metadata_and_chapters() -> None:
    seed = read_source(Source(VTT, INFO))
    v = seed.video
    assert (v.video_id, v.channel, v.upload_date, v.duration_ms) == (
        "Xq7LmN2pR4s",
        "배터리 연구소 TV",
        "2025-09-14",
        143_000,
    )
    assert v.title == "전기차 폐배터리, 버리지 말고 캐낸다 | 배터리 재활용의 모든 것"
    assert v.url == "https://www.youtube.com/watch?v=Xq7LmN2pR4s"
    assert v.info == {
        "채널명": "배터리 연구소 TV",
        "팔로워 수": "38,700",
        "좋아요 수": "1,530",
        "조회수": "48,213",
        "업로드 날짜": "2025-09-14",
        "영상 길이": "2분 23초",
        "다시보기": "https://www.youtube.com/watch?v=Xq7LmN2pR4s",
    }
    assert v.chapters[1] == Chapter(47_000, 93_000, "재활용 공정과 회수율")
    # Sections follow the chapters; a line belongs to the chapter its start falls in.
    assert [(s.number, s.start_ms, s.end_ms, s.summary) for s in seed.sections] == [
        (1, 0, 47_000, "인사와 폐배터리 문제"),
        (2, 47_000, 93_000, "재활용 공정과 회수율"),
        (3, 93_000, 143_000, "포항 공장과 투자 계획"),
    ]
    assert seed.sections[2].text.startswith("이제 공장 이야기를 해 볼게요 새 재활용 공장은")


def test_without_a_sidecar_the_name_gives_id_and_title_and_windows_give_sections() -> None:
    seed = read_source(Source(WHISPER))
    v = seed.video
    assert (v.video_id, v.title, v.url, v.chapters) == (
        "coffee_lecture",
        "coffee_lecture",
        "/videos/coffee_lecture",
        (),
    )
    assert v.info == {"영상 길이": "5분 39초"}
    assert [(s.number, s.start_ms, s.end_ms) for s in seed.sections] == [(1, 0, 338_990)]  # 15-minute windows
    five = read_source(Source(WHISPER), window_ms=300_000).sections
    assert [(s.number, s.start_ms, s.end_ms, s.summary) for s in five] == [
        (1, 0, 300_000, None),
        (2, 300_000, 338_990, None),
    ]
    assert five[1].text.startswith("텀블러를 가져오면") and five[1].cues[0].start_ms >= 300_000
    assert read_source(Source(SRT)).video.video_id == "haenyeo_talk"


def test_a_youtube_shaped_id_links_to_youtube(tmp_path: Path) -> None:
    shutil.copy(SRT, tmp_path / "dQw4w9WgXcQ.ko.srt")
    v = read_source(Source(tmp_path / "dQw4w9WgXcQ.ko.srt")).video
    assert (v.video_id, v.title, v.url) == (
        "dQw4w9WgXcQ",
        "dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    )


@pytest.mark.parametrize(
    ("name", "source", "video"),
    [
        # yt-dlp names files "%(title)s [%(id)s].%(ext)s" unless told otherwise.
        (
            "Ep. 19 AI 전쟁 [PR3c4Q63rOs].ko.vtt",
            VTT,
            ("PR3c4Q63rOs", "Ep. 19 AI 전쟁", "https://www.youtube.com/watch?v=PR3c4Q63rOs"),
        ),
        # As macOS names files: 강연 as six jamo, composed for the id and the title.
        (
            unicodedata.normalize("NFD", "강연 녹화.ko.srt"),
            SRT,
            ("강연 녹화", "강연 녹화", "/videos/%EA%B0%95%EC%97%B0%20%EB%85%B9%ED%99%94"),
        ),
    ],
    ids=["yt-dlp", "nfd"],
)
def test_names_as_tools_write_them_give_the_id_and_title_people_type(
    tmp_path: Path, name: str, source: Path, video: tuple[str, str, str]
) -> None:
    shutil.copy(source, tmp_path / name)
    v = read_source(Source(tmp_path / name)).video
    assert (v.video_id, v.title, v.url) == video


def test_lines_before_the_first_chapter_make_section_zero() -> None:
    from rag.sources import timed_sections

    lines = [
        TimedLine(0, 900, "인트로"),
        TimedLine(1000, 1900, "본론 하나"),
        TimedLine(5000, 5500, "본론 둘"),
    ]
    sections = timed_sections(lines, (Chapter(1000, 4000, "본론"),), 6000, 300_000)
    assert [(s.number, s.start_ms, s.end_ms, s.summary, s.text) for s in sections] == [
        (0, 0, 1000, None, "인트로"),
        (1, 1000, 6000, "본론", "본론 하나 본론 둘"),
    ]
    assert sections[1].cues == (Cue(0, 5, 1000, 1900), Cue(6, 10, 5000, 5500))


def test_whisper_json_segments() -> None:
    lines = read_whisper(WHISPER.read_bytes(), WHISPER)
    assert len(lines) == 35
    assert lines[2] == TimedLine(21_280, 30_490, "한국인 1인당 연간 커피 소비량은 약 405잔입니다.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"segments": [{"start": 0, "end": 1, "text": "a"}, {"start": "x", "end": 2, "text": "b"}]}', 'w.json: $.segments[1].start: expected a number of seconds, got "x"'),
        ('{"segments": [{"start": true, "end": 1, "text": "a"}]}', "w.json: $.segments[0].start: expected a number of seconds, got true"),
        ('{"segments": [{"start": NaN, "end": 1, "text": "a"}]}', "w.json: $.segments[0].start: expected a number of seconds, got NaN"),
        ('{"segments": [{"start": -1, "end": 1, "text": "a"}]}', "w.json: $.segments[0].start: -1 seconds is negative"),
        ('{"segments": [{"start": 3, "end": 1, "text": "a"}]}', "w.json: $.segments[0].end: the segment ends at 1 s, before it starts (3 s)"),
        ('{"segments": [{"start": 3, "end": 4, "text": "a"}, {"start": 2, "end": 4, "text": "b"}]}', "w.json: $.segments[1].start: 2 s is before the previous segment's start (3 s)"),
        ('{"segments": [{"start": 0, "end": 1}]}', "w.json: $.segments[0].text: expected a string, got nothing"),
        ('{"segments": [{"start": 0, "end": 1, "text": " "}]}', "w.json: no text in any segment"),
        ('{"segments": {}}', "w.json: $.segments: expected a list, got {}"),
        ('{"segments": []}', "w.json: $.segments: no segments"),
        ('{"text": "전부"}', "w.json: $.segments: expected a list, got nothing"),
        ("[1, 2]", 'w.json: $: expected an object with "segments", got [1, 2]'),
        ('{"language": "ko",\n "segments": [\n  {"start": 0 "end": 1}]}', "w.json:3: not valid JSON: Expecting ',' delimiter (column 15)"),
    ],
)  # fmt: skip
def test_bad_whisper_json_names_the_json_path_or_line(text: str, message: str) -> None:
    with pytest.raises(SeedError) as info:
        read_whisper(text.encode(), Path("w.json"))
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "s.info.json: $.id: expected a string, got nothing"),
        ({"id": " "}, "s.info.json: $.id: the video id is empty"),
        ({"upload_date": "2025-09-14"}, 's.info.json: $.upload_date: expected a date as YYYYMMDD, got "2025-09-14"'),
        ({"view_count": -3}, "s.info.json: $.view_count: expected a whole number, got -3"),
        ({"duration": "3:05"}, 's.info.json: $.duration: expected a number of seconds, got "3:05"'),
        ({"chapters": [{"start_time": 5, "end_time": 4, "title": "a"}]}, "s.info.json: $.chapters[0].end_time: the chapter ends at 4 s, before it starts (5 s)"),
        ({"view_count": 12.5}, "s.info.json: $.view_count: expected a whole number, got 12.5"),
        ({"chapters": [{"start_time": 5, "end_time": 9, "title": "a"}, {"start_time": 1, "end_time": 2, "title": "b"}]}, "s.info.json: $.chapters[1].start_time: 1 s is before the previous chapter's start"),
        ({"chapters": [{"start_time": 0, "end_time": 9, "title": 3}]}, "s.info.json: $.chapters[0].title: expected a string, got 3"),
    ],
)  # fmt: skip
def test_bad_sidecars_name_the_json_path(changes: dict[str, object], message: str) -> None:
    doc = {**json.loads(INFO.read_text(encoding="utf-8")), **changes}
    with pytest.raises(SeedError) as info:
        read_sidecar(json.dumps(doc).encode(), Path("s.info.json"))
    assert str(info.value) == message


def test_what_yt_dlp_writes_for_missing_metadata_keeps_the_transcript_in() -> None:
    # null counts (a hidden like count), float counts, chapters with no title or none at all, and an
    # empty chapter: nothing to refuse the transcript for.
    doc = {
        **json.loads(INFO.read_text(encoding="utf-8")),
        "like_count": None,
        "view_count": 1234.0,
        "chapters": [
            {"start_time": 0, "end_time": 0, "title": "빈 장"},
            {"start_time": 0, "end_time": 9, "title": None},
            {"start_time": 9, "end_time": 20},
        ],
    }
    sidecar = read_sidecar(json.dumps(doc).encode(), Path("s.info.json"))
    assert (sidecar.info["조회수"], "좋아요 수" in sidecar.info) == ("1,234", False)
    assert [(c.start_ms, c.end_ms, c.title) for c in sidecar.chapters] == [(0, 9000, ""), (9000, 20000, "")]
    assert [str(w) for w in sidecar.warnings] == [
        "s.info.json: $.chapters[0].end_time: the chapter is empty (it starts and ends at 0 s): left out"
    ]
    assert read_sidecar(json.dumps({**doc, "chapters": None}).encode(), Path("s.info.json")).chapters == ()


def test_a_bad_sidecar_keeps_its_transcript_out_and_says_which(tmp_path: Path) -> None:
    shutil.copy(VTT, tmp_path)
    (tmp_path / INFO.name).write_text('{"id": 7}', encoding="utf-8")
    with pytest.raises(SeedError) as info:
        read_source(find_sources(tmp_path)[0])
    assert str(info.value) == f"{tmp_path / INFO.name}: $.id: expected a string, got 7"
    assert info.value.source == VTT.name


@pytest.mark.parametrize("path", [VTT, SRT, WHISPER], ids=lambda p: p.suffix)
@pytest.mark.parametrize("settings", [ChunkSettings(), ChunkSettings(120, 0), ChunkSettings(300, 3)])
def test_passages_start_and_end_on_cues_at_their_exact_times(path: Path, settings: ChunkSettings) -> None:
    seed = read_source(Source(path, INFO if path == VTT else None))
    cue_times = {(c.start_ms, c.end_ms) for s in seed.sections for c in s.cues}
    starts = {a for a, _ in cue_times}
    ends = {b for _, b in cue_times}
    for p in chunk_seed(seed, settings)[1:]:
        assert p.start_ms in starts and p.end_ms in ends and p.estimated is False
        for s in p.sentences:
            assert s.start_ms in starts and s.end_ms in ends
            assert time_at(p, s.start) == s.start_ms and time_at(p, s.end) == s.end_ms
            assert estimated_at(p, s.start) is False
        assert estimated_at(p, p.sentences[0].start + 1) is True  # inside a sentence: interpolated


def test_cues_are_joined_into_sentences_by_marks_pauses_and_length() -> None:
    text = "첫 문장입니다. 둘째 줄 셋째 줄 아주 길게 이어지는 넷째 줄 마지막 줄"
    parts = ["첫 문장입니다.", "둘째 줄", "셋째 줄", "아주 길게 이어지는 넷째 줄", "마지막 줄"]
    times = [(0, 1000), (1000, 2000), (3500, 4000), (4000, 5000), (5000, 6000)]
    cues, at = [], 0
    for part, (a, b) in zip(parts, times, strict=True):
        cues.append(Cue(at, at + len(part), a, b))
        at += len(part) + 1
    spans = cue_sentences(tuple(cues), text, 200)
    # A sentence mark ends the first; the 1.5 s pause the second; then runs grow to 40 characters.
    assert [text[s.start : s.end] for s in spans] == [
        "첫 문장입니다.",
        "둘째 줄",
        "셋째 줄 아주 길게 이어지는 넷째 줄 마지막 줄",
    ]
    assert [(s.start_ms, s.end_ms) for s in spans] == [(0, 1000), (1000, 2000), (3500, 6000)]
    # max_chars still bounds a run: a cue that would take it past starts the next one.
    assert [text[s.start : s.end] for s in cue_sentences(tuple(cues), text, 15)][2:] == [
        "셋째 줄",
        "아주 길게 이어지는 넷째 줄",
        "마지막 줄",
    ]


SLASH = 'the video id "a/b c?d#e%f" contains "/", which breaks every link to the video (/videos/<id>)'


@pytest.mark.parametrize(
    ("video_id", "message"),
    [
        ("a/b c?d#e%f", f"s.info.json: $.id: {SLASH}"),
        (" / ", 's.info.json: $.id: the video id "/" contains "/", which breaks every link to the video (/videos/<id>)'),
        ("..", 's.info.json: $.id: the video id ".." is a relative path step, which breaks every link to the video (/videos/<id>)'),
        (".", 's.info.json: $.id: the video id "." is a relative path step, which breaks every link to the video (/videos/<id>)'),
        ("a\u0007b", 's.info.json: $.id: the video id "a\\u0007b" contains a control character (U+0007)'),
        ("a\nb", 's.info.json: $.id: the video id "a\\nb" contains a control character (U+000A)'),
    ],
)  # fmt: skip
def test_an_id_no_link_can_carry_is_refused(video_id: str, message: str) -> None:
    doc = {**json.loads(INFO.read_text(encoding="utf-8")), "id": video_id}
    with pytest.raises(SeedError) as info:
        read_sidecar(json.dumps(doc).encode(), Path("s.info.json"))
    assert str(info.value) == message


@pytest.mark.parametrize("video_id", ["a\\b", "a%b&<>", "영상 1", "..a", "123456789", "a.b"])
def test_ids_that_links_carry_percent_encoded_are_kept(video_id: str) -> None:
    doc = {**json.loads(INFO.read_text(encoding="utf-8")), "id": video_id}
    assert read_sidecar(json.dumps(doc).encode(), Path("s.info.json")).video_id == video_id


def test_an_id_from_a_file_name_or_a_seed_url_is_checked_too(tmp_path: Path, seed_text: str) -> None:
    shutil.copy(SRT, tmp_path / "...srt")  # the stem is ".."
    shutil.copy(SRT, tmp_path / "a\u0001b.srt")
    seed_url = "https://www.youtube.com/watch?v=PR3c4Q63rOs"
    assert seed_url in seed_text
    (tmp_path / "s.txt").write_text(seed_text.replace(seed_url, "https://www.youtube.com/watch?v=a%2Fb"))
    errors = {}
    for source in find_sources(tmp_path):
        with pytest.raises(SeedError) as info:
            read_source(source)
        errors[source.name] = str(info.value)
    assert errors == {
        "...srt": f'{tmp_path}/...srt: the video id ".." is a relative path step, which breaks every link to the video (/videos/<id>) (taken from the file\'s name)',
        "a\u0001b.srt": f'{tmp_path}/a\u0001b.srt: the video id "a\\u0001b" contains a control character (U+0001) (taken from the file\'s name)',
        "s.txt": f'{tmp_path}/s.txt: the video id "a/b" contains "/", which breaks every link to the video (/videos/<id>) (taken from its video URL)',
    }  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/videos/elsewhere",
        "//evil.example/x",
        "https:///no-host",
        "http://[::1",
        "https://example.org/a b",
        "https://example.org/\u0000",
    ],
)
def test_a_webpage_url_that_is_no_web_address_is_set_aside_with_a_warning(tmp_path: Path, url: str) -> None:
    shutil.copy(VTT, tmp_path)
    doc = {**json.loads(INFO.read_text(encoding="utf-8")), "webpage_url": url}
    (tmp_path / INFO.name).write_text(json.dumps(doc), encoding="utf-8")
    seed = read_source(find_sources(tmp_path)[0])
    # Linked as a video without a URL: this id is YouTube's shape, so to YouTube.
    youtube = "https://www.youtube.com/watch?v=Xq7LmN2pR4s"
    assert (seed.video.url, seed.video.info["다시보기"]) == (youtube, youtube)
    shown = json.dumps(url, ensure_ascii=False)
    assert [(str(w), w.source) for w in seed.warnings] == [
        (
            f"{tmp_path / INFO.name}: $.webpage_url: expected an http(s) URL, got {shown}: the video is linked as one without a URL",
            VTT.name,
        )
    ]


@pytest.mark.parametrize(
    "url", ["https://vimeo.com/76979871", "HTTP://EXAMPLE.ORG/talk?id=1", "http://10.0.0.2:8080/v"]
)
def test_an_http_webpage_url_is_the_videos_link(url: str) -> None:
    doc = {**json.loads(INFO.read_text(encoding="utf-8")), "webpage_url": url}
    sidecar = read_sidecar(json.dumps(doc).encode(), Path("s.info.json"))
    assert (sidecar.url, sidecar.info["다시보기"], sidecar.warnings) == (url, url, ())


def test_an_index_build_reports_both_and_links_no_script(
    tmp_path: Path, make_settings: Callable[..., Settings]
) -> None:
    from index.build import build
    from rag.embedder import FakeEmbedder
    from rag.served import open_corpus

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for stem, changes in [
        ("talk", {"id": "talk", "webpage_url": "javascript:alert(1)"}),
        ("bad", {"id": "a/b c?d#e%f"}),
    ]:
        shutil.copy(SRT, seeds / f"{stem}.srt")
        doc = {**json.loads(INFO.read_text(encoding="utf-8")), **changes}
        (seeds / f"{stem}.info.json").write_text(json.dumps(doc), encoding="utf-8")
    settings = make_settings(model="fake")
    embedder = FakeEmbedder()
    report = build(settings, embedder)
    assert [(str(f), f.source) for f in report.failures] == [
        (f"{seeds}/bad.info.json: $.id: {SLASH}", "bad.srt")
    ]
    assert [str(w) for w in report.warnings] == [
        f'{seeds}/talk.info.json: $.webpage_url: expected an http(s) URL, got "javascript:alert(1)": the video is linked as one without a URL'
    ]
    videos = open_corpus(settings, embedder.model_id, embedder.dimension).videos
    assert list(videos) == ["talk"] and videos["talk"].url == "/videos/talk"
    assert "다시보기" not in videos["talk"].info


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("lecture_001.json", "/videos/lecture_001"),
        ("keynote2024.srt", "/videos/keynote2024"),
        ("dQw4w9WgXcQ.ko.srt", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("Talk [dQw4w9WgXcQ].srt", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ],
)
def test_only_names_yt_dlp_writes_link_to_youtube(tmp_path: Path, name: str, url: str) -> None:
    # Eleven letters, digits, "-" and "_" are a YouTube id's shape, and a recording's name's too.
    source = SRT if name.endswith(".srt") else WHISPER
    shutil.copy(source, tmp_path / name)
    assert read_source(Source(tmp_path / name)).video.url == url


def test_two_talks_named_apart_by_a_word_are_two_videos(tmp_path: Path) -> None:
    from rag.sources import find_sources

    for part in ("am", "pm"):
        shutil.copy(SRT, tmp_path / f"seminar.{part}.srt")
    ids = sorted(read_source(s).video.video_id for s in find_sources(tmp_path))
    assert ids == ["seminar", "seminar.pm"]
