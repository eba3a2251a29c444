"""Questions that ask where in the video something is said ("로비 얘기는 영상 몇 분쯤 나와?").

Such a question is answered by the moment itself: the sentence that says it, with its timestamp
and link.  Read literally it asks for a time ("몇 분"), so the answer check would want a sentence
stating one and flag the question when none does; and its words about the video ("영상",
"動画の何分") pull it toward the info passage's length line ("영상 길이: 18분 27초").  So the
position phrase is recognised here, the question's topic is what remains, and that topic is
what gets ranked and answered, with no answer type asked of it.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")

# The phrases that ask for a position in the video.  Korean needs a verb of saying or appearing
# as well: "영상 몇 분이야?" asks for the length, "소프트뱅크 칩은 언제쯤 나와?" for a date.
_KO_POSITION = re.compile(
    r"(?:(?:이\s*)?(?:동영상|영상)\s*(?:에서|의)?\s*)?"
    r"(?:몇\s*분\s*몇\s*초|몇\s*분|어디\s*쯤|어느\s*(?:부분|지점|대목|장면|시점)|몇\s*초)"
    r"\s*(?:쯤|즈음|경|정도|지점|대)?\s*(?:에서|에|부터)?"
)
# "몇 분부터", "몇 분 지점": a position whatever the verb.
_KO_FROM = re.compile(r"몇\s*분(?:\s*몇\s*초)?\s*(?:쯤\s*)?(?:부터|지점|에서|째)")
_KO_SAYING = re.compile(r"나와|나오|나온|나옵|등장|얘기|이야기|언급|말하|말해|말한|다루|다뤄|설명")
_EN_POSITION = re.compile(
    r"\b(?:at\s+)?(?:what|which)\s+(?:point|time|minute|timestamp|moment|part)\s+(?:in|of|into)\s+the\s+"
    r"(?:video|clip|talk|interview)\b|\b(?:when|where)\s+in\s+the\s+(?:video|clip|talk|interview)\b|"
    r"\bhow\s+far\s+into\s+the\s+(?:video|clip|talk|interview)\b|"
    r"\b(?:at\s+)?(?:what|which)\s+(?:timestamp|minute)\b",
    re.I,
)
_JA_POSITION = re.compile(
    r"(?:(?:この)?動画の?)?(?:何分何秒|何分|何秒)(?:ごろ|頃|あたり|辺り|目)(?:に|で|から)?|"
    r"(?:(?:この)?動画の?)?(?:どのあたり|どの辺|どの部分|どの場面)(?:に|で|から)?"
)


def asks_moment(question: str) -> bool:
    """Whether ``question`` asks where in the video something is said."""
    if _EN_POSITION.search(question) or _JA_POSITION.search(question):
        return True
    if _KO_FROM.search(question):
        return True
    return bool(_KO_POSITION.search(question) and _KO_SAYING.search(question))


def topic(question: str) -> str:
    """``question`` without the phrase asking for a position in the video (all of it if none)."""
    if not asks_moment(question):
        return question
    rest = question
    for pattern in (_EN_POSITION, _JA_POSITION, _KO_POSITION):
        rest = pattern.sub(" ", rest)
    rest = _SPACES.sub(" ", rest).strip(" ,?？。.、")
    # A question that is nothing but the position phrase keeps its words.
    return rest or question
