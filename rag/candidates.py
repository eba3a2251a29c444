"""The candidates a question is ranked from: each side's pool, the keyword gate, the same-language
lean, and the fusion of the two sides (rag.fusion).

Dense search alone misses misheard names and exact numbers; keyword search alone misses
paraphrases and other languages.  Each proposes a pool of candidates, and the pool is ranked by
reciprocal-rank fusion or a weighted sum of normalized scores (chosen on the tuning split).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from rag.corpus import Corpus, Rows
from rag.foreign import script
from rag.fusion import rrf, weighted, with_bridge, with_second, with_sentences
from rag.glossary import Glossary, english_words, japanese_words, korean_words
from rag.languages import Languages
from rag.params import RetrievalParams
from rag.readings import question_readings
from rag.second import SecondScores


class Candidates:
    """Finds and fuses a question's candidate rows in one index version."""

    def __init__(self, index: Corpus, params: RetrievalParams, second: SecondScores | None = None) -> None:
        self.index = index
        self.params = params
        self.second = second
        # Vectors stored by another encoder (or version) than the one asking are not compared.
        self._stored = second is not None and index.manifest.second_model == second.encoder.model_id
        self._languages = Languages(index)
        self._glossary: Glossary | None = None
        self._glossary_lock = threading.Lock()

    def dense(
        self, vector: np.ndarray[Any, Any], pool: int, video_id: str | None, language: str | None
    ) -> tuple[list[tuple[int, float]], bool]:
        """The dense candidates, and whether the library mixes the question's language with others:
        then the videos of each side are searched on their own (rag.languages)."""
        groups = (
            None if video_id is not None or not self.params.same_language else self._languages.split(language)
        )
        if groups is None:
            return self.index.dense(vector, pool, video_id), False
        same, other = (self.index.dense_among(vector, pool, videos) for videos in groups)
        return same + other, True

    def spellings(self, tokens: list[str]) -> dict[str, frozenset[str]]:
        """Each distinct word with the indexed spellings that count as it (Corpus.expand)."""
        return {w: frozenset(self.index.expand([w])) for w in set(tokens)}

    def known(self, tokens: list[str], spellings: dict[str, frozenset[str]]) -> bool:
        """Whether the index holds enough of the question's words for the keyword side to rank.

        A question in another language than the transcripts ("How much does one Nvidia H100
        cost?" over Korean) shares only loanwords with them ("h", "100", "gpu"), which are in many
        passages: the keyword side would rank on noise (docs/quality.md has the figures).
        """
        if not tokens:
            return False
        known = sum(any(self.index.indexed(s) for s in spellings[w]) for w in tokens)
        return known / len(tokens) >= self.params.keyword_known

    def ranked(
        self,
        tokens: list[str],
        vector: np.ndarray[Any, Any],
        video_id: str | None,
        language: str | None,
        spellings: dict[str, frozenset[str]] | None,
        pool: int,
        second: np.ndarray[Any, Any] | None = None,
        english: Sequence[str] = (),
    ) -> tuple[list[tuple[int, float]], dict[int, float], dict[int, float], Rows]:
        """The fused ranking of ``pool`` candidates a side, their dense and keyword scores, and the
        rows they and their neighbours are read from; ``second`` is the question's second-encoder
        vector (rag.second), where one is used, and ``english`` its key words looked up in English
        (rag.glossary)."""
        p = self.params
        dense, mixed = self.dense(vector[0], pool, video_id, language) if p.mode != "keyword" else ([], False)
        # Hybrid ranking leaves out a keyword side that can only rank on loanwords (known).
        wanted = p.mode == "keyword" or (
            p.mode == "hybrid"
            and self.known(tokens, self.spellings(tokens) if spellings is None else spellings)
        )
        keyword = self.index.keyword(tokens, pool, video_id) if wanted else []
        # Every row a question reads, fetched at once (nothing to fetch in memory, one query on
        # Milvus): the candidates and their neighbours, which merging may reach.
        near = {r + d for r, _ in dense + keyword for d in (-1, 0, 1)}
        rows = self.index.rows(r for r in near if r >= 0)
        # An incremental build on Milvus deletes a changed video's old rows in place: one found by
        # a search just before may be gone when read.  The question goes on without it.
        dense = [(r, s) for r, s in dense if rows.has(r)]
        keyword = [(r, s) for r, s in keyword if rows.has(r)]
        if dense and p.sentence_weight:
            dense = with_sentences(dense, vector[0], p.sentence_weight, rows)
        if dense and second is not None and self.second is not None and p.second_weight:
            cosines = self.second.cosines(second, rows, [r for r, _ in dense], self._stored)
            dense = with_second(dense, cosines, p.second_weight)
        # Each candidate's script, read once whether the lean, the fusion or both ask for it.
        written_in = cache(lambda r: script(rows.passage(r).text))
        # The dense scores ranked by, with the same-language lean taken off the passages written in
        # the question's language (rag.languages); the hits keep their scores.  By the passage's
        # own text, not its video's: an English video's info passage has Korean labels.
        leaned = dense
        if mixed:
            lean = frozenset(r for r, _ in dense if written_in(r) == language)
            leaned = sorted(
                ((r, s - p.same_language if r in lean else s) for r, s in dense), key=lambda x: (-x[1], x[0])
            )
            leaned = leaned[:pool]
        pairs = question_readings(tokens) if language == "ko" and p.bridge_weight else []
        if dense and pairs:
            # A Korean question's words read in Japanese passages' kanji (rag.readings); the
            # reading pairs are in no other passage, so only Japanese candidates move.
            leaned = with_bridge(leaned, self.index.keyword(pairs, pool, video_id), p.bridge_weight)
        if dense and english:
            # Only English candidates move: a Korean passage holding one of the words ("gpu") was
            # matched by the question's own words already.
            candidates = {r for r, _ in leaned}
            found = self.index.keyword(list(english), pool, video_id)
            found = [(r, s) for r, s in found if r in candidates and written_in(r) == "en"]
            leaned = with_bridge(leaned, found, p.glossary_weight)
        if p.mode == "dense":
            ranked = leaned
        elif p.mode == "keyword":
            ranked = keyword
        elif p.fusion == "rrf":
            ranked = rrf([leaned, keyword], p.rrf_k)
        else:
            # In a library of several languages, a Korean question's key words match only Korean
            # passages: an English or Japanese one is ranked by meaning alone (docs/quality.md).
            foreign: frozenset[int] = frozenset()
            if keyword:
                written = script(" ".join(tokens))
                foreign = frozenset(r for r, _ in leaned if written_in(r) != written)
            ranked = weighted(leaned, keyword, p.dense_weight, foreign)
        return ranked, dict(dense), dict(keyword), rows

    def lookups(self, text: str, tokens: list[str], language: str | None) -> list[str]:
        """A Korean or Japanese question's key words to look up in English (rag.glossary), where
        the library holds an English video and the second encoder is there to look them up."""
        if language not in ("ko", "ja") or not self.params.glossary_weight or self.second is None:
            return []
        if not self._languages.speaks("en"):
            return []
        # A Japanese question's keyword tokens are character pairs, not words: its words are read
        # from its text.
        return korean_words(tokens) if language == "ko" else japanese_words(text)

    def glossary(self) -> Glossary:
        """The index's English words, looked up by the second encoder's vectors (built on first need)."""
        # Built once: two first questions at once would each encode every English word.
        with self._glossary_lock:
            if self._glossary is None:
                assert self.second is not None, "a glossary needs the second encoder"
                p = self.params
                words = english_words(self.index.words(), self.index.idf)
                self._glossary = Glossary(
                    self.second.encoder, words, p.glossary_threshold, p.glossary_per_word
                )
            return self._glossary
