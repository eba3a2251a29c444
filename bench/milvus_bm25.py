"""Keyword search on Milvus: Milvus's own BM25 function against rag's sparse vectors (rag.bm25sparse).

Usage: .venv/bin/python -m bench.milvus_bm25
Under a minute.  The seed and the test transcripts (three videos) go into Milvus Lite twice, one
video at a time with a flush after each (as incremental builds write them), and into bm25s, the
FAISS store's keyword index, at once:

- Milvus's BM25 function over the same Kiwi morphemes joined by spaces, with its ``standard``
  analyzer (Lite has only ``standard`` and ``jieba``), k1 1.5 and b 0.75 as bm25s;
- rag's own sparse vectors, searched by inner product.

For every labelled question it compares each side's top 10 with bm25s's: the share of questions
whose top 10 is the same list, in the same order, and the mean overlap of the top 10 as sets.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from index.folder import parse_seeds
from index.parts import chunk_settings
from rag import bm25sparse
from rag.bm25sparse import KeywordStats
from rag.chunking import chunk_seed
from rag.evaluation import load_questions
from rag.keyword import Analyzer, KeywordIndex, bm25_idf
from rag.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
K = 10


def _collection(client: Any, name: str, builtin: bool) -> None:
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False)
    schema.add_field("id", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=builtin)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=2)
    params = client.prepare_index_params()
    params.add_index("vector", index_type="FLAT", metric_type="IP")
    if builtin:
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["text"],
                output_field_names=["sparse"],
            )
        )
        params.add_index(
            "sparse",
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": 1.5, "bm25_b": 0.75},
        )
    else:
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    client.create_collection(name, schema=schema, index_params=params)


def main() -> None:
    from pymilvus import MilvusClient

    seeds = Path(tempfile.mkdtemp())
    for source in [
        ROOT / "seeds" / "000_6959ead08c95735d.txt",
        *sorted((ROOT / "tests" / "data").glob("0*.txt")),
    ]:
        shutil.copy(source, seeds / source.name)
    settings = load_settings(seeds_dir=seeds)
    parsed = parse_seeds(seeds).seeds
    analyzer = Analyzer()
    videos = [
        [analyzer.passage_tokens(p.text) for p in chunk_seed(s, chunk_settings(settings))] for s in parsed
    ]
    everything = [t for video in videos for t in video]
    bm25 = KeywordIndex.build(everything)
    stats = KeywordStats.of(everything)
    db = Path(tempfile.mkdtemp()) / "bm25.db"
    client = MilvusClient(str(db))
    _collection(client, "builtin", True)
    _collection(client, "ours", False)
    row = 0
    for video in videos:
        rows = [{"id": row + i, "text": " ".join(t), "vector": [1.0, 0.0]} for i, t in enumerate(video)]
        client.insert("builtin", rows)
        ours = [
            {**r, "sparse": bm25sparse.document(t, stats.avgdl) or {0: 0.0}}
            for r, t in zip(rows, video, strict=True)
        ]
        client.insert("ours", ours)
        client.flush("builtin")
        client.flush("ours")
        row += len(video)
    questions = [q.question for q in load_questions(ROOT / "eval" / "questions.jsonl")]
    same = {"builtin": 0, "ours": 0}
    overlap = {"builtin": 0.0, "ours": 0.0}
    asked = 0
    for q in questions:
        tokens = [t for t in bm25.expand(analyzer.tokens(q)) if t in stats.df]
        truth = [r for r, _ in bm25.search(tokens, K)]
        if not truth:
            continue
        asked += 1
        found = {
            "builtin": client.search(
                "builtin", data=[" ".join(tokens)], anns_field="sparse", limit=K,
                search_params={"metric_type": "BM25"}, output_fields=["id"],
            ),
            "ours": client.search(
                "ours", data=[bm25sparse.query(tokens, lambda w: bm25_idf(stats.documents, stats.df[w]))],
                anns_field="sparse", limit=K, search_params={"metric_type": "IP"}, output_fields=["id"],
            ),
        }  # fmt: skip
        for name, result in found.items():
            # Best first, ties by row as bm25s breaks them.  Milvus Lite reports BM25 scores as
            # negative distances (a server reports them positive): the magnitude is the score.
            hits = sorted((-abs(h["distance"]), int(h["id"])) for h in result[0] if h["distance"])
            ids = [r for _, r in hits]
            same[name] += ids == truth
            overlap[name] += len(set(ids) & set(truth)) / len(truth)
    print(f"{len(videos)} videos, {len(everything)} passages, written one video at a time; {asked} questions")
    print(f"top {K} against bm25s (the FAISS store's keyword index): same list, mean overlap")
    for name, label in (
        ("builtin", "Milvus BM25 function, standard analyzer"),
        ("ours", "rag's sparse vectors"),
    ):
        print(f"  {label:42} {same[name] / asked:6.3f}  {overlap[name] / asked:6.3f}")
    client.close()
    shutil.rmtree(db.parent, ignore_errors=True)
    shutil.rmtree(seeds, ignore_errors=True)


if __name__ == "__main__":
    main()
