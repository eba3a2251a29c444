import json
from pathlib import Path

import faiss
import numpy as np
import pytest

from rag import ann
from rag.chunking import Passage, Span
from rag.embedder import FakeEmbedder
from rag.errors import IndexCorruptError
from rag.keyword import KeywordIndex
from rag.local import LocalCorpus
from rag.manifest import Manifest, VideoRecord
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.store import IndexData, current_version, load_index, write_index

DIM = 64
ROWS = 4000
# Rows of the second video: the filter must find its best matches exactly.
SECOND = (3000, ROWS)
IVF = ann.DenseSpec("ivf", nlist=32, nprobe=8, train_rows=2048, seed=ann.SEED)


def clustered(n: int, seed: int = 0) -> np.ndarray:
    """Unit vectors around 40 centres: random, but with the structure real embeddings have."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((40, DIM)).astype(np.float32)
    x = centres[rng.integers(0, 40, n)] + 0.4 * rng.standard_normal((n, DIM)).astype(np.float32)
    unit: np.ndarray = x / np.linalg.norm(x, axis=1, keepdims=True)
    return unit


def write(index_dir: Path, vectors: np.ndarray, spec: ann.DenseSpec | None) -> None:
    videos = {"v1": (0, SECOND[0]), "v2": SECOND}
    passages = [
        Passage(
            f"{vid}:{row}", vid, 0, None, row * 1000, row * 1000 + 900, False, f"말 {row % 50}", (Span(0, 4),)
        )
        for vid, (lo, hi) in videos.items()
        for row in range(lo, hi)
    ]
    records = [
        VideoRecord(vid, vid, "", None, None, 0, "", {}, f"{vid}.txt", "0" * 64, hi - lo)
        for vid, (lo, hi) in videos.items()
    ]
    manifest = Manifest("v-1", "fake", DIM, {}, {}, {}, counts={"passages": len(passages)})
    keyword = KeywordIndex.build([p.text.split() for p in passages])
    write_index(index_dir, manifest, records, passages, vectors, vectors, keyword, spec)


@pytest.fixture(scope="module")
def vectors() -> np.ndarray:
    return clustered(ROWS)


@pytest.fixture(scope="module")
def ivf_index(vectors: np.ndarray, tmp_path_factory: pytest.TempPathFactory) -> IndexData:
    index_dir = tmp_path_factory.mktemp("ivf")
    write(index_dir, vectors, IVF)
    return load_index(index_dir, "fake", DIM)


def test_choose_follows_size_and_dimension() -> None:
    assert ann.choose(90, 384) == ann.DenseSpec()
    assert ann.choose(40_000, 384).type == "flat"
    assert ann.choose(40_001, 384) == ann.DenseSpec("ivf", 512, 96, 32_768, ann.SEED)
    assert ann.choose(1_000_000, 384) == ann.DenseSpec("ivf", 2048, 96, 131_072, ann.SEED)
    # Exact search costs rows x dimension: smaller vectors stay exact longer.
    assert ann.choose(100_000, 64).type == "flat"


def test_spec_records_round_trip_and_bad_ones_are_named() -> None:
    assert ann.DenseSpec().record() == {"type": "flat"}
    assert ann.DenseSpec.from_record(IVF.record()) == IVF
    with pytest.raises(ValueError, match="unknown dense index type 'hnsw'"):
        ann.DenseSpec.from_record({"type": "hnsw"})
    with pytest.raises(ValueError, match="nprobe 0, nlist 32"):
        ann.DenseSpec.from_record({"type": "ivf", "nlist": 32, "train_rows": 64})
    with pytest.raises(ValueError, match="'efSearch'"):
        ann.DenseSpec.from_record({"type": "flat", "efSearch": 3})


def test_ivf_round_trips_through_the_store(ivf_index: IndexData, vectors: np.ndarray) -> None:
    assert ivf_index.manifest.dense_index == IVF.record()
    assert type(ivf_index.dense) is faiss.IndexIVFFlat
    assert (ivf_index.dense.nlist, ivf_index.dense.nprobe) == (32, 8)
    # Flat codes: the stored vector is exactly the one added (reuse and answers rely on it).
    assert np.array_equal(ivf_index.dense.reconstruct(3999), vectors[3999])
    assert np.array_equal(ivf_index.dense.reconstruct(0), vectors[0])


def test_ivf_recall_against_exact(ivf_index: IndexData, vectors: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    queries = vectors[rng.integers(0, ROWS, 50)] + 0.2 * rng.standard_normal((50, DIM)).astype(np.float32)
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    _, found = ann.search(ivf_index.dense, queries, 10)
    recall = np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact, strict=True)])
    assert recall >= 0.9


def test_row_range_search_is_exact_within_the_range(ivf_index: IndexData, vectors: np.ndarray) -> None:
    query = clustered(1, seed=7)
    scores, rows = ann.search(ivf_index.dense, query, 20, SECOND)
    lo, hi = SECOND
    expected = lo + np.argsort(-(vectors[lo:hi] @ query[0]))[:20]
    assert rows[0].tolist() == expected.tolist()
    assert np.allclose(scores[0], vectors[expected] @ query[0], atol=1e-5)
    # A range smaller than k leaves the rest empty (-1), and an empty range finds nothing.
    _, rows = ann.search(ivf_index.dense, query, 5, (10, 12))
    assert sorted(rows[0].tolist()) == [-1, -1, -1, 10, 11]
    assert (ann.search(ivf_index.dense, query, 5, (0, 0))[1] == -1).all()


def _recall(found: np.ndarray, exact: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(e)) / len(e) for f, e in zip(found, exact, strict=True)]))


def test_a_search_within_a_set_of_rows_reads_the_cells_that_hold_enough_of_them(
    ivf_index: IndexData, vectors: np.ndarray
) -> None:
    queries = clustered(20, seed=11)
    # 800 rows, fewer than the 1,000 that 8 of 32 cells hold: every cell is read, and it is exact.
    few = ann.RowSet(ivf_index.dense, [(100, 400), (3500, ROWS)], ROWS)
    union = np.concatenate([np.arange(100, 400), np.arange(3500, ROWS)])
    scores, rows = ann.search_within(ivf_index.dense, queries, 10, few)
    exact = union[np.argsort(-(queries @ vectors[union].T), axis=1)[:, :10]]
    assert rows.tolist() == exact.tolist()
    assert np.allclose(scores, np.take_along_axis(queries @ vectors.T, rows, axis=1), atol=1e-5)
    # Three quarters of the rows: only selected rows, recall as an unfiltered search's.
    most = ann.RowSet(ivf_index.dense, [(0, 3000)], ROWS)
    _, rows = ann.search_within(ivf_index.dense, queries, 10, most)
    assert rows.max() < 3000
    assert _recall(rows, np.argsort(-(queries @ vectors[:3000].T), axis=1)[:, :10]) >= 0.9
    # No rows: nothing found.
    assert (
        ann.search_within(ivf_index.dense, queries, 5, ann.RowSet(ivf_index.dense, [], ROWS))[1] == -1
    ).all()


def test_a_set_far_from_the_question_is_found_in_the_cells_that_hold_it(
    ivf_index: IndexData, vectors: np.ndarray
) -> None:
    # As another language's rows lie in cells of their own: the half of the rows farthest from
    # the question.  Its nearest 16 cells (nprobe 8 scaled by the half left out) hold few of them: recall 0.34
    # that way, 0.86 reading cells until they hold 1,000 of its rows.
    query = clustered(1, seed=3)
    far = np.sort(np.argsort(query[0] @ vectors.T)[: ROWS // 2])
    rows = ann.RowSet(ivf_index.dense, [(int(r), int(r) + 1) for r in far], ROWS)
    exact = far[np.argsort(-(query @ vectors[far].T), axis=1)[:, :50]]
    _, found = ann.search_within(ivf_index.dense, query, 50, rows)
    assert set(found[0].tolist()) <= set(far.tolist())
    ivf = faiss.extract_index_ivf(ivf_index.dense)
    scaled = faiss.SearchParametersIVF(sel=rows.selector, nprobe=2 * ivf.nprobe)
    _, naive = ivf_index.dense.search(query, 50, params=scaled)
    assert _recall(found, exact) >= 0.8 and _recall(naive, exact) <= 0.5


def test_the_corpus_searches_a_group_of_videos_within_their_rows(ivf_index: IndexData) -> None:
    corpus = LocalCorpus(ivf_index)
    query = clustered(1, seed=5)
    _, within = ann.search(ivf_index.dense, query, 20, SECOND)
    assert [r for r, _ in corpus.dense_among(query[0], 20, ["v2"])] == within[0].tolist()
    assert corpus.dense_among(query[0], 5, ["nobody"]) == []


def test_searcher_filters_and_scores_keyword_hits_on_ivf(ivf_index: IndexData) -> None:
    embedder = FakeEmbedder(DIM)
    dense = Searcher(ivf_index, embedder, RetrievalParams(mode="dense", sentence_weight=0.0))
    hits = dense.search("말 7 이야기", 10, video_id="v2")
    assert len(hits) == 10 and all(h.passage.video_id == "v2" for h in hits)
    # Keyword-only candidates get their cosine from the stored vector (reconstruct).
    hybrid = Searcher(ivf_index, embedder, RetrievalParams(sentence_weight=0.0))
    query = embedder.embed_batch(["말 7 이야기"], "query")[0]
    for hit in hybrid.search("말 7 이야기", 10):
        assert hit.dense == pytest.approx(float(ivf_index.dense.reconstruct(hit.row) @ query), abs=1e-5)


def test_rebuild_writes_the_same_index(vectors: np.ndarray) -> None:
    first = faiss.serialize_index(ann.build(vectors, IVF, DIM))
    assert np.array_equal(first, faiss.serialize_index(ann.build(vectors, IVF, DIM)))


def test_small_index_stays_flat_and_old_manifests_load(tmp_path: Path) -> None:
    write(tmp_path, clustered(ROWS), None)
    path = tmp_path / "versions" / str(current_version(tmp_path)) / "manifest.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert raw["dense_index"] == {"type": "flat"}
    del raw["dense_index"]  # written before the field existed
    path.write_text(json.dumps(raw), encoding="utf-8")
    index = load_index(tmp_path)
    assert type(index.dense) is faiss.IndexFlatIP and index.manifest.dense_index == {"type": "flat"}


@pytest.mark.parametrize(
    ("record", "where", "message"),
    [
        ({"type": "flat"}, "dense.faiss", "index type 'ivf', the manifest records 'flat'"),
        ({**IVF.record(), "nlist": 64}, "dense.faiss", "32 IVF lists, the manifest records 64"),
        ({"type": "hnsw"}, "manifest.json", "unknown dense index type 'hnsw'"),
    ],
)
def test_refuses_an_index_unlike_its_manifest(
    vectors: np.ndarray, tmp_path: Path, record: dict[str, object], where: str, message: str
) -> None:
    write(tmp_path, vectors, IVF)
    folder = tmp_path / "versions" / str(current_version(tmp_path))
    raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (folder / "manifest.json").write_text(json.dumps({**raw, "dense_index": record}), encoding="utf-8")
    with pytest.raises(IndexCorruptError) as info:
        load_index(tmp_path)
    assert str(info.value).startswith(f"{folder / where}: {message}")
