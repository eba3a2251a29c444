"""The answer is a sentence, or the sentence and its neighbour where the model cannot tell them apart;
a decisive answer type counts only where a span stating it scores near the best."""

from __future__ import annotations

import pytest

from rag.answer import FEATURES, Candidate, choose
from rag.answertype import Expectation
from rag.chunking import Passage, Span
from rag.moments import Hit
from rag.neighbours import joins

TEXT = "손실이 나고 있죠. 440억 달러에 이를 것이고. 흑자는 2029년."
PASSAGE = Passage("v:0:x", "v", 1, None, 0, 10_000, False, TEXT, (Span(0, 10), Span(11, 27), Span(28, 38)))
FIRST = Hit(1, 1.0, PASSAGE, 0)
SECOND = Hit(2, 0.9, PASSAGE, 0)
# The score is the first feature alone.
WEIGHTS = (1.0,) + (0.0,) * (len(FEATURES) - 1)


def span(hit: Hit, first: int, last: int, score: float) -> Candidate:
    return Candidate(hit, first, last, (score,) + (0.0,) * (len(FEATURES) - 1), score, False)


SPANS = [
    span(FIRST, 0, 0, 0.5),
    span(FIRST, 1, 1, 1.0),
    span(FIRST, 2, 2, 0.6),
    span(FIRST, 0, 1, 0.1),
    span(FIRST, 1, 2, 0.1),
]


@pytest.mark.parametrize(
    ("hedge", "text"),
    [
        (0.0, "440억 달러에 이를 것이고."),
        (0.3, "440억 달러에 이를 것이고."),
        (0.45, "440억 달러에 이를 것이고. 흑자는 2029년."),
        # Both neighbours are close: the closer one joins.
        (0.6, "440억 달러에 이를 것이고. 흑자는 2029년."),
    ],
)
def test_a_close_neighbour_joins_the_best_sentence(hedge: float, text: str) -> None:
    answer, _ = choose(SPANS, WEIGHTS, None, hedge)
    assert answer is not None and answer.text == text
    assert TEXT[answer.char_start : answer.char_end] == text
    # The answer keeps the best sentence's score, not the pair's.
    assert answer.score == 1.0


def test_a_neighbour_in_another_result_does_not_join() -> None:
    spans = [span(FIRST, 1, 1, 1.0), span(SECOND, 2, 2, 0.99), span(SECOND, 1, 2, 0.0)]
    answer, _ = choose(spans, WEIGHTS, None, 0.5)
    assert answer is not None and answer.text == "440억 달러에 이를 것이고."


def test_without_the_pair_among_the_spans_the_sentence_stands_alone() -> None:
    spans = [span(FIRST, 1, 1, 1.0), span(FIRST, 2, 2, 0.9)]
    answer, _ = choose(spans, WEIGHTS, None, 0.5)
    assert answer is not None and answer.text == "440억 달러에 이를 것이고."


def test_a_best_pair_is_kept_as_it_is() -> None:
    spans = [span(FIRST, 1, 1, 0.5), span(FIRST, 0, 0, 0.45), span(FIRST, 1, 2, 1.0)]
    answer, _ = choose(spans, WEIGHTS, None, 0.5)
    assert answer is not None and answer.text == "440억 달러에 이를 것이고. 흑자는 2029년."


def test_a_figure_far_from_the_best_span_does_not_state_what_was_asked() -> None:
    amount = Expectation("quantity")
    # The best span states no amount; the one that does scores 4 lower (a date in a sentence on
    # something else): the question is left without a typed answer and gets flagged.
    spans = [span(FIRST, 1, 1, 5.0), typed(FIRST, 2, 2, 1.0)]
    assert choose(spans, WEIGHTS, amount, 0.0, 3.0)[1] is False
    assert choose(spans, WEIGHTS, amount, 0.0, 5.0)[1] is True
    # Flagged or not, the span stating an amount is the one offered.
    answer, _ = choose(spans, WEIGHTS, amount, 0.0, 3.0)
    assert answer is not None and answer.text == "흑자는 2029년."


def typed(hit: Hit, first: int, last: int, score: float) -> Candidate:
    return Candidate(hit, first, last, (score,) + (0.0,) * (len(FEATURES) - 1), score, True)


def test_a_consequence_brings_the_sentence_before_it() -> None:
    # "그래서 …" answers a why-question with its consequence: the reason is the sentence before.
    consequence = Candidate(FIRST, 2, 2, (1.0,) + (0.0,) * (len(FEATURES) - 1), 1.0, False, joins=-1)
    spans = [span(FIRST, 1, 1, 0.5), consequence, span(FIRST, 1, 2, 0.2)]
    answer, _ = choose(spans, WEIGHTS, None, 0.0)
    assert answer is not None and answer.text == "440억 달러에 이를 것이고. 흑자는 2029년."
    # Without the pair among the spans, the sentence stands alone.
    answer, _ = choose(spans[:2], WEIGHTS, None, 0.0)
    assert answer is not None and answer.text == "흑자는 2029년."


