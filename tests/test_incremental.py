"""Incremental, locked and crash-safe builds, with the fake embedder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from index.build import build, build_embedder
from index.lock import BuildBusyError, build_lock
from rag.embedder import FakeEmbedder, Kind, LazyEmbedder, Vectors
from rag.errors import ModelError
from rag.settings import Settings
from rag.store import current_version, load_index
from tests.conftest import ROOT, SEED, VIDEO_ID

DATA = ROOT / "tests" / "data"


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        self.texts += len(texts)
        return super().embed_batch(texts, kind)


def test_a_build_loads_the_model_only_when_a_seed_needs_embedding(fake_built: Settings) -> None:
    loads: list[CountingEmbedder] = []

    def load() -> CountingEmbedder:
        loads.append(CountingEmbedder())
        return loads[-1]

    report = build(fake_built, LazyEmbedder("fake", 64, load))
    assert report.reused == [SEED.name] and loads == []
    shutil.copy(DATA / "001_space.txt", fake_built.seeds_dir)
    report = build(fake_built, LazyEmbedder("fake", 64, load))
    assert report.added == ["001_space.txt"] and len(loads) == 1 and loads[0].texts > 0


def test_rag_index_force_loads_no_model(fake_built: Settings) -> None:
    """The manifest names the model and dimension; "fake" is no loadable model, so a load would fail."""
    report = build(fake_built, build_embedder(fake_built))
    assert report.reused == [SEED.name] and report.passages > 0


def test_a_lazy_embedder_refuses_another_model_than_announced() -> None:
    lazy = LazyEmbedder("fake", 384, FakeEmbedder)
    with pytest.raises(ModelError) as info:
        lazy.embed_batch(["text"], "passage")
    assert str(info.value) == "the build runtime loaded fake (64 dimensions), expected fake (384)"


def _count_tokenized(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import rag.keyword

    seen: list[str] = []
    real = rag.keyword._tokenize

    def counting(text: str) -> Any:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(rag.keyword, "_tokenize", counting)
    return seen


def test_unchanged_videos_keep_their_keyword_tokens(
    fake_built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _count_tokenized(monkeypatch)
    shutil.copy(DATA / "001_space.txt", fake_built.seeds_dir)
    build(fake_built, FakeEmbedder())
    index = load_index(fake_built.index_dir)
    new = [p.text for p in index.passages if p.video_id == "SPACE000001"]
    assert sorted(seen) == sorted(new) and len(new) < len(index.passages)
    # Same BM25 as a build that tokenized everything: reused tokens are the same tokens.
    hits = index.keyword.search(["망원경"], 3)
    shutil.rmtree(fake_built.index_dir)
    build(fake_built, FakeEmbedder())
    assert load_index(fake_built.index_dir).keyword.search(["망원경"], 3) == hits and hits


def test_another_analyzer_tokenizes_everything_again(
    fake_built: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("rag.keyword.ANALYZER_REVISION", 99)
    seen = _count_tokenized(monkeypatch)
    report = build(fake_built, FakeEmbedder())
    assert report.reused == [SEED.name] and len(seen) == report.passages


def test_only_new_and_changed_seeds_are_embedded(fake_built: Settings) -> None:
    seeds = fake_built.seeds_dir
    unchanged = CountingEmbedder()
    report = build(fake_built, unchanged)
    assert (report.reused, report.added, unchanged.texts) == ([SEED.name], [], 0)

    shutil.copy(DATA / "001_space.txt", seeds)
    added = CountingEmbedder()
    report = build(fake_built, added)
    assert (report.added, report.reused) == (["001_space.txt"], [SEED.name])
    space_passages = len(
        [p for p in load_index(fake_built.index_dir).passages if p.video_id == "SPACE000001"]
    )
    assert 0 < added.texts < 40 and space_passages > 0

    path = seeds / "001_space.txt"
    path.write_text(path.read_text(encoding="utf-8").replace("6.5미터", "6.5 m"), encoding="utf-8")
    report = build(fake_built, CountingEmbedder())
    assert (report.changed, report.reused) == (["001_space.txt"], [SEED.name])
    assert any("6.5 m" in p.text for p in load_index(fake_built.index_dir).passages)

    path.unlink()
    report = build(fake_built, CountingEmbedder())
    assert (
        report.removed == ["001_space.txt"]
        and report.summary() == "0 added, 0 changed, 1 removed, 1 reused, 0 kept"
    )
    assert list(load_index(fake_built.index_dir).videos) == [VIDEO_ID]


def test_reused_rows_equal_fresh_ones(fake_built: Settings) -> None:
    shutil.copy(DATA / "002_kimchi.txt", fake_built.seeds_dir)
    build(fake_built, FakeEmbedder())
    incremental = load_index(fake_built.index_dir)
    fresh = fake_built.model_copy(update={"index_dir": fake_built.index_dir.parent / "fresh"})
    build(fresh, FakeEmbedder())
    full = load_index(fresh.index_dir)
    assert [p.id for p in incremental.passages] == [p.id for p in full.passages]
    assert (incremental.sentence_vectors == full.sentence_vectors).all()


def test_a_broken_seed_keeps_its_last_good_version(fake_built: Settings) -> None:
    shutil.copy(DATA / "002_kimchi.txt", fake_built.seeds_dir)
    build(fake_built, FakeEmbedder())
    broken = fake_built.seeds_dir / "002_kimchi.txt"
    broken.write_text(broken.read_text(encoding="utf-8").replace("시간 | 요약 |", ""), encoding="utf-8")
    report = build(fake_built, FakeEmbedder())
    assert report.kept == ["002_kimchi.txt"]
    assert [str(f) for f in report.failures] == [
        f"{broken}: no timestamp table (expected a '시간 | 요약 |' header line); a transcript without one needs its times, as SRT, WebVTT or speech-to-text JSON"
    ]
    assert set(load_index(fake_built.index_dir).videos) == {VIDEO_ID, "KIMCHI00002"}


def test_a_second_file_of_an_indexed_video_builds_as_a_fresh_folder_would(fake_built: Settings) -> None:
    # It sorts first, so it serves the video, and the file indexed so far is set aside and dropped.
    shutil.copy(SEED, fake_built.seeds_dir / "000_0_copy.txt")
    report = build(fake_built, FakeEmbedder())
    assert (report.added, report.removed, report.kept, report.failures) == (
        ["000_0_copy.txt"],
        [SEED.name],
        [],
        [],
    )
    assert report.notes == [f"{SEED.name}: not indexed: video {VIDEO_ID} is indexed from 000_0_copy.txt"]
    fresh = fake_built.model_copy(update={"index_dir": fake_built.index_dir.parent / "fresh"})
    same = build(fresh, FakeEmbedder())
    # A version is its time, then a digest of what it holds.
    assert same.version and report.version and same.version.split("-")[1] == report.version.split("-")[1]
    assert [p.id for p in load_index(fresh.index_dir).passages] == [
        p.id for p in load_index(fake_built.index_dir).passages
    ]


def test_a_broken_file_yields_its_video_to_the_file_that_now_holds_it(fake_built: Settings) -> None:
    shutil.copy(DATA / "002_kimchi.txt", fake_built.seeds_dir)
    build(fake_built, FakeEmbedder())
    broken = fake_built.seeds_dir / "002_kimchi.txt"
    shutil.copy(broken, fake_built.seeds_dir / "003_kimchi_again.txt")
    broken.write_text(broken.read_text(encoding="utf-8").replace("시간 | 요약 |", ""), encoding="utf-8")
    report = build(fake_built, FakeEmbedder())
    assert (report.kept, report.removed, report.added) == ([], ["002_kimchi.txt"], ["003_kimchi_again.txt"])
    index = load_index(fake_built.index_dir)
    assert index.videos["KIMCHI00002"].source == "003_kimchi_again.txt"


def test_two_builds_at_once_are_refused(fake_built: Settings) -> None:
    with build_lock(fake_built.index_dir), pytest.raises(BuildBusyError) as info:
        build(fake_built, FakeEmbedder())
    assert str(info.value) == f"another build is running on {fake_built.index_dir} (pid {os.getpid()})"
    build(fake_built, FakeEmbedder())  # the lock is released with its holder


SLOW_BUILD = """
import sys, time
from pathlib import Path
from index.build import build, build_embedder
from rag.embedder import FakeEmbedder
from rag.settings import Settings

