"""Build an index version from the seeds folder: parse, chunk, embed, write atomically."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from rag.chunking import ChunkSettings, Passage, chunk_seed
from rag.embedder import Embedder, Kind, Vectors
from rag.errors import IndexMissingError, RagError, SeedError
from rag.keyword import Analyzer, KeywordIndex
from rag.seed import Seed, read_seed
from rag.settings import Settings
from rag.store import Manifest, VideoRecord, read_manifest, write_index

Progress = Callable[[str, int, int], None]
SEED_SUFFIX = ".txt"


@dataclass
class BuildReport:
    version: str | None
    videos: list[str] = field(default_factory=list)
    passages: int = 0
    sentences: int = 0
    seconds: float = 0.0
    failures: list[SeedError] = field(default_factory=list)
    up_to_date: bool = False


def seed_files(seeds_dir: Path) -> list[Path]:
    if not seeds_dir.is_dir():
        raise RagError(f"seeds folder {seeds_dir} does not exist")
    return sorted(p for p in seeds_dir.iterdir() if p.is_file() and p.suffix == SEED_SUFFIX)


def seed_hashes(seeds_dir: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in seed_files(seeds_dir)}


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
    return None


def _chunking(settings: Settings) -> dict[str, int]:
    c = chunk_settings(settings)
    return {"max_chars": c.max_chars, "overlap_sentences": c.overlap_sentences}


def parse_seeds(seeds_dir: Path) -> tuple[list[Seed], list[SeedError]]:
    seeds: list[Seed] = []
    failures: list[SeedError] = []
    owners: dict[str, Path] = {}
    for path in seed_files(seeds_dir):
        try:
            seed = read_seed(path)
        except SeedError as exc:
            failures.append(exc)
            continue
        owner = owners.get(seed.video.video_id)
        if owner is not None:
            reason = f"video {seed.video.video_id} is already indexed from {owner.name}"
            failures.append(SeedError(str(path), None, reason))
            continue
        owners[seed.video.video_id] = path
        seeds.append(seed)
    return seeds, failures


def build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> BuildReport:
    """Index every parseable seed; seeds that fail are reported, never silently dropped."""
    started = time.perf_counter()
    seeds, failures = parse_seeds(settings.seeds_dir)
    if not seeds:
        found = "no seed files" if not failures else "no seed file could be parsed"
        raise RagError(f"{found} in {settings.seeds_dir} (expected *{SEED_SUFFIX} transcripts)")
    passages: list[Passage] = []
    videos: list[VideoRecord] = []
    for seed in seeds:
        rows = chunk_seed(seed, chunk_settings(settings))
        passages.extend(rows)
        videos.append(_record(seed, len(rows)))
    dense = _embed([p.text for p in passages], embedder, "passage", "passages", progress)
    sentences = [p.text[s.start : s.end] for p in passages for s in p.sentences]
    sentence_vectors = _embed_unique(sentences, embedder, progress)
    analyzer = Analyzer()
    keyword = KeywordIndex.build([analyzer.tokens(p.text) for p in passages])
    manifest = Manifest(
        version=_version(seeds, settings),
        model_id=embedder.model_id,
        dimension=embedder.dimension,
        prompts=prompts(settings),
        chunking=_chunking(settings),
        seeds={s.path.name: s.sha256 for s in seeds},
        counts={"videos": len(videos), "passages": len(passages), "sentences": len(sentences)},
    )
    write_index(settings.index_dir, manifest, videos, passages, dense, sentence_vectors, keyword)
    return BuildReport(
        version=manifest.version,
        videos=[v.video_id for v in videos],
        passages=len(passages),
        sentences=len(sentences),
        seconds=time.perf_counter() - started,
        failures=failures,
    )


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
    )


def _version(seeds: list[Seed], settings: Settings) -> str:
    # Time first so versions sort by age; the digest tells same-second builds apart by content.
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    digest = hashlib.sha256(repr((sorted(s.sha256 for s in seeds), _chunking(settings))).encode())
    return f"{stamp}-{digest.hexdigest()[:8]}"


def _embed(
    texts: list[str], embedder: Embedder, kind: Kind, label: str, progress: Progress | None, batch: int = 32
) -> Vectors:
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    for start in range(0, len(texts), batch):
        out[start : start + batch] = embedder.embed_batch(texts[start : start + batch], kind)
        if progress:
            progress(label, min(start + batch, len(texts)), len(texts))
    return out


def _embed_unique(sentences: list[str], embedder: Embedder, progress: Progress | None) -> Vectors:
    # Overlap repeats sentences across passages: embed each distinct one once.
    unique = list(dict.fromkeys(sentences))
    vectors = _embed(unique, embedder, "passage", "sentences", progress)
    where = {text: i for i, text in enumerate(unique)}
    return vectors[[where[s] for s in sentences]] if sentences else vectors
