import pytest

from rag.answertype import Expectation
from rag.keyword import Analyzer
from rag.sentencefacts import SentenceFacts
from rag.textfacts import text_facts


@pytest.mark.parametrize(
    ("sentence", "counters", "kinds"),
    [
        ("The first cable was laid in 1858, you know.", {"year"}, {"time"}),
        ("It cost about $25,000 because prices rose.", {"", "달러"}, {"reason"}),
        ("Some twenty people showed up, Jensen Huang said.", {"", "명"}, {"claim", "person"}),
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
    assert text_facts("그냥 because 라고 말했죠.")[1] == {"reason"}
    assert not stated("그냥 because 라고 말했죠.").satisfy(Expectation("reason"))


@pytest.mark.parametrize(
    ("sentence", "counters", "kinds"),
    [
        # A four-digit number is a year only where it reads as one.
        ("About 2000 people came.", {"", "명"}, set()),
        ("It costs 1800円.", {"", "엔"}, set()),
        ("In the 1990s it grew.", {"year"}, {"time"}),
        ("２０２４年に始まった。", {"year"}, {"time"}),
        # から after a noun is "from", after a clause "because".
        ("ミツバチは巣から3キロほど飛ぶ。", {""}, set()),
        ("花が多いからです。", set(), {"reason"}),
        # Kanji numerals are an amount before a unit, not "一" alone (一人で), an ordinal (第三回,
        # 第二十回), a scale alone (万人: everyone) or a figure's scale (3万人 is one amount).
        ("政府は三百億円を支援した。", {"-", "엔"}, {"place"}),
        ("乗客は年間二十五万人まで減った。", {"-", "명"}, set()),
        ("駅は十二か所、家は三軒あります。", {"-", "곳", "채"}, set()),
        ("一人で行った。", set(), set()),
        ("第三回と第二十回の会議で決まった。", set(), set()),
        ("万人に愛される味だ。", set(), set()),
        ("3万人が来た。", {"", "명"}, set()),
        # A place kanji counts at a word's end only (市場 is a market).
        ("市場が大きくなった。", set(), set()),
    ],
)
def test_years_from_amounts_and_from_as_a_place(sentence: str, counters: set[str], kinds: set[str]) -> None:
    assert text_facts(sentence) == (frozenset(counters), frozenset(kinds))


@pytest.mark.parametrize(
    ("sentence", "counters", "kinds"),
    [
        # Speech-to-text spells numbers out: a number word before what it counts is a count.
        ("A good cooper repairs around twenty-five casks a day.", {""}, set()),
        ("We get thirty thousand casks through the yard.", {""}, {"method"}),
        # "one of them", "half the time": no count; a number word alone neither.
        ("That was one of them, half the time.", {"-"}, set()),
        ("I was eleven.", {"-"}, set()),
        # A duration in words is a time, as one in figures is.
        ("She has done it for twenty-seven years now.", {""}, {"time"}),
    ],
)
def test_numbers_in_words(sentence: str, counters: set[str], kinds: set[str]) -> None:
    assert text_facts(sentence) == (frozenset(counters), frozenset(kinds))


def test_a_number_in_words_answers_how_many() -> None:
    stated = SentenceFacts(Analyzer().morphs)
    things = Expectation("quantity", frozenset({"개", "마리", "가지"}))
    assert stated("A good cooper repairs around twenty-five casks a day.").satisfy(things)
    assert not stated("That was one of them, I think.").satisfy(things)


def test_kanji_amounts_answer_quantity_questions() -> None:
    stated = SentenceFacts(Analyzer().morphs)
    money = Expectation("quantity", frozenset({"엔", "달러", "-"}))
    assert stated("政府は三百億円を支援した。").satisfy(money)
    assert stated("社員は三千人です。").satisfy(Expectation("quantity", frozenset({"명", "人"})))
    assert not stated("一人で行った。").satisfy(Expectation("quantity", frozenset({"명", "人"})))


def test_an_english_year_is_a_time_and_not_an_amount() -> None:
    stated = SentenceFacts(Analyzer().morphs)("The first cable was laid in 1858.")
    # Kiwi alone reads 1858 as a bare figure, which would answer "how many" and "how much".
    assert stated.satisfy(Expectation("time")) and not stated.satisfy(Expectation("quantity"))
