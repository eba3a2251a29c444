"""What kind of answer a question asks for, and whether a sentence of the transcript gives one.

A question about something the video never says ("손정의 회장의 나이는 몇 살인가요?") keeps a
high cosine to passages on the same topic, and most of its words are there too; what is missing is
the answer itself: no age, no head count, no date.  Question-answering systems have long checked the
expected answer type for this; here it is a quantity (with its counter when the question names one:
몇 살, 몇 명, how old, 何人) or a time (언제, when, いつ).  These two are *decisive*: a question
asking for one is flagged when no top passage states one.

Softer types guide the choice of the answer span without flagging anything: a reason (왜, why,
なぜ → 때문, 위해, 그래서…), a method (어떻게, how, どうやって → 통해, 방법, 방식…), a person (누구,
who, 誰 → a name or a title), a place (어디, where, どこ → a proper noun or a place word) and a
claim or promise (약속, 주장, 뭐라고, what did … say → a quoted or future statement: -다고, -라고,
-겠-, -ㄹ 것).  The transcript is Korean speech-to-text, so sentences are checked through Kiwi's
analysis, whatever the question's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.askwords import (
    EN_AGE,
    EN_CLAIM,
    EN_COUNTER,
    EN_METHOD,
    EN_PERCENT,
    EN_PERSON,
    EN_PLACE,
    EN_QUANTITY,
    EN_REASON,
    EN_TIME,
    EN_YEAR,
    JA_AGE,
    JA_CLAIM,
    JA_COUNTER,
    JA_METHOD,
    JA_PEOPLE,
    JA_PERCENT,
    JA_PERSON,
    JA_PLACE,
    JA_QUANTITY,
    JA_REASON,
    JA_TIME,
    JA_YEAR,
    asks_years_long,
    named_counter,
)
from rag.figures import figure, stated_amounts
from rag.keyword import content_tokens
from rag.money import MONEY_UNITS, asks_money
from rag.statewords import CLAIM_WORDS, METHOD_FORMS, PLACE_WORDS, QUOTE_ENDINGS, TITLES, states_reason
from rag.textfacts import YEAR, YEARS
from rag.units import how_long, unit_set

# Every kind of answer a question may ask for; the first two are decisive.
KINDS = ("quantity", "time", "reason", "method", "person", "place", "claim")
DECISIVE = frozenset(KINDS[:2])

_AGE_NOUNS = frozenset({"나이", "연세", "연령"})
_NUMBER_TAGS = ("SN", "NR", "W_SERIAL")
# Counted nouns and numeral determiners Kiwi does not tag as numbers: 절반, 두 번, 세 개.
_NUMBER_WORDS = frozenset(
    {"절반", "반", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "스무"}
)
# Native Korean counts: alone ("하나씩 도입할 것", "둘 다") they count things, never money or a share.
_NATIVE_COUNTS = frozenset(
    {"하나", "둘", "셋", "넷", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "스물", "서른", "마흔", "쉰"}
)
COUNT = "#"
# Native Korean counts of days, one word each: "이틀 걸려요" answers "며칠" and 何日かかる.
_DAY_COUNTS = frozenset({"하루", "이틀", "사흘", "나흘", "닷새", "엿새", "이레", "여드레", "열흘", "보름"})
_TIME_UNITS = frozenset({"년", "월", "일", "개월", "세기", "분기", "주", "년도", "년대"})
# A span of time says when only against something: "2년 전", "4개월 뒤에", "6년째", "61년생"; alone
# ("43년 동안", "3년 묵은") it says how long, which answers no "언제".
_SPANS = frozenset({"년", "개월", "주"})
_RELATIVE = frozenset({"전", "후", "뒤", "만", "안", "째", "지나", "생", "이내"})
_ABOUT = frozenset({"쯤", "정도", "가량", "여", "가까이", "좀", "넘", "이상"})
_TIME_WORDS = frozenset({"작년", "재작년", "올해", "내년", "지난해", "어제", "오늘", "내일", "연초", "연말"})

# In the question: a Korean question word asking for a kind of answer, then a noun naming one.  The
# word comes first: "건식 방식은 … 왜 잘 안 되나요" asks why, whatever "방식" names.
_KO_ASKING = {"왜": "reason", "누구": "person", "어디": "place"}
_KO_NAMING = {"이유": "reason", "방법": "method", "방식": "method"}
_KO_CLAIM = frozenset({"약속", "주장", "예측", "전망", "강조", "언급", "발언", "비판", "경고"})


@dataclass(frozen=True)
class Expectation:
    """The answer must state a quantity (in one of ``units`` when given), a time, or a softer kind."""

    kind: str
    units: frozenset[str] = frozenset()
    # The amounts the question states itself, each a value (rag.figures) with its counter ("20년
    # 후 … 얼마나", "after twenty years…": ("20", "년")): a sentence stating only these, in any
    # language, restates the question rather than answering it.
    given: frozenset[tuple[str, str]] = frozenset()

    @property
    def decisive(self) -> bool:
        """Whether a question is flagged when no top passage states it (only quantities and times)."""
        return self.kind in DECISIVE


def expectation(question: str, morphs: Sequence[Any]) -> Expectation | None:
    """The answer type ``question`` asks for (``morphs``: its Kiwi analysis), or None for any."""
    found = _expectation(question, morphs)
    if found is None or found.kind != "quantity":
        return found
    units = found.units - {YEAR, "년도"} if asks_years_long(question) else found.units
    return Expectation(found.kind, units, stated_amounts(question, facts(morphs).amounts))


def _expectation(question: str, morphs: Sequence[Any]) -> Expectation | None:
    for i, m in enumerate(morphs):
        if m.form == "몇":
            after = morphs[i + 1] if i + 1 < len(morphs) else None
            if after is not None and after.form == "년도":
                # "몇 년도" asks which year: "20년 뒤" says how long after, not when.
                return Expectation("quantity", frozenset({YEAR}))
            if after is not None and after.tag in ("NNB", "NNG"):
                return Expectation("quantity", unit_set(after.form))
            return Expectation("quantity")
        if m.form == "얼마" or m.form == "얼마나":
            return Expectation("quantity", _money(question, morphs) or how_long(question))
        if m.form == "언제":
            return Expectation("time")
        if m.form == "며칠":  # one word to Kiwi: 몇 and 일
            return Expectation("quantity", unit_set("일"))
    # "나이가 어떻게 되세요?" asks an age, not a method.
    if any(m.form in _AGE_NOUNS for m in morphs) and any(
        m.form == "어떻" and [n.form for n in morphs[i + 1 : i + 3]] == ["게", "되"]
        for i, m in enumerate(morphs)
    ):
        return Expectation("quantity", unit_set("살"))
    for pattern, units in ((EN_AGE, "살"), (JA_AGE, "살"), (JA_PEOPLE, "명")):
        if pattern.search(question):
            return Expectation("quantity", unit_set(units))
    if EN_PERCENT.search(question) or JA_PERCENT.search(question):
        return Expectation("quantity", unit_set("%"))
    if EN_QUANTITY.search(question) or JA_QUANTITY.search(question) or JA_COUNTER.search(question):
        counter = named_counter(question)
        wanted = unit_set(counter) if counter else _money(question, morphs) or how_long(question)
        if counter and EN_COUNTER.search(question):
            # English talks say their numbers in words: "there are twelve of us" answers it.
            wanted |= {"-", COUNT}
        return Expectation("quantity", wanted)
    if EN_YEAR.search(question) or JA_YEAR.search(question):
        return Expectation("quantity", frozenset({YEAR}))
    if EN_TIME.search(question) or JA_TIME.search(question):
        return Expectation("time")
    return _soft(question, morphs)


def _money(question: str, morphs: Sequence[Any]) -> frozenset[str]:
    """The units that state an amount of money, when ``question`` asks for one; else any unit."""
    return MONEY_UNITS if asks_money(question, morphs) else frozenset()


def _soft(question: str, morphs: Sequence[Any]) -> Expectation | None:
    for i, m in enumerate(morphs):
        if m.form in _KO_ASKING and m.tag in ("MAG", "NP", "NNG"):
            return Expectation(_KO_ASKING[m.form])
        if m.form == "어떻" and i + 1 < len(morphs) and morphs[i + 1].form == "게":
            return Expectation("method")
        if m.form == "어느" and i + 1 < len(morphs) and morphs[i + 1].form in PLACE_WORDS:
            return Expectation("place")
    for m in morphs:
        if m.form in _KO_NAMING and m.tag == "NNG":
            return Expectation(_KO_NAMING[m.form])
    if any(m.form in _KO_CLAIM for m in morphs) or any(
        m.form in ("뭐", "무엇") and i + 2 < len(morphs) and morphs[i + 2].form == "라고"
        for i, m in enumerate(morphs)
    ):
        return Expectation("claim")
    for kind, patterns in (
        ("reason", (EN_REASON, JA_REASON)),
        ("person", (EN_PERSON, JA_PERSON)),
        ("place", (EN_PLACE, JA_PLACE)),
        ("method", (EN_METHOD, JA_METHOD)),
        ("claim", (EN_CLAIM, JA_CLAIM)),
    ):
        if any(p.search(question) for p in patterns):
            return Expectation(kind)
    return None


def _is_number(m: Any) -> bool:
    return bool(m.tag in _NUMBER_TAGS or (m.form in _NUMBER_WORDS and m.tag in ("MM", "NNG", "NR")))


@dataclass(frozen=True)
class Facts:
    """What a sentence states, from its Kiwi analysis: kept instead of the analysis (far smaller)."""

    tokens: tuple[str, ...]
    # The counter after each number ("" after a bare figure such as 22,868, "#" after a bare
    # native count such as 하나, "-" after another bare numeral word such as 절반).
    counters: frozenset[str]
    kinds: frozenset[str]
    # Each number with its counter, (20, 년) (Korean sentences: Kiwi's reading).
    amounts: frozenset[tuple[str, str]] = frozenset()
    # The Korean reading pairs of its kanji compounds (rag.readings): where a Korean question's
    # words are found in a Japanese sentence.
    readings: frozenset[str] = frozenset()

    def satisfy(self, expected: Expectation) -> bool:
        if expected.kind != "quantity":
            return expected.kind in self.kinds
        counters = self.counters
        if expected.given and self.amounts:
            # The counters only the question's own amounts hold say nothing new.
            new = {c for n, c in self.amounts if (figure(n), c) not in expected.given}
            counters = counters - ({c for _, c in self.amounts} - new)
        if not counters:
            return False
        # A bare figure ("조회수: 22,868") states a count in whatever unit was asked; a bare numeral
        # word does not ("하나도 없다").
        if not expected.units:
            return bool(counters - {YEAR})
        return bool(counters & expected.units) or "" in counters


def facts(morphs: Sequence[Any]) -> Facts:
    """What a sentence (its Kiwi analysis) states."""
    counters: set[str] = set()
    amounts: set[tuple[str, str]] = set()
    kinds: set[str] = set()
    for i, m in enumerate(morphs):
        if m.form in _TIME_WORDS:
            kinds.add("time")
        if m.form in _DAY_COUNTS:
            counters.add("일")
            amounts.add((m.form, "일"))
        if _is_number(m):
            # The counter follows the number, past the number's own words (30 / 억 / 달러).
            j = i + 1
            while j < len(morphs) and _is_number(morphs[j]):
                j += 1
            after = morphs[j] if j < len(morphs) else None
            unit = after.form if after is not None and after.tag in ("NNB", "NNG", "SW") else None
            # "2023년" and "2023년도" are a calendar year alike: "몇 년도" wants one.
            if unit in ("년", "년도") and YEARS.fullmatch(m.form):
                unit = YEAR
            if unit == "조" and morphs[j - 1].tag == "SN":  # "4조가 넘는 돈": 4 trillion won to Kiwi
                j, unit = j + 1, "원"
            counter = unit if unit is not None else ("" if m.tag == "SN" else _bare(m.form))
            counters.add(counter)
            # One amount per run of number words ("2만", "1000억"), commas dropped; none for the
            # figures of a model name ("H100").
            starts = not i or not (_is_number(morphs[i - 1]) or morphs[i - 1].tag == "SL")
            if starts:
                amounts.add(("".join(n.form for n in morphs[i:j]).replace(",", ""), counter))
            if (
                m.tag == "W_SERIAL"
                or unit == YEAR
                or (unit in _TIME_UNITS and (unit not in _SPANS or _relative(morphs, j + 1)))
            ):
                kinds.add("time")
        form = m.form.lower()
        if states_reason(morphs, i):
            kinds.add("reason")
        if form in METHOD_FORMS:
            kinds.add("method")
        if form in TITLES or m.tag == "NNP":
            kinds.add("person")
        if m.tag == "NNP" or form in PLACE_WORDS:
            kinds.add("place")
        if (
            form in QUOTE_ENDINGS
            or form in CLAIM_WORDS
            or (m.tag == "EP" and form == "겠")
            or (form == "것" and i and morphs[i - 1].tag == "ETM" and morphs[i - 1].form == "ᆯ")
        ):
            kinds.add("claim")
    return Facts(tuple(content_tokens(morphs)), frozenset(counters), frozenset(kinds), frozenset(amounts))


def satisfies(expected: Expectation, morphs: Sequence[Any]) -> bool:
    """Whether a sentence (its Kiwi analysis) states what ``expected`` asks for."""
    return facts(morphs).satisfy(expected)


def _bare(form: str) -> str:
    """The counter of a number word with no unit after it: a native count (하나, 둘) counts things,
    절반 is a share (as 半分 is: rag.textfacts), answering "what share" as "50%" does."""
    if form == "절반":
        return "%"
    return COUNT if form in _NATIVE_COUNTS else "-"


def _relative(morphs: Sequence[Any], at: int) -> bool:
    """Whether ``morphs[at:]`` relate the span of time before them to something (_RELATIVE)."""
    while at < len(morphs) and morphs[at].form in _ABOUT:  # "3년쯤 전", "10년 정도 뒤"
        at += 1
    return at < len(morphs) and morphs[at].form in _RELATIVE
