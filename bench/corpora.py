"""The question sets the fits learn from, each with the talks it is asked over.

A model fitted on one talk learns that talk: the answer and confidence models were fitted on the
seed's questions alone, and on new talks they withheld far more answers than the seed had taught
them to expect (docs/quality.md).  So bench.answers reads every corpus below, and reports how
each does when fitted on the others: the closest thing to a talk never seen.
A corpus's index is built where it is missing or stale, as `rag index` would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.embedder import Embedder
from rag.evaluation import Question, in_split, load_questions
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index


@dataclass(frozen=True)
class Corpus:
    name: str
    questions: Path
    seeds: Path
    index: Path


CORPORA = (
    Corpus("seed", Path("eval/questions.jsonl"), Path("seeds"), Path("var/index")),
    Corpus("videos", Path("eval/videos.jsonl"), Path("eval/videos"), Path("var/videos")),
    Corpus("ja", Path("eval/ja.jsonl"), Path("eval/ja"), Path("var/ja")),
    Corpus("ko", Path("eval/ko.jsonl"), Path("eval/ko"), Path("var/ko")),
    Corpus("ko2", Path("eval/ko2.jsonl"), Path("eval/ko2"), Path("var/ko2")),
    Corpus("mix", Path("eval/mix.jsonl"), Path("eval/mix"), Path("var/mix")),
    Corpus("mix2", Path("eval/mix2.jsonl"), Path("eval/mix2"), Path("var/mix2")),
    Corpus("mix3", Path("eval/mix3.jsonl"), Path("eval/mix3"), Path("var/mix3")),
    Corpus("mix4", Path("eval/mix4.jsonl"), Path("eval/mix4"), Path("var/mix4")),
    Corpus("mix5", Path("eval/mix5.jsonl"), Path("eval/mix5"), Path("var/mix5")),
    Corpus("mix6", Path("eval/mix6.jsonl"), Path("eval/mix6"), Path("var/mix6")),
    Corpus("mix7", Path("eval/mix7.jsonl"), Path("eval/mix7"), Path("var/mix7")),
    Corpus("mix8", Path("eval/mix8.jsonl"), Path("eval/mix8"), Path("var/mix8")),
    Corpus("mix9", Path("eval/mix9.jsonl"), Path("eval/mix9"), Path("var/mix9")),
    Corpus("mix10", Path("eval/mix10.jsonl"), Path("eval/mix10"), Path("var/mix10")),
    Corpus("mix11", Path("eval/mix11.jsonl"), Path("eval/mix11"), Path("var/mix11")),
    Corpus("mix12", Path("eval/mix12.jsonl"), Path("eval/mix12"), Path("var/mix12")),
    Corpus("mix13", Path("eval/mix13.jsonl"), Path("eval/mix13"), Path("var/mix13")),
    Corpus("mix14", Path("eval/mix14.jsonl"), Path("eval/mix14"), Path("var/mix14")),
    Corpus("mix15", Path("eval/mix15.jsonl"), Path("eval/mix15"), Path("var/mix15")),
    Corpus("mix16", Path("eval/mix16.jsonl"), Path("eval/mix16"), Path("var/mix16")),
    Corpus("mix17", Path("eval/mix17.jsonl"), Path("eval/mix17"), Path("var/mix17")),
    Corpus("mix18", Path("eval/mix18.jsonl"), Path("eval/mix18"), Path("var/mix18")),
    Corpus("mix19", Path("eval/mix19.jsonl"), Path("eval/mix19"), Path("var/mix19")),
    Corpus("mix20", Path("eval/mix20.jsonl"), Path("eval/mix20"), Path("var/mix20")),
    Corpus("mix21", Path("eval/mix21.jsonl"), Path("eval/mix21"), Path("var/mix21")),
    Corpus("mix22", Path("eval/mix22.jsonl"), Path("eval/mix22"), Path("var/mix22")),
    Corpus("mix23", Path("eval/mix23.jsonl"), Path("eval/mix23"), Path("var/mix23")),
    Corpus("mix24", Path("eval/mix24.jsonl"), Path("eval/mix24"), Path("var/mix24")),
    Corpus("mix25", Path("eval/mix25.jsonl"), Path("eval/mix25"), Path("var/mix25")),
    Corpus("mix26", Path("eval/mix26.jsonl"), Path("eval/mix26"), Path("var/mix26")),
    Corpus("mix27", Path("eval/mix27.jsonl"), Path("eval/mix27"), Path("var/mix27")),
    Corpus("mix28", Path("eval/mix28.jsonl"), Path("eval/mix28"), Path("var/mix28")),
    Corpus("mix29", Path("eval/mix29.jsonl"), Path("eval/mix29"), Path("var/mix29")),
    Corpus("mix30", Path("eval/mix30.jsonl"), Path("eval/mix30"), Path("var/mix30")),
    Corpus("mix31", Path("eval/mix31.jsonl"), Path("eval/mix31"), Path("var/mix31")),
    Corpus("mix32", Path("eval/mix32.jsonl"), Path("eval/mix32"), Path("var/mix32")),
    Corpus("mix33", Path("eval/mix33.jsonl"), Path("eval/mix33"), Path("var/mix33")),
    Corpus("mix34", Path("eval/mix34.jsonl"), Path("eval/mix34"), Path("var/mix34")),
    Corpus("mix35", Path("eval/mix35.jsonl"), Path("eval/mix35"), Path("var/mix35")),
    Corpus("mix36", Path("eval/mix36.jsonl"), Path("eval/mix36"), Path("var/mix36")),
    Corpus("mix37", Path("eval/mix37.jsonl"), Path("eval/mix37"), Path("var/mix37")),
    Corpus("mix38", Path("eval/mix38.jsonl"), Path("eval/mix38"), Path("var/mix38")),
    Corpus("mix39", Path("eval/mix39.jsonl"), Path("eval/mix39"), Path("var/mix39")),
)


def named(names: list[str] | None) -> tuple[Corpus, ...]:
    if not names:
        return CORPORA
    known = {c.name: c for c in CORPORA}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown corpus {', '.join(unknown)}: choose from {', '.join(known)}")
    return tuple(known[n] for n in names)


def searchers(
    corpora: tuple[Corpus, ...], split: str, settings: Settings, embedder: Embedder, params: RetrievalParams
) -> Iterator[tuple[Corpus, list[Question], Searcher]]:
    """Each corpus with its questions in ``split`` (none: skipped) and a Searcher over its index."""
    from index.build import build, stale_reason

    for corpus in corpora:
        questions = [q for q in load_questions(corpus.questions) if in_split(q, split)]
        if not questions:
            continue
        local = settings.model_copy(
            update={"seeds_dir": corpus.seeds, "index_dir": corpus.index, "store": "faiss"}
        )
        if stale_reason(local, embedder.model_id) is not None:
            build(local, embedder)
        index = load_index(corpus.index, embedder.model_id, embedder.dimension)
        yield corpus, questions, Searcher(index, embedder, params)
