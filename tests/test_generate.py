"""The prompt and the citation parsing of written answers (pure logic, no server)."""

from __future__ import annotations

import pytest

from rag.chunking import Passage, Span
from rag.generate import build_messages, cut_off_note, language_of, resolve_citations, system_prompt
from rag.moments import Hit


def hit(
    rank: int,
    text: str,
    start_ms: int,
    section: str | None = None,
    video: str = "v1",
    estimated: bool = False,
) -> Hit:
    passage = Passage(
        id=f"{video}-{rank}",
        video_id=video,
        section=rank,
        section_summary=section,
        start_ms=start_ms,
        end_ms=start_ms + 30_000,
        estimated=estimated,
        text=text,
        sentences=(Span(0, len(text)),),
    )
    return Hit(rank=rank, score=1.0 / rank, passage=passage, row=rank - 1)


HITS = [
    hit(1, "H100 하나에 한 25,000달러 정도 합니다.", 754_000, "엔비디아 GPU 가격"),
    hit(2, "일본 정부가 GPU 구매 비용의 절반을 지원했습니다.", 3_725_500, "일본의 AI 전략", estimated=True),
    hit(3, "오늘 영상은 여기까지입니다.", 0),
]


def test_the_prompt_numbers_the_passages_with_timestamps_and_sections() -> None:
    system, user = build_messages("H100 가격은 얼마인가요?", HITS, {"v1": "GPU 이야기"})
    assert system["role"] == "system" and user["role"] == "user"
    assert user["content"] == (
        'Passages from the video "GPU 이야기":\n\n'
        "[1] 12:34 · section: 엔비디아 GPU 가격\nH100 하나에 한 25,000달러 정도 합니다.\n\n"
        "[2] ~1:02:05 · section: 일본의 AI 전략\n일본 정부가 GPU 구매 비용의 절반을 지원했습니다.\n\n"
        "[3] 0:00\n오늘 영상은 여기까지입니다.\n\n"
        "Question: H100 가격은 얼마인가요?"
    )


def test_passages_from_several_videos_name_their_video() -> None:
    hits = [HITS[0], hit(2, "Mars is far.", 61_000, "Space", video="v2")]
    _, user = build_messages("How far?", hits, {"v1": "GPU 이야기", "v2": "Space talk"})
    assert user["content"] == (
        "[1] 12:34 · video: GPU 이야기 · section: 엔비디아 GPU 가격\nH100 하나에 한 25,000달러 정도 합니다.\n\n"
        "[2] 1:01 · video: Space talk · section: Space\nMars is far.\n\n"
        "Question: How far?"
    )


def test_the_rules_ask_for_the_questions_language_citations_and_a_plain_no() -> None:
    assert system_prompt("H100 가격은?") == (
        "You answer questions about a video using only numbered passages from its transcript.\n"
        "Rules:\n"
        "- Write the answer in Korean, in a few plain sentences.\n"
        "- Use only what the passages say; do not add outside knowledge or guesses.\n"
        "- After each claim, cite the passage it comes from by its number in square brackets, like [1] or "
        "[2][3]. Cite only the numbers given.\n"
        '- If the passages do not answer the question, say so plainly: "영상에서는 이에 대해 말하지 않습니다."'
    )
    assert '"動画ではそれについて述べていません。"' in system_prompt("H100はいくらですか？")
    assert "Write the answer in English," in system_prompt("How much is an H100?")
    assert "in the language of the question," in system_prompt("12345?")
    assert system_prompt("12345?").endswith('"The video does not say."')


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("H100 가격은?", "Korean"),
        ("GPUはいくら?", "Japanese"),
        ("价格是多少", "Chinese"),
        ("price?", "English"),
        ("?!", None),
    ],
)
def test_language_of(question: str, language: str | None) -> None:
    assert language_of(question) == language


def test_markers_resolve_to_passages_in_order_of_first_citation() -> None:
    cited = resolve_citations("가격은 25,000달러입니다 [1]. 일본은 절반을 지원했습니다[2][1].", HITS)
    assert cited.text == "가격은 25,000달러입니다 [1]. 일본은 절반을 지원했습니다[2][1]."
    assert [(c.marker, c.hit.rank) for c in cited.citations] == [(1, 1), (2, 2)]
    assert cited.invalid == 0


def test_groups_and_ranges_become_one_marker_each() -> None:
    cited = resolve_citations("Both [1, 2] and all [1-3], also 【3】 and [ 2 ；3 ]?", HITS)
    assert cited.text == "Both [1][2] and all [1][2][3], also [3] and [ 2 ；3 ]?"
    assert [c.marker for c in cited.citations] == [1, 2, 3]


def test_markers_naming_no_passage_are_dropped_and_counted() -> None:
    cited = resolve_citations("Price [4]. Japan [0][2]. Mixed [2, 9]. Year [2024]", HITS)
    assert cited.text == "Price. Japan[2]. Mixed [2]. Year"
    assert [c.marker for c in cited.citations] == [2]
    assert cited.invalid == 4


def test_text_without_markers_cites_nothing() -> None:
    cited = resolve_citations("  영상에서는 이에 대해 말하지 않습니다.\n", HITS)
    assert (cited.text, cited.citations, cited.invalid) == ("영상에서는 이에 대해 말하지 않습니다.", [], 0)
    assert resolve_citations("see [1]", []).text == "see"


@pytest.mark.parametrize(
    ("question", "note"),
    [
        ("H100 가격은?", " …(답변이 최대 길이에서 잘렸습니다)"),
        ("H100の価格は？", " …（回答は最大の長さで途切れました）"),
        ("H100的价格是多少？", " …（回答在最大长度处被截断）"),
        ("How much is an H100?", " … (the answer was cut off at its maximum length)"),
        ("H100 ?", " … (the answer was cut off at its maximum length)"),
        ("12345?", " … (the answer was cut off at its maximum length)"),
    ],
)
def test_a_cut_off_answer_says_so_in_the_questions_language(question: str, note: str) -> None:
    assert cut_off_note(question) == note
    # The note is no citation marker: nothing in it is rewritten or counted.
    cited = resolve_citations("약 25,000달러 [1" + note, HITS)
    assert (cited.text, cited.citations, cited.invalid) == ("약 25,000달러 [1" + note, [], 0)
