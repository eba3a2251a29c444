from __future__ import annotations

import pytest

from rag.answer import Candidate
from rag.answertype import Expectation
from rag.chunking import Passage, Span
from rag.embedder import FakeEmbedder
from rag.identifiers import identifiers, leads, mentioned, naming, pin_amounts, relative_years, unmentioned
from rag.moments import Hit
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index
from rag.textfacts import YEAR


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("엔비디아 H200은 한 개에 얼마야?", {"h200"}),
        ("How much money did OpenAI lose in 2024?", {"2024"}),
        ("日本政府が２０２５年度にGPU支援に充てる予算は？", {"2025"}),
        ("Back in the 2010s", {"2010"}),
        ("What was said on 2024-03-14, and in FY2023?", {"2024", "2023"}),
        ("RTX-4090 and b200", {"rtx4090", "b200"}),
        # A figure is not a year: a count, an amount, a price, a separator.
        ("GPU 2000개, 2000억 엔, $2000, 1,041억 엔, 20250", set()),
        # Under three digits, a lower-case hyphen, letters before a year: not model names.
        ("GPT-4, COVID-19, the G20, a top-100 list, CES2024, EP.19", set()),
        # A short year, said as people say it: "83年って", "88년에", "70년대", "95년도에".
        ("毛刈り始めた83年って1頭いくら？", {"1983"}),
        ("88년에 망친 항아리, 70년대 초반, 95년도에", {"1988", "1970", "1995"}),
        # Not a span of time ("10년에 한 번", "잃어버린 30년은", "20년 지나면") nor an era's year.
        ("10년에 한 번, 잃어버린 30년은, 20년 지나면, 25년을", set()),
        ("1965년(쇼와 40년) 무렵, 昭和60年に", {"1965"}),
    ],
)
def test_what_a_question_names(question: str, named: set[str]) -> None:
    assert identifiers(question) == named


@pytest.mark.parametrize(
    ("passage", "years"),
    [
        ("In 2024, OpenAI lost money; 2022, 2023 and 2024 alike.", {"2022", "2023", "2024"}),
        ("2023년부터 2028년까지 영업 손실이", {str(y) for y in range(2023, 2029)}),
        ("from 2023 to 2025", {"2023", "2024", "2025"}),
        ("24년에 발매하는, 90년대에, back in the 80s and '19", {"2024", "1990", "1980", "2019"}),
        # Spans of time are not years: ten years on, three years long.
        ("10년 뒤에는, 3년간, 20年後", set()),
        ("1,041억 엔, 2,024명", set()),
    ],
)
def test_what_a_passage_mentions(passage: str, years: set[str]) -> None:
    assert {m for m in mentioned(passage) if m.isdigit()} == years


def test_what_no_passage_mentions() -> None:
    passages = [
        "2023년부터 2028년까지 영업 손실이 440억 달러, 2026년에는 140억",
        "H100이라는 제품을 기준으로 하면",
    ]
    assert unmentioned("오픈AI는 2030년에 흑자가 나?", passages) == ("2030",)
    assert unmentioned("엔비디아 H200은 한 개에 얼마야?", passages) == ("h200",)
    assert unmentioned("오픈AI는 2027년에도 적자야? And the h-100?", passages) == ()
    assert unmentioned("손실은 얼마야? GPU 2000개면?", passages) == ()
    assert unmentioned("What about the RTX4090?", ["the RTX 4090 and the A 100"]) == ()
    assert unmentioned("2024년에 뭐가 나왔어?", ["2,024명이 왔고"]) == ("2024",)


def test_a_model_name_no_answer_passage_mentions_flags_the_question(fake_built: Settings) -> None:
    # With no confidence cut, only the gate can withhold the answer.
    searcher = Searcher(load_index(fake_built.index_dir), FakeEmbedder(), RetrievalParams(min_confidence=0.0))
    other = searcher.ask("엔비디아 H200 GPU 하나의 가격은 얼마인가요?")
    assert (other.unmentioned, other.low_confidence, other.answer) == (("h200",), True, None)
    named = searcher.ask("엔비디아 H100 GPU 하나의 가격은 얼마인가요?")
    assert (named.unmentioned, named.low_confidence) == ((), False) and named.answer is not None


