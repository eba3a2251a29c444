"""Measure retrieval on an unpunctuated, chapterless caption file for section windows and cue runs.

Usage: .venv/bin/python -m bench.windows [--split dev] [--windows 60 120 …] [--runs 0 40 …]

A transcript of the kind that gets fixed windows: the seed's speech as YouTube's rolling
auto-captions (no punctuation, lines of about 20 characters, timed by character position inside
the seed's sections, no sidecar, so no chapters).  For each window length (seconds; 0 means one
section for the whole video) and each cue-run length (rag.chunking.CUE_SENTENCE_CHARS; 0 means
every cue is its own sentence) it builds a throwaway index with the configured model and prints
hit@1, hit@3, MRR@10 and answer over the answerable questions of eval/questions.jsonl, their
evidence stripped of punctuation like the transcript.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from index.build import build
from rag import chunking, sources
from rag.chunking import squash_text
from rag.embedder import Embedder, Kind, Vectors, load_embedder
from rag.evaluation import in_split, load_questions, run, score
from rag.retrieval import Searcher
from rag.seed import read_seed
from rag.settings import load_settings
from rag.splits import SPLITS
from rag.store import load_index

SEED = Path("seeds/000_6959ead08c95735d.txt")
WINDOWS = (60, 120, 180, 300, 600, 0)
RUNS = (0, 40, 80)
LINE_CHARS = 20
# What speech recognition for captions leaves out: sentence marks, commas, quotes.
_MARKS = re.compile(r"[.,?!…·\"'“”‘’()\[\]]")


def unpunctuated(text: str) -> str:
    return " ".join(_MARKS.sub(" ", text).split())


def _clock(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def caption_lines(seed_path: Path) -> list[tuple[int, int, str]]:
    """The seed's speech cut into caption lines at spaces, timed by character position."""
    lines: list[tuple[int, int, str]] = []
    for section in read_seed(seed_path).sections:
        words = unpunctuated(section.text).split()
        chunks: list[str] = []
        for word in words:
            if chunks and len(chunks[-1]) + 1 + len(word) <= LINE_CHARS:
                chunks[-1] += " " + word
            else:
                chunks.append(word)
        total = sum(len(c) + 1 for c in chunks)
        span, at = section.end_ms - section.start_ms, 0
        for chunk in chunks:
            start = section.start_ms + span * at // total
            at += len(chunk) + 1
            lines.append((start, section.start_ms + span * at // total, chunk))
    return lines


def rolling_vtt(lines: list[tuple[int, int, str]]) -> str:
    """YouTube's shape: a cue showing the line before and the new one with word times, then 10 ms alone."""
    out = ["WEBVTT", "Kind: captions", "Language: ko", ""]
    previous = " "
    for start, end, text in lines:
        words = text.split()
        step = max((end - 10 - start) // len(words), 1)
        timed = words[0] + "".join(
            f"<{_clock(start + k * step)}><c> {w}</c>" for k, w in enumerate(words[1:], 1)
        )
        out += [f"{_clock(start)} --> {_clock(end - 10)} align:start position:0%", previous, timed, ""]
        out += [f"{_clock(end - 10)} --> {_clock(end)} align:start position:0%", text, " ", ""]
        previous = text
    return "\n".join(out)


class Memo:
    """The model, remembering every vector: the settings share most of their texts."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.model_id, self.dimension = inner.model_id, inner.dimension
        self.seen: dict[tuple[str, str], Vectors] = {}

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        new = [t for t in dict.fromkeys(texts) if (kind, t) not in self.seen]
        if new:
            for text, row in zip(new, self.inner.embed_batch(new, kind), strict=True):
                self.seen[(kind, text)] = row
        return np.vstack([self.seen[(kind, t)] for t in texts]) if texts else self.inner.embed_batch([], kind)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", default="dev", choices=["dev", *SPLITS, "all"])
    parser.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"))
    parser.add_argument("--windows", type=int, nargs="+", default=list(WINDOWS))
    parser.add_argument("--runs", type=int, nargs="+", default=list(RUNS))
    args = parser.parse_args()
    base = load_settings()
    embedder = Memo(load_embedder(base))
    lines = caption_lines(SEED)
    spoken = " ".join(text for _, _, text in lines)
    questions = []
    for q in load_questions(args.questions):
        if q.answerable and q.kind != "video" and in_split(q, args.split) and q.evidence:
            evidence = unpunctuated(q.evidence)
            if evidence in spoken:  # a few span a section boundary of the seed
                questions.append(replace(q, evidence=evidence))
    print(f"{len(questions)} answerable questions, split={args.split}, {len(lines)} caption lines")
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        seeds.mkdir()
        (seeds / "PR3c4Q63rOs.ko.vtt").write_text(rolling_vtt(lines), encoding="utf-8")
        for window in args.windows:
            for chars in args.runs:
                sources.SECTION_WINDOW_MS = (window or 1_000_000) * 1000
                chunking.CUE_SENTENCE_CHARS = chars
                settings = base.model_copy(
                    update={"seeds_dir": seeds, "index_dir": Path(tmp) / f"index-{window}-{chars}"}
                )
                started = time.perf_counter()
                report = build(settings, embedder)
                searcher = Searcher(load_index(settings.index_dir), embedder)
                # A window boundary can cut an evidence in two: no passage holds it, a miss.
                texts = [squash_text(p.text) for p in searcher.index.passages()]
                whole = [q for q in questions if any(squash_text(q.evidence or "") in t for t in texts)]
                outcomes = run(whole, partial(searcher.ask, k=10), list(searcher.index.passages()))
                row = score(outcomes, lambda q: ["all"]).rows["all"]
                share = len(whole) / len(questions)
                print(
                    f"window={window or 'whole':>5} s run={chars:3d} passages={report.passages:4d} "
                    f"sentences={report.sentences:4d} cut={len(questions) - len(whole):2d} "
                    f"hit@1={share * row['hit_rate@1']:.3f} hit@3={share * row['hit_rate@3']:.3f} "
                    f"mrr@10={share * row['mrr@10']:.3f} answer={share * row['answer']:.3f} "
                    f"({time.perf_counter() - started:.1f} s)",
                    flush=True,
                )


if __name__ == "__main__":
    main()