ASKED = "지금 일본에 양조장이 몇 개나 있나요? 대략 1,500개 정도 있어요. 줄고 있죠."
ASKED_PASSAGE = Passage(
    "v:1:x", "v", 1, None, 0, 10_000, False, ASKED, (Span(0, 21), Span(22, 39), Span(40, 46))
)


def test_a_question_asked_in_the_talk_brings_the_answer_after_it() -> None:
    hit = Hit(1, 1.0, ASKED_PASSAGE, 0)
    asked = Candidate(
        hit,
        0,
        0,
        (1.0,) + (0.0,) * (len(FEATURES) - 1),
        1.0,
        False,
        joins=joins(ASKED_PASSAGE, 0, 0, 3, None),
    )
    spans = [asked, span(hit, 1, 1, 0.5), span(hit, 0, 1, 0.2)]
    answer, _ = choose(spans, WEIGHTS, None, 0.0)
    assert (
        answer is not None and answer.text == "지금 일본에 양조장이 몇 개나 있나요? 대략 1,500개 정도 있어요."
    )
    # A statement, or a question with nothing after it in its result, stands alone.
    assert joins(ASKED_PASSAGE, 1, 1, 3, None) == 0 and joins(ASKED_PASSAGE, 0, 0, 1, None) == 0


EXCHANGE = "真竹と孟宗竹って、見分けられるんですか？ 見分けられますよ。 節を見ると、真竹は節の輪っかが二本あって、孟宗竹は一本なんです。"
EXCHANGE_PASSAGE = Passage(
    "v:2:x", "v", 1, None, 0, 10_000, False, EXCHANGE, (Span(0, 20), Span(21, 30), Span(31, 63))
)


def test_a_short_reply_to_a_short_question_brings_the_sentence_after_it() -> None:
    hit = Hit(1, 1.0, EXCHANGE_PASSAGE, 0)
    question = Candidate(hit, 0, 0, (1.0,) + (0.0,) * (len(FEATURES) - 1), 0.9, False, joins=1)
    # A pair's cosine is its closer sentence's: here the question's.
    pair = Candidate(hit, 0, 1, (0.2,) + (0.0,) * (len(FEATURES) - 1), 0.9, False)
    spans = [question, pair, span(hit, 1, 2, 0.1), span(hit, 2, 2, 0.3)]
    answer, _ = choose(spans, WEIGHTS, None, 0.0)
    assert answer is not None
    assert (
        answer.text == "見分けられますよ。 節を見ると、真竹は節の輪っかが二本あって、孟宗竹は一本なんです。"
    )
    # The reply keeps the question's match: the confidence weighs the span's cosine.
    assert answer.cosine == 0.9


@pytest.mark.parametrize(
    ("text", "spans"),
    [
        # A reply that says something ("대략 1,500개 정도 있어요" is short; this is not) stays with its question.
        (
            "이분들은 목욕탕 직원인가요? 아니요 대부분은 직원이 아니고 다들 자릿세를 내고 들어와요. 특이하죠.",
            ((0, 15), (16, 49), (50, 55)),
        ),
        # A long question carries what the speaker says: a lecturer's rhetorical question.
        (
            "일본은 그 다음 그룹에 있을 정도인데, 과연 이게 현실성 있는 이야기냐고 다들 물었을까요? 그렇죠. 손 회장은 달랐어요.",
            ((0, 50), (51, 55), (56, 67)),
        ),
    ],
)
def test_a_question_with_a_reply_that_says_something_stays_whole(
    text: str, spans: tuple[tuple[int, int], ...]
) -> None:
    passage = Passage("v:3:x", "v", 1, None, 0, 10_000, False, text, tuple(Span(a, b) for a, b in spans))
    hit = Hit(1, 1.0, passage, 0)
    candidates = [span(hit, 0, 1, 1.0), span(hit, 1, 2, 0.1)]
    answer, _ = choose(candidates, WEIGHTS, None, 0.0)
    assert answer is not None and (answer.char_start, answer.char_end) == (0, spans[1][1])


@pytest.mark.parametrize(
    ("consequence", "joined"),
    [
        ("なので、赤は青の倍くらいします。", -1),
        ("ですので、型はきつめに作ります。", -1),
        ("それで、銀行を辞めました。", -1),
        ("그래가지고 육지로 나왔어요.", -1),
        ("그래서 감미료를 뺐어요.", -1),
        # A filler "so" opens English sentences of every kind: no consequence is read into it.
        ("So that comes from a terrible story.", 0),
    ],
)
def test_a_consequence_answers_a_why_question_with_the_reason_before_it(
    consequence: str, joined: int
) -> None:
    reason = "本物の金を使うんですよ。"
    text = f"{reason} {consequence}"
    passage = Passage(
        "v:2:x",
        "v",
        1,
        None,
        0,
        10_000,
        False,
        text,
        (Span(0, len(reason)), Span(len(reason) + 1, len(text))),
    )
    assert joins(passage, 1, 1, 2, Expectation("reason")) == joined
    assert joins(passage, 1, 1, 2, None) == 0
