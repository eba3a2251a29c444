"""Subtitles, speech-to-text and sidecars through builds (incremental, admin, --watch), with the fake
embedder: bad files are reported by file and line while every other file is indexed."""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from index.build import build, stale_reason
from rag.embedder import FakeEmbedder, Kind, Vectors
from rag.settings import Settings
from rag.store import load_index
from tests.conftest import ROOT, SEED, VIDEO_ID

FORMATS = ROOT / "tests" / "data" / "formats"
VTT, INFO = FORMATS / "Xq7LmN2pR4s.ko.vtt", FORMATS / "Xq7LmN2pR4s.info.json"
SRT, WHISPER = FORMATS / "haenyeo_talk.srt", FORMATS / "coffee_lecture.json"
BAD_VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n안녕\n\n00:00:03.000 --> 00:00:0x.000\n나쁜 줄\n"


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        self.texts += len(texts)
        return super().embed_batch(texts, kind)


@pytest.fixture
def settings(make_settings: object, tmp_path: Path) -> Settings:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for path in (SEED, SRT, WHISPER):
        shutil.copy(path, seeds)
    return Settings(seeds_dir=seeds, index_dir=tmp_path / "index", model_cache=tmp_path / "m", model="fake")


def test_every_kind_is_indexed_beside_the_seed_and_bad_files_are_named(settings: Settings) -> None:
    shutil.copy(VTT, settings.seeds_dir)
    shutil.copy(INFO, settings.seeds_dir)
    report = build(settings, FakeEmbedder())
    assert report.added == [SEED.name, VTT.name, "coffee_lecture.json", "haenyeo_talk.srt"]
    index = load_index(settings.index_dir)
    assert set(index.videos) == {"Xq7LmN2pR4s", VIDEO_ID, "coffee_lecture", "haenyeo_talk"}
    assert [c.title for c in index.videos["Xq7LmN2pR4s"].chapters] == [
        "인사와 폐배터리 문제",
        "재활용 공정과 회수율",
        "포항 공장과 투자 계획",
    ]
    assert index.videos[VIDEO_ID].chapters[0].start_ms == 672_000  # the seed's table, as chapters
    spoken = [p for p in index.passages if p.video_id == "Xq7LmN2pR4s" and p.section > 0]
    assert spoken and all(not p.estimated and p.sentences[0].start_ms == p.start_ms for p in spoken)
    # *.info.json is metadata: a sidecar alone is noted, never indexed nor an error.
    (settings.seeds_dir / "lonely.info.json").write_text('{"id": "x"}', encoding="utf-8")
    assert stale_reason(settings, "fake") is None
    (settings.seeds_dir / "broken.ko.vtt").write_text(BAD_VTT, encoding="utf-8")
    (settings.seeds_dir / "broken.json").write_text('{"segments": [{"start": 1}]}', encoding="utf-8")
    report = build(settings, FakeEmbedder())
    assert [str(f) for f in report.failures] == [
        f"{settings.seeds_dir / 'broken.json'}: $.segments[0].end: expected a number of seconds, got nothing",
        f"{settings.seeds_dir / 'broken.ko.vtt'}:6: cannot read the cue timing '00:00:03.000 --> 00:00:0x.000'",
    ]
    assert report.notes == ["lonely.info.json: metadata without a transcript beside it, not indexed"]
    assert len(report.reused) == 4 and set(load_index(settings.index_dir).videos) == set(index.videos)


def test_of_several_subtitle_languages_for_one_video_korean_is_indexed(settings: Settings) -> None:
    vtt = VTT.read_text(encoding="utf-8")
    (settings.seeds_dir / "Xq7LmN2pR4s.en.vtt").write_text(
        vtt.replace("폐배터리", "battery"), encoding="utf-8"
    )
    report = build(settings, FakeEmbedder())
    assert report.added == [SEED.name, "Xq7LmN2pR4s.en.vtt", "coffee_lecture.json", "haenyeo_talk.srt"]
    # yt-dlp's Korean track arrives later: it replaces the English one, which is set aside, not failed.
    shutil.copy(VTT, settings.seeds_dir)
    report = build(settings, FakeEmbedder())
    assert (report.added, report.removed, report.failures) == ([VTT.name], ["Xq7LmN2pR4s.en.vtt"], [])
    assert report.notes == [
        "Xq7LmN2pR4s.en.vtt: not indexed: video Xq7LmN2pR4s is indexed from Xq7LmN2pR4s.ko.vtt "
        "(Korean subtitles first)"
    ]
    assert "폐배터리" in " ".join(p.text for p in load_index(settings.index_dir).passages)
    # And an English track added beside an indexed Korean one leaves it indexed.
    (settings.seeds_dir / "Xq7LmN2pR4s.en.vtt").unlink()
    build(settings, FakeEmbedder())
    (settings.seeds_dir / "Xq7LmN2pR4s.en.vtt").write_text(
        vtt.replace("폐배터리", "battery"), encoding="utf-8"
    )
    report = build(settings, FakeEmbedder())
    assert (report.added, report.removed, VTT.name in report.reused) == ([], [], True)
    assert stale_reason(settings, "fake") is None


