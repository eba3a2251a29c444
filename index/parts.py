"""What every build does before writing: read the seeds, chunk them, embed what is new.

Shared by the FAISS build (``index.build``) and the Milvus build (``index.milvus_build``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.reuse import VideoPart
from rag.chunking import CHUNKER_REVISION, ChunkSettings, Passage, chunk_seed, embedding_text
from rag.embedder import Embedder, Kind, Vectors
from rag.errors import RagError, SeedError
from rag.languages import spoken
from rag.manifest import VideoRecord, failure_record
from rag.second import SecondEncoder, passage_vectors
from rag.settings import Settings
from rag.sources import EXPECTED, Source, find_sources, source_hash
from rag.video import Seed

Progress = Callable[[str, int, int], None]


@dataclass
class BuildReport:
    """What a build did, by seed file name."""

    version: str | None
    videos: list[str] = field(default_factory=list)
    passages: int = 0
    sentences: int = 0
    seconds: float = 0.0
    failures: list[SeedError] = field(default_factory=list)
    # Files indexed whole that look wrong somewhere (rag.video.Seed.warnings).
    warnings: list[SeedError] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    # Seeds that failed to parse but whose last good version stays indexed.
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Every transcript's hash as the build found it, indexed or not (Manifest.seen).
    seen: dict[str, str] = field(default_factory=dict)
    # Transcripts that parsed but another file of their video is indexed instead: name -> why.
    set_aside: dict[str, str] = field(default_factory=dict)
    # Nothing changed since the version served, so nothing was built (``version`` is that one).
    up_to_date: bool = False

    def summary(self) -> str:
        counts = {k: len(getattr(self, k)) for k in ("added", "changed", "removed", "reused", "kept")}
        return ", ".join(f"{n} {k}" for k, n in counts.items())


@dataclass(frozen=True)
class Plan:
    """What a build does with each seed file against what is indexed (both stores use it)."""

    # New or changed seeds: these are embedded.
    fresh: list[Seed]
    reused: list[str]
    added: list[str]
    changed: list[str]
    # A seed that no longer parses keeps its last good version: nothing indexed is lost to a typo.
    kept: list[str]
    removed: list[str]

    def fill(self, report: BuildReport) -> None:
        report.reused, report.added, report.changed = self.reused, self.added, self.changed
        report.kept, report.removed = self.kept, self.removed


def plan(
    seeds: list[Seed], failures: list[SeedError], indexed: Mapping[str, VideoRecord], seeds_dir: Path
) -> Plan:
    """Sort the parsed ``seeds`` (and ``failures``) against ``indexed``: each indexed file's record.

    A file that fails keeps its last good version, unless a file that parsed now serves its video:
    then the video comes from that file, as a fresh build of the folder would have it (a second
    file of one video, or a broken file whose video another file now holds).
    """
    parsed = {s.path.name for s in seeds}
    live = {s.video.video_id for s in seeds}
    fresh = [s for s in seeds if (r := indexed.get(s.path.name)) is None or r.sha256 != s.sha256]
    failed = {f.source for f in failures}
    kept = sorted(
        n
        for n, r in indexed.items()
        if n in failed and n not in parsed and r.video_id not in live and (seeds_dir / n).exists()
    )
    return Plan(
        fresh=fresh,
        reused=sorted(parsed - {s.path.name for s in fresh}),
        added=sorted(s.path.name for s in fresh if s.path.name not in indexed),
        changed=sorted(s.path.name for s in fresh if s.path.name in indexed),
        kept=kept,
        removed=sorted(n for n in indexed if n not in parsed and n not in kept),
    )


def seed_files(seeds_dir: Path) -> list[Source]:
    """The transcripts of the seeds folder (rag.sources), each with its sidecar if any."""
    return find_sources(seeds_dir)


def seed_hashes(seeds_dir: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for source in seed_files(seeds_dir):
        try:
            hashes[source.name] = source_hash(source)
        except SeedError:
            continue  # gone since it was listed: the build reports it
    return hashes


def chunk_settings(settings: Settings) -> ChunkSettings:
    return ChunkSettings(max_chars=settings.chunk_chars, overlap_sentences=settings.chunk_overlap)


def prompts(settings: Settings) -> dict[str, str]:
    return {"query": settings.query_prompt, "passage": settings.passage_prompt}


def chunking(settings: Settings) -> dict[str, int]:
    c = chunk_settings(settings)
    # The chunker's own revision too: a change to how text is split must not reuse old rows.
    return {"max_chars": c.max_chars, "overlap_sentences": c.overlap_sentences, "revision": CHUNKER_REVISION}


def set_aside_notes(set_aside: Mapping[str, str]) -> list[str]:
    """A note for each file set aside for another file of its video (build, reindex, rag index)."""
    return [f"{name}: not indexed: {why}" for name, why in set_aside.items()]


def left_out_fields(report: BuildReport) -> dict[str, Any]:
    """The manifest's record of what the build found and left out (Manifest.seen, failed, set_aside)
    and what it warned of (Manifest.warned)."""
    return {
        "seen": report.seen,
        "failed": [failure_record(f) for f in report.failures],
        "set_aside": report.set_aside,
        "warned": [failure_record(w) for w in report.warnings],
    }


def embed_seeds(
    seeds: list[Seed], settings: Settings, embedder: Embedder, progress: Progress | None
) -> list[VideoPart]:
    chunked = [chunk_seed(seed, chunk_settings(settings)) for seed in seeds]
    passages = [p for rows in chunked for p in rows]
    sentences = [p.text[s.start : s.end] for p in passages for s in p.sentences]
    # Passages and sentences share the passage prompt: embed every distinct text once, in one pass.
    unique = list(dict.fromkeys([embedding_text(p) for p in passages] + sentences))
    vectors = embed(unique, embedder, "passage", "embedding texts", progress)
    where = {text: i for i, text in enumerate(unique)}
    dense = vectors[[where[embedding_text(p)] for p in passages]] if passages else vectors
    sentence_vectors = vectors[[where[t] for t in sentences]] if sentences else vectors
    parts: list[VideoPart] = []
    row = sentence_row = 0
    for seed, rows in zip(seeds, chunked, strict=True):
        count = sum(len(p.sentences) for p in rows)
        parts.append(
            VideoPart(
                record(seed, rows),
                rows,
                dense[row : row + len(rows)],
                sentence_vectors[sentence_row : sentence_row + count],
            )
        )
        row, sentence_row = row + len(rows), sentence_row + count
    return parts


def fill_second(parts: list[VideoPart], encoder: SecondEncoder, progress: Progress | None) -> None:
    """Each part's second-encoder vectors (rag.second): the kept ones stay, the others are encoded
    now (about 5 ms a passage)."""
    todo = sum(len(part.passages) for part in parts if part.second is None)
    done = 0
    for part in parts:
        if part.second is None:
            part.second = passage_vectors(encoder, part.passages)
            done += len(part.passages)
            if progress:
                progress("second encoder", done, todo)


def stacked_second(parts: list[VideoPart], encoder: SecondEncoder, progress: Progress | None) -> Vectors:
    """Every passage's second-encoder vector, in part order (``fill_second``)."""
    fill_second(parts, encoder, progress)
    vectors = [part.second for part in parts if part.second is not None]
    if not vectors:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.vstack(vectors).astype(np.float32)


