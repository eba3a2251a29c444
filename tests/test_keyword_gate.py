"""The keyword side ranks only questions whose words the index mostly holds."""

from __future__ import annotations

from rag.embedder import FakeEmbedder
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index

# Over the Korean seed an English question shares only loanwords ("h", "100", "gpu").
ENGLISH = "How much does one Nvidia H100 GPU cost?"
KOREAN = "일본 정부는 GPU 구매에 얼마를 지원했나요?"


def test_a_question_in_another_language_is_ranked_by_meaning_alone(fake_built: Settings) -> None:
    searcher = Searcher(load_index(fake_built.index_dir), FakeEmbedder())
    tokens = searcher.analyzer.tokens(ENGLISH)
    assert searcher.index.keyword(tokens, 10, None), "its loanwords alone do match passages"
    assert not searcher._candidates.known(tokens, searcher._candidates.spellings(tokens))
    korean = searcher.analyzer.tokens(KOREAN)
    assert searcher._candidates.known(korean, searcher._candidates.spellings(korean))
    hits = searcher.search(ENGLISH, 5)
    assert hits and all(h.keyword == 0.0 for h in hits)
    assert any(h.keyword > 0.0 for h in searcher.search(KOREAN, 5))


def test_the_share_of_known_words_is_a_setting(fake_built: Settings) -> None:
    index = load_index(fake_built.index_dir)
    everything = Searcher(index, FakeEmbedder(), RetrievalParams(keyword_known=0.0))
    assert any(h.keyword > 0.0 for h in everything.search(ENGLISH, 5))
    nothing = Searcher(index, FakeEmbedder(), RetrievalParams(keyword_known=1.01))
    assert all(h.keyword == 0.0 for h in nothing.search(KOREAN, 5))


def test_keyword_mode_still_ranks_by_loanwords(fake_built: Settings) -> None:
    searcher = Searcher(load_index(fake_built.index_dir), FakeEmbedder(), RetrievalParams(mode="keyword"))
    assert searcher.search(ENGLISH, 5)
