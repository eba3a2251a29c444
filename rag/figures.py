"""The value of a number however it is written, so that the same amount is known across languages.

A question restating an amount ("after twenty years, how much smarter…", "20년 뒤에 얼마나…",
"二十年後には何倍…") is not answered by a sentence that only states that amount again ("20년 뒤에는
AI와 인간의 차이는…"), in whatever language either is written.  Kiwi gives a Korean sentence's
amounts as written ("2만", "1000억", "스무"); an English or Japanese one's come from its text
(rag.textfacts).  Each is read here to one value: "10000" for 만, 1만, 一万, 10,000, "ten thousand".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from rag.foreign import script
from rag.textfacts import read_text

_EN_ONES = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12,
}  # fmt: skip
_KO_ONES = {
    "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10,
    "스무": 20, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9,
}  # fmt: skip
_KANJI_ONES = {"〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# Multipliers inside a group (十, 백) and between groups (万, thousand): 二千三百 is 2 thousands and 3 hundreds.
_SMALL = {"十": 10, "百": 100, "千": 1000, "십": 10, "백": 100, "천": 1000, "hundred": 100}
_LARGE = {
    "万": 10**4, "億": 10**8, "兆": 10**12, "만": 10**4, "억": 10**8, "조": 10**12,
    "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
}  # fmt: skip
# English number words that are as often no count ("one of them"), not read as an amount a
# question states.
_NOT_GIVEN = frozenset({"one", "a", "half", "quarter", "a third"})
_PARTS = re.compile(
    r"\d+(?:\.\d+)?|[a-z]+|[〇一二三四五六七八九十百千万億兆]|"
    r"다섯|여섯|일곱|여덟|아홉|스무|[한두세네열일이삼사오육칠팔구십백천만억조]"
)


@lru_cache(maxsize=4096)
def figure(text: str) -> str | None:
    """The value ``text`` writes ("2만" → "20000", "twenty-five" → "25", "三百" → "300",
    "1,041억" → "104100000000", "3.5" → "3.5"), or None where it is no number."""
    folded = unicodedata.normalize("NFKC", text).lower().replace(",", "").replace("-", " ")
    parts = _PARTS.findall(folded)
    if not parts or "".join(parts) != re.sub(r"\s", "", folded):
        return None
    if parts[0] == "한" and len(parts) > 1:
        parts = parts[1:]  # "한 450킬로", "한 일 미터": about, not one
    total, group, current = Decimal(0), Decimal(0), Decimal(0)
    seen = False
    for part in parts:
        if part == "and":  # "two hundred and fifty"
            continue
        value = _single(part)
        if value is not None:
            # Only tens before ones ("twenty-five"): "한 450" is "about 450", no sum.
            if current and not (current % 10 == 0 and current < 100 and value < 10):
                return None
            current += value
            seen = True
        elif part in _SMALL:
            group += (current or 1) * _SMALL[part]
            current = Decimal(0)
            seen = True
        elif part in _LARGE:
            total += (group + current or 1) * _LARGE[part]
            group, current = Decimal(0), Decimal(0)
            seen = True
        else:
            return None
    if not seen:
        return None
    value = total + group + current
    return format(value.normalize(), "f") if value % 1 else str(int(value))


def _single(part: str) -> Decimal | None:
    if part[0].isdigit():
        try:
            return Decimal(part)
        except InvalidOperation:
            return None
    for table in (_EN_ONES, _KO_ONES, _KANJI_ONES):
        if part in table:
            return Decimal(table[part])
    return None


def stated_amounts(question: str, korean: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    """The amounts ``question`` states, each a value with its counter (rag.answertype.Expectation.
    given); ``korean``: its amounts as Kiwi reads them (rag.answertype.Facts.amounts)."""
    if script(question) == "ko":
        # In figures only: a Korean numeral word is as often a determiner ("한 번", "경제한입").
        stated = [(n, c) for n, c in korean if n[:1].isdigit()]
    else:
        # A kanji 一 alone is not read at all (rag.textfacts).
        stated = [(n, c) for n, c in read_text(question)[2] if n.lower() not in _NOT_GIVEN]
    return frozenset((v, c) for v, c in ((figure(n), c) for n, c in stated) if v is not None)
