"""Questions that ask where in the video something is said ("로비 얘기는 영상 몇 분쯤 나와?").

Such a question is answered by the moment itself: the sentence that says it, with its timestamp
and link.  Read literally it asks for a time ("몇 분") or the video's length ("動画の何分"), so the
answer check would want a sentence stating a time and flag the question when none does, and its
words about the video pull it toward the info passage's length line ("영상 길이: 18분 27초").  So
the position phrase is recognised here, the question's topic is what remains, and that topic is
what gets ranked and answered, with no answer type asked of it.

Each language needs a position phrase and something that ties it to the video: a word for the
video or a verb of saying.  "몇 분 만에 매진됐어?", "게스트는 몇 분 나와?" (몇 분: how many people),
"会議は何時何分ごろに始まる" and "At what minute did the game end?" are not about the video.
"""

from __future__ import annotations

import re

from rag.question import normalize_query

_VIDEO_KO = r"(?:동영상|영상)"
_VIDEO_JA = r"(?:動画|ビデオ)"
_KO_MINUTE_WORDS = r"몇\s*분(?:\s*몇\s*초)?"
_JA_MINUTE_WORDS = r"(?:何分何秒|何分|何秒)"

# Korean: a minute (or second) with a locative ending ("몇 분쯤", "몇 분에", "몇 분부터"), or a part
# of the video ("영상 어디쯤", "영상 어느 부분에서").  The ending is attached, so "몇 분 만에" and
# "몇 분 동안" never match and no following word loses its first syllable; "몇 분에게" asks who.
_KO_MINUTE = re.compile(
    rf"(?:(?<![가-힣])이\s+)?(?:{_VIDEO_KO}\s*(?:에서|의|에)?\s*)?"
    rf"{_KO_MINUTE_WORDS}(?:쯤|즈음|경)?(?:에서|에|부터|\s*지점)?(?!게|께)"
)
_KO_MINUTE_ENDING = re.compile(rf"{_KO_MINUTE_WORDS}(?:쯤|즈음|경|에서|에|부터|지점)(?!게|께)")
_KO_PART = re.compile(
    rf"(?:(?<![가-힣])이\s+)?{_VIDEO_KO}\s*(?:에서|의)?\s*"
    r"(?:어디\s*쯤|어느\s*(?:부분|지점|대목|장면|시점))\s*(?:에서|에|부터)?(?![가-힣])"
)
# "몇 분부터", "몇 분 지점": a position whatever the verb.
_KO_FROM = re.compile(rf"{_KO_MINUTE_WORDS}(?:쯤)?\s*(?:부터|지점)")
_KO_SAYING = re.compile(
    r"나와|나오|나온|나옵|나왔|등장|얘기|이야기|언급|말하|말해|말한|말했|다루|다뤄|다뤘|설명"
)

_EN_VIDEO = r"(?:video|clip|talk|interview)"
_EN_POSITION = re.compile(
    rf"\b(?:at\s+)?(?:what|which)\s+(?:point|time|minute|moment|part)\s+(?:in|of|into)\s+the\s+{_EN_VIDEO}\b|"
    rf"\b(?:when|where)\s+in\s+the\s+{_EN_VIDEO}\b|\bhow\s+far\s+into\s+the\s+{_EN_VIDEO}\b|"
    r"\b(?:at\s+)?(?:what|which)\s+timestamp\b|\bthe\s+timestamp\s+(?:where|when|of)\b",
    re.I,
)

# Japanese: a minute with a position ending ("何分ごろ", "何分に") in a question that names the
# video or a verb of saying.
_JA_MINUTE = re.compile(
    rf"(?:(?:この)?{_VIDEO_JA}(?:の|だと|で)?)?"
    rf"(?:{_JA_MINUTE_WORDS}(?:ごろ|頃|あたり|辺り|目|くらい|ぐらい)?(?:に|で|から)|"
    rf"{_JA_MINUTE_WORDS}(?:ごろ|頃|あたり|辺り|目))"
)
_JA_TIED = re.compile(rf"{_VIDEO_JA}|話|言|出て|出る|触れ|語")
# A part ("どの辺に") names the video: "どの辺に住んでいると言っていますか" asks where he lives.
_JA_PART = re.compile(
    rf"(?:この)?{_VIDEO_JA}(?:の|だと|で)?(?:どのあたり|どの辺|どの部分|どの場面)(?:に|で|から)"
)


def asks_moment(question: str) -> bool:
    """Whether ``question`` asks where in the video something is said."""
    if _EN_POSITION.search(question):
        return True
    if _JA_PART.search(question) or (_JA_MINUTE.search(question) and _JA_TIED.search(question)):
        return True
    if _KO_FROM.search(question) or _KO_PART.search(question):
        return True
    return bool(_KO_MINUTE_ENDING.search(question) and _KO_SAYING.search(question))


def topic(question: str) -> str:
    """``question`` without the phrase asking for a position in the video (all of it if none)."""
    if not asks_moment(question):
        return question
    rest = question
    for pattern in (_EN_POSITION, _JA_PART, _JA_MINUTE, _KO_PART, _KO_MINUTE):
        rest = pattern.sub(" ", rest)
    rest = normalize_query(rest).strip(",?？。.、 ")
    # A question that is nothing but the position phrase keeps its words.
    return rest or question
