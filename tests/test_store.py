import json
import os
from pathlib import Path

import numpy as np
import pytest

from index.build import build, seed_hashes, stale_reason
from index.lock import build_lock
from rag.chunking import CHUNKER_REVISION
from rag.embedder import FakeEmbedder
from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, RagError, StoreError
from rag.settings import Settings
from rag.store import current_version, load_index, read_manifest
from tests.conftest import SEED, VIDEO_ID


def folder(settings: Settings) -> Path:
    return settings.index_dir / "versions" / str(current_version(settings.index_dir))


def test_round_trip(fake_built: Settings) -> None:
    index = load_index(fake_built.index_dir, "fake", 64)
    m = index.manifest
    assert (m.model_id, m.dimension, m.normalized, m.schema_version) == ("fake", 64, True, 2)
    assert m.chunking == {"max_chars": 200, "overlap_sentences": 2, "revision": CHUNKER_REVISION}
    assert m.seeds == seed_hashes(fake_built.seeds_dir)
    assert m.prompts == {"query": "query: ", "passage": "passage: "}
    assert list(index.videos) == [VIDEO_ID] and index.videos[VIDEO_ID].passages == len(index.passages)
    assert index.dense.ntotal == len(index.passages) == m.counts["passages"]
    assert index.sentence_offsets[-1] == len(index.sentence_vectors) == m.counts["sentences"]
    norms = np.linalg.norm(index.sentence_vectors, axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
    assert {"passages.jsonl", "videos.json", "dense.faiss", "sentences.npy"} < set(m.files)
    assert any(name.startswith("keyword/") for name in m.files)
    line = (folder(fake_built) / "passages.jsonl").read_text(encoding="utf-8").splitlines()[1]
    assert "손정 회장은" in line  # UTF-8, not \\u escapes


def test_rebuild_is_reproducible_and_switches_current(fake_built: Settings) -> None:
    first = load_index(fake_built.index_dir)
    build(fake_built, FakeEmbedder())
    second = load_index(fake_built.index_dir)
    assert second.manifest.version != first.manifest.version
    assert [p.id for p in second.passages] == [p.id for p in first.passages]
    assert np.array_equal(second.sentence_vectors, first.sentence_vectors)
    assert (fake_built.index_dir / "versions" / first.manifest.version).is_dir()
    assert not list(fake_built.index_dir.glob("CURRENT.*")) and not list(
        (fake_built.index_dir / "versions").glob(".tmp-*")
    )


def test_old_versions_are_pruned(fake_built: Settings) -> None:
    for _ in range(4):
        build(fake_built, FakeEmbedder())
    assert len(list((fake_built.index_dir / "versions").iterdir())) == 3


def test_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError) as info:
        load_index(tmp_path / "nowhere")
    assert str(info.value) == f"no index in {tmp_path / 'nowhere'}: run 'rag index' to build one"


def test_refuses_other_model_and_dimension(fake_built: Settings) -> None:
    where = folder(fake_built)
    with pytest.raises(IndexMismatchError) as info:
        load_index(fake_built.index_dir, "intfloat/e5", 64)
    assert str(info.value) == (
        f"{where} was built with model 'fake', not 'intfloat/e5': run 'rag index' to rebuild"
    )
    with pytest.raises(IndexMismatchError) as info:
        load_index(fake_built.index_dir, "fake", 384)
    assert str(info.value) == f"{where} has dimension 64, the model gives 384: run 'rag index' to rebuild"


@pytest.mark.parametrize(
    "name", ["passages.jsonl", "dense.faiss", "sentences.npy", "videos.json", "keyword/vocab.index.json"]
)
def test_refuses_corrupt_file(fake_built: Settings, name: str) -> None:
    path = folder(fake_built) / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError) as info:
        load_index(fake_built.index_dir)
    assert str(info.value) == f"{path}: checksum does not match the manifest (file corrupt or changed)"


