"""The answer a question asks for (a quantity, in its unit, or a time) and the sentences that give it."""

from __future__ import annotations

import pytest

from rag.answer import best_sentence
from rag.answertype import Expectation, expectation, satisfies
from rag.embedder import FakeEmbedder
from rag.keyword import Analyzer
from rag.retrieval import RetrievalParams, Searcher
from rag.settings import Settings
from rag.store import load_index

AGE = frozenset({"살", "세", "歳"})
PEOPLE = frozenset({"명", "인", "人"})
MONTHS = frozenset({"달", "개월", "월"})
PERCENT = frozenset({"퍼센트", "프로", "%"})


def expected(question: str) -> Expectation | None:
    return expectation(question, Analyzer().morphs(question))


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("손정의 회장의 나이는 몇 살인가요?", Expectation("quantity", AGE)),
        ("직원은 몇 명인가요?", Expectation("quantity", PEOPLE)),
        ("몇 달 만에 다시 갔나요?", Expectation("quantity", MONTHS)),
        ("20년 뒤 AI는 인간 두뇌의 몇 배 능력을 갖게 되나요?", Expectation("quantity", frozenset({"배"}))),
        ("H100 GPU 하나의 가격은 얼마인가요?", Expectation("quantity")),
        ("경제산업성이 엔비디아 본사를 찾아간 것은 언제인가요?", Expectation("time")),
        ("How old is Masayoshi Son?", Expectation("quantity", AGE)),
        ("What share of Boston Dynamics does Hyundai own?", Expectation("quantity", PERCENT)),
        ("How much does one Nvidia H100 GPU cost?", Expectation("quantity")),
        ("When was this video uploaded?", Expectation("time")),
        ("東京の人口は何人ですか？", Expectation("quantity", PEOPLE)),
        ("H100は1台いくらですか？", Expectation("quantity")),
        ("経済産業省がエヌビディア本社を訪れたのはいつですか？", Expectation("time")),
        ("손정의는 프레젠테이션에서 무엇을 들고 나왔나요?", None),
        ("Why do Japanese companies outsource their IT systems?", None),
    ],
)
def test_what_a_question_asks_for(question: str, wanted: Expectation | None) -> None:
    assert expected(question) == wanted


@pytest.mark.parametrize(
    ("sentence", "wanted", "stated"),
    [
        ("그리고 20년 뒤에는 만 배 능력을 가지게 된다.", Expectation("quantity", frozenset({"배"})), True),
        ("그리고 20년 뒤에는 만 배 능력을 가지게 된다.", Expectation("quantity", AGE), False),
        ("하나도 찾지 못했다.", Expectation("quantity", AGE), False),
        ("청중들 수천 명 앞에서 이렇게 얘기를 하는데", Expectation("quantity", AGE), False),
        ("청중들 수천 명 앞에서 이렇게 얘기를 하는데", Expectation("quantity", PEOPLE), True),
        ("- 조회수: 22,868", Expectation("quantity", PEOPLE), True),
        ("4개월 뒤에 또 갔습니다.", Expectation("quantity", MONTHS), True),
        ("4개월 뒤에 또 갔습니다.", Expectation("time"), True),
        ("현대가 한 80%를 가지고 있고", Expectation("quantity", PERCENT), True),
        ("GPU 구매 시 일본 정부가 최대 절반까지 지원하기로 했습니다.", Expectation("quantity"), True),
        ("연간 30억 달러가 됩니다.", Expectation("quantity"), True),
        ("- 업로드 날짜: 2025-03-26", Expectation("time"), True),
        ("일본에서 작년과 재작년에 조달 작전이란 걸 했습니다.", Expectation("time"), True),
        ("엄청 비쌉니다.", Expectation("quantity"), False),
        ("만 배 능력을 가지게 된다.", Expectation("time"), False),
    ],
)
def test_which_sentences_state_it(sentence: str, wanted: Expectation, stated: bool) -> None:
    assert satisfies(wanted, Analyzer().morphs(sentence)) is stated


def test_a_question_the_video_never_answers_is_flagged(fake_built: Settings) -> None:
    # No sentence of the seed gives anyone's age, whichever passages come first.
    index = load_index(fake_built.index_dir)
    loose = RetrievalParams(min_confidence=0.0)
    result = Searcher(index, FakeEmbedder(), loose).ask("손정의 회장의 나이는 몇 살인가요?")
    assert (result.typed, result.low_confidence, result.answer) == (False, True, None)
    assert result.candidate is not None, "the closest sentence is still there for evaluation"


def test_the_answer_is_the_sentence_that_states_the_amount(fake_built: Settings) -> None:
    index = load_index(fake_built.index_dir)
    question = "H100 GPU 하나의 가격은 얼마인가요?"
    loose = RetrievalParams(min_confidence=0.0, lexical_weight=0.0)
    result = Searcher(index, FakeEmbedder(), loose).ask(question)
    closest = best_sentence(index, FakeEmbedder().embed_batch([question], "query")[0], result.hits)
    amount = Expectation("quantity")
    assert closest is not None and not satisfies(amount, Analyzer().morphs(closest.text))
    assert result.typed and result.answer is not None
    assert satisfies(amount, Analyzer().morphs(result.answer.text))
