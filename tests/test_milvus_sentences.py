"""A passage's sentence vectors in Milvus: any number of them, and collections of the older layout."""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.build import build, stale_reason
from rag.embedder import FakeEmbedder
from rag.milvus import connect
from rag.milvus_corpus import decode_vectors, encode_vectors
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.served import open_corpus
from rag.settings import Settings

PARAMS = RetrievalParams(min_confidence=0.0)


def _cue(n: int) -> str:
    start, end = n * 1000, n * 1000 + 900
    stamp = lambda ms: f"00:{ms // 60_000:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"  # noqa: E731
    return f"{n + 1}\n{stamp(start)} --> {stamp(end)}\n네 {n}번째 맞아요.\n"


@pytest.fixture
def short_talk(make_settings: Callable[..., Settings], tmp_path: Path) -> tuple[Settings, Settings]:
    """A talk of 300 short sentences in passages of up to 1,500 characters, on both stores, with
    vectors as wide as e5-small's (384 floats: one VARCHAR held the vectors of 31 sentences)."""
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "short.srt").write_text("\n".join(_cue(n) for n in range(300)), encoding="utf-8")
    common = {"model": "fake", "chunk_chars": 1500}
    faiss = make_settings(**common)
    milvus = make_settings(**common, store="milvus", milvus_uri=str(tmp_path / "milvus.db"))
    build(faiss, FakeEmbedder(384))
    build(milvus, FakeEmbedder(384))
    return faiss, milvus


def test_a_passage_of_many_sentences_is_stored_whole(short_talk: tuple[Settings, Settings]) -> None:
    faiss, milvus = (Searcher(open_corpus(s), FakeEmbedder(384), PARAMS) for s in short_talk)
    longest = max(len(faiss.index.rows([r]).passage(r).sentences) for r in range(faiss.index.size))
    assert longest > 31  # what one VARCHAR of 384 float32s in base64 held
    for question in ("150번째 맞아요?", "네 맞아요"):
        here, there = faiss.ask(question, 5), milvus.ask(question, 5)
        assert [h.passage.text for h in there.hits] == [h.passage.text for h in here.hits]
        assert (there.answer and there.answer.text) == (here.answer and here.answer.text)
    for row in range(faiss.index.size):
        stored = milvus.index.rows([row]).sentence_vectors(row)
        assert np.array_equal(stored, faiss.index.rows([row]).sentence_vectors(row))


def test_sentence_vectors_of_the_older_layout_are_still_read() -> None:
    vectors = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert len(encode_vectors(vectors)) == 3
    assert np.array_equal(decode_vectors(encode_vectors(vectors), 4), vectors)
    # Before the ARRAY, one string held every sentence's vector: served until the next build.
    one_string = base64.b64encode(vectors.astype("<f4").tobytes()).decode("ascii")
    assert np.array_equal(decode_vectors(one_string, 4), vectors)


def test_a_collection_of_the_older_layout_is_rebuilt_whole(short_talk: tuple[Settings, Settings]) -> None:
    _, settings = short_talk
    milvus = connect(settings)
    served = milvus.served()
    assert served is not None and stale_reason(settings, "fake") is None
    layout = milvus.state(served, ("layout",))["layout"]
    milvus.write(served, {"layout": {k: v for k, v in layout.items() if k != "sentence_vectors"}})
    assert (
        stale_reason(settings, "fake") == "the served collection keeps sentence vectors as an older build did"
    )
    report = build(settings, FakeEmbedder(384))
    assert (
        "full build into a new collection: the served collection keeps sentence vectors as an older build did"
        in report.notes
    )
    assert milvus.served() != served and stale_reason(settings, "fake") is None


@pytest.mark.parametrize("dimension", [4, 64, 384, 768, 1024])
def test_an_element_holds_one_vector_of_any_width(dimension: int) -> None:
    from rag.milvus_corpus import vector_chars

    # A Milvus server refuses an element longer than the field's max_length (Milvus Lite does not).
    [one] = encode_vectors(np.ones((1, dimension), dtype=np.float32))
    assert len(one) == vector_chars(dimension)
