"""Keyword retrieval over Korean morphemes: Kiwi analyses, BM25 (bm25s) ranks.

Whitespace tokens barely match in Korean (조사 and 어미 stick to every word), so passages and
questions are reduced to content morphemes.  Speech-to-text misspells names by a sound
(손정희 for 손정의), so a question's Hangul word that the index has never seen is also matched
against indexed words one jamo away.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.foreign import EN_STOP, bigrams, latin_words, name_part, singular
from rag.readings import passage_readings

# Nouns, numbers, foreign words, roots and predicate stems carry the content; particles,
# endings and punctuation do not.
CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "SN", "SL", "SH", "XR", "VV", "VA")
_HANGUL_BASE, _HANGUL_LAST = 0xAC00, 0xD7A3


# Bump when Analyzer.tokens changes what it returns: indexes are then rebuilt (their stored
# tokens no longer match how questions are tokenized).  2: Kiwi without its multi-word dictionary.
# 3: Latin words whole, English function words dropped, plurals folded, kana and kanji as bigrams.
# 4: a passage's kanji compounds also as their Korean reading pairs (rag.readings).
ANALYZER_REVISION = 4

_kiwi: Any = None
_kiwi_lock = threading.Lock()


def _tokenize(text: str) -> Any:
    # One Kiwi per process.  Without its multi-word dictionary it takes 318 MB instead of 506 and
    # 0.7 s instead of 2.1 s to load and warm up, and the eval scores are the same on both splits
    # (multi-word entries only fuse words that BM25 matches one by one anyway).
    global _kiwi
    words = latin_words(text)
    with _kiwi_lock:
        if _kiwi is None:
            from kiwipiepy import Kiwi

            _kiwi = Kiwi(load_multi_dict=False)
        return _kiwi.tokenize(text, pretokenized=words)


def analyzer_signature() -> str:
    """What the tokens depend on: stored tokens are reused only under the same signature."""
    from importlib.metadata import version

    return f"kiwipiepy {version('kiwipiepy')}, analyzer {ANALYZER_REVISION}"


class Analyzer:
    """Content morphemes of a text, lower-cased, numbers without thousands separators."""

    def morphs(self, text: str) -> list[Any]:
        """Kiwi's full analysis (forms, tags, offsets), for callers that need more than tokens."""
        return list(_tokenize(text))

    def tokens(self, text: str) -> list[str]:
        return content_tokens(self.morphs(text))

    def passage_tokens(self, text: str) -> list[str]:
        """A passage's tokens as indexed: its content morphemes, then its kanji compounds' Korean
        reading pairs (rag.readings), which only a Korean question's words are cut to meet."""
        return self.tokens(text) + passage_readings(text)


def content_tokens(morphs: Sequence[Any]) -> list[str]:
    out: list[str] = []
    for i, m in enumerate(morphs):
        if not m.tag.startswith(CONTENT_TAGS) and m.tag != "SW":
            continue
        if m.tag == "SN":
            out.extend(m.form.lower().replace(",", "").split())
        elif m.tag == "SL":
            word = m.form.lower()
            if word not in EN_STOP or name_part(m, morphs[i + 1] if i + 1 < len(morphs) else None):
                out.append(singular(word, acronym=m.form[-1] == "s" and m.form[:-1].isupper()))
        elif m.tag in ("SH", "SW"):
            out.extend(bigrams(m.form))
        else:
            out.extend(m.form.lower().split())
    return out


