"""The sentence an answer needs beside it: the reason before a consequence, the reply after a question.

A why-question's closest sentence often opens with "그래서" or "that's why": it states the
consequence, and the reason is the sentence before it.  A question asked in the talk itself (the
host's "今日本に酒蔵っていくつあるんですか", ending in a question mark) restates the user's question
and is answered by the sentence after it.  Either way the answer is the two sentences (rag.answer).
Where that reply is short too ("見分けられますよ。", "기억나죠."), it says nothing yet: the answer is
the reply and the sentence after it, which holds the substance.
"""

from __future__ import annotations

import re

from rag.answertype import Expectation
from rag.chunking import Passage

# Connectives that open a consequence ("so", "that is why"); a filler "so" in English speech is left out.
_CONSEQUENCE = re.compile(
    r"\s*(?:그래서|그래가지고|그러니까|따라서|그러다 보니|그렇다 보니|결국|Therefore|That['’]s why|だから|なので|ですので|それで|そのため)",
    re.I,
)

# A question this short is a bare question: a longer one carries what the speaker says (a
# lecturer's "…일본은 그 다음 그룹에 있을 정도인데, 과연 이게 현실성 있는 이야기냐?"), and moving
# past it loses that.  A reply this short is a yes, a no or an echo.  Both in characters, chosen on
# the development splits (docs/quality.md, nineteenth round).
SHORT_QUESTION = 40
SHORT_REPLY = 20


def joins(p: Passage, a: int, b: int, n: int, expected: Expectation | None) -> int:
    """Which neighbour the one-sentence span ``a``..``b`` of ``p`` (of ``n`` sentences) is answered
    with: -1 the sentence before, +1 the one after, 0 none."""
    if a != b:
        return 0
    text = p.text[p.sentences[a].start : p.sentences[a].end]
    if a > 0 and expected is not None and expected.kind == "reason" and _CONSEQUENCE.match(text):
        return -1
    if a + 1 < n and _asks(text):
        return 1
    return 0


def _asks(sentence: str) -> bool:
    """Whether ``sentence`` is a question asked in the talk: it ends with a question mark."""
    return sentence.rstrip().endswith(("?", "？"))


def past_short_reply(p: Passage, first: int, last: int) -> bool:
    """Whether the span ``first``..``last`` of ``p`` is a short question and a short reply with a
    sentence after them: then that sentence, not the question, goes with the reply."""
    if last != first + 1 or last + 1 >= len(p.sentences):
        return False
    question, reply = (p.text[s.start : s.end].strip() for s in p.sentences[first : last + 1])
    return (
        _asks(question)
        and len(question) <= SHORT_QUESTION
        and len(reply) <= SHORT_REPLY
        and reply.endswith((".", "!", "。", "！"))
    )
