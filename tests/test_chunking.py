import re

import pytest

from rag.chunking import INFO_SECTION, ChunkSettings, chunk_section, chunk_seed, split_sentences, time_at
from rag.seed import read_seed
from rag.video import Section
from tests.conftest import SEED, VIDEO_ID

SETTINGS = [ChunkSettings(120, 0), ChunkSettings(300, 1), ChunkSettings(600, 2), ChunkSettings(2000, 1)]


def test_split_sentences_keeps_numbers_and_glued_sentences() -> None:
    text = "H100은 25,000달러. 2.5배 빠르다.그리고 끝났다?  네!"
    spans = [text[s.start : s.end] for s in split_sentences(text, 300)]
    assert spans == ["H100은 25,000달러.", "2.5배 빠르다.", "그리고 끝났다?", "네!"]


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        (
            "I registered mine in 1984, it's an acorn with T.O. underneath. Next.",
            ["I registered mine in 1984, it's an acorn with T.O. underneath.", "Next."],
        ),
        ("My guest is Dr. Helen Tregarthen, hello. Hi.", ["My guest is Dr. Helen Tregarthen, hello.", "Hi."]),
        ("The initials J. K. and a date. We kept it.", ["The initials J. K. and a date.", "We kept it."]),
        ("It came at three a.m. after the lab. OK.", ["It came at three a.m. after the lab.", "OK."]),
        ("I had a plan B. Then it failed.", ["I had a plan B.", "Then it failed."]),
        ("It took off in the 1600s. Bells rang.", ["It took off in the 1600s.", "Bells rang."]),
        ("No. I did not.", ["No.", "I did not."]),
    ],
)
def test_a_title_or_an_initial_ends_no_sentence(text: str, wanted: list[str]) -> None:
    assert [text[s.start : s.end] for s in split_sentences(text, 300)] == wanted


def test_split_sentences_cuts_run_on_text_at_spaces() -> None:
    text = " ".join(["가나다라마"] * 100)
    spans = split_sentences(text, 50)
    assert all(s.end - s.start <= 50 for s in spans)
    assert all(text[s.start] != " " and text[s.end - 1] != " " for s in spans)
    assert re.sub(r"\s", "", "".join(text[s.start : s.end] for s in spans)) == re.sub(r"\s", "", text)


def test_japanese_sentences_end_at_full_width_stops_and_long_ones_after_a_comma() -> None:
    text = "ミツバチは3キロ先まで飛ぶそうです。理由は花が多いからです！本当ですか？はい。"
    spans = [text[s.start : s.end] for s in split_sentences(text, 200)]
    assert spans == [
        "ミツバチは3キロ先まで飛ぶそうです。",
        "理由は花が多いからです！",
        "本当ですか？",
        "はい。",
    ]
    # No spaces to cut at: a run-on sentence is cut after its last comma that fits.
    run_on = "あ" * 30 + "、" + "い" * 30 + "、" + "う" * 10
    spans = [run_on[s.start : s.end] for s in split_sentences(run_on, 40)]
    assert spans == ["あ" * 30 + "、", "い" * 30 + "、", "う" * 10]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.max_chars}-{s.overlap_sentences}")
def test_passages_never_cross_sections_and_times_are_monotonic(settings: ChunkSettings) -> None:
    seed = read_seed(SEED)
    passages = chunk_seed(seed, settings)[1:]  # after the info passage
    sections = {s.number: s for s in seed.sections}
    for p in passages:
        section = sections[p.section]
        assert section.start_ms <= p.start_ms < p.end_ms <= section.end_ms <= seed.video.duration_ms
        assert p.video_id == VIDEO_ID
        assert p.text in section.text
        assert p.estimated == (not section.text.startswith(p.text))
    starts = [p.start_ms for p in passages]
    assert starts == sorted(starts)


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.max_chars}-{s.overlap_sentences}")
def test_every_sentence_lands_in_a_passage(settings: ChunkSettings) -> None:
    seed = read_seed(SEED)
    for section in seed.sections:
        passages = chunk_section(VIDEO_ID, section, settings)
        inside = " ".join(p.text for p in passages)
        for span in split_sentences(section.text, settings.max_chars):
            assert section.text[span.start : span.end] in inside
        assert all(len(p.text) <= settings.max_chars for p in passages)


def test_first_passage_of_a_section_is_exact_the_rest_estimated() -> None:
    seed = read_seed(SEED)
    passages = chunk_seed(seed, ChunkSettings(300, 1))[1:]
    by_section: dict[int, list[bool]] = {}
    for p in passages:
        by_section.setdefault(p.section, []).append(p.estimated)
    for flags in by_section.values():
        assert flags[0] is False and all(flags[1:])
    assert passages[0].start_ms == 0
    gpu = next(p for p in passages if p.section == 4)
    assert (gpu.start_ms, gpu.section_summary is not None) == (785_000, True)


def test_overlap_repeats_the_last_sentence() -> None:
    section = Section(1, 0, 70_000, "s", "가가가가가가가. 나나나나나나나. 다다다다다다다. 라라라라라라라.", 1)
    passages = chunk_section("v", section, ChunkSettings(max_chars=20, overlap_sentences=1))
    texts = [p.text for p in passages]
    assert texts == [
        "가가가가가가가. 나나나나나나나.",
        "나나나나나나나. 다다다다다다다.",
        "다다다다다다다. 라라라라라라라.",
    ]
    assert [p.start_ms for p in passages] == [0, 18_000, 36_000]
    assert passages[-1].end_ms == 70_000
    assert time_at(passages[1], 0) == passages[1].start_ms


def test_passage_ids_are_stable_and_unique() -> None:
    seed = read_seed(SEED)
    first = [p.id for p in chunk_seed(seed, ChunkSettings())]
    again = [p.id for p in chunk_seed(read_seed(SEED), ChunkSettings())]
    assert first == again and len(set(first)) == len(first)
    assert all(i.startswith(f"{VIDEO_ID}:") for i in first)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_chars must be at least 20, got 5"):
        ChunkSettings(max_chars=5)


def test_info_passage_carries_the_video_facts() -> None:
    info = chunk_seed(read_seed(SEED), ChunkSettings())[0]
    assert (info.section, info.section_summary, info.start_ms, info.estimated) == (
        INFO_SECTION,
        "영상 정보",
        0,
        False,
    )
    # One sentence per line, so each fact can be matched and cited on its own.
    lines = [info.text[span.start : span.end] for span in info.sentences]
    assert info.text == "영상 정보\n" + "\n".join(lines)
    assert lines[0].startswith("제목: [지식뉴스 EP.19]")
    assert lines[1:] == [
        "채널명: 교양이를 부탁해",
        "팔로워 수: 72,100",
        "좋아요 수: 315",
        "조회수: 22,868",
        "업로드 날짜: 2025-03-26",
        "영상 길이: 18분 27초",
        "다시보기: https://www.youtube.com/watch?v=PR3c4Q63rOs",
    ]
