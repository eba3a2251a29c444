"""The Korean words by which a sentence states each kind of answer (rag.answertype's Facts),
as Kiwi gives them: a reason (때문, 위하, 그래서…), a method (통하, 방법…), a person's title, a place
word, a quoting ending or a word of claiming.  How questions ask for each kind: rag.askwords.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

REASON_FORMS = frozenset(
    {
        "때문",
        "위하",
        "왜냐하면",
        "이유",
        "덕분",
        "탓",
        "그래서",
        "따라서",
        "그러니까",
        "므로",
        "으므로",
        "니까",
        "으니까",
    }
)
# The spoken ending that gives a reason ("…그렇게 말리셨거든요", "…넘어지거든, 그래서"); before a
# clause it is "if" ("다 끝나거든 연락해"), so it counts only where a sentence or clause ends.
REASON_ENDINGS = frozenset({"거든", "거든요"})
METHOD_FORMS = frozenset({"통하", "방법", "방식", "이용", "활용", "사용", "으로써", "로써", "통해서"})
TITLES = frozenset(
    {"회장", "대표", "사장", "교수", "총리", "장관", "대통령", "창업자", "씨", "님", "ceo", "의원"}
)
PLACE_WORDS = frozenset({"나라", "도시", "지역", "본사", "국가", "공장", "현지", "해외", "국내", "주", "시"})
QUOTE_ENDINGS = frozenset({"다고", "라고", "자고", "냐고", "ᆫ다고", "는다고", "이라고", "다는", "라는"})
CLAIM_WORDS = frozenset({"약속", "주장", "말", "얘기", "이야기", "강조", "예측", "전망", "발표", "선언"})


def states_reason(morphs: Sequence[Any], i: int) -> bool:
    """Whether ``morphs[i]`` (a Kiwi token of a sentence) gives a reason."""
    form = morphs[i].form.lower()
    if form in REASON_FORMS:
        return True
    # The ending ends its sentence or clause: nothing, punctuation or 요 follows it.
    ends = morphs[i].tag == "EF" or i + 1 == len(morphs) or morphs[i + 1].tag in ("SF", "SP", "SE", "JX")
    return form in REASON_ENDINGS and ends
