"""Questions asking where in the video something is said, and the topic left to rank them by."""

from __future__ import annotations

import pytest

from rag.embedder import FakeEmbedder
from rag.moment import asks_moment, topic
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("엔비디아 GPU 로비 얘기는 영상 몇 분쯤 나와?", "엔비디아 GPU 로비 얘기는 나와"),
        (
            "정부랑 대기업이 손잡아야 한다는 정리는 영상 몇 분부터야?",
            "정부랑 대기업이 손잡아야 한다는 정리는 야",
        ),
        ("손정의 얘기는 영상 어느 부분에서 나와?", "손정의 얘기는 나와"),
        ("AGI는 영상 몇 분쯤 말했어?", "AGI는 말했어"),
        # The ending is attached: the next word keeps its first syllable, the one before its last.
        ("영상 몇 분쯤 에이전트 얘기 나와?", "에이전트 얘기 나와"),
        ("고양이 영상 몇 분쯤 나와?", "고양이 나와"),
        (
            "At what point in the video does he talk about Boston Dynamics?",
            "does he talk about Boston Dynamics",
        ),
        ("When in the video is DeepSeek mentioned?", "is DeepSeek mentioned"),
        ("ボストン・ダイナミクスの話は動画の何分ごろ？", "ボストン・ダイナミクスの話は"),
        ("ロボットの話は動画の何分に出てきますか", "ロボットの話は 出てきますか"),
        ("LINEの話、動画のどのあたりで出てくる？", "LINEの話、 出てくる"),
    ],
)
def test_a_position_question_keeps_its_topic(question: str, rest: str) -> None:
    assert asks_moment(question)
    assert topic(question) == rest


@pytest.mark.parametrize(
    "question",
    [
        # The video's length.
        "이 영상 몇 분이야?",
        "이 영상 몇 분쯤 돼?",
        "この動画は何分？",
        # 몇 분 counting people, or a duration in the story.
        "게스트는 몇 분 나와?",
        "몇 분에게 물어봤다고 말해?",
        "몇 분 만에 매진됐다고 얘기해?",
        "몇 분만에 매진됐다고 얘기해?",
        "하루에 몇 분 운동한다고 말해?",
        "몇 분 동안 이야기해?",
        "몇 분째 기다렸다고 얘기해?",
        # A place or a time in the world, or a part of the argument.
        "소프트뱅크 AI 반도체는 언제쯤 나와?",
        "어디쯤 살고 있다고 말해?",
        "어느 시점에 AI가 인간을 넘는다고 말해?",
        "어느 부분이 제일 중요해?",
        "At what minute did the game end?",
        "Which minute of the match was the goal scored?",
        "どの辺に住んでいると言っていますか",
        "会議は何時何分ごろに始まりますか",
        "どの部分が一番重要だと言っていますか",
    ],
)
def test_other_questions_are_left_whole(question: str) -> None:
    assert not asks_moment(question)
    assert topic(question) == question


def test_a_bare_position_question_keeps_its_words() -> None:
    assert topic("몇 분에 나와?") == "나와"
    assert topic("動画の何分ごろ？") == "動画の何分ごろ？"


def test_a_position_question_is_ranked_and_answered_by_its_topic(fake_built: Settings) -> None:
    searcher = Searcher(load_index(fake_built.index_dir), FakeEmbedder())
    question = "일본 정부 GPU 지원 얘기는 영상 몇 분쯤 나와?"
    hits = searcher.search(question, 5)
    assert [h.passage.id for h in hits] == [h.passage.id for h in searcher.search(topic(question), 5)]
    spans, decisive = searcher.answer_spans(question, 5)
    # "몇 분" asks for no quantity here, and no info line is forced on it.
    assert not decisive and spans and not any(c.info for c in spans)
    assert searcher.answer_spans("일본 정부 GPU 지원은 몇 분이 받았어?", 5)[1]
