"""Build an index version from the seeds folder: parse, chunk, embed, write atomically."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from index.folder import folder_notes, parse_seeds
from index.lock import build_lock
from index.parts import (
    BuildReport,
    Progress,
    check_unique,
    chunk_settings,
    chunking,
    embed_seeds,
    left_out_fields,
    new_version,
    nothing_to_index,
    part_tokens,
    plan,
    prompts,
    seed_files,
    seed_hashes,
    stacked_second,
)
from index.reuse import VideoPart, previous_parts
from rag.embedder import Embedder, LazyEmbedder, configured_model_id, load_embedder
from rag.errors import IndexMissingError, RagError, SeedError
from rag.keyword import KeywordIndex, analyzer_signature
from rag.manifest import Manifest, left_out_of
from rag.second import second_changed, second_for
from rag.settings import Settings
from rag.store import read_manifest, remove_leftovers, write_index

__all__ = [
    "BuildReport",
    "Progress",
    "build",
    "build_embedder",
    "chunk_settings",
    "left_out",
    "parse_seeds",
    "seed_files",
    "seed_hashes",
    "stale_reason",
]


def stale_reason(settings: Settings, model_id: str) -> str | None:
    """Why the index no longer matches seeds and settings, or None when it does."""
    if settings.store == "milvus":
        from index import milvus_build

        return milvus_build.stale_reason(settings, model_id)
    try:
        manifest = read_manifest(settings.index_dir)
    except IndexMissingError:
        return "no index yet"
    except RagError as exc:
        return str(exc)
    if manifest.model_id != model_id:
        return f"model changed ({manifest.model_id} -> {model_id})"
    if manifest.prompts != prompts(settings) or manifest.chunking != chunking(settings):
        return "prompts or chunk settings changed"
    if (manifest.seen or manifest.seeds) != seed_hashes(settings.seeds_dir):
        return "seeds changed"
    if manifest.analyzer != analyzer_signature():
        # Questions are tokenized by the analyzer installed now: the index must match it.
        return "keyword analyzer changed"
    return second_changed(manifest.second_model, model_id)


def left_out(settings: Settings) -> tuple[list[SeedError], dict[str, str], list[SeedError]]:
    """The served version's files that failed, those set aside for another file of their video, and
    what its files were warned of.

    An up-to-date index still says them: a file left out is a problem until it is fixed or removed.
    """
    if settings.store == "milvus":
        from index import milvus_build

        manifest = milvus_build.served_manifest(settings)
    else:
        try:
            manifest = read_manifest(settings.index_dir)
        except RagError:
            manifest = None
    return left_out_of(manifest) if manifest else ([], {}, [])


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
        manifest = None
    if settings.store == "milvus" and (manifest is None or manifest.model_id != model_id):
        from index import milvus_build

        manifest = milvus_build.served_manifest(settings)
    if manifest is None or manifest.model_id != model_id:
        return load()
    return LazyEmbedder(model_id, manifest.dimension, load)


def build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> BuildReport:
    """Build a new version under the build lock, embedding only new and changed seeds."""
    if settings.store == "milvus":
        from index import milvus_build

        return milvus_build.build(settings, embedder, progress)
    with build_lock(settings.index_dir):
        remove_leftovers(settings.index_dir)
        return _build(settings, embedder, progress)


def _build(settings: Settings, embedder: Embedder, progress: Progress | None) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport(version=None)
    second = second_for(embedder.model_id)
    # The manifest names the encoder the vectors really come from.
    second_model = second.model_id if second else ""
    previous, why_not = previous_parts(
        settings.index_dir,
        embedder.model_id,
        embedder.dimension,
        prompts(settings),
        chunking(settings),
        second_model,
    )
    report.notes = [why_not] if why_not else []
    parsed = parse_seeds(settings.seeds_dir)
    report.notes += folder_notes(settings.seeds_dir, parsed.seeds)
    parsed.fill(report)
    seeds = parsed.seeds
    todo = plan(seeds, report.failures, {n: p.record for n, p in previous.items()}, settings.seeds_dir)
    todo.fill(report)
    parts: dict[str, VideoPart] = {n: previous[n] for n in [*todo.reused, *todo.kept]}
    for seed, part in zip(todo.fresh, embed_seeds(todo.fresh, settings, embedder, progress), strict=True):
        parts[seed.path.name] = part
    if not parts:
        raise nothing_to_index(settings, report)
    ordered = [parts[name] for name in sorted(parts)]
    check_unique(p.record for p in ordered)
    passages = [p for part in ordered for p in part.passages]
    dense = np.vstack([part.dense for part in ordered]).astype(np.float32)
    sentences = np.vstack([part.sentences for part in ordered]).astype(np.float32)
    tokens = [row for rows in part_tokens(ordered) for row in rows]
    keyword = KeywordIndex.build(tokens)
    second_vectors = None if second is None else stacked_second(ordered, second, progress)
    manifest = Manifest(
        version=new_version(sorted(part.record.sha256 for part in ordered), settings),
        model_id=embedder.model_id,
        dimension=embedder.dimension,
        prompts=prompts(settings),
        chunking=chunking(settings),
        seeds={name: parts[name].record.sha256 for name in sorted(parts)},
        counts={"videos": len(ordered), "passages": len(passages), "sentences": len(sentences)},
        analyzer=analyzer_signature(),
        second_model=second_model,
        **left_out_fields(report),
    )
    records = [p.record for p in ordered]
    write_index(
        settings.index_dir,
        manifest,
        records,
        passages,
        dense,
        sentences,
        keyword,
        tokens=tokens,
        second_vectors=second_vectors,
    )
    report.version = manifest.version
    report.videos = [part.record.video_id for part in ordered]
    report.passages, report.sentences = len(passages), len(sentences)
    report.seconds = time.perf_counter() - started
    return report
