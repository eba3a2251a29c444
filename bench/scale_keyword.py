"""The keyword side of ``bench.scale``: the product's bm25s index over synthetic passages."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench import synthetic
from bench.timing import MB, latencies, percentile, rss
from rag.keyword import Analyzer, KeywordIndex

POOL = 50


def report(real: synthetic.Real, sizes: list[int]) -> None:
    """Print build time, Kiwi's share extrapolated, memory and search time at each size."""
    analyzer = Analyzer()
    texts = synthetic.real_texts()
    analyzer.tokens(texts[0])  # loads Kiwi's model
    kiwi_started = time.perf_counter()
    for text in texts:
        analyzer.tokens(text)
    kiwi_ms = (time.perf_counter() - kiwi_started) * 1000 / len(texts)
    questions = [t for t in (analyzer.tokens(q) for q in real.question_texts) if t]
    print(
        f"\nkeyword (bm25s via KeywordIndex; synthetic token lists, Kiwi skipped: "
        f"{kiwi_ms:.2f} ms/passage measured, extrapolated below), top {POOL} of {len(questions)} real questions"
    )
    print(
        f"  {'passages':>9}{'build s':>9}{'Kiwi min':>11}{'sparse MB':>11}{'RSS MB':>9}{'p50 ms':>9}{'p99 ms':>9}"
    )
    for n in sizes:
        print(line(real, n, questions, kiwi_ms), flush=True)


def line(real: synthetic.Real, n: int, questions: list[list[str]], kiwi_ms: float) -> str:
    """One size's row: built as the product builds it, saved and loaded back as it serves it."""
    docs = synthetic.passage_tokens(real.passage_tokens, n)
    started = time.perf_counter()
    index = KeywordIndex.build(docs)
    build_s = time.perf_counter() - started
    del docs
    with tempfile.TemporaryDirectory() as tmp:
        index.save(Path(tmp))
        del index
        # The sparse matrix: bm25s keeps it as three arrays, saved one .npy file each.
        sparse = sum(f.stat().st_size for f in Path(tmp).glob("*.npy"))
        before = rss()
        index = KeywordIndex.load(Path(tmp))
        grown = rss() - before
    one = latencies(lambda i: index.search(questions[i % len(questions)], POOL), 300)
    return (
        f"  {n:>9,}{build_s:9.1f}{kiwi_ms * n / 60_000:11.1f}{sparse / MB:11.0f}{grown / MB:9.0f}"
        f"{percentile(one, 50):9.2f}{percentile(one, 99):9.2f}"
    )
