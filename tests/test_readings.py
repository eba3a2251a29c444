"""The Korean readings of Japanese kanji (rag.readings): a Korean question's keyword route into a
Japanese passage, and no other."""

from __future__ import annotations

import pytest

from rag.fusion import with_bridge
from rag.keyword import Analyzer, KeywordIndex
from rag.readings import initial_law, passage_readings, question_readings, readable


@pytest.mark.parametrize(
    ("syllable", "folded"),
    [
        ("료", "요"),
        ("리", "이"),
        ("론", "논"),
        ("라", "나"),
        ("녀", "여"),
        ("뇨", "요"),
        ("노", "노"),
        ("양", "양"),
    ],
)
def test_a_pair_begins_as_a_korean_word_does(syllable: str, folded: str) -> None:
    assert initial_law(syllable) == folded


def test_kanji_compounds_are_read_in_pairs_shinjitai_and_repeats_included() -> None:
    text = "金魚の養殖場で、料理の学校。人々は売上を見た。漆"
    assert passage_readings(text) == [
        "ko:금어",
        "ko:양식",
        "ko:식장",
        "ko:요리",  # 料理 is 료리 by the table; a Korean word begins 요리
        "ko:학교",  # 学, the shinjitai of 學
        "ko:인인",  # 人々
        "ko:매상",
    ]  # the lone 漆 reads too many ways to count


def test_a_korean_question_is_cut_into_the_same_pairs() -> None:
    assert question_readings(["양식장", "요리", "물", "gpu", "2018"]) == [
        "ko:양식",
        "ko:식장",
        "ko:요리",
    ]


def test_only_a_japanese_passage_is_found_by_reading_pairs() -> None:
    analyzer = Analyzer()
    passages = [
        "양식장에서 금붕어 품종을 골라요.",  # Korean: its own words, no pairs
        "うちの養殖場では三つの品種を育てています。",
        "祭りの季節は夏です。",
    ]
    index = KeywordIndex.build([analyzer.passage_tokens(p) for p in passages])
    pairs = question_readings(analyzer.tokens("양식장에서 키우는 품종은 몇 가지야?"))
    assert [row for row, _ in index.search(pairs, 3)] == [1]


def test_the_bridge_adds_a_share_of_the_best_reading_score() -> None:
    dense = [(0, 0.90), (1, 0.89), (2, 0.885)]
    bridged = with_bridge(dense, [(2, 4.0), (1, 1.0)], 0.02)
    assert [row for row, _ in bridged] == [2, 0, 1]
    assert [score for _, score in bridged] == pytest.approx([0.905, 0.90, 0.895])
    assert with_bridge(dense, [], 0.02) == dense


def test_a_korean_questions_words_are_also_spelled_as_their_reading_pairs() -> None:
    words = {"양식장": frozenset({"양식장"}), "물": frozenset({"물"})}
    assert readable(words) == {
        "양식장": frozenset({"양식장", "ko:양식", "ko:식장"}),
        "물": frozenset({"물"}),
    }
