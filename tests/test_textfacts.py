import pytest

from rag.answertype import Expectation
from rag.keyword import Analyzer
from rag.money import MONEY_UNITS
from rag.sentencefacts import SentenceFacts
from rag.textfacts import text_facts
from rag.units import how_long, unit_set


@pytest.mark.parametrize(
    ("sentence", "counters", "kinds"),
    [
        ("The first cable was laid in 1858, you know.", {"year"}, {"time"}),
        ("It cost about $25,000 because prices rose.", {"", "달러"}, {"reason"}),
        ("Some twenty people showed up, Jensen Huang said.", {"명"}, {"claim", "person"}),
        ("She was 34 years old when she moved to Boston.", {"살"}, {"place"}),
        ("The hives will do better by planting clover.", set(), {"claim", "method"}),
        ("A cable takes 3 years to lay.", {"년"}, set()),
        ("2019年に田中さんは3万円払った。", {"year", "엔"}, {"time", "person"}),
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
        ("About 2000 people came.", {"명"}, set()),
        ("It costs 1800円.", {"엔"}, set()),
        ("In the 1990s it grew.", {"year"}, {"time"}),
        ("２０２４年に始まった。", {"year"}, {"time"}),
        # から after a noun is "from", after a clause "because".
        ("ミツバチは巣から3キロほど飛ぶ。", {"킬로"}, set()),
        ("花が多いからです。", set(), {"reason"}),
        # Kanji numerals are an amount before a unit, not "一" alone (一人で), an ordinal (第三回,
        # 第二十回), a scale alone (万人: everyone) or a figure's scale (3万人 is one amount).
        ("政府は三百億円を支援した。", {"엔"}, {"place"}),
        ("乗客は年間二十五万人まで減った。", {"명"}, set()),
        ("駅は十二か所、家は三軒あります。", {"곳", "채"}, set()),
        ("一人で行った。", set(), set()),
        ("第三回と第二十回の会議で決まった。", set(), set()),
        ("万人に愛される味だ。", set(), set()),
        ("3万人が来た。", {"명"}, set()),
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
        ("She has done it for twenty-seven years now.", {"년"}, set()),
        # A number in words runs over its parts: the hours, not "six", are what it counts.
        ("A sixareen is more like two thousand six hundred hours.", {"시간"}, set()),
        ("One hundred and twenty people came.", {"명"}, set()),
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


@pytest.mark.parametrize(
    ("sentence", "counters", "kinds"),
    [
        # A figure in a unit read here states that unit, not a bare figure that answers any question.
        ("元の数に戻るまでに2年かかりました。", {"년"}, set()),
        ("選別は7月までに4回やります。", {"월", "번"}, {"time"}),
        ("窯は1200度まで上げて、三日焚きます。", {"도", "일"}, {"time"}),
        ("It takes about five hours and 40 minutes.", {"시간", "분"}, set()),
        ("We charge £40 for 3 days, it's 2 metres long.", {"", "일", "미터"}, set()),
        # 十分 (enough) and 二度と (never again) are words, 3分の1 a fraction: no minutes or degrees.
        ("十分です、二度と行かない。", set(), set()),
        ("3分の1くらい", {""}, set()),
        # Birds, multiples, households, half a share; an age said as a bare number.
        ("鷹が五羽、蜂は5倍、家は4700戸。", {"마리", "배", "가구"}, set()),
        ("売り上げの半分くらいは修復用の紙です。", {"%"}, set()),
        # 一 before a span of time is one ("一人で" stays "alone", above); 種類 counts kinds.
        ("今、だいたい一年半待ちです。", {"년"}, set()),
        ("一人でやると、丸一日かかります。", {"일"}, {"time"}),
        ("ここまでで七種類です。", {"종류"}, set()),
        ("I started at sixteen, aged 16 in fact.", {"-", "", "살"}, set()),
    ],
)
def test_a_figure_states_the_unit_it_is_read_in(sentence: str, counters: set[str], kinds: set[str]) -> None:
    assert text_facts(sentence) == (frozenset(counters), frozenset(kinds))


@pytest.mark.parametrize(
    ("sentence", "asked", "answers"),
    [
        # "입장료는 얼마?" is not answered by a duration or a number of times.
        ("ヘルペスのあと、元の数に戻るまでに2年かかりました。", "money", False),
        ("選別は7月までに4回やります。", "money", False),
        ("We did it 4 times in 3 days.", "money", False),
        ("1キロで7000円くらいです。", "money", True),
        # A figure runs on past its 万: "1万5千個" is a count of things, and no price.
        ("大晦日までに、1万5千個くらい作ります。", "money", False),
        ("大晦日までに、1万5千個くらい作ります。", "개", True),
        ("全部で1億2,000万円かかりました。", "money", True),
        ("It's about 40 quid a bag.", "money", True),
        # 며칠: days, in figures or kanji.
        ("窯は三日焚きます。", "days", True),
        ("It dries for three days.", "days", True),
        ("It dries for three weeks.", "days", False),
        # 몇 분: minutes, or people said politely.
        ("5分くらい待ちます。", "분", True),
        ("3人来ました。", "분", True),
        # 몇 년도: a calendar year; 몇 군데: shops and households too; 몇 배: "five times".
        ("転機は1992年ですね。", "년도", True),
        ("今は5軒くらいしか残ってないんです。", "군데", True),
        ("We get five times the honey.", "배", True),
        ("I started an apprenticeship at sixteen.", "살", True),
        ("I did an apprenticeship, four years.", "살", False),
        # How long something takes: a span of time, not a calendar year, a head count or a price.
        ("合わせて三週間くらいかかります。", "기간", True),
        ("4개월 뒤에 또 갔습니다.", "기간", True),
        # A count of days in one native word: 이틀 is two days.
        ("큰 김장독은 이틀 걸려요.", "days", True),
        ("보름 정도 말려요.", "기간", True),
        ("2024年に発売する最新のGPUです。", "기간", False),
        ("刀を研いでいる人は、全国で百人もいない。", "기간", False),
        ("The tube is about 2 metres long.", "길이", True),
    ],
)
def test_which_questions_a_figure_answers(sentence: str, asked: str, answers: bool) -> None:
    stated = SentenceFacts(Analyzer().morphs)
    spans = {"기간": how_long("얼마나 걸려?"), "길이": how_long("How long is it?")}
    units = {"money": MONEY_UNITS, "days": frozenset({"일"}), **spans}.get(asked) or unit_set(asked)
    assert stated(sentence).satisfy(Expectation("quantity", units)) is answers


@pytest.mark.parametrize(
    ("sentence", "says_when"),
    [
        # A span of time alone says how long: it answers no "언제", "when" or "いつ".
        ("最初は、みなべ町で1年間、研修を受けました。", False),
        ("この清川で60年炭を焼いてきた師匠です。", False),
        ("毎日八時間、削ります。", False),
        ("I did it for forty years.", False),
        ("It took us three weeks.", False),
        ("43년 동안 물질했어요.", False),
        ("3년 묵은 간장이에요.", False),
        # Against something, or on the calendar, it says when.
        ("3年前に店を継ぎました。", True),
        ("四年目の夏に初めて任されました。", True),
        ("80年代に一番売れました。", True),
        ("昭和45年に建てた工場です。", True),
        ("朝8時に火を入れます。", True),
        ("Two years later we moved the yard.", True),
        ("In three weeks it was done.", True),
        ("4개월 뒤에 또 갔습니다.", True),
        ("2년 전에 그만뒀어요.", True),
        ("한 10년 정도 전에 그만뒀어요.", True),
        ("三百年以上前の建物です。", True),
        ("6년째인데 아직도 어려워요.", True),
        ("98년도에 시작했어요.", True),
    ],
)
def test_a_span_of_time_alone_does_not_say_when(sentence: str, says_when: bool) -> None:
    stated = SentenceFacts(Analyzer().morphs)
    assert stated(sentence).satisfy(Expectation("time")) is says_when
