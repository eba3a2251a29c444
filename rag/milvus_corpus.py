"""A Milvus collection served as a ``Corpus`` (layout: ``rag.milvus``).

A server holds only the manifest, the videos, the keyword statistics and a baseline sample of
vectors; each question searches Milvus twice (dense and sparse, each with the video filter) and
fetches the rows it reads in one query.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from rag import bm25sparse
from rag.bm25sparse import KeywordStats
from rag.chunking import Passage
from rag.corpus import Ranked, Vector
from rag.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.keyword import Spellings, analyzer_signature, bm25_idf
from rag.manifest import (
    SCHEMA_VERSION,
    Manifest,
    VideoRecord,
    check_compatible,
    passage_from_json,
    video_from_json,
)
from rag.milvus import SECOND_LAYOUT, Milvus, guarded

ROW_FIELDS = ["id", "position", "passage", "vector", "sentences"]


def vector_chars(dimension: int) -> int:
    """The length of one vector in base64: 4 bytes a float, 4 characters for every 3 bytes begun."""
    return 4 * -(-4 * dimension // 3)


def encode_vectors(vectors: Vector) -> list[str]:
    """One base64 string of float32s per vector (an element of the ``sentences`` ARRAY)."""
    rows = np.ascontiguousarray(vectors, dtype="<f4")
    return [base64.b64encode(row.tobytes()).decode("ascii") for row in rows]


def decode_vectors(value: str | list[str], dimension: int) -> Vector:
    """The vectors ``encode_vectors`` wrote, or one string of all of them (a collection built before
    the ARRAY, served until the next build replaces it)."""
    parts = [value] if isinstance(value, str) else value
    data = b"".join(base64.b64decode(v) for v in parts)
    return np.frombuffer(data, dtype="<f4").reshape(-1, dimension).astype(np.float32)


def decode_vector(value: str) -> Vector:
    """One vector ``encode_vectors`` wrote, of any width (a row's second-encoder vector)."""
    return np.frombuffer(base64.b64decode(value), dtype="<f4").astype(np.float32)


def video_filter(video_id: str | None) -> str:
    # A JSON string is a valid Milvus string literal: quotes and backslashes escaped.
    return "" if video_id is None else f"video_id == {json.dumps(video_id, ensure_ascii=False)}"


class MilvusRows:
    """The rows a question fetched, by id; a row it did not fetch is fetched on first read."""

    def __init__(self, corpus: MilvusCorpus, ids: Iterable[int]) -> None:
        self._corpus = corpus
        self._rows: dict[int, dict[str, Any]] = {}
        self._parsed: dict[int, Passage] = {}
        self._sentences: dict[int, Vector] = {}
        self._second: dict[int, Vector | None] = {}
        # Rows asked for and not found: deleted, or past a video's last row.
        self._gone: set[int] = set()
        self._fetch(list(ids))

    def _fetch(self, ids: list[int]) -> None:
        wanted = [i for i in ids if i not in self._rows]
        for row in self._corpus.fetch(wanted):
            self._rows[int(row["id"])] = row
        self._gone.update(i for i in wanted if i not in self._rows)

    def _row(self, row: int) -> dict[str, Any]:
        if row not in self._rows:
            self._fetch([row])
        if row not in self._rows:
            raise IndexCorruptError(
                f"{self._corpus.where}: row {row} is gone (the index changed mid-question)"
            )
        return self._rows[row]

    def has(self, row: int) -> bool:
        if row not in self._rows and row not in self._gone:
            self._fetch([row])
        return row in self._rows

    def passage(self, row: int) -> Passage:
        if row not in self._parsed:
            self._parsed[row] = passage_from_json(json.loads(self._row(row)["passage"]))
        return self._parsed[row]

    def position(self, row: int) -> int:
        return int(self._row(row)["position"])

    def vector(self, row: int) -> Vector:
        return np.asarray(self._row(row)["vector"], dtype=np.float32)

    def sentence_vectors(self, row: int) -> Vector:
        # Read once per candidate for its score, then once per sentence for the answer span.
        if row not in self._sentences:
            self._sentences[row] = decode_vectors(
                self._row(row)["sentences"], self._corpus.manifest.dimension
            )
        return self._sentences[row]

    def second_vector(self, row: int) -> Vector | None:
        # A collection built before second vectors holds none: the Searcher computes them (rag.second).
        if row not in self._second:
            value = self._row(row).get("second")
            self._second[row] = decode_vector(value) if value else None
        return self._second[row]


class MilvusCorpus:
    def __init__(
        self,
        milvus: Milvus,
        collection: str,
        manifest: Manifest,
        videos: dict[str, VideoRecord],
        stats: KeywordStats,
        search: dict[str, Any],
        baseline_ids: list[int],
        second: bool = False,
    ) -> None:
        self.milvus, self.collection = milvus, collection
        # Whether its rows have a field for second-encoder vectors (rag.milvus.SECOND_LAYOUT).
        self._fields = [*ROW_FIELDS, "second"] if second else ROW_FIELDS
        self._manifest, self._videos, self._stats, self._search = manifest, videos, stats, search
        self._spellings = Spellings(set(stats.df))
        rows = self.fetch(baseline_ids) if baseline_ids else []
        self._baseline = np.asarray(
            [r["vector"] for r in sorted(rows, key=lambda r: int(r["id"]))], np.float32
        )

    @property
    def where(self) -> str:
        return f"{self.milvus.config.where}, collection {self.collection}"

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def videos(self) -> Mapping[str, VideoRecord]:
        return self._videos

    @property
    def size(self) -> int:
        return self._stats.documents

    def _ranked(self, found: Any) -> Ranked:
        hits = [(int(h["id"]), float(h["distance"])) for h in (found[0] if found else [])]
        # Ties in the order the in-memory index breaks them: lower row first.
        return sorted(hits, key=lambda item: (-item[1], item[0]))

    def dense(self, vector: Vector, k: int, video_id: str | None) -> Ranked:
        return self._dense(vector, k, video_filter(video_id))

    def dense_among(self, vector: Vector, k: int, videos: Sequence[str]) -> Ranked:
        # A JSON list of strings is a valid Milvus list literal (see video_filter).
        return self._dense(vector, k, f"video_id in {json.dumps(list(videos), ensure_ascii=False)}")

    def _dense(self, vector: Vector, k: int, where: str) -> Ranked:
        params = dict(self._search)
        if "ef" in params:
            params["ef"] = max(int(params["ef"]), k)
        found = self.milvus.call(
            "search",
            collection_name=self.collection,
            data=[np.asarray(vector, dtype=np.float32).tolist()],
            anns_field="vector",
            limit=k,
            filter=where,
            search_params={"metric_type": "IP", "params": params},
            output_fields=["id"],
        )
        return self._ranked(found)

    def keyword(self, tokens: list[str], k: int, video_id: str | None) -> Ranked:
        known = [t for t in self.expand(tokens) if t in self._stats.df]
        if not known:
            return []
        found = self.milvus.call(
            "search",
            collection_name=self.collection,
            data=[bm25sparse.query(known, self.idf)],
            anns_field="sparse",
            limit=k,
            filter=video_filter(video_id),
            search_params={"metric_type": "IP", "params": {}},
            output_fields=["id"],
        )
        return [(row, score) for row, score in self._ranked(found) if score > 0]

    def expand(self, tokens: list[str]) -> list[str]:
        return self._spellings.expand(tokens)

    def idf(self, word: str) -> float:
        return bm25_idf(self._stats.documents, self._stats.df.get(word, 0))

    def indexed(self, word: str) -> bool:
        return word in self._stats.df

    def words(self) -> frozenset[str]:
        return frozenset(self._stats.df)

    def fetch(self, ids: list[int]) -> list[dict[str, Any]]:
        if not ids:
            return []
        found = self.milvus.call(
            "query", collection_name=self.collection, ids=ids, output_fields=self._fields
        )
        return list(found or [])

    def rows(self, ids: Iterable[int]) -> MilvusRows:
        return MilvusRows(self, ids)

    def baseline(self) -> Vector:
        return self._baseline

    def video_passages(self, video_id: str) -> list[Passage]:
        video = self._videos.get(video_id)
        if video is None:
            return []
        found = self.milvus.call(
            "query",
            collection_name=self.collection,
            filter=video_filter(video_id),
            output_fields=["id", "passage"],
            limit=max(video.passages, 1),
        )
        rows = sorted(found or [], key=lambda r: int(r["id"]))
        return [passage_from_json(json.loads(r["passage"])) for r in rows]

    def passages(self) -> Iterator[Passage]:
        for video_id in self._videos:
            yield from self.video_passages(video_id)


def load(milvus: Milvus, model_id: str | None = None, dimension: int | None = None) -> MilvusCorpus:
    """The served collection, refused when its manifest does not match this program and model."""
    collection = milvus.served()
    where = milvus.config.where
    if collection is None:
        raise IndexMissingError(f"no index in {where}: run 'rag index' (with RAG_STORE=milvus) to build one")
    return guarded(milvus, lambda: _load(milvus, collection, model_id, dimension))


def _load(milvus: Milvus, collection: str, model_id: str | None, dimension: int | None) -> MilvusCorpus:
    where = f"{milvus.config.where}, collection {collection}"
    state = milvus.state(collection, ("manifest", "videos", "keyword", "layout"))
    raw = state["manifest"]
    if not isinstance(raw, dict):
        raise IndexCorruptError(f"{where}: no manifest (a build did not finish)")
    if raw.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"{where}: schema version {raw.get('schema_version')!r}, this program reads {SCHEMA_VERSION}: "
            "run 'rag index' to rebuild"
        )
    manifest = Manifest(**raw)
    if model_id is not None:
        check_compatible(manifest, model_id, dimension, where)
    if manifest.analyzer != analyzer_signature():
        raise IndexMismatchError(
            f"{where} was built with keyword analyzer {manifest.analyzer!r}, this program has "
            f"{analyzer_signature()!r}: run 'rag index' to rebuild"
        )
    videos = {v["video_id"]: video_from_json(v) for v in state["videos"]}
    stats = KeywordStats.from_record(state["keyword"])
    layout = state["layout"]
    second = layout.get("second_vectors") == SECOND_LAYOUT
    return MilvusCorpus(
        milvus, collection, manifest, videos, stats, layout["search"], layout["baseline"], second
    )
