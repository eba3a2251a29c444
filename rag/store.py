"""The index on disk: a self-describing folder per version, switched by one atomic rename.

Layout::

    <index_dir>/CURRENT                 name of the version being served
    <index_dir>/versions/<version>/     manifest.json, passages.jsonl, videos.json,
                                        dense.faiss, sentences.npy, keyword/ (bm25s),
                                        tokens.jsonl (each passage's keyword tokens),
                                        second.npy (each passage's second-encoder vector)

The manifest records the model, dimension, normalization, chunk settings, schema version, the
dense index's type (``rag.ann``), a hash of each seed and a checksum of every other file; loading
refuses any mismatch.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag import ann
from rag.chunking import Passage
from rag.durable import fsync, fsync_tree
from rag.embedder import Vectors
from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError, StoreError
from rag.keyword import KeywordIndex
from rag.manifest import (
    SCHEMA_VERSION,
    Manifest,
    VideoRecord,
    check_compatible,
    passage_from_json,
    passage_json,
    video_from_json,
)

DATA_FILES = ("passages.jsonl", "videos.json", "dense.faiss", "sentences.npy")
KEYWORD_DIR = "keyword"
# Optional: versions written before it existed lack it, and builds then tokenize every passage.
TOKENS_FILE = "tokens.jsonl"
# Optional: the manifest's second_model names the encoder (rag.second) whose vectors it holds.
SECOND_FILE = "second.npy"
KEEP_VERSIONS = 3


@dataclass
class IndexData:
    """A loaded index version.  Passages are grouped by video, in ``videos`` order."""

    manifest: Manifest
    videos: dict[str, VideoRecord]
    passages: list[Passage]
    dense: Any  # faiss.Index; faiss ships no type hints
    sentence_vectors: Vectors
    # Row of sentence_vectors where each passage's sentences begin (len(passages) + 1 entries).
    sentence_offsets: list[int]
    keyword: KeywordIndex
    # One second-encoder vector a passage (rag.second), where the manifest names the encoder.
    second_vectors: Vectors | None = None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def current_version(index_dir: Path) -> str | None:
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise not_a_folder(index_dir) from None
    except OSError as exc:
        raise StoreError(f"cannot read {pointer}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise IndexCorruptError(f"{pointer}: not a version name (not UTF-8 text)") from None
    # Builds write a plain folder name; anything else (a path, '..') would lead outside versions/.
    if name.startswith(".") or any(c in name for c in "/\\\0"):
        raise IndexCorruptError(f"{pointer}: {name[:80]!r} is not a version name")
    return name or None


def not_a_folder(index_dir: Path) -> StoreError:
    """The error for an index folder that is a file, or lies under one, naming the file."""
    # The closest path that exists is the one in the way (exists() is False below a file).
    blocker = next((p for p in (index_dir, *index_dir.parents) if p.exists()), index_dir)
    if blocker == index_dir or blocker.is_dir():
        return StoreError(f"index folder {index_dir} is not a folder")
    return StoreError(f"index folder {index_dir} cannot be made: {blocker} is not a folder")


def read_manifest(index_dir: Path) -> Manifest:
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"no index in {index_dir}: run 'rag index' to build one")
    path = index_dir / "versions" / version / "manifest.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise IndexCorruptError(f"{path}: missing (the index folder is incomplete)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexCorruptError(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(raw, dict) or raw.get("schema_version") != SCHEMA_VERSION:
        found = raw.get("schema_version") if isinstance(raw, dict) else None
        raise IndexMismatchError(
            f"{path}: schema version {found!r}, this program reads {SCHEMA_VERSION}: run 'rag index' to rebuild"
        )
    try:
        return Manifest(**raw)
    except TypeError as exc:
        raise IndexCorruptError(f"{path}: unexpected manifest fields ({exc})") from None


def write_index(
    index_dir: Path,
    manifest: Manifest,
    videos: list[VideoRecord],
    passages: list[Passage],
    dense_vectors: Vectors,
    sentence_vectors: Vectors,
    keyword: KeywordIndex,
    dense_spec: ann.DenseSpec | None = None,
    *,
    tokens: Sequence[list[str]] | None = None,
    second_vectors: Vectors | None = None,
) -> Path:
    """Write a new version beside the current one, then point CURRENT at it in one rename.

    The dense index is the one ``rag.ann.choose`` picks for the number of passages unless
    ``dense_spec`` says otherwise.  ``second_vectors`` are written where the manifest names their
    encoder (``second_model``).
    """
    import faiss

    spec = dense_spec or ann.choose(len(dense_vectors), manifest.dimension)
    versions = index_dir / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    tmp = versions / f".tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as fh:
            for p in passages:
                fh.write(json.dumps(passage_json(p), ensure_ascii=False) + "\n")
        (tmp / "videos.json").write_text(
            json.dumps([asdict(v) for v in videos], ensure_ascii=False, indent=1), encoding="utf-8"
        )
        faiss.write_index(ann.build(dense_vectors, spec, manifest.dimension), str(tmp / "dense.faiss"))
        np.save(tmp / "sentences.npy", sentence_vectors)
        keyword.save(tmp / KEYWORD_DIR)
        if manifest.second_model:
            if second_vectors is None or len(second_vectors) != len(passages):
                raise ValueError("second_model is named but its vectors do not match the passages")
            np.save(tmp / SECOND_FILE, second_vectors.astype(np.float32))
        if tokens is not None:
            with (tmp / TOKENS_FILE).open("w", encoding="utf-8") as fh:
                for row in tokens:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        files = {
            path.relative_to(tmp).as_posix(): sha256_file(path)
            for path in sorted(tmp.rglob("*"))
            if path.is_file()
        }
        final = Manifest(**{**asdict(manifest), "files": files, "dense_index": spec.record()})
        (tmp / "manifest.json").write_text(json.dumps(asdict(final), ensure_ascii=False, indent=1), "utf-8")
        fsync_tree(tmp)
        target = versions / manifest.version
        os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pointer = index_dir / f"CURRENT.{uuid.uuid4().hex}"
    pointer.write_text(manifest.version + "\n", encoding="utf-8")
    fsync(pointer)
    os.replace(pointer, index_dir / "CURRENT")
    fsync(index_dir)
    _prune(versions, keep=manifest.version)
    return target


def load_index(index_dir: Path, model_id: str | None = None, dimension: int | None = None) -> IndexData:
    """Load the current version, verifying every file against the manifest's checksums."""
    manifest = read_manifest(index_dir)
    folder = index_dir / "versions" / manifest.version
    if model_id is not None:
        check_compatible(manifest, model_id, dimension, folder)
    for name in sorted({*DATA_FILES, *manifest.files}):
        path = folder / name
        if not path.is_file():
            raise IndexCorruptError(f"{path}: missing (the index folder is incomplete)")
        expected = manifest.files.get(name)
        if expected != sha256_file(path):
            raise IndexCorruptError(f"{path}: checksum does not match the manifest (file corrupt or changed)")
    videos = {
        v["video_id"]: video_from_json(v)
        for v in json.loads((folder / "videos.json").read_text(encoding="utf-8"))
    }
    with (folder / "passages.jsonl").open(encoding="utf-8") as fh:
        passages = [passage_from_json(json.loads(line)) for line in fh if line.strip()]
    dense = _load_dense(folder, manifest)
    sentence_vectors = np.load(folder / "sentences.npy")
    offsets = [0]
    for p in passages:
        offsets.append(offsets[-1] + len(p.sentences))
    if dense.ntotal != len(passages) or dense.d != manifest.dimension or offsets[-1] != len(sentence_vectors):
        raise IndexCorruptError(f"{folder}: vector counts do not match the passages")
    keyword = KeywordIndex.load(folder / KEYWORD_DIR)
    second = None
    if manifest.second_model:
        path = folder / SECOND_FILE
        if SECOND_FILE not in manifest.files:
            raise IndexCorruptError(
                f"{path}: the manifest names {manifest.second_model!r} but lists no such file"
            )
        second = np.load(path)
        if second.ndim != 2 or len(second) != len(passages):
            raise IndexCorruptError(
                f"{path}: {second.shape[0] if second.ndim else 0} vectors for {len(passages)} passages"
            )
    return IndexData(manifest, videos, passages, dense, sentence_vectors, offsets, keyword, second)


