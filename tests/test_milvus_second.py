"""Second-encoder vectors (rag.second) in a Milvus collection: stored by a build, read by a
question, and collections built before them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.build import build, stale_reason
from rag.embedder import FakeEmbedder
from rag.milvus import connect
from rag.retrieval import Searcher
from rag.second import CHOSEN_WITH, bundled
from rag.served import open_corpus
from rag.settings import Settings
from rag.store import load_index
from tests.conftest import seed_stores

# A model id the second encoder is used beside, without loading e5: the fake gives the vectors.
BUNDLED_ID = f"{CHOSEN_WITH}@test"
QUESTION = "일본 정부는 GPU 구매에 얼마를 지원했나요?"


@pytest.fixture
def stores(make_settings: Callable[..., Settings], tmp_path: Path) -> tuple[Settings, Settings]:
    """The seed indexed beside the bundled model's second encoder: FAISS, then Milvus Lite."""
    return seed_stores(make_settings, tmp_path, BUNDLED_ID)


def _changed(settings: Settings, name: str, change: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
    """The served collection, its property ``name`` replaced by ``change`` of it."""
    milvus = connect(settings)
    served = milvus.served()
    assert served is not None
    milvus.write(served, {name: change(milvus.state(served, (name,))[name])})
    return served


def _rebuilt_whole(settings: Settings, served: str, reason: str) -> None:
    report = build(settings, FakeEmbedder(model_id=BUNDLED_ID))
    assert f"full build into a new collection: {reason}" in report.notes
    assert connect(settings).served() != served and stale_reason(settings, BUNDLED_ID) is None


def test_a_milvus_build_stores_each_passages_second_vector(stores: tuple[Settings, Settings]) -> None:
    faiss, milvus = stores
    stored = load_index(faiss.index_dir).second_vectors
    assert stored is not None
    corpus = open_corpus(milvus)
    assert corpus.manifest.second_model == bundled().model_id
    rows = corpus.rows(range(corpus.size))
    for row in range(corpus.size):
        vector = rows.second_vector(row)
        assert vector is not None and np.array_equal(vector, stored[row])
    assert stale_reason(milvus, BUNDLED_ID) is None
    # A question reads them: nothing is encoded on demand, and it ranks as FAISS does.
    there = Searcher(corpus, FakeEmbedder(model_id=BUNDLED_ID))
    here = Searcher(open_corpus(faiss), FakeEmbedder(model_id=BUNDLED_ID))
    assert [h.row for h in there.ask(QUESTION).hits] == [h.row for h in here.ask(QUESTION).hits]
    assert there._second is not None and len(there._second._computed) == 0


def test_a_collection_without_second_vectors_answers_and_is_rebuilt_whole(
    stores: tuple[Settings, Settings],
) -> None:
    _, settings = stores
    served = _changed(
        settings, "layout", lambda layout: {k: v for k, v in layout.items() if k != "second_vectors"}
    )
    reason = "the served collection has no field for second-encoder vectors"
    assert stale_reason(settings, BUNDLED_ID) == reason
    # Until it is rebuilt, a question encodes the candidates it compares.
    searcher = Searcher(open_corpus(settings), FakeEmbedder(model_id=BUNDLED_ID))
    assert searcher.ask(QUESTION).hits
    assert searcher._second is not None and len(searcher._second._computed) > 0
    _rebuilt_whole(settings, served, reason)


def test_a_collection_built_beside_another_second_encoder_is_rebuilt_whole(
    stores: tuple[Settings, Settings],
) -> None:
    _, settings = stores
    served = _changed(settings, "manifest", lambda m: {**m, "second_model": "use-multilingual-v3@0.0.1"})
    reason = f"second encoder changed (use-multilingual-v3@0.0.1 -> {bundled().model_id})"
    assert stale_reason(settings, BUNDLED_ID) == reason
    _rebuilt_whole(settings, served, reason)
