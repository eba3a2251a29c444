"""Whatever k a caller asks for, the first results and how sure the answer is stay the same."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from rag.crossrank import FEATURES, CrossRanker
from rag.embedder import FakeEmbedder
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index

QUESTIONS = [
    "오픈AI 영업 손실",
    "일본 정부는 GPU 구매에 얼마를 지원했나요?",
    "Why is SoftBank investing in AI?",
    "손정의 회장의 나이는 몇 살인가요?",
    "로비 얘기는 영상 몇 분쯤 나와?",
]


@pytest.fixture(params=["plain", "crossrank"])
def searcher(fake_built: Settings, request: pytest.FixtureRequest) -> Searcher:
    # Pools of 20 a side: k above 10 then needs a wider pool than the first ten were ranked from.
    # With a cross-language ranker the English question's settled results are reordered too.
    crossrank = None
    if request.param == "crossrank":
        # The last of them first: an order no ranking gives.
        weights = np.array([{"slot": 1.0}.get(f, 0.0) for f in FEATURES])
        crossrank = CrossRanker(
            FakeEmbedder().model_id, np.eye(FakeEmbedder().dimension, dtype=np.float32), weights
        )
    return Searcher(
        load_index(fake_built.index_dir), FakeEmbedder(), RetrievalParams(pool=20), crossrank=crossrank
    )


def test_the_ranker_reorders_the_english_question(fake_built: Settings) -> None:
    """So the crossrank variant of these tests checks a moved order."""
    index = load_index(fake_built.index_dir)
    weights = np.array([{"slot": 1.0}.get(f, 0.0) for f in FEATURES])
    ranker = CrossRanker(FakeEmbedder().model_id, np.eye(FakeEmbedder().dimension, dtype=np.float32), weights)
    moved = Searcher(index, FakeEmbedder(), RetrievalParams(pool=20), crossrank=ranker)
    plain = Searcher(index, FakeEmbedder(), RetrievalParams(pool=20))
    question = "Why is SoftBank investing in AI?"
    assert [h.passage.id for h in moved.search(question, 10)] != [
        h.passage.id for h in plain.search(question, 10)
    ]


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_larger_k_shows_the_same_first_ten(searcher: Searcher, question: str) -> None:
    ten = [(h.passage.text, h.score) for h in searcher.search(question, 10)]
    for k in (11, 15, 30, 50):
        assert [(h.passage.text, h.score) for h in searcher.search(question, k)][:10] == ten


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_k_from_three_gets_the_same_answer_and_confidence(searcher: Searcher, question: str) -> None:
    def seen(k: int) -> tuple[object, ...]:
        r = searcher.ask(question, k)
        a = r.answer
        return (a and (a.text, a.passage_rank, a.char_start, a.char_end), r.confidence, r.low_confidence)

    ten = seen(10)
    assert [seen(k) for k in (3, 5, 15, 50)] == [ten] * 4


@pytest.mark.parametrize("question", QUESTIONS)
def test_results_past_the_first_pool_never_outscore_those_before(searcher: Searcher, question: str) -> None:
    scores = [h.score for h in searcher.search(question, 50)]
    assert len(scores) > 20 and scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("pool", [20, 50])
@pytest.mark.parametrize("question", QUESTIONS)
def test_k_counts_distinct_results_while_the_index_holds_more(
    fake_built: Settings, question: str, pool: int
) -> None:
    # Candidates fold into fewer moments than they are: a pool of 2k once gave 12 results for k=15.
    # With the default pool of 50, k from 11 to 25 is first folded from that pool alone.
    searcher = Searcher(load_index(fake_built.index_dir), FakeEmbedder(), RetrievalParams(pool=pool))
    most = len(searcher.search(question, 50))
    assert most > 20
    assert [len(searcher.search(question, k)) for k in (12, 15, 20, 30)] == [
        min(k, most) for k in (12, 15, 20, 30)
    ]


def test_one_videos_results_widen_no_further_than_its_passages(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A library of 200,000 passages, the question asked of an 86-passage video: once each side
    # returns fewer candidates than asked, a wider pool finds nothing more.
    monkeypatch.setattr(type(searcher.index), "size", property(lambda _: 200_000))
    widths: list[int] = []
    ranked = searcher._candidates.ranked

    def counted(*args: Any) -> Any:
        widths.append(args[5])  # ranked(tokens, vector, video_id, language, spellings, pool, second)
        return ranked(*args)

    monkeypatch.setattr(searcher._candidates, "ranked", counted)
    video = next(iter(searcher.index.videos))
    assert len(searcher.search("오픈AI 영업 손실", 50, video)) > 20
    assert widths == [20, 100]
