"""What kind of answer a question asks for, and whether a sentence of the transcript gives one.

A question about something the video never says ("손정의 회장의 나이는 몇 살인가요?") keeps a
high cosine to passages on the same topic, and most of its words are there too; what is missing is
the answer itself: no age, no head count, no date.  Question-answering systems have long checked the
expected answer type for this; here it is a quantity (with its counter when the question names one:
몇 살, 몇 명, how old, 何人) or a time (언제, when, いつ).  The transcript is Korean speech-to-text,
so sentences are checked through Kiwi's analysis, whatever the question's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.cache import LRU

# Kiwi's analyses of passages kept per index version: a few hundred Kiwi tokens each.
_MEMO = 4_096

# Counters that name the same unit: the question's word and the script's may differ.
_SAME_UNIT = (
    frozenset({"살", "세", "歳"}),
    frozenset({"명", "인", "人"}),
    frozenset({"달", "개월", "월"}),
    frozenset({"퍼센트", "프로", "%"}),
    frozenset({"번", "회", "차례"}),
    frozenset({"개", "대"}),
)
_NUMBER_TAGS = ("SN", "NR", "W_SERIAL")
# Counted nouns and numeral determiners Kiwi does not tag as numbers: 절반, 두 번, 세 개.
_NUMBER_WORDS = frozenset(
    {"절반", "반", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "스무"}
)
_TIME_UNITS = frozenset({"년", "월", "일", "개월", "세기", "분기", "주"})
_TIME_WORDS = frozenset({"작년", "재작년", "올해", "내년", "지난해", "어제", "오늘", "내일", "연초", "연말"})

_EN_AGE = re.compile(r"\bhow old\b|\bage\b", re.I)
_EN_PERCENT = re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction)\b|\bhow much of\b", re.I)
_EN_QUANTITY = re.compile(
    r"\bhow (?:many|much|long|big|large|far)\b|\bwhat (?:is|was|are|were) the (?:price|cost|number|amount|"
    r"size|value|valuation|revenue|population)\b|\bnet worth\b",
    re.I,
)
_EN_TIME = re.compile(r"\bwhen\b|\bwhat (?:year|month|date|day)\b|\bin which year\b", re.I)
_JA_AGE = re.compile("何歳|何才|おいくつ")
_JA_PEOPLE = re.compile("何人|人数|従業員数")
_JA_PERCENT = re.compile("何割|何パーセント|何％|何%")
_JA_QUANTITY = re.compile(
    "いくら|何[個台倍回件年万億円ドル]|どれくらい|どのくらい|どれほど|金額|価格|時価総額|人口"
)
_JA_TIME = re.compile("いつ|何年に|何月|何日")


@dataclass(frozen=True)
class Expectation:
    """The answer must state a quantity (in one of ``units`` when given) or a time."""

    kind: str
    units: frozenset[str] = frozenset()


def _unit_set(word: str) -> frozenset[str]:
    for group in _SAME_UNIT:
        if word in group:
            return group
    return frozenset({word})


def expectation(question: str, morphs: Sequence[Any]) -> Expectation | None:
    """The answer type ``question`` asks for (``morphs``: its Kiwi analysis), or None for any."""
    for i, m in enumerate(morphs):
        if m.form == "몇":
            after = morphs[i + 1] if i + 1 < len(morphs) else None
            if after is not None and after.tag in ("NNB", "NNG"):
                return Expectation("quantity", _unit_set(after.form))
            return Expectation("quantity")
        if m.form == "얼마" or m.form == "얼마나":
            return Expectation("quantity")
        if m.form == "언제":
            return Expectation("time")
    for pattern, units in ((_EN_AGE, "살"), (_JA_AGE, "살"), (_JA_PEOPLE, "명")):
        if pattern.search(question):
            return Expectation("quantity", _unit_set(units))
    if _EN_PERCENT.search(question) or _JA_PERCENT.search(question):
        return Expectation("quantity", _unit_set("%"))
    if _EN_QUANTITY.search(question) or _JA_QUANTITY.search(question):
        return Expectation("quantity")
    if _EN_TIME.search(question) or _JA_TIME.search(question):
        return Expectation("time")
    return None


def _is_number(m: Any) -> bool:
    return bool(m.tag in _NUMBER_TAGS or (m.form in _NUMBER_WORDS and m.tag in ("MM", "NNG", "NR")))


def satisfies(expected: Expectation, morphs: Sequence[Any]) -> bool:
    """Whether a sentence (its Kiwi analysis) states what ``expected`` asks for."""
    for i, m in enumerate(morphs):
        if expected.kind == "time" and m.form in _TIME_WORDS:
            return True
        if not _is_number(m):
            continue
        # The counter follows the number, past the number's own words (30 / 억 / 달러).
        j = i + 1
        while j < len(morphs) and _is_number(morphs[j]):
            j += 1
        after = morphs[j] if j < len(morphs) else None
        unit = after.form if after is not None and after.tag in ("NNB", "NNG", "SW") else None
        if expected.kind == "time":
            if m.tag == "W_SERIAL" or unit in _TIME_UNITS:
                return True
        elif not expected.units or unit in expected.units:
            return True
        elif unit is None and m.tag == "SN":
            # A bare figure ("조회수: 22,868") states a count in whatever unit was asked; a bare
            # numeral word does not ("하나도 없다").
            return True
    return False


class PassageAnalyses:
    """Kiwi's analysis of each passage, once per passage, sliced per sentence on demand.

    Kiwi's fixed cost is per call, so a passage is analysed whole; rows are stable for the life of
    an index version, which is the life of its Searcher; a merged moment's id holds a digest of its text.
    """

    def __init__(self, analyze: Callable[[str], list[Any]]) -> None:
        self._analyze = analyze
        self._memo: LRU[list[Any]] = LRU(_MEMO)

    def states(self, expected: Expectation, key: str, text: str, start: int, end: int) -> bool:
        """Whether ``text[start:end]`` (a sentence of the passage or moment ``key``) states ``expected``."""
        morphs = self._memo.get_or_compute(key, lambda: self._analyze(text))
        return satisfies(expected, [m for m in morphs if start <= m.start < end])
