"""Search an index with a question: its candidates (rag.candidates) folded into distinct moments
(rag.moments), then the answer span (rag.answer) and how sure it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.answer import ANSWER_POOL, Answer, Asked, Candidate, candidates, choose
from rag.answertype import Expectation, expectation
from rag.cache import LRU
from rag.candidates import Candidates
from rag.confidence import answerability, coverage
from rag.corpus import Corpus, Rows
from rag.crossrank import CrossRanker, bundled_for
from rag.embedder import Embedder
from rag.errors import NotFoundError
from rag.foreign import script
from rag.glossary import flat, spelled_in_english
from rag.identifiers import leads, naming, pin_amounts, unmentioned
from rag.keyword import Analyzer, content_tokens
from rag.moment import asks_moment, topic
from rag.moments import SETTLED, Folder, Hit
from rag.params import RetrievalParams
from rag.question import checked, has_words
from rag.readings import readable
from rag.result import Result, gated
from rag.second import SecondScores, second_for
from rag.sentencefacts import SentenceFacts
from rag.store import IndexData
from rag.videofields import about_video, asked_field, named_fields


class Searcher:
    def __init__(
        self,
        index: Corpus | IndexData,
        embedder: Embedder,
        params: RetrievalParams | None = None,
        cache_size: int = 0,
        crossrank: CrossRanker | None = None,
        second: SecondScores | None = None,
    ) -> None:
        if isinstance(index, IndexData):
            from rag.local import LocalCorpus

            index = LocalCorpus(index)
        self.index: Corpus = index
        self.embedder = embedder
        self.params = params or RetrievalParams()
        self.analyzer = Analyzer()
        # Kiwi takes about 1.3 ms a sentence; an answer looks at two or three dozen sentences of
        # the index, and the same ones again for similar questions.
        self._facts = SentenceFacts(self.analyzer.morphs)
        self._baseline = index.baseline()
        # The second encoder beside the model (rag.second): the bundled one unless another is
        # handed in; none under a model its weight was not chosen for.
        # At no share, none is kept: a question would pay for its second vector for nothing.
        if not self.params.second_weight:
            second = None
        elif second is None:
            encoder = second_for(embedder.model_id)
            second = SecondScores(encoder) if encoder is not None else None
        self._second = second
        self._candidates = Candidates(index, self.params, second)
        # The order of results in another language than the question (rag.crossrank): the one
        # fitted for this model unless another is handed in (bench.crossrank's folds).
        self._cross = crossrank
        if crossrank is None and self.params.cross_rank:
            self._cross = bundled_for(embedder.model_id)
        # Answers depend only on the question and this index version, and a Searcher lives as
        # long as its version: a new version starts with an empty cache.
        self.search_cache: LRU[list[Hit]] = LRU(cache_size)
        self.ask_cache: LRU[Result] = LRU(cache_size)

    def check(self, query: str, k: int, video_id: str | None) -> str:
        text = checked(query, k)
        if video_id is not None and video_id not in self.index.videos:
            raise NotFoundError(f"no video with id {video_id!r} in the index")
        return text

    def search(self, query: str, k: int = 5, video_id: str | None = None) -> list[Hit]:
        # An empty video_id (a form's empty field) asks every video, at every door: HTTP, CLI, MCP.
        video_id = video_id or None
        text = self.check(query, k, video_id)
        # A question asking where in the video something is said is ranked by its topic (rag.moment).
        about = topic(text)
        # Ranked as `ask` ranks, over the settled moments, so both doors show the same order.
        return self.search_cache.get_or_compute((text, k, video_id), lambda: self._search(about, k, video_id))

    def _search(self, about: str, k: int, video_id: str | None) -> list[Hit]:
        tokens, language = self.analyzer.tokens(about), script(about)
        second, english = self._second_vectors(about, tokens, language)
        vector = self._embed(about)
        return self._rank(
            about, tokens, vector, max(k, SETTLED), video_id, language, None, second, flat(english.values())
        )[0][:k]

    def ask(self, question: str, k: int = 5, video_id: str | None = None) -> Result:
        video_id = video_id or None
        text = self.check(question, k, video_id)
        return self.ask_cache.get_or_compute((text, k, video_id), lambda: self._ask(text, k, video_id))

    def _ask(self, text: str, k: int, video_id: str | None) -> Result:
        vector, tokens, hits, spans, decisive, rows = self._answerable(text, k, video_id)
        p = self.params
        scores = [float(np.dot(p.answer_weights, c.features)) for c in spans]
        said = leads(spans, decisive)
        named = naming(text, said, scores, p.named_margin)
        kept = pin_amounts(spans, named, scores, decisive, p.named_margin, said)

        def pick(among: list[int]) -> tuple[Answer | None, bool]:
            return choose(
                [spans[i] for i in among], p.answer_weights, decisive, p.answer_hedge, p.typed_margin
            )

        answer, typed = pick(kept)
        # Confidence is judged on the span chosen without that pin, as the model was fitted: the
        # pinned span shares less of the question's wording, so its cosine is lower.
        judged = answer if kept == named else pick(named)[0]
        covered = 1.0
        # Key words are compared as words: only a Korean question answered from a Korean passage has
        # them to find (over an English transcript every Korean word would count as missing).  The
        # model was fitted on Korean words; English words and Japanese bigrams were tried and
        # withheld too many answers (docs/quality.md).
        if script(text) == "ko" and (answer is None or script(answer.passage.text) == "ko"):
            evidence = [
                [t for s in h.passage.sentences for t in self._facts(h.passage.text[s.start : s.end]).tokens]
                for h in hits[:ANSWER_POOL]
            ]
            covered = coverage(tokens, evidence, self.index.expand)
        peak = self._peak(vector, hits[:SETTLED], rows)
        confidence = answerability(judged, peak, covered, p.flag_weights, p.flag_bias)
        if answer is not None and answer.info:
            # The info line a question about the video asks for: the video states it.
            confidence = 1.0
        # A year or model name the answer passages never mention: the video does not give that detail.
        missing = unmentioned(text, (h.passage.text for h in hits[:ANSWER_POOL]))
        # A question with no word in it ("?", "🙂") asks nothing a sentence could answer.
        low = not hits or gated(typed, missing) or confidence < p.min_confidence or not has_words(text)
        return Result(
            hits[:k], None if low else answer, confidence, low, covered, peak, typed, answer, missing, judged
        )

    def answer_spans(self, question: str, k: int = 10) -> tuple[list[Candidate], bool]:
        """The spans ``ask`` chooses its answer from, and whether a decisive answer type limits them
        (for fitting the answer model: bench.answers)."""
        _, _, _, spans, decisive, _ = self._answerable(self.check(question, k, None), k, None)
        return spans, decisive is not None

    def _answerable(
        self, text: str, k: int, video_id: str | None
    ) -> tuple[np.ndarray[Any, Any], list[str], list[Hit], list[Candidate], Expectation | None, Rows]:
        """The question's vector and key words, its results, and the answer spans among them.

        A question asking where in the video something is said is ranked and answered by its
        topic, with no answer type: the answer's timestamp is what it asks for (rag.moment).
        """
        moment = asks_moment(text)
        text = topic(text)
        vector = self._embed(text)
        # Kiwi runs once per question: ranking, answer choice, answer type and coverage share it.
        morphs = self.analyzer.morphs(text)
        tokens = content_tokens(morphs)
        # Each key word's spellings serve both the keyword gate (Candidates.known) and the answer choice.
        words = self._candidates.spellings(tokens)
        # How sure the answer is is judged on the settled moments however few are shown, so that
        # every k gets the same confidence (`-k 1` withheld answers `-k 5` gave); the answer comes
        # from the results shown.
        language = script(text)
        second, english = self._second_vectors(text, tokens, language)
        hits, rows = self._rank(
            text, tokens, vector, max(k, SETTLED), video_id, language, words, second, flat(english.values())
        )
        expected = None if moment else expectation(text, morphs)
        idf = {w: self.index.idf(w) for w in words}
        asked = Asked(
            vector[0],
            spelled_in_english(readable(words) if language == "ko" else words, english),
            expected,
            idf,
            None if moment else asked_field(text),
            named_fields(text),
            about_video(text),
        )
        spans = candidates(rows, asked, hits[:k], self._facts)
        decisive = expected if self.params.check_answer_type and expected and expected.decisive else None
        return vector[0], tokens, hits, spans, decisive, rows

    def _peak(self, vector: np.ndarray[Any, Any], hits: list[Hit], rows: Rows) -> float:
        if not hits or len(self._baseline) < 2:
            return 0.0
        sims = self._baseline @ vector
        spread = float(sims.std())
        # The passages' own cosines: the sentence blend in Hit.dense has a spread of its own.
        best = max(float(rows.vector(h.row) @ vector) for h in hits)
        return (best - float(sims.mean())) / spread if spread else 0.0

    def _embed(self, text: str) -> np.ndarray[Any, Any]:
        return self.embedder.embed_batch([text], "query")

    def _second_vectors(
        self, text: str, tokens: list[str], language: str | None
    ) -> tuple[np.ndarray[Any, Any] | None, dict[str, tuple[str, ...]]]:
        """The question's second-encoder vector and, where it has words to look up in English
        (rag.glossary), each one's English words: the words are encoded in the question's call, and
        looked up once however many times the question is ranked."""
        if self._second is None:
            return None, {}
        words = self._candidates.lookups(text, tokens, language)
        vector, looked_up = self._second.query(text, words)
        if not words:
            return vector, {}
        return vector, dict(zip(words, self._candidates.glossary().nearest(looked_up), strict=True))

    def _rank(
        self,
        text: str,
        tokens: list[str],
        vector: np.ndarray[Any, Any],
        k: int,
        video_id: str | None,
        language: str | None,
        spellings: dict[str, frozenset[str]] | None = None,
        second: np.ndarray[Any, Any] | None = None,
        english: Sequence[str] = (),
    ) -> tuple[list[Hit], Rows]:
        """The top ``k`` distinct moments of a question ``text`` written in ``language``
        (rag.foreign.script); ``spellings`` (Candidates.spellings of ``tokens``) when already known;
        ``second``, the question's second-encoder vector (rag.second), where one is used, and
        ``english`` its key words looked up in English (rag.glossary)."""
        p = self.params
        where = (tokens, vector, video_id, language, spellings)
        first, first_dense, first_keyword, rows = self._candidates.ranked(*where, p.pool, second, english)
        ranked, dense_of, keyword_of = first, first_dense, first_keyword
        more: list[tuple[int, float]] = []
        # Merging neighbours into moments takes several candidates per result.  A larger pool
        # normalizes the fused scores over other candidates, so its own ranking would reorder the
        # first ten: it only supplies candidates after them.
        width = 2 * k
        found = (first_dense, first_keyword)
        while True:
            if k > SETTLED and width > p.pool:
                wider, wide_dense, wide_keyword, rows = self._candidates.ranked(
                    *where, width, second, english
                )
                found = (wide_dense, wide_keyword)
                # The wider rows read the first pool's too (a row not fetched is fetched on first
                # read); the first pool's scores stand, and none of the others ranks above its last.
                ranked = [(r, s) for r, s in first if rows.has(r)]
                known = {r for r, _ in ranked}
                floor = ranked[-1][1] if ranked else 0.0
                more = [(r, min(s, floor)) for r, s in wider if r not in known]
                dense_of, keyword_of = {**wide_dense, **first_dense}, {**wide_keyword, **first_keyword}
            folder = Folder(rows)
            moments = folder.fold(ranked, k, more=more)
            # A pool whose candidates folded into fewer than k moments is widened until there are
            # k or neither side has more to give (the video asked, the keyword side's matches, the
            # whole index): `k` counts distinct results (`-k 15` gave 12).
            searched = max(width, p.pool)
            spent = all(len(side) < searched for side in found) or searched >= self.index.size
            if len(moments) >= k or k <= SETTLED or spent:
                break
            width = searched * 2
        for r in sorted({r for m in moments for r in m.rows} - dense_of.keys()):
            # Keyword-only candidates still need a cosine: the answer and confidence use it.
            dense_of[r] = float(rows.vector(r) @ vector[0])
        hits = []
        for rank, m in enumerate(moments, 1):
            passage, sentence_rows = folder.passage(m)
            hits.append(
                Hit(
                    rank,
                    float(m.score),
                    passage,
                    m.best,
                    max(dense_of[r] for r in m.rows),
                    max(keyword_of.get(r, 0.0) for r in m.rows),
                    sentence_rows,
                    (m.lo, m.hi),
                )
            )
        if self._cross is not None:
            hits = self._cross.reorder(text, language, vector[0], hits, rows)
        return hits, rows
