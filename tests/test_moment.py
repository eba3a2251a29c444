"""Questions asking where in the video something is said, and the topic left to rank them by."""

from __future__ import annotations

import pytest

from rag.moment import asks_moment, topic


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("엔비디아 GPU 로비 얘기는 영상 몇 분쯤 나와?", "엔비디아 GPU 로비 얘기는 나와"),
        (
            "정부랑 대기업이 손잡아야 한다는 정리는 영상 몇 분부터야?",
            "정부랑 대기업이 손잡아야 한다는 정리는 야",
        ),
        ("손정의 얘기는 어느 부분에서 나와?", "손정의 얘기는 나와"),
        (
            "At what point in the video does he talk about Boston Dynamics?",
            "does he talk about Boston Dynamics",
        ),
        ("When in the video is DeepSeek mentioned?", "is DeepSeek mentioned"),
        ("ボストン・ダイナミクスの話は動画の何分ごろ？", "ボストン・ダイナミクスの話は"),
        ("LINEの話、どのあたりで出てくる？", "LINEの話、 出てくる"),
    ],
)
def test_a_position_question_keeps_its_topic(question: str, rest: str) -> None:
    assert asks_moment(question)
    assert topic(question) == rest


@pytest.mark.parametrize(
    "question",
    [
        # The video's length, a date in the world, a duration in the story: not a position.
        "이 영상 몇 분이야?",
        "이 영상 몇 분쯤 돼?",
        "この動画は何分？",
        "How long does this video run?",
        "소프트뱅크 AI 반도체는 언제쯤 나와?",
        "첫 방문 후 몇 달 만에 엔비디아를 다시 찾아갔나요?",
        "What time did the presentation start?",
        "어느 부분이 제일 중요해?",
    ],
)
def test_other_questions_are_left_whole(question: str) -> None:
    assert not asks_moment(question)
    assert topic(question) == question


def test_a_bare_position_question_keeps_its_words() -> None:
    assert topic("몇 분에 나와?") == "나와"
    assert topic("動画の何分ごろ？") == "動画の何分ごろ？"