def test_refuses_missing_file_and_bad_manifest(fake_built: Settings) -> None:
    path = folder(fake_built) / "dense.faiss"
    path.unlink()
    with pytest.raises(IndexCorruptError, match=r"dense\.faiss: missing"):
        load_index(fake_built.index_dir)
    manifest = folder(fake_built) / "manifest.json"
    manifest.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match=r"manifest\.json: unreadable manifest"):
        read_manifest(fake_built.index_dir)
    manifest.write_text(json.dumps({"schema_version": 99}), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="schema version 99, this program reads 2"):
        read_manifest(fake_built.index_dir)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe2026\n", "not a version name (not UTF-8 text)"),
        (b"../../elsewhere\n", "'../../elsewhere' is not a version name"),
        (b"..\n", "'..' is not a version name"),
    ],
)
def test_a_damaged_current_pointer_is_refused_by_name(
    fake_built: Settings, content: bytes, message: str
) -> None:
    pointer = fake_built.index_dir / "CURRENT"
    pointer.write_bytes(content)
    with pytest.raises(IndexCorruptError) as info:
        load_index(fake_built.index_dir)
    assert str(info.value) == f"{pointer}: {message}"
    # A build starts over instead of failing on it.
    assert stale_reason(fake_built, "fake") == f"{pointer}: {message}"
    build(fake_built, FakeEmbedder())
    assert load_index(fake_built.index_dir).manifest.version == current_version(fake_built.index_dir)


def test_staleness(fake_built: Settings, make_settings: object) -> None:
    assert stale_reason(fake_built, "fake") is None
    assert stale_reason(fake_built, "other") == "model changed (fake -> other)"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("rag.keyword.ANALYZER_REVISION", 99)
        assert stale_reason(fake_built, "fake") == "keyword analyzer changed"
    bigger = fake_built.model_copy(update={"chunk_chars": 500})
    assert stale_reason(bigger, "fake") == "prompts or chunk settings changed"
    (fake_built.seeds_dir / "new.txt").write_bytes(SEED.read_bytes().replace(b"PR3c4Q63rOs", b"other_video"))
    assert stale_reason(fake_built, "fake") == "seeds changed"
    empty = fake_built.model_copy(update={"index_dir": fake_built.index_dir / "none"})
    assert stale_reason(empty, "fake") == "no index yet"


def test_bad_seeds_are_reported_and_the_rest_indexed(fake_built: Settings) -> None:
    (fake_built.seeds_dir / "bad.txt").write_text("제목\n요약\n", encoding="utf-8")
    (fake_built.seeds_dir / "copy.txt").write_bytes(SEED.read_bytes())
    (fake_built.seeds_dir / "notes.md").write_text("ignored: not a .txt seed", encoding="utf-8")
    report = build(fake_built, FakeEmbedder())
    assert report.videos == [VIDEO_ID]
    bad = f"{fake_built.seeds_dir / 'bad.txt'}: no timestamp table (expected a '시간 | 요약 |' header line); a transcript without one needs its times, as SRT, WebVTT or speech-to-text JSON"
    assert [str(f) for f in report.failures] == [bad]
    # A second file of an indexed video is no fault of the file: a note says which one is indexed.
    assert report.notes == [f"copy.txt: not indexed: video {VIDEO_ID} is indexed from {SEED.name}"]
    # Nothing changed since: the folder is up to date, bad file and all, and the manifest says why
    # each file was left out.
    assert stale_reason(fake_built, "fake") is None
    manifest = read_manifest(fake_built.index_dir)
    assert manifest.failed == [
        {
            "file": str(fake_built.seeds_dir / "bad.txt"),
            "line": None,
            "reason": "no timestamp table (expected a '시간 | 요약 |' header line); a transcript without one needs its times, as SRT, WebVTT or speech-to-text JSON",
            "source": "bad.txt",
        }
    ]
    assert manifest.set_aside == {"copy.txt": f"video {VIDEO_ID} is indexed from {SEED.name}"}
    (fake_built.seeds_dir / "bad.txt").write_text("제목\n요약\n고침\n", encoding="utf-8")
    assert stale_reason(fake_built, "fake") == "seeds changed"