def jamo(word: str) -> str:
    """Hangul syllables decomposed into lead, vowel and tail indices (other characters kept)."""
    out = []
    for ch in word:
        code = ord(ch)
        if _HANGUL_BASE <= code <= _HANGUL_LAST:
            n = code - _HANGUL_BASE
            out.append(chr(0x1100 + n // 588) + chr(0x1161 + n % 588 // 28) + chr(0x11A7 + n % 28))
        else:
            out.append(ch)
    return "".join(out)


def _deletions(word: str) -> set[str]:
    """The word and every form of it with one character left out (symmetric-delete lookup)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


class Spellings:
    """The indexed words a question's word may stand for: itself, or one jamo away."""

    def __init__(self, vocab: set[str]) -> None:
        self._vocab = vocab
        # Only names of three or more syllables are fuzzed: short words are too often one jamo
        # from an unrelated word.
        self._near: dict[str, set[str]] = {}
        for word in vocab:
            if len(word) >= 3 and _is_hangul(word):
                for key in _deletions(jamo(word)):
                    self._near.setdefault(key, set()).add(word)

    def expand(self, tokens: list[str]) -> list[str]:
        """The question's tokens plus indexed spellings one jamo away from unseen Hangul words."""
        out = list(tokens)
        for token in tokens:
            if token in self._vocab or len(token) < 3 or not _is_hangul(token):
                continue
            near: set[str] = set()
            for key in _deletions(jamo(token)):
                near |= self._near.get(key, set())
            # Symmetric deletes also pair words two edits apart in some cases; keep one-edit ones.
            out.extend(sorted(w for w in near if _edit_distance(jamo(w), jamo(token)) == 1))
        return out


def bm25_idf(documents: int, df: int) -> float:
    """BM25's inverse document frequency, as bm25s (the "lucene" variant) computes it."""
    return float(np.log(1 + (documents - df + 0.5) / (df + 0.5)))


class KeywordIndex:
    """BM25 over passage morphemes, searchable within a contiguous range of rows."""

    def __init__(self, bm25: Any) -> None:
        self._bm25 = bm25
        self._vocab: set[str] = set(bm25.vocab_dict)
        self._spellings = Spellings(self._vocab)

    @classmethod
    def build(cls, passages_tokens: Sequence[list[str]]) -> KeywordIndex:
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index([list(t) for t in passages_tokens], show_progress=False)
        return cls(bm25)

    def save(self, folder: Path) -> None:
        self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0))

    def expand(self, tokens: list[str]) -> list[str]:
        """The question's tokens plus indexed spellings one jamo away from unseen Hangul words."""
        return self._spellings.expand(tokens)

    def indexed(self, word: str) -> bool:
        # bm25s keeps "" in its vocabulary; no passage holds the empty word (as on Milvus).
        return bool(word) and word in self._bm25.vocab_dict

    def words(self) -> frozenset[str]:
        return frozenset(w for w in self._vocab if w)

    def idf(self, word: str) -> float:
        """BM25's inverse document frequency of an indexed word; a word never indexed counts as rarest."""
        ids = self._bm25.vocab_dict
        n = int(self._bm25.scores["num_docs"])
        if word in ids:
            pointers = self._bm25.scores["indptr"]
            df = int(pointers[ids[word] + 1] - pointers[ids[word]])
        else:
            df = 0
        return bm25_idf(n, df)

    def _known(self, tokens: list[str]) -> list[str]:
        return [t for t in self.expand(tokens) if t in self._vocab]

    def _scores(self, known: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def scores(self, tokens: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        return self._scores(self._known(tokens))

    def search(
        self, tokens: list[str], k: int, lo: int = 0, hi: int | None = None
    ) -> list[tuple[int, float]]:
        known = self._known(tokens)
        if not known:
            # No passage holds any of the words (a Korean question's reading pairs over a library
            # with no kanji): nothing to rank, and no pass over every passage's zero score.
            return []
        scores = self._scores(known)
        hi = len(scores) if hi is None else hi
        window = scores[lo:hi]
        if not len(window):
            return []
        top = np.argpartition(-window, k)[:k] if len(window) > k else np.arange(len(window))
        top = top[np.argsort(-window[top], kind="stable")]
        return [(lo + int(i), float(window[i])) for i in top if window[i] > 0]


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def _is_hangul(word: str) -> bool:
    return all(_HANGUL_BASE <= ord(ch) <= _HANGUL_LAST for ch in word)
