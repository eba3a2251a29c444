"""The answer a question asks for (a quantity, in its unit, or a time) and the sentences that give it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag.answer import FEATURES, Asked, candidates, choose
from rag.answertype import Expectation, expectation, satisfies
from rag.embedder import FakeEmbedder
from rag.keyword import Analyzer
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.sentencefacts import SentenceFacts
from rag.settings import Settings
from rag.store import load_index
from rag.textfacts import YEAR

AGE = frozenset({"살", "세", "歳"})
PEOPLE = frozenset({"명", "인", "人"})
MONTHS = frozenset({"달", "개월", "월"})
PERCENT = frozenset({"퍼센트", "프로", "퍼", "%"})
THINGS = frozenset({"개", "대", "곳", "군데", "가지", "종", "종류", "채", "척", "마리", "건", "권", "편"})
YEARS = frozenset({"년", "년도", "year"})
DURATION = frozenset({"년", "개월", "달", "주", "주일", "일", "시간", "분", "초", "세기"})
LENGTH = frozenset({"미터", "센티", "센티미터", "밀리", "킬로", "킬로미터", "키로", "피트", "인치", "마일"})
TIMES = frozenset({"번", "회", "차례"})
# A number in words with no unit after it: an English one ("twelve of us") or a native Korean count.
IN_WORDS = frozenset({"-", "#"})
MONEY = frozenset({"달러", "엔", "원", "위안", "유로", "파운드", "센트", "퍼센트", "프로", "%", "-"})


def expected(question: str) -> Expectation | None:
    return expectation(question, Analyzer().morphs(question))


@pytest.mark.parametrize(
    ("question", "wanted"),
    [
        ("손정의 회장의 나이는 몇 살인가요?", Expectation("quantity", AGE)),
        ("직원은 몇 명인가요?", Expectation("quantity", PEOPLE)),
        ("몇 달 만에 다시 갔나요?", Expectation("quantity", MONTHS)),
        # "몇 개" is the generic counter: any counter of things answers it; "몇 곳" asks for places.
        ("폐업한 목욕탕은 대략 몇 개야?", Expectation("quantity", THINGS)),
        # ... places, shops and households (軒 and 戸 count those where Korean says 곳 or 집).
        (
            "폐업한 목욕탕은 몇 곳이야?",
            Expectation("quantity", frozenset({"곳", "군데", "채", "집", "가구", "가게"})),
        ),
        # "five times as much" says 배 as 번.
        (
            "20년 뒤 AI는 인간 두뇌의 몇 배 능력을 갖게 되나요?",
            Expectation("quantity", TIMES | {"배"}),
        ),
        ("H100 GPU 하나의 가격은 얼마인가요?", Expectation("quantity", MONEY)),
        ("오픈AI 작년 매출은 얼마나 돼?", Expectation("quantity", MONEY)),
        ("영상 길이는 얼마나 되나요?", Expectation("quantity")),
        # 며칠 is one word to Kiwi, 몇 and 일; "나이가 어떻게 되세요" asks an age, not a method.
        ("종 하나 조율하는 데 보통 며칠이나 걸려?", Expectation("quantity", frozenset({"일"}))),
        ("한태오 소장님 나이가 어떻게 되시나요?", Expectation("quantity", AGE)),
        ("그 방법은 어떻게 되나요?", Expectation("method")),
        ("나이 들어서 왜 그만뒀어?", Expectation("reason")),
        ("경제산업성이 엔비디아 본사를 찾아간 것은 언제인가요?", Expectation("time")),
        ("How old is Masayoshi Son?", Expectation("quantity", AGE)),
        ("What share of Boston Dynamics does Hyundai own?", Expectation("quantity", PERCENT)),
        # A size wants a length: no minutes ("1분에 한 대씩") nor a bare count answer it.  A video's
        # 길이 is its running time, so 길이 takes a duration too.
        ("인천공항 관제탑 높이 얼마나 되나요", Expectation("quantity", LENGTH)),
        ("井戸の深さはどのくらい？", Expectation("quantity", LENGTH)),
        ("How tall is the tower?", Expectation("quantity", LENGTH)),
        ("how high is sheepshead mountain", Expectation("quantity", LENGTH)),
        ("영상 길이는 얼마나 되나요?", Expectation("quantity")),
        ("타렴으로 독 쌓을 때 왜 한꺼번에 높이 못 올려요?", Expectation("reason")),
        # "몇퍼" is spoken shorthand for 몇 퍼센트.
        ("보스턴다이내믹스 소뱅 지분 몇퍼라고 했지?", Expectation("quantity", PERCENT)),
        ("How much does one Nvidia H100 GPU cost?", Expectation("quantity", MONEY)),
        ("How many GPUs does one data centre need?", Expectation("quantity")),
        # いくつ asks how many; いくつも ("many") and 行くつもり ("mean to go") ask nothing of the kind.
        ("去年いくつの小学校に行ったの？", Expectation("quantity")),
        ("この動画のコメント数は幾つ？", Expectation("quantity")),
        ("畑のほうはどうしていくつもりだって？", Expectation("reason")),
        # An English or Japanese question naming its counter asks in that unit, as a Korean one does.
        # A number of years: "2004年の台風" or "in 1987" is a calendar year and does not answer.
        (
            "How many years did he train before opening his own forge?",
            Expectation("quantity", frozenset({"년"}) | IN_WORDS),
        ),
        ("그 태풍 빚 다 갚는 데 몇 년 걸렸대", Expectation("quantity", frozenset({"년"}))),
        ("섬 떠나서 석유 시추 일은 몇 년이나 했대?", Expectation("quantity", frozenset({"년"}))),
        ("몇 년에 시작됐어?", Expectation("quantity", YEARS)),
        # English talks say their numbers in words: "twelve of us" answers them.
        ("How many people work at the brewery now?", Expectation("quantity", PEOPLE | IN_WORDS)),
        ("How many times is the lacquer applied?", Expectation("quantity", TIMES | {"배"} | IN_WORDS)),
        # 何年に asks which year, as "몇 년도" and "what year" do: a calendar year answers, a span
        # of years ("20년 뒤") does not; 몇 가지 takes 種類; 걸어 is walking, not taking time.
        ("何年に始めたの？", Expectation("quantity", frozenset({YEAR}))),
        (
            "손정의가 AI랑 금붕어 비교한 발표, 그거 몇 년도 거였어?",
            Expectation("quantity", frozenset({YEAR})),
        ),
        ("What year did he take the workshop over?", Expectation("quantity", frozenset({YEAR}))),
        ("When did he take the workshop over?", Expectation("time")),
        # 何日くらいかかる asks how many days; 何日 alone which day.
        ("収録って何日くらいかかるの？", Expectation("quantity", frozenset({"일"}))),
        ("開店したのは何日ですか？", Expectation("time")),
        ("숫돌은 몇 가지 써요?", Expectation("quantity", frozenset({"가지", "종류", "종"}))),
        ("하루에 얼마나 걸어요?", Expectation("quantity")),
        ("修業は何年くらいかかったんですか？", Expectation("quantity", frozenset({"년"}))),
        ("何年？", Expectation("quantity", YEARS)),
        ("漆は何回塗るんですか？", Expectation("quantity", TIMES)),
        ("鷹は今何羽いるの？", Expectation("quantity", frozenset({"마리"}))),
        ("そのお店は何か月で閉めたの？", Expectation("quantity", MONTHS)),
        (
            "Roughly how many tonnes of salt does the farm make a year?",
            Expectation("quantity", frozenset({"톤"}) | IN_WORDS),
        ),
        ("下地研ぎだけで砥石って何種類使うの？", Expectation("quantity", THINGS)),
        # How long something takes asks a duration; English "how long" a duration or a length.
        ("일본도 한 자루 연마하는 데 기간이 얼마나 걸린대요?", Expectation("quantity", DURATION)),
        ("지금 맡기면 얼마나 기다려야 돼요?", Expectation("quantity", DURATION)),
        ("얼마 동안 배웠어?", Expectation("quantity", DURATION)),
        ("完成までどのくらいかかるの？", Expectation("quantity", DURATION)),
        ("How long did it take to lay the cable?", Expectation("quantity", DURATION | LENGTH)),
        # ... unless it is money that it takes.
        ("費用はどのくらいかかるの？", Expectation("quantity", MONEY)),
        ("수리 비용이 얼마나 들었어?", Expectation("quantity", MONEY)),
        ("When was this video uploaded?", Expectation("time")),
        ("So in what month did the ministry go?", Expectation("time")),
        # After another question word, "when" opens a clause: these ask a place and a person.
        ("Where did the officials fly to when they lobbied NVIDIA?", Expectation("place")),
        ("who trained him when he started out in tongyeong?", Expectation("person")),
        ("東京の人口は何人ですか？", Expectation("quantity", PEOPLE)),
        ("H100は1台いくらですか？", Expectation("quantity", MONEY)),
        ("ソフトバンクの時価総額はいくらですか？", Expectation("quantity", MONEY)),
        ("経済産業省がエヌビディア本社を訪れたのはいつですか？", Expectation("time")),
        ("손정의는 프레젠테이션에서 무엇을 들고 나왔나요?", None),
        ("Why do Japanese companies outsource their IT systems?", Expectation("reason")),
        ("일본 기업들이 AI 도입이 늦은 이유는?", Expectation("reason")),
        ("손정의는 왜 오픈AI에 투자했나요?", Expectation("reason")),
        # The question word, not the noun before it: this asks why the method fails.
        ("용광로에 넣는 건식 방식은 리튬 회수가 왜 잘 안 되나요", Expectation("reason")),
        ("일본 정부가 GPU를 확보한 방식은?", Expectation("method")),
        ("なぜ日本企業はAI導入が遅れているのですか？", Expectation("reason")),
        ("일본은 어떻게 GPU를 확보했나요?", Expectation("method")),
        ("How did Japan secure Nvidia GPUs?", Expectation("method")),
        ("日本はどうやってGPUを確保しましたか？", Expectation("method")),
        ("누가 보스턴 다이내믹스를 가지고 있나요?", Expectation("person")),
        ("Who owns most of Boston Dynamics?", Expectation("person")),
        ("엔비디아 본사는 어디에 있나요?", Expectation("place")),
        ("어느 나라가 AI 패권을 쥐고 있나요?", Expectation("place")),
        ("Where is Nvidia's headquarters?", Expectation("place")),
        ("손정의는 무엇을 약속했나요?", Expectation("claim")),
        ("손정의가 뭐라고 말했나요?", Expectation("claim")),
        ("What did Son promise Japanese companies?", Expectation("claim")),
        ("孫正義は何と言いましたか？", Expectation("claim")),
    ],
)
def test_what_a_question_asks_for(question: str, wanted: Expectation | None) -> None:
    found = expected(question)
    # The amounts a question states itself: test_a_quantity_the_question_states_is_not_its_answer.
    assert (found and replace(found, given=frozenset())) == wanted


def test_a_quantity_the_question_states_is_not_its_answer() -> None:
    asked = expected("20년 후 AI는 인간 두뇌보다 얼마나 뛰어나게 된다고 했나?")
    assert asked == Expectation("quantity", frozenset(), frozenset({("20", "년")}))
    # Restating the question's 20 years states no amount; the ten-thousandfold does.
    assert not satisfies(
        asked, Analyzer().morphs("그러니까 20년 뒤에는 AI와 인간의 차이는 금붕어의 차이와 같다는 거죠.")
    )
    assert satisfies(asked, Analyzer().morphs("그리고 20년 뒤에는 만 배 능력을 가지게 된다."))
    # Amounts in figures only: "한" in "경제한입" is a numeral word to Kiwi; a model's figures are
    # its name.
    assert expected("경제한입 영상 조회수가 얼마나 나왔어?") == Expectation("quantity")
    assert expected("H100 한 장 가격은 얼마인가요?") == Expectation("quantity", MONEY)
    # A run of number words is one amount, however written: "2만", "1,000억".
    crowd = expected("2만 명이 본 뒤에 조회수는 얼마나 늘었어?")
    assert crowd is not None and crowd.given == frozenset({("20000", "명")})
    assert not satisfies(crowd, Analyzer().morphs("2만 명이 봤습니다."))
    assert satisfies(crowd, Analyzer().morphs("2만 명이 본 뒤에 조회수가 10만 회를 넘었죠."))
    money = expected("1,000억 엔 가운데 정부는 얼마를 냈어?")
    assert money is not None and ("100000000000", "엔") in money.given
    assert not satisfies(money, Analyzer().morphs("1000억 엔이 들었습니다."))


@pytest.mark.parametrize(
    "question",
    [
        "In that goldfish comparison, how much smarter than a human brain does Son think AI gets after twenty years?",
        "孫さんは二十年後にAIが人間の脳の何倍賢くなると言った？",
        "孫さんは20年後にAIが人間の脳の何倍賢くなると言った？",
        "20년 후 AI는 인간 두뇌보다 얼마나 뛰어나게 된다고 했나?",
    ],
)
def test_an_amount_the_question_states_is_known_in_any_language(question: str) -> None:
    # The question's twenty years, however written, is not the answer in a sentence of any language.
    asked = expected(question)
    assert asked is not None and asked.given == frozenset({("20", "년")})
    facts = SentenceFacts(Analyzer().morphs)
    assert not facts("그러니까 20년 뒤에는 AI와 인간의 차이는 금붕어의 차이와 같다는 거죠.").satisfy(asked)
    assert facts("그리고 20년 뒤에는 만 배 능력을 가지게 된다.").satisfy(asked)
    assert not facts("In twenty years the gap will be like that between us and a goldfish.").satisfy(asked)
    assert facts("In twenty years it will be ten thousand times smarter than us.").satisfy(asked)
    assert not facts("二十年後、その差は人間と金魚の差と同じになる。").satisfy(asked)
    assert facts("二十年後には一万倍の能力を持つ。").satisfy(asked)


def test_a_trillion_is_an_amount_of_won() -> None:
    # Kiwi reads the 조 of "4조가" as a noun: the sentence states 4 trillion won beside the $3 billion
    # the question states itself, and no share.
    asked = expected("The professor converts that $3 billion yearly fee into Korean won: roughly how much?")
    assert asked is not None and asked.given == frozenset({("3000000000", "달러")})
    assert satisfies(asked, Analyzer().morphs("30억 달러면 4조가 넘는 돈이죠."))
    assert not satisfies(asked, Analyzer().morphs("연간 30억 달러가 됩니다."))
    share = expected("보스턴 다이내믹스는 소프트뱅크가 지분 몇 퍼 갖고 있어?")
    assert share is not None and not satisfies(share, Analyzer().morphs("30억 달러면 4조가 넘는 돈이죠."))


def test_a_native_count_answers_an_english_count_of_people() -> None:
    # English talks say their counts in words, Korean ones natively: both answer "how many people".
    question = "How many people work at the shop?"
    wanted = expectation(question, Analyzer().morphs(question))
    assert wanted is not None and satisfies(wanted, Analyzer().morphs("직원은 다섯이에요."))


def test_one_in_words_is_no_amount_a_question_states() -> None:
    # "one slate", like "한 장", is as often no count: an answer stating one is still an answer.
    asked = expected("How much does one Welsh slate cost?")
    assert asked is not None and asked.given == frozenset()


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
        # 절반 is a share, as 半分 is (rag.textfacts): it answers "what share", as 80% does.
        (
            "GPU 구매 시 일본 정부가 최대 절반까지 지원하기로 했습니다.",
            Expectation("quantity", PERCENT),
            True,
        ),
        ("GPU 구매 시 일본 정부가 최대 절반까지 지원하기로 했습니다.", Expectation("quantity"), True),
        ("연간 30억 달러가 됩니다.", Expectation("quantity"), True),
        # An amount of money: a currency, a share or a bare figure, not a date or a count of things.
        ("연간 30억 달러가 됩니다.", Expectation("quantity", MONEY), True),
        ("GPU 구매 시 일본 정부가 최대 절반까지 지원하기로 했습니다.", Expectation("quantity", MONEY), True),
        ("4조가 넘는 돈입니다.", Expectation("quantity", MONEY), True),
        ("올해 2월 3일에 발표했습니다.", Expectation("quantity", MONEY), False),
        ("5대 5 지분으로 합작 법인을 만들었습니다.", Expectation("quantity", MONEY), False),
        # A native count alone counts things: "하나씩" is one agent at a time, not a price.
        ("AI 에이전트를 하나씩 도입할 것이라고 이야기했습니다.", Expectation("quantity", MONEY), False),
        ("AI 에이전트를 하나씩 도입할 것이라고 이야기했습니다.", Expectation("quantity"), True),
        ("- 업로드 날짜: 2025-03-26", Expectation("time"), True),
        ("일본에서 작년과 재작년에 조달 작전이란 걸 했습니다.", Expectation("time"), True),
        ("엄청 비쌉니다.", Expectation("quantity"), False),
        ("지난 10년 동안 천백 곳이 문을 닫았어요.", Expectation("quantity", THINGS), True),
        ("배가 세 척 있었어요.", Expectation("quantity", THINGS), True),
        ("직원이 다섯 명 있었어요.", Expectation("quantity", THINGS), False),
        # 점 counts works of art, but as often a score: "90점" does not answer "몇 개".
        ("시험에서 90점을 받았어요.", Expectation("quantity", THINGS), False),
        # A calendar year is a time: it answers "몇 년에" but not "몇 대" or "얼마나 많이".
        ("2024년에 발매하는 최신 GPU를 공급해 달라고 했죠.", Expectation("quantity"), False),
        (
            "2024년에 발매하는 최신 GPU를 공급해 달라고 했죠.",
            Expectation("quantity", frozenset({"년", "year"})),
            True,
        ),
        ("2024년에 발매하는 최신 GPU를 공급해 달라고 했죠.", Expectation("time"), True),
        (
            "손정희 회장이 2023년 프레젠테이션에서 뭐라고 얘기하냐면",
            Expectation("quantity", frozenset({YEAR})),
            True,
        ),
        # 년도 after a year says the same calendar year as 년.
        ("2023년도에 처음 시작했어요.", Expectation("quantity", frozenset({YEAR})), True),
        (
            "그러니까 20년 뒤에는 AI와 인간의 차이는 금붕어의 차이와 같다는 거죠.",
            Expectation("quantity", frozenset({YEAR})),
            False,
        ),
        ("3년 동안 적자가 났습니다.", Expectation("quantity"), True),
        ("만 배 능력을 가지게 된다.", Expectation("time"), False),
        ("이렇게 한 이유는 전략 물자라고 얘기했기 때문입니다.", Expectation("reason"), True),
        ("GPU를 사기 위해서 줄을 섰습니다.", Expectation("reason"), True),
        ("만 배 능력을 가지게 된다.", Expectation("reason"), False),
        # -거든(요) gives the reason in speech: "이거 하면 굶는다, 그렇게 말리셨거든요."
        ("아버지가 이거 하면 굶는다고 그렇게 말리셨거든요.", Expectation("reason"), True),
        ("서해는 물이 빠지면 배가 땅바닥에 앉아야 하거든.", Expectation("reason"), True),
        ("바닥이 뾰족하면 넘어지거든, 그래서 납작하게 만들었지.", Expectation("reason"), True),
        # Before a clause, -거든 is "if": "when it is done, call me" gives no reason.
        ("다 끝나거든 연락해.", Expectation("reason"), False),
        ("정부를 통해 지원받았다.", Expectation("method"), True),
        ("엄청 비쌉니다.", Expectation("method"), False),
        ("이창민 교수는 이렇게 말했다.", Expectation("person"), True),
        ("엄청 비쌉니다.", Expectation("person"), False),
        ("캘리포니아주 산타클라라에 있는 엔비디아 본사까지 갔습니다.", Expectation("place"), True),
        ("엄청 비쌉니다.", Expectation("place"), False),
        ("일본 기업들이 도입할 것이라고 이야기했습니다.", Expectation("claim"), True),
        ("우리 그룹부터 도입하겠습니다.", Expectation("claim"), True),
        ("엄청 비쌉니다.", Expectation("claim"), False),
    ],
)
def test_which_sentences_state_it(sentence: str, wanted: Expectation, stated: bool) -> None:
    assert satisfies(wanted, Analyzer().morphs(sentence)) is stated


@pytest.mark.parametrize(
    ("kind", "decisive"),
    [("quantity", True), ("time", True), ("reason", False), ("method", False), ("person", False)],
)
def test_only_quantities_and_times_are_decisive(kind: str, decisive: bool) -> None:
    assert Expectation(kind).decisive is decisive


def test_a_question_the_video_never_answers_is_flagged(fake_built: Settings) -> None:
    # No sentence of the seed gives anyone's age, whichever passages come first.
    index = load_index(fake_built.index_dir)
    loose = RetrievalParams(min_confidence=0.0)
    result = Searcher(index, FakeEmbedder(), loose).ask("손정의 회장의 나이는 몇 살인가요?")
    assert (result.typed, result.low_confidence, result.answer) == (False, True, None)
    assert result.candidate is not None, "the closest sentence is still there for evaluation"


def test_the_answer_is_the_span_that_states_the_amount(fake_built: Settings) -> None:
    index = load_index(fake_built.index_dir)
    question = "H100 GPU 하나의 가격은 얼마인가요?"
    searcher = Searcher(index, FakeEmbedder(), RetrievalParams(min_confidence=0.0))
    result = searcher.ask(question)
    vector = FakeEmbedder().embed_batch([question], "query")[0]
    spans = candidates(searcher.index.rows([]), Asked(vector, {}, None), result.hits, searcher._facts)
    # By cosine alone, with no answer type, the closest span states no amount.
    closest, _ = choose(spans, (1.0,) + (0.0,) * (len(FEATURES) - 1))
    amount = Expectation("quantity")
    assert closest is not None and not satisfies(amount, Analyzer().morphs(closest.text))
    assert result.typed and result.answer is not None
    assert satisfies(amount, Analyzer().morphs(result.answer.text))
