"""Live swaps and rebuild jobs in the API, with the fake embedder."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from index.build import build
from index.lock import build_lock
from rag.embedder import FakeEmbedder, Kind, Vectors
from rag.params import RetrievalParams
from rag.settings import Settings
from rag.store import current_version, load_index
from tests.conftest import ROOT, SEED, VIDEO_ID

DATA = ROOT / "tests" / "data"
TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class SlowEmbedder(FakeEmbedder):
    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        if len(texts) > 1:  # builds are slow, queries are not
            time.sleep(0.3)
        return super().embed_batch(texts, kind)


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def live(fake_built: Settings) -> Iterator[tuple[TestClient, Settings]]:
    settings = fake_built.model_copy(update={"reload_interval": 0.05, "admin_token": SecretStr(TOKEN)})
    params = RetrievalParams(min_confidence=0.0)
    app = create_app(settings, lambda s: SlowEmbedder(), params=params, load_in_background=False)
    with TestClient(app) as client:
        yield client, settings


def test_a_new_version_is_served_without_restart(live: tuple[TestClient, Settings]) -> None:
    client, settings = live
    before = client.get("/healthz").json()["index_version"]
    shutil.copy(DATA / "002_kimchi.txt", settings.seeds_dir)
    build(settings, FakeEmbedder())
    wait_for(lambda: client.get("/healthz").json()["index_version"] != before)
    videos = client.get("/v1/videos").json()
    assert {v["video_id"] for v in videos["videos"]} == {VIDEO_ID, "KIMCHI00002"}
    assert videos["index_version"] == current_version(settings.index_dir)
    hits = client.get("/v1/search", params={"q": "김치찌개 쌀뜨물", "video_id": "KIMCHI00002"}).json()
    assert {h["video_id"] for h in hits["results"]} == {"KIMCHI00002"}


def test_a_corrupt_version_is_refused_and_the_old_one_kept(live: tuple[TestClient, Settings]) -> None:
    client, settings = live
    before = client.get("/healthz").json()["index_version"]
    # Build elsewhere, damage a file as a bad disk would, then publish it the way a build does.
    elsewhere = settings.model_copy(update={"index_dir": settings.index_dir.parent / "elsewhere"})
    shutil.copy(DATA / "001_space.txt", settings.seeds_dir)
    build(elsewhere, FakeEmbedder())
    version = str(current_version(elsewhere.index_dir))
    damaged = elsewhere.index_dir / "versions" / version
    (damaged / "passages.jsonl").write_bytes((damaged / "passages.jsonl").read_bytes()[:100])
    shutil.copytree(damaged, settings.index_dir / "versions" / version)
    (settings.index_dir / "CURRENT").write_text(version + "\n", encoding="utf-8")
    time.sleep(0.5)  # ten polls
    health = client.get("/healthz").json()
    assert health["index_version"] == before
    assert client.get("/v1/search", params={"q": "손정의"}).status_code == 200


def test_admin_routes_need_the_token(live: tuple[TestClient, Settings], fake_built: Settings) -> None:
    client, _ = live
    assert client.post("/v1/admin/reindex").status_code == 401
    wrong = client.post("/v1/admin/reindex", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    assert TOKEN not in wrong.text
    app = create_app(fake_built, lambda s: FakeEmbedder(), load_in_background=False)
    with TestClient(app) as off:
        r = off.post("/v1/admin/reindex", headers=AUTH)
    assert r.status_code == 404
    assert r.json()["error"]["message"] == "admin routes are disabled: set RAG_ADMIN_TOKEN to enable them"


def test_reindex_job_runs_once_at_a_time(live: tuple[TestClient, Settings]) -> None:
    client, settings = live
    shutil.copy(DATA / "001_space.txt", settings.seeds_dir)
    first = client.post("/v1/admin/reindex", headers=AUTH)
    assert first.status_code == 202 and first.json()["state"] == "running"
    job_id = first.json()["job_id"]
    second = client.post("/v1/admin/reindex", headers=AUTH)
    assert second.status_code == 409
    assert second.json()["error"] == {
        "code": "busy",
        "message": f"a rebuild is already running (job {job_id})",
        "job_id": job_id,
    }
    wait_for(lambda: client.get(f"/v1/admin/reindex/{job_id}", headers=AUTH).json()["state"] != "running")
    done = client.get(f"/v1/admin/reindex/{job_id}", headers=AUTH).json()
    assert done["state"] == "succeeded", done
    assert done["result"]["added"] == ["001_space.txt"] and done["result"]["reused"]
    assert client.get("/healthz").json()["index_version"] == done["result"]["version"]
    assert client.get("/v1/admin/reindex/nope", headers=AUTH).status_code == 404


def finished(client: TestClient, force: bool = False) -> dict[str, object]:
    job_id = client.post("/v1/admin/reindex", params={"force": force}, headers=AUTH).json()["job_id"]
    wait_for(lambda: client.get(f"/v1/admin/reindex/{job_id}", headers=AUTH).json()["state"] != "running")
    done: dict[str, object] = client.get(f"/v1/admin/reindex/{job_id}", headers=AUTH).json()
    return done


def test_a_reindex_of_unchanged_seeds_builds_nothing_unless_forced(live: tuple[TestClient, Settings]) -> None:
    client, settings = live
    served = client.get("/healthz").json()["index_version"]
    client.get("/v1/search", params={"q": "손정의"})
    versions = sorted((settings.index_dir / "versions").iterdir())
    done = finished(client)
    assert done["state"] == "succeeded" and done["result"] == {
        "version": served,
        "up_to_date": True,
        "videos": 1,
        "passages": load_index(settings.index_dir).manifest.counts["passages"],
        "seconds": 0.0,
        "added": [],
        "changed": [],
        "removed": [],
        "reused": [SEED.name],
        "kept": [],
        "failures": [],
        "warnings": [],
        "notes": [],
    }
    assert sorted((settings.index_dir / "versions").iterdir()) == versions
    forced = finished(client, force=True)
    result = forced["result"]
    assert isinstance(result, dict) and result["up_to_date"] is False and result["version"] != served
    wait_for(lambda: client.get("/healthz").json()["index_version"] == result["version"])


def test_a_reindex_job_reports_a_seeds_warnings(live: tuple[TestClient, Settings], seed_text: str) -> None:
    client, settings = live
    (settings.seeds_dir / SEED.name).write_text(seed_text.replace("\n2.3. ", "\n"), encoding="utf-8")
    warned = [
        {
            "file": str(settings.seeds_dir / SEED.name),
            "line": 7,
            "reason": "timestamp table row 3 (12:34) has no '2.3.' marker in the script: "
            "its text is read as part of the one before, with estimated times",
        }
    ]
    job_id = client.post("/v1/admin/reindex", headers=AUTH).json()["job_id"]
    wait_for(lambda: client.get(f"/v1/admin/reindex/{job_id}", headers=AUTH).json()["state"] != "running")
    done = client.get(f"/v1/admin/reindex/{job_id}", headers=AUTH).json()
    assert done["state"] == "succeeded" and done["result"]["warnings"] == warned
    wait_for(lambda: client.get("/healthz").json()["index_version"] == done["result"]["version"])
    # Asked again with nothing changed: up to date, and the file is still warned of.
    result = finished(client)["result"]
    assert isinstance(result, dict) and result["up_to_date"] is True and result["warnings"] == warned


def test_reindex_refuses_while_another_process_builds(live: tuple[TestClient, Settings]) -> None:
    client, settings = live
    with build_lock(settings.index_dir):
        r = client.post("/v1/admin/reindex", headers=AUTH)
    assert r.status_code == 409
    assert r.json()["error"] == {
        "code": "busy",
        "message": f"another build is running on {settings.index_dir} (pid {os.getpid()})",
    }
    assert client.post("/v1/admin/reindex", headers=AUTH).status_code == 202


def test_a_server_waiting_for_its_first_index_says_so_once(
    fake_built: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = fake_built.model_copy(
        update={"index_dir": fake_built.index_dir.parent / "empty", "reload_interval": 0.02}
    )
    app = create_app(settings, lambda s: FakeEmbedder(), load_in_background=False)
    with caplog.at_level("INFO", logger="rag.api"), TestClient(app) as client:
        time.sleep(0.3)  # fifteen polls
        health = client.get("/healthz")
        assert health.status_code == 503
        build(settings, FakeEmbedder())
        wait_for(lambda: client.get("/healthz").status_code == 200)
    said = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "rag.api"]
    missing = f"no index in {settings.index_dir}: run 'rag index' to build one"
    assert said[0] == ("WARNING", f"waiting for an index: {missing}")
    assert [level for level, _ in said[1:]] == ["INFO"]
    assert said[1][1].startswith(f"serving index {current_version(settings.index_dir)}:")
