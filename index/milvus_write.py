"""Writing a Milvus build: rows in batches, the properties that commit a version, deletes, old
collections (the steps ``index.milvus_build`` orders)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from index.parts import BuildReport, Progress, chunk_settings, chunking, left_out_fields, prompts
from index.reuse import VideoPart
from rag import ann, bm25sparse
from rag.bm25sparse import KeywordStats
from rag.corpus import positions, spread
from rag.embedder import Embedder
from rag.keyword import analyzer_signature
from rag.languages import spoken
from rag.manifest import Manifest, VideoRecord, passage_from_json, passage_json
from rag.milvus import SECOND_LAYOUT, SECOND_MAX, SENTENCE_LAYOUT, SENTENCES_MAX, VARCHAR_MAX, Milvus
from rag.milvus_corpus import encode_vectors, vector_chars, video_filter
from rag.second import second_model_id
from rag.settings import Settings

BATCH = 256
BASELINE = 1024
# Server indexes: HNSW graphs search a filtered subset well and need no training.
HNSW = {"M": 16, "efConstruction": 200}
HNSW_EF = 128


def sample(ids: list[int]) -> list[int]:
    if len(ids) <= BASELINE:
        return sorted(ids)
    ordered = sorted(ids)
    return [ordered[i] for i in spread(0, len(ordered), BASELINE)]


def tokens_of(
    milvus: Milvus, collection: str, video: VideoRecord, before: int
) -> list[tuple[list[str], int]]:
    """The keyword tokens and sentence count of each of a video's rows written before ``before``."""
    found = milvus.call(
        "query",
        collection_name=collection,
        filter=f"{video_filter(video.video_id)} and id < {before}",
        output_fields=["tokens", "passage"],
        limit=max(video.passages, 1),
    )
    return [(json.loads(r["tokens"]), len(json.loads(r["passage"])["sentences"])) for r in found or []]


def with_language(milvus: Milvus, collection: str, video: VideoRecord) -> VideoRecord:
    """``video`` with its language, read from its rows where a collection built before videos
    recorded it has none (rag.languages): once, at build, rather than at each version's first question."""
    if video.language is not None:
        return video
    found = milvus.call(
        "query",
        collection_name=collection,
        filter=video_filter(video.video_id),
        output_fields=["passage"],
        limit=max(video.passages, 1),
    )
    return replace(video, language=spoken(passage_from_json(json.loads(r["passage"])) for r in found or []))


def delete(milvus: Milvus, collection: str, pending: Iterable[list[Any]]) -> None:
    for video_id, before in pending:
        milvus.call(
            "delete", collection_name=collection, filter=f"{video_filter(video_id)} and id < {int(before)}"
        )


def manifest_of(
    version: str,
    embedder: Embedder,
    settings: Settings,
    seeds: dict[str, str],
    stats: KeywordStats,
    report: BuildReport,
) -> Manifest:
    return Manifest(
        version=version,
        model_id=embedder.model_id,
        dimension=embedder.dimension,
        prompts=prompts(settings),
        chunking=chunking(settings),
        seeds=dict(sorted(seeds.items())),
        counts={"videos": len(seeds), "passages": stats.documents},
        dense_index={"type": "milvus"},
        analyzer=analyzer_signature(),
        second_model=second_model_id(embedder.model_id),
        **left_out_fields(report),
    )


def properties(
    manifest: Manifest,
    records: list[VideoRecord],
    stats: KeywordStats,
    search: dict[str, Any],
    baseline: list[int],
    next_row: int,
    pending: list[list[Any]],
    sentences: int,
) -> dict[str, Any]:
    layout = {
        "search": search,
        "baseline": baseline,
        "next_row": next_row,
        "pending": pending,
        "sentences": sentences,
        "sentence_vectors": SENTENCE_LAYOUT,
        "second_vectors": SECOND_LAYOUT,
    }
    return {
        "keyword": stats.record(),
        "videos": [asdict(r) for r in records],
        "layout": layout,
        # Last: a collection without a manifest is a build that did not finish.
        "manifest": asdict(manifest),
    }


