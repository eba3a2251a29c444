"""Questions about the video itself name the info line that answers them, in any of three languages."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer import Asked, candidates
from rag.answertype import Facts
from rag.chunking import INFO_SECTION, Passage, Span
from rag.moments import Hit
from rag.videofields import about_video, asked_field, barred_field, named_fields, states_field


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("이 영상의 조회수는?", "조회수"),
        ("how many views does this video have", "조회수"),
        ("この動画の再生回数は？", "조회수"),
        ("이 채널 구독자 몇 명이야?", "팔로워 수"),
        # The channel's followers, not the channel's name.
        ("How many followers does the channel have?", "팔로워 수"),
        ("この動画、いいねはいくつ？", "좋아요 수"),
        ("이 영상을 올린 채널 이름은?", "채널명"),
        ("この動画の長さはどれくらいですか？", "영상 길이"),
        ("When was this video uploaded?", "업로드 날짜"),
        ("이 영상 제목 뭐였지?", "제목"),
        ("이 영상은 지식뉴스 몇 번째 에피소드인가요?", "제목"),
        ("이 영상의 유튜브 링크는 무엇인가요?", "다시보기"),
        # Asked with a verb rather than the line's noun.
        ("이 영상 지금까지 몇 번이나 재생됐어?", "조회수"),
        ("この動画、YouTubeに上がったのはいつ頃？", "업로드 날짜"),
        ("When did this video come out?", "업로드 날짜"),
        ("When did this clip go up on YouTube?", "업로드 날짜"),
        ("How many times has this video been viewed?", "조회수"),
        ("이 영상 유튜브에 언제 올라왔어?", "업로드 날짜"),
    ],
)
def test_a_question_about_the_video_names_its_line(question: str, label: str) -> None:
    assert asked_field(question) == label


@pytest.mark.parametrize(
    "question",
    [
        # Views as opinions, and a release that is not the video's: neither names the video.
        "What are Son's views on Korea?",
        "Nvidia promised Japan priority on GPUs released in which year?",
        # A verb of coming out or going up whose subject is not the video.
        "Which country did DeepSeek come out of, according to the video?",
        "In the video, when did ChatGPT come out?",
        "How much did chip prices go up, according to this video?",
        "動画で、株価はどれくらい上がった？",
        "이 영상에서 GPT-5는 언제 나왔다고 해?",
        "How is Nvidia viewed in the video?",
        "이 영상에서 그 책을 몇 번 봤다고 해?",
        # The video, but none of its info lines.
        "이 영상 댓글은 몇 개야?",
        "손정의가 이 영상에서 제일 강조한 건?",
    ],
)
def test_other_questions_name_no_line(question: str) -> None:
    assert asked_field(question) is None


def test_a_line_is_matched_by_its_label() -> None:
    assert states_field("조회수: 22,868", "조회수")
    assert not states_field("좋아요 수: 315", "조회수")
    assert not states_field("조회수가 늘었다", "조회수")


TITLE = "제목: [지식뉴스 EP.19] … (ft.이창민 한국외대 일본학과 교수)"


def test_figure_lines_answer_only_questions_naming_them() -> None:
    none: frozenset[str] = frozenset()
    assert barred_field("조회수: 22,868", None, none, True)
    assert not barred_field("조회수: 22,868", "조회수", frozenset({"조회수"}), True)
    assert not barred_field("조회수: 22,868", None, frozenset({"조회수"}), False)
    assert barred_field("다시보기: https://www.youtube.com/watch?v=PR3c4Q63rOs", None, none, True)
    assert not barred_field("조회수가 늘었다", None, none, False)


def test_the_title_and_channel_answer_only_questions_about_the_video() -> None:
    none: frozenset[str] = frozenset()
    assert barred_field(TITLE, None, none, False)
    assert barred_field("채널명: 교양이를 부탁해", None, none, False)
    assert not barred_field(TITLE, None, none, True)
    assert not barred_field("채널명: 교양이를 부탁해", None, none, True)
    assert not barred_field(TITLE, None, frozenset({"제목"}), False)


@pytest.mark.parametrize(
    "question",
    [
        "Which department does the guest professor belong to?",
        "이 영상 진행자 이름이 뭐야?",
        "ゲストの教授はどこの大学の何学科の人？",
        "What is this episode about?",
    ],
)
def test_questions_naming_the_video_or_its_cast_are_about_it(question: str) -> None:
    assert about_video(question)


@pytest.mark.parametrize(
    "question",
    ["デニスさんの見習い期間は何年だった？", "How long did his apprenticeship last?", "손정의는 몇 살이야?"],
)
def test_questions_about_the_talk_are_not_about_the_video(question: str) -> None:
    assert not about_video(question)
    # "How long" asks the video's length only of a question naming the video.
    assert asked_field(question) is None


INFO = "제목: 지식뉴스 (ft.이창민 교수)\n조회수: 22,868\n다시보기: https://youtu.be/x"
INFO_PASSAGE = Passage(
    "v:0:info", "v", INFO_SECTION, None, 0, 0, False, INFO, (Span(0, 20), Span(21, 32), Span(33, 57))
)


class _Rows:
    def sentence_vectors(self, row: int) -> np.ndarray:
        # The link line is the closest: by cosine alone it would answer.
        return np.array([[0.5, 0.0], [0.6, 0.0], [0.9, 0.0]], dtype=np.float32)


@pytest.mark.parametrize(
    ("question", "lines"),
    [
        # About the talk: no line of the info passage answers it, not even the closest.
        ("손정의는 왜 일본을 바꾸고 싶어 해?", set()),
        ("What is this video about?", {(0, 0)}),
        ("이 영상 조회수는?", {(0, 0), (1, 1), (0, 1)}),
        ("영상 다시보기 링크 줘", {(0, 0), (2, 2)}),
    ],
)
def test_info_lines_are_spans_only_for_the_questions_asking_for_them(
    question: str, lines: set[tuple[int, int]]
) -> None:
    asked = Asked(
        np.array([1.0, 0.0], dtype=np.float32),
        {},
        None,
        {},
        asked_field(question),
        named_fields(question),
        about_video(question),
    )
    hit = Hit(1, 1.0, INFO_PASSAGE, 0)
    spans = candidates(_Rows(), asked, [hit], lambda text: Facts((), frozenset(), frozenset()))  # type: ignore[arg-type]
    assert INFO[INFO_PASSAGE.sentences[1].start : INFO_PASSAGE.sentences[1].end] == "조회수: 22,868"
    assert {(c.first, c.last) for c in spans} == lines


def test_a_figure_line_named_without_the_video_may_still_answer() -> None:
    # "How many views?" names no video, so no line is forced, but the views line stays a span;
    # the title does not, for the question is not about the video.
    assert asked_field("How many views?") is None
    asked = Asked(np.array([1.0, 0.0], dtype=np.float32), {}, None, {}, None, named_fields("How many views?"))
    spans = candidates(
        _Rows(), asked, [Hit(1, 1.0, INFO_PASSAGE, 0)], lambda text: Facts((), frozenset(), frozenset())
    )  # type: ignore[arg-type]
    assert {(c.first, c.last) for c in spans} == {(1, 1)}
