"""Build an index version from the seeds folder: parse, chunk, embed, write atomically."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.lock import build_lock
from index.reuse import VideoPart, previous_parts
from rag.chunking import CHUNKER_REVISION, ChunkSettings, chunk_seed, embedding_text
from rag.embedder import Embedder, Kind, LazyEmbedder, Vectors, configured_model_id, load_embedder
from rag.errors import IndexMissingError, RagError, SeedError
from rag.keyword import Analyzer, KeywordIndex, analyzer_signature
from rag.seed import Seed
from rag.settings import Settings
from rag.sources import EXPECTED, Source, find_sources, lone_sidecars, read_source, source_hash
from rag.store import Manifest, VideoRecord, read_manifest, remove_leftovers, write_index

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
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    # Seeds that failed to parse but whose last good version stays indexed.
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        counts = {k: len(getattr(self, k)) for k in ("added", "changed", "removed", "reused", "kept")}
        return ", ".join(f"{n} {k}" for k, n in counts.items())


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


def stale_reason(settings: Settings, model_id: str) -> str | None:
    """Why the index no longer matches seeds and settings, or None when it does."""
    try:
        manifest = read_manifest(settings.index_dir)
    except IndexMissingError:
        return "no index yet"
    except RagError as exc:
        return str(exc)
    if manifest.model_id != model_id:
        return f"model changed ({manifest.model_id} -> {model_id})"
    if manifest.prompts != prompts(settings) or manifest.chunking != _chunking(settings):
        return "prompts or chunk settings changed"
    if manifest.seeds != seed_hashes(settings.seeds_dir):
        return "seeds changed"
    if manifest.analyzer != analyzer_signature():
        # Questions are tokenized by the analyzer installed now: the index must match it.
        return "keyword analyzer changed"
    return None


def _chunking(settings: Settings) -> dict[str, int]:
    c = chunk_settings(settings)
    # The chunker's own revision too: a change to how text is split must not reuse old rows.
    return {"max_chars": c.max_chars, "overlap_sentences": c.overlap_sentences, "revision": CHUNKER_REVISION}


def build_embedder(settings: Settings, log: Callable[[str], None] | None = None) -> Embedder:
    """The embedder ``rag index`` builds with, loaded only once a seed actually needs embedding.

    When the current index was built with the configured model, its manifest gives the dimension
    and the model is loaded on first use: a build that reuses every row (``--force``) loads none.
    """
    model_id = configured_model_id(settings)

    def load() -> Embedder:
        return load_embedder(settings, log, "build")

    try:
        manifest = read_manifest(settings.index_dir)
    except RagError:
        return load()
    return LazyEmbedder(model_id, manifest.dimension, load) if manifest.model_id == model_id else load()


def parse_seeds(seeds_dir: Path) -> tuple[list[Seed], list[SeedError]]:
    seeds: list[Seed] = []
    failures: list[SeedError] = []
    owners: dict[str, Path] = {}
    for source in seed_files(seeds_dir):
        try:
            seed = read_source(source)
        except SeedError as exc:
            failures.append(exc)
            continue
        owner = owners.get(seed.video.video_id)
        if owner is not None:
            reason = f"video {seed.video.video_id} is already indexed from {owner.name}"
            failures.append(SeedError(str(source.path), None, reason))
            continue
        owners[seed.video.video_id] = source.path
        seeds.append(seed)
    return seeds, failures


def build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> BuildReport:
    """Build a new version under the build lock, embedding only new and changed seeds."""
    with build_lock(settings.index_dir):
        remove_leftovers(settings.index_dir)
        return _build(settings, embedder, progress)


def _build(settings: Settings, embedder: Embedder, progress: Progress | None) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport(version=None)
    previous, why_not = previous_parts(
        settings.index_dir, embedder.model_id, embedder.dimension, prompts(settings), _chunking(settings)
    )
    report.notes = [why_not] if why_not else []
    report.notes += [
        f"{name}: metadata without a transcript beside it, not indexed"
        for name in lone_sidecars(settings.seeds_dir, seed_files(settings.seeds_dir))
    ]
    seeds, report.failures = parse_seeds(settings.seeds_dir)
    parts: dict[str, VideoPart] = {}
    fresh: list[Seed] = []
    for seed in seeds:
        old = previous.get(seed.path.name)
        if old is not None and old.record.sha256 == seed.sha256:
            parts[seed.path.name] = old
            report.reused.append(seed.path.name)
        else:
            fresh.append(seed)
            (report.changed if old is not None else report.added).append(seed.path.name)
    # A seed that no longer parses keeps its last good version: nothing indexed is lost to a typo.
    for failure in report.failures:
        name = failure.source
        if name in previous and (settings.seeds_dir / name).exists() and name not in parts:
            parts[name] = previous[name]
            report.kept.append(name)
    names = {p.name for p in seed_files(settings.seeds_dir)}
    report.removed = sorted(n for n in previous if n not in names)
    for seed, part in zip(fresh, _embed_seeds(fresh, settings, embedder, progress), strict=True):
        parts[seed.path.name] = part
    if not parts:
        found = "no seed files" if not report.failures else "no seed file could be parsed"
        raise RagError(f"{found} in {settings.seeds_dir} (expected {EXPECTED})")
    ordered = [parts[name] for name in sorted(parts)]
    _check_unique(ordered)
    passages = [p for part in ordered for p in part.passages]
    dense = np.vstack([part.dense for part in ordered]).astype(np.float32)
    sentences = np.vstack([part.sentences for part in ordered]).astype(np.float32)
    analyzer = Analyzer()
    # Kiwi takes ~1 ms a passage once warm: a big archive must not pay it again for every
    # unchanged video on each rebuild, so tokens are stored and reused like the vectors.
    tokens = [
        row
        for part in ordered
        for row in (
            part.tokens if part.tokens is not None else [analyzer.tokens(p.text) for p in part.passages]
        )
    ]
    keyword = KeywordIndex.build(tokens)
    manifest = Manifest(
        version=_version(sorted(part.record.sha256 for part in ordered), settings),
        model_id=embedder.model_id,
        dimension=embedder.dimension,
        prompts=prompts(settings),
        chunking=_chunking(settings),
        seeds={name: parts[name].record.sha256 for name in sorted(parts)},
        counts={"videos": len(ordered), "passages": len(passages), "sentences": len(sentences)},
        analyzer=analyzer_signature(),
    )
    records = [p.record for p in ordered]
    write_index(settings.index_dir, manifest, records, passages, dense, sentences, keyword, tokens=tokens)
    report.version = manifest.version
    report.videos = [part.record.video_id for part in ordered]
    report.passages, report.sentences = len(passages), len(sentences)
    report.seconds = time.perf_counter() - started
    return report


def _embed_seeds(
    seeds: list[Seed], settings: Settings, embedder: Embedder, progress: Progress | None
) -> list[VideoPart]:
    chunked = [chunk_seed(seed, chunk_settings(settings)) for seed in seeds]
    passages = [p for rows in chunked for p in rows]
    sentences = [p.text[s.start : s.end] for p in passages for s in p.sentences]
    # Passages and sentences share the passage prompt: embed every distinct text once, in one pass.
    unique = list(dict.fromkeys([embedding_text(p) for p in passages] + sentences))
    vectors = _embed(unique, embedder, "passage", "texts", progress)
    where = {text: i for i, text in enumerate(unique)}
    dense = vectors[[where[embedding_text(p)] for p in passages]] if passages else vectors
    sentence_vectors = vectors[[where[t] for t in sentences]] if sentences else vectors
    parts: list[VideoPart] = []
    row = sentence_row = 0
    for seed, rows in zip(seeds, chunked, strict=True):
        count = sum(len(p.sentences) for p in rows)
        parts.append(
            VideoPart(
                _record(seed, len(rows)),
                rows,
                dense[row : row + len(rows)],
                sentence_vectors[sentence_row : sentence_row + count],
            )
        )
        row, sentence_row = row + len(rows), sentence_row + count
    return parts


def _check_unique(parts: list[VideoPart]) -> None:
    owners: dict[str, str] = {}
    for part in parts:
        vid, source = part.record.video_id, part.record.source
        if vid in owners:
            raise RagError(f"video {vid} comes from both {owners[vid]} and {source}")
        owners[vid] = source


def _record(seed: Seed, passages: int) -> VideoRecord:
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
        passages=passages,
        chapters=v.chapters,
    )


def _version(seed_hashes: list[str], settings: Settings) -> str:
    # Time first so versions sort by age; the digest tells same-moment builds apart by content.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    digest = hashlib.sha256(repr((seed_hashes, _chunking(settings))).encode())
    return f"{stamp}-{digest.hexdigest()[:8]}"


def _embed(
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
