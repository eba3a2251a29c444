"""Build the index into Milvus (layout: ``rag.milvus``): a full build into a new collection, or an
incremental one in place.

Full build (no served collection yet, or one built with another model, prompts, chunking or
analyzer): every row goes into ``<alias>_<version>``, the properties are written last, then the
alias moves in one step.  A build killed before that leaves the served alias untouched; the next
build drops the collection it left.

Incremental build: a changed or new video's rows are inserted first (ids after every row written
so far), then the properties commit the new version (servers swap to it), then the old rows are
deleted.  A video is never missing; for a moment it may be there twice.  The deletes still to do
are part of the commit, so a build killed before them has the next build finish them; rows a
killed build inserted but never committed lie past ``next_row`` and are deleted first.
"""

from __future__ import annotations

import time
from typing import Any

from index.folder import folder_notes, parse_seeds
from index.milvus_write import (
    BASELINE,
    create,
    delete,
    drop_leftovers,
    drop_old,
    insert,
    manifest_of,
    properties,
    sample,
    tokens_of,
    with_language,
)
from index.parts import (
    BuildReport,
    Progress,
    check_unique,
    chunking,
    embed_seeds,
    fill_second,
    new_version,
    nothing_to_index,
    part_tokens,
    plan,
    prompts,
    seed_hashes,
)
from index.reuse import VideoPart, previous_parts
from rag.bm25sparse import KeywordStats
from rag.corpus import spread
from rag.embedder import Embedder
from rag.keyword import analyzer_signature
from rag.manifest import Manifest, VideoRecord, video_from_json
from rag.milvus import SECOND_LAYOUT, SENTENCE_LAYOUT, Milvus, connect
from rag.second import second_changed, second_for
from rag.settings import Settings
from rag.video import Seed


def stale_reason(settings: Settings, model_id: str) -> str | None:
    """Why the served collection no longer matches seeds and settings, or None when it does."""
    milvus = connect(settings)
    served, manifest = milvus.served_manifest()
    if served is None:
        return "no index yet"
    if manifest is None:
        return "the served collection has no manifest"
    return (
        _incompatible(manifest, settings, model_id)
        or _old_layout(milvus, served)
        or (
            "seeds changed"
            if (manifest.get("seen") or manifest.get("seeds")) != seed_hashes(settings.seeds_dir)
            else None
        )
    )


def served_manifest(settings: Settings) -> Manifest | None:
    """The served collection's manifest, None when there is none or it is unreadable."""
    _, raw = connect(settings).served_manifest()
    try:
        return Manifest(**raw) if raw else None
    except TypeError:
        return None


def _incompatible(manifest: dict[str, Any], settings: Settings, model_id: str) -> str | None:
    if manifest.get("model_id") != model_id:
        return f"model changed ({manifest.get('model_id')} -> {model_id})"
    if manifest.get("prompts") != prompts(settings) or manifest.get("chunking") != chunking(settings):
        return "prompts or chunk settings changed"
    if manifest.get("analyzer") != analyzer_signature():
        return "keyword analyzer changed"
    # Each row holds its passage's second vector: another encoder rewrites every row.
    return second_changed(manifest.get("second_model", ""), model_id)


def _old_layout(milvus: Milvus, served: str) -> str | None:
    """Why rows cannot be added to the served collection as they are written now, or None."""
    layout = milvus.state(served, ("layout",))["layout"] or {}
    if layout.get("sentence_vectors") != SENTENCE_LAYOUT:
        return "the served collection keeps sentence vectors as an older build did"
    if layout.get("second_vectors") != SECOND_LAYOUT:
        return "the served collection has no field for second-encoder vectors"
    return None