def check_unique(records: Iterable[VideoRecord]) -> None:
    owners: dict[str, str] = {}
    for r in records:
        vid, source = r.video_id, r.source
        if vid in owners:
            raise RagError(f"video {vid} comes from both {owners[vid]} and {source}")
        owners[vid] = source


def part_tokens(parts: Iterable[VideoPart]) -> list[list[list[str]]]:
    """Each part's passages' keyword tokens: the stored ones, or Kiwi's now.

    Kiwi takes ~1 ms a passage once warm: a big archive must not pay it again for every unchanged
    video on each rebuild, so tokens are stored and reused like the vectors.
    """
    from rag.keyword import Analyzer

    analyzer = Analyzer()
    return [
        part.tokens if part.tokens is not None else [analyzer.passage_tokens(p.text) for p in part.passages]
        for part in parts
    ]


def record(seed: Seed, passages: list[Passage]) -> VideoRecord:
    v = seed.video
    return VideoRecord(
        video_id=v.video_id,
        title=v.title,
        summary=v.summary,
        channel=v.channel,
        upload_date=v.upload_date,
        duration_ms=v.duration_ms,
        url=v.url,
        info=v.info,
        source=seed.path.name,
        sha256=seed.sha256,
        passages=len(passages),
        chapters=v.chapters,
        language=spoken(passages),
    )


def new_version(seed_hashes: list[str], settings: Settings) -> str:
    # Time first so versions sort by age; the digest tells same-moment builds apart by content.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    digest = hashlib.sha256(repr((seed_hashes, chunking(settings))).encode())
    return f"{stamp}-{digest.hexdigest()[:8]}"


def embed(
    texts: list[str], embedder: Embedder, kind: Kind, label: str, progress: Progress | None, batch: int = 32
) -> Vectors:
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    # Similar lengths batched together waste less on padding: 40% faster on the real seed.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), batch):
        rows = order[start : start + batch]
        out[rows] = embedder.embed_batch([texts[i] for i in rows], kind)
        if progress:
            progress(label, min(start + batch, len(texts)), len(texts))
    return out


# Each bad file is named in the error when none could be read (a folder of 500 names the first ones).
SHOWN_FAILURES = 10


def nothing_to_index(settings: Settings, report: BuildReport) -> RagError:
    # An index of nothing would answer nothing: the last version stays, and says so.
    kept = (
        f"the index keeps its last version, with {', '.join(report.removed)}, until" if report.removed else ""
    )
    if not report.failures:
        message = f"no seed files in {settings.seeds_dir} (expected {EXPECTED})"
        return RagError(f"{message}; {kept} a transcript is added" if kept else message)
    lines = [f"no seed file could be parsed in {settings.seeds_dir} (expected {EXPECTED}):"]
    lines += [f"  {failure}" for failure in report.failures[:SHOWN_FAILURES]]
    if len(report.failures) > SHOWN_FAILURES:
        lines.append(f"  and {len(report.failures) - SHOWN_FAILURES} more")
    if kept:
        lines.append(f"{kept[0].upper()}{kept[1:]} a transcript can be read.")
    return RagError("\n".join(lines))
