"""A Korean question over a Japanese talk, with the real model: the kanji's Korean readings
(rag.readings) bring the passage that answers to the top."""

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

# A sake brewer's talk (eval/ja), beside the seed.
SAKE = ROOT / "eval" / "ja" / "003_8bcd531e704356c1.txt"


@pytest.fixture(scope="module")
def library(
    tmp_path_factory: pytest.TempPathFactory, seed_env: dict[str, str], model_cache: Path
) -> Settings:
    return beside_seed(tmp_path_factory, seed_env, model_cache, SAKE)


def test_a_korean_question_meets_the_japanese_passage_by_its_kanji(library: Settings) -> None:
    embedder = load_embedder(library)
    index = load_index(library.index_dir)
    question = "야마다니시키를 가장 많이 생산하는 현은 어디이며 비중은 얼마인가요?"
    evidence = "兵庫県が全国の生産量の大体6割"
    # The question's 생산 meets the passage's 生産量, read 생산량.
    bridged = Searcher(index, embedder, RetrievalParams()).search(question, k=3)
    assert evidence in bridged[0].passage.text
    # Without the readings, e5-small and USE put another passage on the rice first.
    alone = Searcher(index, embedder, replace(RetrievalParams(), bridge_weight=0.0)).search(question, k=3)
    assert evidence not in alone[0].passage.text
    assert any(evidence in h.passage.text for h in alone)


def test_a_korean_questions_words_choose_the_japanese_sentence_by_their_readings(library: Settings) -> None:
    searcher = Searcher(load_index(library.index_dir), load_embedder(library), RetrievalParams())
    result = searcher.ask("가이드를 따로 고용하지 않고 외국인 방문객에게 양조장 설명을 제공하는 방법은?")
    # 설명 is 説明 in "…8か国語で説明が流れるようにしてる"; without the readings the span chosen was
    # the sentence before, on drunk driving.
    assert result.candidate is not None and "多言語のQRコード" in result.candidate.text
