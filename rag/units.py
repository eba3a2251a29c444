"""Which counters name the same unit, so that a question's unit and a sentence's may differ.

A question asks "몇 년", "how many years" or "何年"; a sentence says "3년", "three years" or "3年",
and rag.textfacts reads the last two as the Korean counter 년.  A group below holds the spellings
that answer one another, and a duration or a length is any of its units.
"""

from __future__ import annotations

from rag.askwords import asks_duration
from rag.textfacts import YEAR

# Counters that name the same unit: the question's word and the script's may differ.
_SAME_UNIT = (
    frozenset({"살", "세", "歳"}),
    # "몇 년에" asks for a year as well as "몇 년 동안" for a number of years.
    frozenset({"년", "년도", YEAR}),
    frozenset({"명", "인", "人"}),
    frozenset({"달", "개월", "월"}),
    # "몇 퍼", "몇퍼" is spoken shorthand for 몇 퍼센트.
    frozenset({"퍼센트", "프로", "퍼", "%"}),
    frozenset({"번", "회", "차례"}),
    frozenset({"개", "대"}),
    frozenset({"킬로", "킬로그램", "킬로미터", "키로"}),
    frozenset({"주", "주일"}),
    frozenset({"가지", "종류", "종"}),
    frozenset({"센티", "센티미터", "센치"}),
    # Shops, workshops and households: 軒 and 戸 count them where Korean says 곳 or 집.
    frozenset({"곳", "군데", "채", "집", "가구", "가게"}),
)
# "몇 개" asks for a count in the generic counter, which any counter of things answers ("천백 곳",
# "세 가지", "두 척"; not 점, as often a score); "몇 곳" asks for places only.
_THINGS = frozenset({"개", "대", "곳", "군데", "가지", "종", "종류", "채", "척", "마리", "건", "권", "편"})
# Not a calendar year or month: "2024년에 발매하는 GPU" and "3月" say no wait, as "4개월 뒤" does.
_DURATION = frozenset({"년", "개월", "달", "주", "주일", "일", "시간", "분", "초", "세기"})
_LENGTH = frozenset({"미터", "센티", "센티미터", "밀리", "킬로", "킬로미터", "키로", "피트", "인치", "마일"})


def unit_set(word: str) -> frozenset[str]:
    """The counters that answer a question asking in ``word``."""
    if word == "개":
        return _THINGS
    if word == "분":  # minutes, or people said politely ("몇 분이 오셨어요?")
        return frozenset({"분"}) | unit_set("명")
    if word == "배":  # "five times as much" says 배 as 번
        return frozenset({"배"}) | unit_set("번")
    for group in _SAME_UNIT:
        if word in group:
            return group
    return frozenset({word})


def how_long(question: str) -> frozenset[str]:
    """The units of a duration (or, for English "how long", a length) or of a size where a question
    asks one."""
    asked = asks_duration(question)
    if asked == "치수":
        return _LENGTH
    return frozenset() if asked is None else _DURATION | (_LENGTH if asked == "길이" else frozenset())
