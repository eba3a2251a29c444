"""The answer span reads a question's words in English (rag.glossary.spelled_in_english), with the
real models: a Korean question over an English talk is answered by the sentence holding its words'
translations, not by a Korean sentence that shares none of them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rag import retrieval
from rag.embedder import load_embedder
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.store import load_index
from tests.conftest import ROOT, beside_seed

pytestmark = pytest.mark.slow

# A tower captain on English church bell ringing (eval/mix7), beside the seed.
BELFRY = ROOT / "eval" / "mix7" / "019_0cbe2fb625f4fc3e.txt"
QUESTION = "열한 살짜리한테 이왕 올라왔으니 배워 보라고 한 할아버지 누구였지?"
EVIDENCE = "an old man called Reg Pilbeam"


@pytest.fixture(scope="module")
def searcher(
    tmp_path_factory: pytest.TempPathFactory, seed_env: dict[str, str], model_cache: Path
) -> Searcher:
    library = beside_seed(tmp_path_factory, seed_env, model_cache, BELFRY)
    return Searcher(load_index(library.index_dir), load_embedder(library), RetrievalParams())


def test_the_answer_is_the_sentence_holding_the_words_in_english(searcher: Searcher) -> None:
    # 할아버지 is looked up as old, 배우 as learn and practice: "…and the ringers were in the middle
    # of practice, and an old man called Reg Pilbeam, he was the captain back then…".
    answer = searcher.ask(QUESTION).candidate
    assert answer is not None and EVIDENCE in answer.text


def test_without_the_english_spellings_a_korean_sentence_was_chosen(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retrieval, "spelled_in_english", lambda words, found: words)
    answer = searcher.ask(QUESTION).candidate
    assert answer is not None and EVIDENCE not in answer.text


def test_no_lookup_no_english_spellings(searcher: Searcher) -> None:
    alone = replace(searcher.params, glossary_weight=0.0)
    assert (
        Searcher(searcher.index, searcher.embedder, alone)._second_vectors(QUESTION, ["할아버지"], "ko")[1]
        == {}
    )
