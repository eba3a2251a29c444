"""A Korean or Japanese question over an English talk, with the real models: its key words looked up
in English by the second encoder (rag.glossary) bring the passage that answers to the top."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rag.embedder import load_embedder
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index
from tests.conftest import ROOT, beside_seed

pytestmark = pytest.mark.slow

# A Cornish bellfounder's talk (eval/mix12), beside the seed.
BELLS = ROOT / "eval" / "mix12" / "028_8ee8286c80f78396.txt"


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory, seed_env: dict[str, str], model_cache: Path
) -> Settings:
    return beside_seed(tmp_path_factory, seed_env, model_cache, BELLS)


def test_a_korean_questions_words_are_looked_up_in_english(library: Settings) -> None:
    searcher = Searcher(load_index(library.index_dir), load_embedder(library), RetrievalParams())
    question = "해외 주문이 갑자기 늘어난 계기가 뭐였어?"
    evidence = "after the Whitechapel foundry in London closed in 2017"
    # 해외 is looked up as abroad, 주문 as order: "…some of our best work now comes from abroad,
    # after the Whitechapel foundry in London closed in 2017…".
    looked_up = searcher._candidates.lookups(question, ["해외", "주문", "늘어나", "계기", "하"], "ko")
    assert looked_up == ["해외", "주문", "늘어나", "계기"]
    assert {"abroad", "order"} <= set(searcher._candidates.glossary().translate(looked_up))
    assert evidence in searcher.search(question, k=3)[0].passage.text
    # Without the glossary the encoders rank it third.
    alone = Searcher(
        load_index(library.index_dir), load_embedder(library), replace(RetrievalParams(), glossary_weight=0.0)
    ).search(question, k=10)
    assert evidence not in alone[0].passage.text


def test_a_japanese_questions_words_are_looked_up_in_english(library: Settings) -> None:
    searcher = Searcher(load_index(library.index_dir), load_embedder(library), RetrievalParams())
    question = "コロナで注文がゼロだった時期は、何を売ってしのいだの？"
    evidence = "we sold three hundred of them online"
    # Its words are runs of kanji and katakana (売 is a verb's stem, 何 asks); 注文 is looked up
    # as order: "…we didn't get a single order. So we made garden bells… and we sold three
    # hundred of them online…".
    looked_up = searcher._candidates.lookups(question, [], "ja")
    assert looked_up == ["コロナ", "注文", "ゼロ", "時期"]
    assert "order" in searcher._candidates.glossary().translate(looked_up)
    assert evidence in searcher.search(question, k=3)[0].passage.text
    # Without the glossary the encoders rank it second.
    alone = Searcher(
        load_index(library.index_dir), load_embedder(library), replace(RetrievalParams(), glossary_weight=0.0)
    ).search(question, k=10)
    assert evidence not in alone[0].passage.text
    assert evidence in alone[1].passage.text


def test_an_english_question_or_a_library_without_english_looks_nothing_up(
    library: Settings, seed_env: dict[str, str]
) -> None:
    embedder = load_embedder(library)
    mixed = Searcher(load_index(library.index_dir), embedder, RetrievalParams())
    assert mixed._candidates.lookups("manure?", ["manure"], "en") == []
    assert mixed._candidates.lookups("말똥?", ["말똥"], "ko") == ["말똥"]
    seed_only = Searcher(load_index(Path(seed_env["RAG_INDEX_DIR"])), embedder, RetrievalParams())
    assert seed_only._candidates.lookups("말똥?", ["말똥"], "ko") == []
    assert seed_only._candidates.lookups("馬ふんの鐘", [], "ja") == []
    seed_only.ask("말똥은 어디서 얻어?")
    assert seed_only._candidates._glossary is None
