"""A Korean or Japanese question's key words found in English passages, through the second
encoder's word vectors.

A Korean or Japanese question over an English talk shares no word with it, so the keyword side left
English passages to the encoders, and e5-small's cosines across languages say "on this subject" more
than "this says it".  The second encoder (rag.second) was trained on translation pairs, and one
word's vector lies near its translation's: among 40,000 English words, 지붕's nearest is roof, 우산's
umbrella, 부품's parts, 수리's repair (docs/quality.md, twelfth round); 鐘's is bell, 溶接's weld
(thirteenth round).

So the English words the keyword index holds are encoded once, on first need, and each key word of a
question is looked up among them: the words within ``threshold`` cosine, at most ``per_word`` of
them, are searched as a keyword query of their own, and a share of that score is added to English
candidates' dense scores (rag.candidates), as kanji readings are for Japanese ones.  The answer span
counts them as the question's words in an English sentence (``spelled_in_english``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from rag.foreign import EN_STOP, bigrams
from rag.second import SecondEncoder

# An English word as the keyword index holds it, lower-cased ("h100" and "gpu's" are no words to
# translate into: a figure or a name's possessive is matched as written).
_ENGLISH = re.compile(r"[a-z][a-z-]*[a-z]")
_HANGUL = re.compile("[\uac00-\ud7a3]{2,}")
# A Japanese question has no spaces: its words are read as runs of kanji (鐘, 溶接, 礼拝堂) and of
# katakana (ヤギ, ペンハロウ; the middle dot parts a name's words).  A lone kanji followed by
# okurigana is a verb's or an adjective's stem (入った, 見る, 新しい), which brings only common
# English words; one followed by a particle or nothing is a noun (鐘の, 木を, 村に).
_JAPANESE = re.compile("([\u4e00-\u9fff\u3005]+|[\u30a1-\u30fa\u30fc]{2,})([\u3041-\u3096]?)")
_PARTICLES = frozenset("のをにがはでともやへ")
# The question words (何年 and 何人 are kept: year and people are in the passages that answer).
_ASKING = frozenset({"何", "誰", "幾"})
# Beyond this many English words (a library of hundreds of talks), the most common are kept: at
# 512 numbers each, 30,000 words take 61 MB.  A talk of an hour has about 3,000.
MOST_WORDS = 30_000
_BATCH = 512


def english_words(words: Iterable[str], idf: Callable[[str], float]) -> list[str]:
    """The English words among an index's words in a stable order: the ``MOST_WORDS`` commonest
    (lowest ``idf``) where there are more."""
    found = sorted(w for w in words if len(w) >= 3 and w not in EN_STOP and _ENGLISH.fullmatch(w))
    if len(found) > MOST_WORDS:
        found = sorted(sorted(found, key=lambda w: (idf(w), w))[:MOST_WORDS])
    return found


def korean_words(tokens: Sequence[str]) -> list[str]:
    """A question's tokens worth translating: Hangul words of two syllables or more (one-syllable
    stems such as 하 and 있 translate into nothing useful), each once."""
    return list(dict.fromkeys(t for t in tokens if _HANGUL.fullmatch(t)))


def japanese_words(text: str) -> list[str]:
    """A Japanese question's words worth translating: its runs of kanji and of katakana, each once,
    without a lone kanji's verb or adjective stem or a question word."""
    out: dict[str, None] = {}
    for m in _JAPANESE.finditer(text):
        word, after = m.group(1), m.group(2)
        if word in _ASKING or (len(word) == 1 and after and after not in _PARTICLES):
            continue
        out[word] = None
    return list(out)


class Glossary:
    """English words of one index version, looked up by a Korean or Japanese word's vector."""

    def __init__(self, encoder: SecondEncoder, words: Sequence[str], threshold: float, per_word: int) -> None:
        self.encoder = encoder
        self.words = list(words)
        self.threshold = threshold
        self.per_word = per_word
        self._vectors: npt.NDArray[np.float32] | None = None
        self._lock = threading.Lock()

    def _encoded(self) -> npt.NDArray[np.float32]:
        with self._lock:
            if self._vectors is None:
                parts = [
                    self.encoder.encode(self.words[i : i + _BATCH]).astype(np.float32)
                    for i in range(0, len(self.words), _BATCH)
                ]
                dim = self.encoder.dimension
                self._vectors = np.vstack(parts) if parts else np.zeros((0, dim), dtype=np.float32)
            return self._vectors

    def translate(self, words: Sequence[str]) -> list[str]:
        """The English words near each of ``words``, nearest first, each once."""
        if not words or not self.words:
            return []
        return flat(self.nearest(self.encoder.encode(list(words))))

    def nearest(self, vectors: npt.NDArray[np.float32]) -> list[tuple[str, ...]]:
        """Each word's English words, nearest first, for words already encoded (with their
        question, in one call: each call to the encoder costs more than its words)."""
        if not len(vectors) or not self.words:
            return [() for _ in range(len(vectors))]
        sims = vectors @ self._encoded().T
        out = []
        for row in sims:
            # Only the few words within the threshold are sorted, not the whole vocabulary (up to
            # MOST_WORDS) for every word of every question; ties keep the vocabulary's order.
            near = np.flatnonzero(row >= self.threshold)
            top = near[np.argsort(-row[near], kind="stable")][: self.per_word]
            out.append(tuple(self.words[i] for i in top))
        return out


def flat(found: Iterable[Sequence[str]]) -> list[str]:
    """The English words found for every word, each once, in order (the keyword query)."""
    return list(dict.fromkeys(w for words in found for w in words))


def spelled_in_english(
    words: dict[str, frozenset[str]], found: dict[str, tuple[str, ...]]
) -> dict[str, frozenset[str]]:
    """A question's key words with their English words as spellings too, for the answer span: in an
    English sentence, 주문 is found as order.  A Japanese question's keys are its character pairs, so
    each pair of a word looked up (礼拝 and 拝堂 of 礼拝堂) takes that word's English words."""
    extra: dict[str, set[str]] = {}
    for word, english in found.items():
        for key in (word, *bigrams(word)):
            if key in words:
                extra.setdefault(key, set()).update(english)
    return {w: spellings | extra[w] if w in extra else spellings for w, spellings in words.items()}
