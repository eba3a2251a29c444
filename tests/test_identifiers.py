from __future__ import annotations

import pytest

from rag.embedder import FakeEmbedder
from rag.identifiers import identifiers, unmentioned
from rag.retrieval import RetrievalParams, Searcher
from rag.settings import Settings
from rag.store import load_index


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("엔비디아 H200은 한 개에 얼마야?", {"h200"}),
        ("How much money did OpenAI lose in 2024?", {"2024"}),
        ("日本政府が2025年度にGPU支援に充てる予算は？", {"2025"}),
        ("Back in the 2010s", {"2010"}),
        ("RTX-4090 and b200", {"rtx4090", "b200"}),
        # Figures, versions and lists are not names: a comma, under three digits, a lower-case hyphen.
        ("1,041억 엔, 2,000억, 20250", set()),
        ("GPT-4, COVID-19, the G20 and a top-100 list, EP.19", set()),
    ],
)
def test_years_and_model_names(text: str, found: set[str]) -> None:
    assert identifiers(text) == found


def test_what_no_passage_mentions() -> None:
    passages = ["2023년부터 2028년까지 영업 손실이 440억 달러", "H100이라는 제품을 기준으로 하면"]
    assert unmentioned("오픈AI는 2027년 한 해에 적자가 얼마나 날 걸로 봐?", passages) == ("2027",)
    assert unmentioned("엔비디아 H200은 한 개에 얼마야?", passages) == ("h200",)
    assert unmentioned("What did they expect for 2028? And the h100?", passages) == ()
    assert unmentioned("손실은 얼마야?", passages) == ()


def test_a_spoken_short_year_mentions_its_year() -> None:
    assert unmentioned("2024년에 뭐가 나왔어?", ["24년에 발매하는"]) == ()
    assert unmentioned("1990年代の日本は？", ["90년대 일본은"]) == ()
    assert unmentioned("2024년에 뭐가 나왔어?", ["2,024명이 왔고"]) == ("2024",)


def test_a_model_name_no_answer_passage_mentions_flags_the_question(fake_built: Settings) -> None:
    # With no confidence cut, only the gate can withhold the answer.
    searcher = Searcher(load_index(fake_built.index_dir), FakeEmbedder(), RetrievalParams(min_confidence=0.0))
    other = searcher.ask("엔비디아 H200 GPU 하나의 가격은 얼마인가요?")
    assert (other.unmentioned, other.low_confidence, other.answer) == (("h200",), True, None)
    named = searcher.ask("엔비디아 H100 GPU 하나의 가격은 얼마인가요?")
    assert (named.unmentioned, named.low_confidence) == ((), False) and named.answer is not None