def test_a_seed_stays_indexed_beside_its_videos_korean_subtitles(settings: Settings) -> None:
    # A seed carries its summary table and info, which yt-dlp's <id>.ko.vtt of the same video lacks.
    vtt = VTT.read_text(encoding="utf-8")
    (settings.seeds_dir / f"{VIDEO_ID}.ko.vtt").write_text(vtt, encoding="utf-8")
    report = build(settings, FakeEmbedder())
    assert SEED.name in report.added and f"{VIDEO_ID}.ko.vtt" not in report.added
    assert report.notes == [
        f"{VIDEO_ID}.ko.vtt: not indexed: video {VIDEO_ID} is indexed from {SEED.name} (a seed first)"
    ]


def test_a_sidecar_arriving_later_reindexes_that_video_only(settings: Settings) -> None:
    shutil.copy(VTT, settings.seeds_dir)
    build(settings, FakeEmbedder())
    before = load_index(settings.index_dir).videos["Xq7LmN2pR4s"]
    assert (before.title, before.chapters, before.url) == (
        "Xq7LmN2pR4s",
        (),
        "https://www.youtube.com/watch?v=Xq7LmN2pR4s",
    )
    shutil.copy(INFO, settings.seeds_dir)
    assert stale_reason(settings, "fake") == "seeds changed"
    counting = CountingEmbedder()
    report = build(settings, counting)
    assert report.changed == [VTT.name] and len(report.reused) == 3 and counting.texts > 0
    after = load_index(settings.index_dir).videos["Xq7LmN2pR4s"]
    assert after.title.startswith("전기차 폐배터리") and len(after.chapters) == 3
    # A broken sidecar keeps the video's last good version, and the error names the sidecar.
    (settings.seeds_dir / INFO.name).write_text('{"id": "Xq7LmN2pR4s", "duration": "long"}', encoding="utf-8")
    report = build(settings, FakeEmbedder())
    assert report.kept == [VTT.name]
    (failure,) = report.failures
    assert (failure.path, failure.line, failure.source) == (
        str(settings.seeds_dir / INFO.name),
        None,
        VTT.name,
    )
    assert failure.reason == '$.duration: expected a number of seconds, got "long"'
    assert load_index(settings.index_dir).videos["Xq7LmN2pR4s"].title == after.title


def test_admin_reindex_and_watch_report_bad_files(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    build(settings, FakeEmbedder())
    token = "t0ken"
    live = settings.model_copy(
        update={"reload_interval": 0.05, "admin_token": SecretStr(token), "watch_debounce_ms": 50}
    )
    app = create_app(live, lambda s: FakeEmbedder(), load_in_background=False, watch=True)
    auth = {"Authorization": f"Bearer {token}"}
    caplog.set_level(logging.INFO, logger="rag.api")
    with TestClient(app) as client:
        # The watcher: a bad file and a good one dropped together; the good one is served.
        time.sleep(1)  # "watching" is logged before the watcher's inotify watch is in place
        (settings.seeds_dir / "broken.ko.vtt").write_text(BAD_VTT, encoding="utf-8")
        shutil.copy(VTT, settings.seeds_dir)
        deadline = time.monotonic() + 20
        while "Xq7LmN2pR4s" not in {v["video_id"] for v in client.get("/v1/videos").json()["videos"]}:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
        bad = f"bad seed: {settings.seeds_dir / 'broken.ko.vtt'}:6: cannot read the cue timing"
        deadline = time.monotonic() + 5
        while bad not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            time.sleep(0.05)
        # The admin route: the same failure in the job's result, by file and line.
        job = client.post("/v1/admin/reindex", headers=auth)
        while job.json()["state"] == "running":
            time.sleep(0.05)
            job = client.get(f"/v1/admin/reindex/{job.json()['job_id']}", headers=auth)
        assert job.json()["state"] == "succeeded", job.json()
        assert job.json()["result"]["failures"] == [
            {
                "file": str(settings.seeds_dir / "broken.ko.vtt"),
                "line": 6,
                "reason": "cannot read the cue timing '00:00:03.000 --> 00:00:0x.000'",
            }
        ]