def test_a_span_mentioning_the_named_year_is_preferred_within_the_margin() -> None:
    question = "2030년쯤 되면 폐배터리가 몇 개 정도 나와?"
    spans = [
        "국내 폐배터리가 올해 한 8천 개 정도 수준이거든요.",
        "2030년이 되면 10만 7천 개 정도로 늘어나요.",
    ]
    assert naming(question, spans, [5.0, 4.0], 2.0) == [1]
    # Too far below the best, or no span mentioning it, or no year named: every span stays.
    assert naming(question, spans, [5.0, 2.5], 2.0) == [0, 1]
    assert naming(question, spans[:1], [5.0], 2.0) == [0]
    assert naming("폐배터리가 몇 개 정도 나와?", spans, [5.0, 4.0], 2.0) == [0, 1]


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("작년 서울 열대야가 총 며칠이었대?", {"year-1"}),
        ("去年いくつの小学校に行ったの？ 昨年も", {"year-1"}),
        ("How many did they sell last year?", {"year-1"}),
        # The year before last is not last year, nor is 再来年 next year.
        ("재작년, 一昨年 and the year before last", {"year-2"}),
        ("올해, 今年, this year; 내년, 来年, next year", {"year+0", "year+1"}),
        ("再来年", set()),
        ("작업은 1년 걸렸다", set()),
    ],
)
def test_years_named_from_the_speakers_own(text: str, years: set[str]) -> None:
    assert relative_years(text) == years


def test_a_span_saying_last_year_answers_a_question_about_last_year() -> None:
    question = "작년 서울 열대야가 총 며칠이었대?"
    spans = [
        "서울 열대야 일수가 1990년대에는 한 해 평균 여드레 정도였거든요.",
        "근데 작년에는 41일이었습니다.",
    ]
    assert naming(question, spans, [5.0, 4.0], 2.0) == [1]
    # Across languages too; and a question naming no year keeps every span.
    assert naming("How many tropical nights did Seoul have last year?", spans, [5.0, 4.0], 2.0) == [1]
    assert naming("서울 열대야가 총 며칠이었대?", spans, [5.0, 4.0], 2.0) == [0, 1]
    # The year it names is not one the passages must mention: the talk's own year is rarely said.
    assert unmentioned(question, spans[:1]) == ()


def test_a_year_said_before_holds_for_the_span_after_it() -> None:
    # The year is said once, and the count two sentences later answers.
    text = (
        "제일 바빴을 때요? 2016년 9월에 경주 지진 났을 때요. 기와가 다 떨어졌어요. 그때 만든 게 6만 장이에요."
    )
    ends = [text.index(s) + len(s) for s in ("때요?", "때요.", "떨어졌어요.", "장이에요.")]
    starts = [0, *(e + 1 for e in ends[:-1])]
    passage = Passage("v:0:x", "v", 1, None, 0, 10_000, False, text, tuple(map(Span, starts, ends)))
    hit = Hit(1, 1.0, passage, 0)
    quantity = Expectation("quantity", frozenset(), frozenset({("2016", YEAR)}))
    spans = [
        Candidate(hit, 1, 1, (4.9,), 0.8, True, amounts=frozenset({("2016", YEAR), ("9", "월")})),
        Candidate(hit, 2, 2, (4.0,), 0.8, False),
        Candidate(hit, 3, 3, (5.0,), 0.8, True, amounts=frozenset({("6만", "장")})),
    ]
    question = "How many tiles did they make after the earthquake in 2016?"
    scores = [4.9, 4.0, 5.0]
    said = leads(spans, quantity)
    named = naming(question, said, scores, 2.0)
    assert named == [0, 2]
    assert pin_amounts(spans, named, scores, quantity, 2.0, said) == [0, 2]
    # Only where a decisive question's answer type is stated: the sentence after a year's is no place.
    assert leads(spans, None) == [c.text for c in spans]
    assert naming(question, leads(spans, None), scores, 2.0) == [0]
