"""rag.glossary: which words are translated, and how they are looked up (a fake encoder)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from rag import glossary
from rag.glossary import Glossary, english_words, flat, japanese_words, korean_words, spelled_in_english

# Vectors by hand: 지붕 is near roof and far from soil, 우산 is umbrella and near parasol, 갈대 is
# near nothing.
AXES = {
    "roof": [1.0, 0.0, 0.0],
    "umbrella": [0.0, 1.0, 0.0],
    "parasol": [0.0, 0.8, 0.6],
    "soil": [0.0, 0.0, 1.0],
    "지붕": [0.9, 0.0, 0.43589],
    "우산": [0.0, 1.0, 0.0],
    "갈대": [0.5, -0.5, 0.5],
}


class FakeEncoder:
    model_id = "fake"
    dimension = 3

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.array([AXES[t] for t in texts], dtype=np.float32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_english_words_are_the_indexed_latin_words_worth_a_lookup() -> None:
    words = {"roof", "roofs", "the", "gpu's", "h100", "ox", "지붕", "ko:양식", "well-known", "", "reed"}
    assert english_words(words, lambda w: 1.0) == ["reed", "roof", "roofs", "well-known"]


def test_a_library_with_more_english_words_keeps_the_commonest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(glossary, "MOST_WORDS", 2)
    idf = {"rare": 5.0, "common": 0.5, "middle": 2.0}
    assert english_words(idf, idf.__getitem__) == ["common", "middle"]


def test_korean_words_are_hangul_words_of_two_syllables_or_more() -> None:
    assert korean_words(["지붕", "하", "gpu", "지붕", "2030", "교체", "ko:지붕"]) == ["지붕", "교체"]


def test_japanese_words_are_runs_of_kanji_and_of_katakana() -> None:
    # 入った is a verb's stem and 新しい an adjective's; 何 asks; the middle dot parts a name.
    question = "セント・アイヴスの新しい鐘の溶接は何年に入った？ヤギの毛も？鐘"
    assert japanese_words(question) == ["セント", "アイヴス", "鐘", "溶接", "何年", "ヤギ", "毛"]


def test_a_lone_kanji_is_a_noun_before_a_particle_or_at_the_end() -> None:
    assert japanese_words("木を見た") == ["木"]
    assert japanese_words("土に埋める村") == ["土", "村"]
    assert japanese_words("誰が言ったの") == []
    assert japanese_words("how much?") == []


def test_each_word_gets_its_nearest_english_words_within_the_threshold() -> None:
    found = Glossary(FakeEncoder(), ["parasol", "roof", "soil", "umbrella"], 0.7, 2)
    # 지붕: roof (0.9), not soil (0.44); 우산: umbrella (1.0), then parasol (0.8); 갈대: none
    # reaches 0.7 (0.58 to roof and soil).
    assert found.translate(["지붕", "우산", "갈대"]) == ["roof", "umbrella", "parasol"]


def test_at_most_per_word_words_each() -> None:
    found = Glossary(FakeEncoder(), ["parasol", "roof", "soil", "umbrella"], 0.5, 1)
    assert found.translate(["우산"]) == ["umbrella"]


def test_the_vocabulary_is_encoded_once_on_first_need() -> None:
    encoder = FakeEncoder()
    found = Glossary(encoder, ["roof", "umbrella"], 0.7, 2)
    assert encoder.calls == []
    found.translate(["지붕"])
    found.translate(["우산"])
    assert encoder.calls == [["지붕"], ["roof", "umbrella"], ["우산"]]


def test_nothing_to_look_up_or_nothing_to_find_costs_nothing() -> None:
    encoder = FakeEncoder()
    assert Glossary(encoder, ["roof"], 0.7, 2).translate([]) == []
    assert Glossary(encoder, [], 0.7, 2).translate(["지붕"]) == []
    assert Glossary(encoder, ["roof"], 0.7, 2).nearest(np.zeros((0, 3), dtype=np.float32)) == []
    assert encoder.calls == []


def test_each_word_keeps_its_own_english_words() -> None:
    found = Glossary(FakeEncoder(), ["parasol", "roof", "soil", "umbrella"], 0.7, 2)
    vectors = FakeEncoder().encode(["지붕", "갈대", "우산"])
    assert found.nearest(vectors) == [("roof",), (), ("umbrella", "parasol")]
    assert flat([("roof", "eave"), (), ("umbrella", "roof")]) == ["roof", "eave", "umbrella"]


def test_the_answer_span_spells_a_korean_word_in_english_too() -> None:
    words = {"지붕": frozenset({"지붕"}), "언제": frozenset({"언제"})}
    spelled = spelled_in_english(words, {"지붕": ("roof", "thatch")})
    assert spelled == {"지붕": frozenset({"지붕", "roof", "thatch"}), "언제": frozenset({"언제"})}
    assert words["지붕"] == frozenset({"지붕"})


def test_a_japanese_words_character_pairs_take_its_english_words() -> None:
    # A Japanese question's key words are character pairs: 礼拝堂 is 礼拝 and 拝堂.
    words = {t: frozenset({t}) for t in ("礼拝", "拝堂", "鐘", "どこ")}
    spelled = spelled_in_english(words, {"礼拝堂": ("chapel",), "鐘": ("bell",), "溶接": ("weld",)})
    assert spelled == {
        "礼拝": frozenset({"礼拝", "chapel"}),
        "拝堂": frozenset({"拝堂", "chapel"}),
        "鐘": frozenset({"鐘", "bell"}),
        "どこ": frozenset({"どこ"}),
    }
