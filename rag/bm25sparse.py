"""BM25 as sparse vectors that Milvus searches by inner product, scoring exactly as bm25s does.

bm25s (the "lucene" variant, k1 1.5, b 0.75) scores a passage d for question words q as
``sum over q of idf(q) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))``.  A passage's sparse vector
carries the second factor for each of its words, the question's carries ``idf`` (times how often
the word occurs in the question), so their inner product is the BM25 score.  ``idf`` comes from
the document frequencies rag keeps, so adding or removing videos changes it at once; ``avgdl``
is the one of the last full build until the next.

Why not Milvus's own BM25 function: Milvus Lite offers only its ``standard`` (``\\w+``) and
``jieba`` tokenizers, and keeps BM25 statistics per segment, so its scores depend on how rows fell
into segments.  These vectors give the same scores as the FAISS store's bm25s index on any engine.
Words are hashed to 32-bit ids: no vocabulary table to keep in step across servers.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

K1 = 1.5
B = 0.75


def token_id(token: str) -> int:
    # Milvus reserves the largest 32-bit index.
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big") % 0xFFFF_FFFF


def document(tokens: list[str], avgdl: float) -> dict[int, float]:
    norm = K1 * (1 - B + B * len(tokens) / (avgdl or 1.0))
    out: dict[int, float] = {}
    for token, tf in Counter(tokens).items():
        key = token_id(token)
        out[key] = out.get(key, 0.0) + tf / (tf + norm)
    return out


def query(tokens: Iterable[str], idf: Callable[[str], float]) -> dict[int, float]:
    out: dict[int, float] = {}
    for token, count in Counter(tokens).items():
        key = token_id(token)
        out[key] = out.get(key, 0.0) + idf(token) * count
    return out


@dataclass
class KeywordStats:
    """What BM25 needs of the whole corpus: passage count, average length, document frequencies."""

    documents: int = 0
    avgdl: float = 0.0
    df: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, passages_tokens: Iterable[list[str]]) -> KeywordStats:
        stats = cls()
        lengths = 0
        for tokens in passages_tokens:
            stats.add(tokens)
            lengths += len(tokens)
        stats.avgdl = lengths / stats.documents if stats.documents else 0.0
        return stats

    def add(self, tokens: list[str], sign: int = 1) -> None:
        self.documents += sign
        for token in set(tokens):
            left = self.df.get(token, 0) + sign
            if left > 0:
                self.df[token] = left
            else:
                self.df.pop(token, None)

    def record(self) -> dict[str, object]:
        return {"documents": self.documents, "avgdl": self.avgdl, "df": self.df}

    @classmethod
    def from_record(cls, raw: Mapping[str, Any]) -> KeywordStats:
        df = raw["df"]
        if not isinstance(df, dict):
            raise ValueError(f"df should be an object, got {type(df).__name__}")
        return cls(int(raw["documents"]), float(raw["avgdl"]), {str(k): int(v) for k, v in df.items()})
