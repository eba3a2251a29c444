"""The facts of each sentence an answer is chosen from, read once and kept.

Sentences, unlike the passages and moments around them, are the same texts from question to
question, so this is where memoizing pays: Kiwi takes about 1.3 ms a sentence, and an answer looks
at two or three dozen sentences of the index, and the same ones again for similar questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rag.answertype import Facts, facts
from rag.cache import LRU
from rag.foreign import script
from rag.readings import passage_readings
from rag.textfacts import read_text

# What each sentence states, kept per index version: a few dozen short strings each.
_MEMO = 50_000


class SentenceFacts:
    """The facts of each sentence text, analysed by Kiwi once and kept (bounded)."""

    def __init__(self, analyze: Callable[[str], list[Any]], size: int = _MEMO) -> None:
        self._analyze = analyze
        self._memo: LRU[Facts] = LRU(size)

    def __call__(self, sentence: str) -> Facts:
        return self._memo.get_or_compute(sentence, lambda: self._read(sentence))

    def _read(self, sentence: str) -> Facts:
        found = replace(facts(self._analyze(sentence)), readings=frozenset(passage_readings(sentence)))
        if script(sentence) == "ko":
            return found
        # English or Japanese: Kiwi's analysis knows neither, the text itself says more.
        # Its counters come from the text alone: Kiwi reads "in 1858" as a bare figure, an amount.
        counters, kinds, amounts = read_text(sentence)
        return Facts(found.tokens, counters, found.kinds | kinds, amounts, found.readings)
