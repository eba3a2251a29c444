"""Repeated questions are answered from a cache, per index version, without calling the model."""

from __future__ import annotations

from collections.abc import Sequence

from rag.cache import LRU
from rag.embedder import FakeEmbedder, Kind, Vectors
from rag.question import has_words
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        self.calls += 1
        return super().embed_batch(texts, kind)


def test_lru_keeps_the_most_recently_used() -> None:
    cache: LRU[int] = LRU(2)
    for key in ("a", "b", "a", "c"):
        cache.get_or_compute(key, lambda: len(cache))
    assert (cache.hits, cache.misses, len(cache)) == (1, 3, 2)
    assert cache.get_or_compute("b", lambda: 99) == 99  # "b" was the least recent: evicted


def test_size_zero_turns_the_cache_off() -> None:
    cache: LRU[int] = LRU(0)
    assert cache.get_or_compute("a", lambda: 1) == 1
    assert cache.get_or_compute("a", lambda: 2) == 2
    assert len(cache) == 0


def test_a_repeated_question_skips_the_model(fake_built: Settings) -> None:
    embedder = CountingEmbedder()
    searcher = Searcher(load_index(fake_built.index_dir), embedder, cache_size=8)
    first = searcher.ask("손정의 회장의 투자 규모", 3)
    # Spacing differences are the same question.
    again = searcher.ask("  손정의   회장의 투자 규모 ", 3)
    assert again is first and embedder.calls == 1
    searcher.search("손정의 회장의 투자 규모", 3)
    searcher.ask("손정의 회장의 투자 규모", 4)
    assert embedder.calls == 3  # search and another k are different answers
    assert (searcher.ask_cache.hits, searcher.ask_cache.misses) == (1, 2)


def test_without_a_cache_every_question_runs(fake_built: Settings) -> None:
    embedder = CountingEmbedder()
    searcher = Searcher(load_index(fake_built.index_dir), embedder)
    searcher.ask("스타게이트", 3)
    searcher.ask("스타게이트", 3)
    assert embedder.calls == 2


def test_has_words() -> None:
    assert [has_words(q) for q in ("?", "🙂", "ㅋㅋㅋ ㅎㅎ", "…!!", "H100?", "왜", "なぜ", "2025")] == [
        False,
        False,
        False,
        False,
        True,
        True,
        True,
        True,
    ]