def build(settings: Settings, embedder: Embedder, progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    milvus = connect(settings)
    served, current = milvus.served_manifest()
    why_full = "no index yet" if current is None else _incompatible(current, settings, embedder.model_id)
    if why_full is None and served is not None:
        why_full = _old_layout(milvus, served)
    report = BuildReport(version=None)
    parsed = parse_seeds(settings.seeds_dir)
    report.notes = folder_notes(settings.seeds_dir, parsed.seeds)
    parsed.fill(report)
    seeds = parsed.seeds
    if why_full or served is None:
        report.notes.append(f"full build into a new collection: {why_full}")
        _full(milvus, settings, embedder, seeds, report, progress)
    else:
        _incremental(milvus, served, settings, embedder, seeds, report, progress)
    report.seconds = time.perf_counter() - started
    return report


def _parts(
    settings: Settings, embedder: Embedder, seeds: list[Seed], progress: Progress | None
) -> dict[str, VideoPart]:
    """Each seed's rows, reusing the vectors of a local FAISS index built the same way, if any,
    with each passage's second vector where a second encoder is used (rag.second)."""
    second = second_for(embedder.model_id)
    local, _ = previous_parts(
        settings.index_dir,
        embedder.model_id,
        embedder.dimension,
        prompts(settings),
        chunking(settings),
        second.model_id if second else "",
    )
    parts = {
        s.path.name: local[s.path.name]
        for s in seeds
        if s.path.name in local and local[s.path.name].record.sha256 == s.sha256
    }
    fresh = [s for s in seeds if s.path.name not in parts]
    for seed, part in zip(fresh, embed_seeds(fresh, settings, embedder, progress), strict=True):
        parts[seed.path.name] = part
    if second is not None:
        fill_second([parts[name] for name in sorted(parts)], second, progress)
    return parts


def _full(
    milvus: Milvus,
    settings: Settings,
    embedder: Embedder,
    seeds: list[Seed],
    report: BuildReport,
    progress: Progress | None,
) -> None:
    if not seeds:
        raise nothing_to_index(settings, report)
    parts = _parts(settings, embedder, seeds, progress)
    ordered = [parts[name] for name in sorted(parts)]
    check_unique(p.record for p in ordered)
    tokens = part_tokens(ordered)
    stats = KeywordStats.of(t for rows in tokens for t in rows)
    alias = milvus.config.alias
    drop_leftovers(milvus)
    version = new_version(sorted(p.record.sha256 for p in ordered), settings)
    collection = f"{alias}_{version.replace('-', '_')}"
    total = sum(len(p.passages) for p in ordered)
    search = create(milvus, collection, embedder.dimension, total)
    records, next_row = insert(milvus, collection, ordered, tokens, stats.avgdl, 0, settings, progress)
    ids = spread(0, total, BASELINE)
    manifest = manifest_of(version, embedder, settings, {r.source: r.sha256 for r in records}, stats, report)
    sentences = sum(len(p.sentences) for part in ordered for p in part.passages)
    milvus.write(collection, properties(manifest, records, stats, search, ids, next_row, [], sentences))
    milvus.call("alter_alias" if milvus.served() else "create_alias", collection_name=collection, alias=alias)
    drop_old(milvus, keep={collection})
    report.added = sorted(parts)
    _finish(report, manifest, records, sentences)


def _incremental(
    milvus: Milvus,
    collection: str,
    settings: Settings,
    embedder: Embedder,
    seeds: list[Seed],
    report: BuildReport,
    progress: Progress | None,
) -> None:
    state = milvus.state(collection, ("videos", "keyword", "layout"))
    layout = state["layout"]
    stats = KeywordStats.from_record(state["keyword"])
    videos = {v["source"]: video_from_json(v) for v in state["videos"]}
    # A killed build's work: deletes it committed but did not do, rows it wrote but never committed.
    delete(milvus, collection, layout["pending"])
    milvus.call("delete", collection_name=collection, filter=f"id >= {int(layout['next_row'])}")
    todo = plan(seeds, report.failures, videos, settings.seeds_dir)
    todo.fill(report)
    gone = todo.removed
    if not seeds and not todo.kept:
        raise nothing_to_index(settings, report)
    parts = _parts(settings, embedder, todo.fresh, progress) if todo.fresh else {}
    ordered = [parts[n] for n in sorted(parts)]
    check_unique(
        [*(p.record for p in ordered), *(v for n, v in videos.items() if n not in parts and n not in gone)]
    )
    tokens = part_tokens(ordered)
    start = int(layout["next_row"])
    records, next_row = insert(milvus, collection, ordered, tokens, stats.avgdl, start, settings, progress)
    pending: list[list[Any]] = []
    dropped_sentences = 0
    for name in [*report.changed, *gone]:
        old = videos.pop(name)
        for row_tokens, count in tokens_of(milvus, collection, old, start):
            stats.add(row_tokens, -1)
            dropped_sentences += count
        pending.append([old.video_id, start])
    for rows in tokens:
        for row_tokens in rows:
            stats.add(row_tokens)
    videos.update({r.source: r for r in records})
    kept_records = [with_language(milvus, collection, videos[n]) for n in sorted(videos)]
    # The baseline sample keeps its share of old rows and takes the new rows' share from them.
    share = round(BASELINE * (next_row - start) / max(stats.documents, 1))
    baseline = (
        sample([*layout["baseline"], *spread(start, next_row, share)])
        if next_row > start
        else layout["baseline"]
    )
    sentences = int(layout.get("sentences", 0)) + sum(
        len(p.sentences) for part in ordered for p in part.passages
    )
    version = new_version(sorted(v.sha256 for v in kept_records), settings)
    manifest = manifest_of(
        version, embedder, settings, {v.source: v.sha256 for v in kept_records}, stats, report
    )
    props = properties(
        manifest,
        kept_records,
        stats,
        layout["search"],
        baseline,
        next_row,
        pending,
        sentences - dropped_sentences,
    )
    milvus.write(collection, props)
    delete(milvus, collection, pending)
    milvus.write(collection, {"layout": {**props["layout"], "pending": []}})
    _finish(report, manifest, kept_records, sentences - dropped_sentences)


def _finish(report: BuildReport, manifest: Manifest, records: list[VideoRecord], sentences: int) -> None:
    report.version = manifest.version
    report.videos = [r.video_id for r in records]
    report.passages = manifest.counts["passages"]
    report.sentences = sentences