def insert(
    milvus: Milvus,
    collection: str,
    parts: list[VideoPart],
    tokens: list[list[list[str]]],
    avgdl: float,
    start: int,
    settings: Settings,
    progress: Progress | None,
) -> tuple[list[VideoRecord], int]:
    overlap = chunk_settings(settings).overlap_sentences
    rows: list[dict[str, Any]] = []
    records: list[VideoRecord] = []
    row = start
    total = sum(len(p.passages) for p in parts)
    done = 0
    for part, part_tokens in zip(parts, tokens, strict=True):
        sentence = 0
        seconds = [""] * len(part.passages) if part.second is None else encode_vectors(part.second)
        for p, at, vector, t, second in zip(
            part.passages, positions(part.passages, overlap), part.dense, part_tokens, seconds, strict=True
        ):
            count = len(p.sentences)
            encoded = encode_vectors(part.sentences[sentence : sentence + count])
            sentence += count
            rows.append(
                {
                    "id": row,
                    "video_id": p.video_id,
                    "position": at,
                    "passage": json.dumps(passage_json(p), ensure_ascii=False),
                    "tokens": json.dumps(t, ensure_ascii=False),
                    "sentences": encoded,
                    "second": second,
                    "vector": np.asarray(vector, dtype=np.float32).tolist(),
                    "sparse": bm25sparse.document(t, avgdl) or {0: 0.0},
                }
            )
            row += 1
            if len(rows) == BATCH:
                done += flush(milvus, collection, rows, done, total, progress)
        records.append(part.record)
    done += flush(milvus, collection, rows, done, total, progress)
    return records, row


def flush(
    milvus: Milvus,
    collection: str,
    rows: list[dict[str, Any]],
    done: int,
    total: int,
    progress: Progress | None,
) -> int:
    if not rows:
        return 0
    milvus.call("insert", collection_name=collection, data=rows)
    n = len(rows)
    rows.clear()
    if progress:
        progress("writing milvus rows", done + n, total)
    return n


def ours(milvus: Milvus) -> list[str]:
    pattern = re.compile(rf"^{re.escape(milvus.config.alias)}_\d{{8}}T\d+_[0-9a-f]{{8}}$")
    return sorted(n for n in milvus.call("list_collections") or [] if pattern.match(n))


def drop_leftovers(milvus: Milvus) -> None:
    """Collections of killed builds: ours by name, without a manifest, not served."""
    served = milvus.served()
    for name in ours(milvus):
        if name != served and milvus.read(name, "manifest") is None:
            milvus.call("drop_collection", collection_name=name)


def drop_old(milvus: Milvus, keep: set[str], previous: int = 1) -> None:
    """All but the served collection and the one before it (servers still swapping read it)."""
    finished = [n for n in ours(milvus) if n not in keep]
    for name in finished[: max(len(finished) - previous, 0)]:
        milvus.call("drop_collection", collection_name=name)


def create(milvus: Milvus, collection: str, dimension: int, rows: int) -> dict[str, Any]:
    """Create the collection and its indexes; the dense index's search parameters."""
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("video_id", DataType.VARCHAR, max_length=512)
    schema.add_field("position", DataType.INT64)
    for name in ("passage", "tokens"):
        schema.add_field(name, DataType.VARCHAR, max_length=VARCHAR_MAX)
    schema.add_field(
        "sentences",
        DataType.ARRAY,
        element_type=DataType.VARCHAR,
        max_capacity=SENTENCES_MAX,
        max_length=vector_chars(dimension),
    )
    # A passage's second-encoder vector (rag.second) in base64, "" where none is used.
    schema.add_field("second", DataType.VARCHAR, max_length=vector_chars(SECOND_MAX))
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    params = milvus.client().prepare_index_params()
    if not milvus.config.lite:
        params.add_index("vector", index_type="HNSW", metric_type="IP", params=HNSW)
        search: dict[str, Any] = {"ef": HNSW_EF}
    elif rows * dimension <= ann.EXACT_MAX_CELLS:
        params.add_index("vector", index_type="FLAT", metric_type="IP")
        search = {}
    else:
        spec = ann.ivf_for(rows)
        params.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": spec.nlist})
        search = {"nprobe": spec.nprobe}
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    # Strong: a question right after a build sees its rows (and not the deleted ones).
    milvus.call(
        "create_collection",
        collection_name=collection,
        schema=schema,
        index_params=params,
        consistency_level="Strong",
    )
    return search