class Slow(FakeEmbedder):
    def embed_batch(self, texts, kind):
        print("embedding", flush=True)
        time.sleep(0.2)
        return super().embed_batch(texts, kind)

build(Settings(seeds_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), model="fake"), Slow())
"""


@pytest.mark.parametrize("after_batches", [1, 4])
def test_sigkill_during_a_build_leaves_the_previous_version(fake_built: Settings, after_batches: int) -> None:
    before = current_version(fake_built.index_dir)
    shutil.copy(DATA / "001_space.txt", fake_built.seeds_dir)
    (fake_built.seeds_dir / "003.txt").write_bytes(SEED.read_bytes().replace(b"PR3c4Q63rOs", b"COPY0000003"))
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(fake_built.seeds_dir), str(fake_built.index_dir)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for _ in range(after_batches):
        assert proc.stdout.readline() == "embedding\n"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert current_version(fake_built.index_dir) == before
    assert list(load_index(fake_built.index_dir).videos) == [VIDEO_ID]
    report = build(fake_built, FakeEmbedder())  # the next build completes (lock released by the kernel)
    assert sorted(report.added) == ["001_space.txt", "003.txt"]
    assert len(load_index(fake_built.index_dir).videos) == 3
    assert not list((fake_built.index_dir / "versions").glob(".tmp-*"))
