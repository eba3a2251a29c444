"""What an index version is: the manifest it is checked against, and the videos it holds.

Both engines keep these: a FAISS version folder as ``manifest.json`` and ``videos.json``
(``rag.store``), a Milvus collection in its properties (``rag.milvus``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rag import ann
from rag.chunking import Passage, Span
from rag.errors import IndexMismatchError, SeedError
from rag.timed import Chapter

# 2: videos carry their chapters, and sentence spans of cue-based transcripts their exact times.
SCHEMA_VERSION = 2


@dataclass(frozen=True)
class VideoRecord:
    """What the index keeps of a video: its info, where it came from, and its rows."""

    video_id: str
    title: str
    summary: str
    channel: str | None
    upload_date: str | None
    duration_ms: int
    url: str
    info: dict[str, str]
    source: str
    sha256: str
    passages: int = 0
    chapters: tuple[Chapter, ...] = ()
    # The script its transcript is written in ("ko", "ja", "en"; rag.languages.spoken): None in
    # indexes built before it was recorded.
    language: str | None = None


@dataclass(frozen=True)
class Manifest:
    version: str
    model_id: str
    dimension: int
    prompts: dict[str, str]
    chunking: dict[str, int]
    seeds: dict[str, str]
    files: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    normalized: bool = True
    metric: str = "inner_product"
    schema_version: int = SCHEMA_VERSION
    # What dense.faiss is (rag.ann.DenseSpec.record); manifests from before it held flat indexes.
    dense_index: dict[str, Any] = field(default_factory=lambda: ann.DenseSpec().record())
    # rag.keyword.analyzer_signature() of the tokens in tokens.jsonl.
    analyzer: str = ""
    # Every transcript the build found, indexed or not, by its hash: the folder is unchanged while
    # these match, even with a broken file in it (``seeds`` alone would call it changed forever).
    seen: dict[str, str] = field(default_factory=dict)
    # Transcripts found but not indexed, with why: those that fail to parse (failure_record), and
    # those another file of the same video is preferred to (file name -> why).
    failed: list[dict[str, Any]] = field(default_factory=list)
    set_aside: dict[str, str] = field(default_factory=dict)
    # Files indexed whole that look wrong somewhere (rag.video.Seed.warnings, failure_record): an
    # up-to-date index still says them, as it says its failures.
    warned: list[dict[str, Any]] = field(default_factory=list)
    # The second encoder (rag.second) whose passage vectors second.npy holds; "" when it holds none.
    second_model: str = ""


def check_compatible(manifest: Manifest, model_id: str, dimension: int | None, where: object) -> None:
    if manifest.model_id != model_id:
        raise IndexMismatchError(
            f"{where} was built with model {manifest.model_id!r}, not {model_id!r}: run 'rag index' to rebuild"
        )
    if dimension is not None and manifest.dimension != dimension:
        raise IndexMismatchError(
            f"{where} has dimension {manifest.dimension}, the model gives {dimension}: run 'rag index' to rebuild"
        )


def passage_json(p: Passage) -> dict[str, Any]:
    row = asdict(p)
    # [start, end], and the times of a sentence made of cues: [start, end, start_ms, end_ms].
    row["sentences"] = [
        [s.start, s.end] if s.start_ms is None else [s.start, s.end, s.start_ms, s.end_ms]
        for s in p.sentences
    ]
    return row


def passage_from_json(row: dict[str, Any]) -> Passage:
    row["sentences"] = tuple(Span(*span) for span in row["sentences"])
    return Passage(**row)


def video_from_json(row: dict[str, Any]) -> VideoRecord:
    return VideoRecord(**{**row, "chapters": tuple(Chapter(**c) for c in row.get("chapters", ()))})


def failure_record(failure: SeedError) -> dict[str, Any]:
    return {"file": failure.path, "line": failure.line, "reason": failure.reason, "source": failure.source}


def failure_of(record: dict[str, Any]) -> SeedError:
    return SeedError(record["file"], record["line"], record["reason"], record["source"])


def left_out_of(manifest: Manifest) -> tuple[list[SeedError], dict[str, str], list[SeedError]]:
    """A version's files that failed, those set aside for another file of their video, and what its
    files were warned of: what a build that finds it up to date still says."""
    failed = [failure_of(r) for r in manifest.failed]
    return failed, manifest.set_aside, [failure_of(r) for r in manifest.warned]
