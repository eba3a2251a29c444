"""The seeds watcher (`rag serve --watch`) with real file events: it catches up at start and
outlives its folder being removed and made again."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.watcher import watch_seeds
from rag.embedder import FakeEmbedder
from rag.settings import Settings
from tests.conftest import SEED, VIDEO_ID


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


class Watching:
    def __init__(self, folder: Path, stale: str | None) -> None:
        self.rebuilds = 0
        self.stale = stale
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=watch_seeds, args=(folder, 50, self.stop, lambda: self.stale, self.rebuild, 0.05)
        )

    def rebuild(self) -> None:
        self.rebuilds += 1
        self.stale = None


@pytest.fixture
def watching(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Watching, Path]]:
    folder = tmp_path / "seeds"
    watcher = Watching(folder, request.param)
    watcher.thread.start()
    time.sleep(1.0)  # the inotify watch is in place a moment after the thread starts
    yield watcher, folder
    watcher.stop.set()
    watcher.thread.join(5)
    assert not watcher.thread.is_alive()


@pytest.mark.parametrize(("watching", "at_start"), [("no index yet", 1), (None, 0)], indirect=["watching"])
def test_a_watch_catches_up_at_start_only_when_the_index_differs(
    watching: tuple[Watching, Path], at_start: int
) -> None:
    watcher, folder = watching
    assert watcher.rebuilds == at_start
    (folder / "a.txt").write_text("a", encoding="utf-8")
    wait_for(lambda: watcher.rebuilds == at_start + 1)


@pytest.mark.parametrize("watching", [None], indirect=True)
def test_a_folder_removed_and_made_again_is_watched_again(watching: tuple[Watching, Path]) -> None:
    watcher, folder = watching
    (folder / "a.txt").write_text("a", encoding="utf-8")
    wait_for(lambda: watcher.rebuilds == 1)
    # Made again at once: the new folder may even get the old one's inode number.
    shutil.rmtree(folder)
    folder.mkdir()
    wait_for(lambda: watcher.rebuilds == 2)
    time.sleep(1.0)  # watched again a moment after the events of the old folder
    (folder / "b.txt").write_text("b", encoding="utf-8")
    wait_for(lambda: watcher.rebuilds == 3)
    # Gone for a while, then back: it is waited for.
    shutil.rmtree(folder)
    wait_for(lambda: watcher.rebuilds == 4)
    time.sleep(0.3)
    folder.mkdir()
    time.sleep(1.0)
    (folder / "c.txt").write_text("c", encoding="utf-8")
    wait_for(lambda: watcher.rebuilds == 5)


def test_a_watching_server_builds_a_folder_never_indexed_without_waiting_for_a_change(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(reload_interval=0.05, watch_debounce_ms=50)
    settings.seeds_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, settings.seeds_dir)
    app = create_app(settings, lambda s: FakeEmbedder(), load_in_background=False, watch=True)
    with TestClient(app) as client:
        wait_for(lambda: client.get("/healthz").status_code == 200)
        assert [v["video_id"] for v in client.get("/v1/videos").json()["videos"]] == [VIDEO_ID]


def test_a_folder_gone_between_the_check_and_the_watch_is_waited_for(tmp_path: Path) -> None:
    folder = tmp_path / "seeds"
    stop = threading.Event()
    rebuilds: list[str] = []

    def stale() -> str | None:
        if not rebuilds:
            shutil.rmtree(folder)  # gone after the watch's check, before watchfiles opens it
            return "seeds changed"
        return None

    thread = threading.Thread(
        target=watch_seeds, args=(folder, 50, stop, stale, lambda: rebuilds.append("x"), 0.05)
    )
    thread.start()
    wait_for(lambda: rebuilds == ["x"])
    time.sleep(0.3)
    assert thread.is_alive()
    folder.mkdir()
    time.sleep(1.0)
    (folder / "a.txt").write_text("a", encoding="utf-8")
    wait_for(lambda: len(rebuilds) == 2)
    stop.set()
    thread.join(5)
