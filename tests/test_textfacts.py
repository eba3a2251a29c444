import pytest

from rag.answertype import Expectation, SentenceFacts
from rag.keyword import Analyzer
from rag.textfacts import text_facts


@pytest.mark.parametrize(
    ("sentence", "counters", "kinds"),
    [
        ("The first cable was laid in 1858, you know.", {"year"}, {"time"}),
        ("It cost about $25,000 because prices rose.", {"", "달러"}, {"reason"}),
        ("Some twenty people showed up, Jensen Huang said.", {"-", "명"}, {"claim", "person"}),
        ("She was 34 years old when she moved to Boston.", {"", "살"}, {"place"}),
        ("The hives will do better by planting clover.", set(), {"claim", "method"}),
        ("A cable takes 3 years to lay.", {""}, {"time"}),
        ("2019年に田中さんは3万円払った。", {"year", "", "엔"}, {"time", "person"}),
        ("花が多いから、大阪市のミツバチは遠くまで飛ぶ。", set(), {"reason", "place"}),
        ("Honestly the bees are fine.", set(), set()),
    ],
)
def test_what_an_english_or_japanese_sentence_states(
    sentence: str, counters: set[str], kinds: set[str]
) -> None:
    assert text_facts(sentence) == (frozenset(counters), frozenset(kinds))


def test_only_sentences_without_hangul_are_read_from_their_text() -> None:
    stated = SentenceFacts(Analyzer().morphs)
    # Kiwi alone finds no time in an English sentence: a "when" question would be withheld.
    assert stated("The first cable was laid in 1858.").satisfy(Expectation("time"))
    assert stated("It was priced at 3 million dollars.").satisfy(Expectation("quantity", frozenset({"달러"})))
    # Korean sentences keep Kiwi's reading: "because" in one does not make it a reason.
    assert not stated("그냥 because라고 말했죠.").satisfy(Expectation("reason"))