def test_no_seeds_is_an_error(make_settings: object, tmp_path: Path) -> None:
    settings = Settings(seeds_dir=tmp_path, index_dir=tmp_path / "i", model="fake")
    with pytest.raises(RagError) as info:
        build(settings, FakeEmbedder())
    assert (
        str(info.value)
        == f"no seed files in {tmp_path} (expected *.txt, *.vtt, *.srt, *.smi, *.sbv or speech-to-text *.json transcripts)"
    )


def test_removing_every_transcript_keeps_the_last_version_and_says_so(fake_built: Settings) -> None:
    (fake_built.seeds_dir / SEED.name).unlink()
    with pytest.raises(RagError) as info:
        build(fake_built, FakeEmbedder())
    assert str(info.value) == (
        f"no seed files in {fake_built.seeds_dir} (expected *.txt, *.vtt, *.srt, *.smi, *.sbv or speech-to-text *.json "
        f"transcripts); the index keeps its last version, with {SEED.name}, until a transcript is added"
    )
    assert list(load_index(fake_built.index_dir).videos) == [VIDEO_ID]


def test_replacing_every_transcript_by_bad_files_keeps_the_last_version_and_says_so(
    fake_built: Settings,
) -> None:
    (fake_built.seeds_dir / SEED.name).unlink()
    (fake_built.seeds_dir / "new.srt").write_text("안녕\n", encoding="utf-8")
    with pytest.raises(RagError) as info:
        build(fake_built, FakeEmbedder())
    assert str(info.value).splitlines()[-1] == (
        f"The index keeps its last version, with {SEED.name}, until a transcript can be read."
    )
    assert list(load_index(fake_built.index_dir).videos) == [VIDEO_ID]


def test_a_folder_of_bad_files_names_each_and_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("index.parts.SHOWN_FAILURES", 2)
    for name in ("a.srt", "b.srt", "c.srt"):
        (tmp_path / name).write_text("안녕\n00:00:01,000 --> 00:00:02,000\n", encoding="utf-8")
    settings = Settings(seeds_dir=tmp_path, index_dir=tmp_path / "i", model="fake")
    with pytest.raises(RagError) as info:
        build(settings, FakeEmbedder())
    why = "not an SRT file: expected a cue number, then a timing line first"
    assert str(info.value).splitlines() == [
        f"no seed file could be parsed in {tmp_path} (expected *.txt, *.vtt, *.srt, *.smi, *.sbv or speech-to-text *.json transcripts):",
        f"  {tmp_path / 'a.srt'}:1: {why}",
        f"  {tmp_path / 'b.srt'}:1: {why}",
        "  and 1 more",
    ]


def test_an_index_folder_that_is_a_file_is_said_so(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("hi\n", encoding="utf-8")
    below = afile / "sub" / "index"
    for index_dir, message in [
        (afile, f"index folder {afile} is not a folder"),
        (below, f"index folder {below} cannot be made: {afile} is not a folder"),
    ]:
        with pytest.raises(StoreError) as read:
            current_version(index_dir)
        with pytest.raises(StoreError) as built:
            build(Settings(seeds_dir=tmp_path, index_dir=index_dir, model="fake"), FakeEmbedder())
        assert str(read.value) == str(built.value) == message


def test_an_index_folder_that_cannot_be_made_or_written_is_said_so() -> None:
    # As root no mode bit stops a write: sysfs refuses new entries to everyone.
    sysfs = Path("/sys")
    if not (sysfs / "kernel").is_dir():
        pytest.skip("no sysfs")
    with pytest.raises(OSError) as mkdir:
        os.mkdir(sysfs / "rag")
    with pytest.raises(OSError) as create:
        os.open(sysfs / "build.lock", os.O_RDWR | os.O_CREAT)
    for index_dir, message in [
        (sysfs / "rag", f"cannot create index folder {sysfs / 'rag'}: {mkdir.value.strerror}"),
        (sysfs, f"cannot write in index folder {sysfs}: {create.value.strerror}"),
    ]:
        with pytest.raises(StoreError) as info, build_lock(index_dir):
            pass
        assert str(info.value) == message
        assert current_version(index_dir) is None