def read_tokens(index_dir: Path, manifest: Manifest) -> list[list[str]] | None:
    """The keyword tokens stored with a version loaded (and so checksummed) by ``load_index``."""
    path = index_dir / "versions" / manifest.version / TOKENS_FILE
    if TOKENS_FILE not in manifest.files:
        return None
    with path.open(encoding="utf-8") as fh:
        rows: list[list[str]] = [json.loads(line) for line in fh if line.strip()]
    if len(rows) != manifest.counts.get("passages"):
        raise IndexCorruptError(f"{path}: {len(rows)} rows for {manifest.counts.get('passages')} passages")
    return rows


def _load_dense(folder: Path, manifest: Manifest) -> Any:
    import faiss

    try:
        spec = ann.DenseSpec.from_record(manifest.dense_index)
    except ValueError as exc:
        raise IndexCorruptError(f"{folder / 'manifest.json'}: {exc}") from None
    path = folder / "dense.faiss"
    dense = faiss.read_index(str(path))
    problem = ann.mismatch(dense, spec)
    if problem:
        raise IndexCorruptError(f"{path}: {problem}: run 'rag index' to rebuild")
    ann.prepare(dense, spec)
    return dense


def remove_leftovers(index_dir: Path) -> list[Path]:
    """Delete temporary folders of builds that died; call only while holding the build lock."""
    versions = index_dir / "versions"
    stale = sorted(versions.glob(".tmp-*")) if versions.is_dir() else []
    stale += sorted(index_dir.glob("CURRENT.*"))
    for path in stale:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return stale


def _prune(versions: Path, keep: str) -> None:
    """Drop leftovers of killed builds and all but the newest few versions."""
    done = sorted((p for p in versions.iterdir() if not p.name.startswith(".")), key=lambda p: p.name)
    for old in done[:-KEEP_VERSIONS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
