"""Distinct moments: overlapping and touching passages of one section fold into one result."""

from __future__ import annotations

import pytest

from rag.chunking import (
    ChunkSettings,
    Passage,
    Span,
    chunk_seed,
    section_sentences,
    split_sentences,
    squash_text,
)
from rag.corpus import ListRows
from rag.corpus import positions as sentence_positions
from rag.moments import MOMENT_CHARS, Folder
from rag.seed import read_seed
from rag.sources import Source, read_source
from rag.video import Seed
from tests.conftest import ROOT, SEED


@pytest.fixture(scope="module")
def seed() -> Seed:
    return read_seed(SEED)


def folder_for(seed: Seed, settings: ChunkSettings) -> tuple[list[Passage], Folder]:
    passages = chunk_seed(seed, settings)
    return passages, Folder(ListRows(passages, settings.overlap_sentences))


def sentence_texts(p: Passage) -> list[str]:
    return [p.text[s.start : s.end] for s in p.sentences]


@pytest.mark.parametrize("settings", [ChunkSettings(), ChunkSettings(200, 0), ChunkSettings(120, 3)])
def test_positions_name_each_passage_sentences_in_its_section(seed: Seed, settings: ChunkSettings) -> None:
    passages = chunk_seed(seed, settings)
    positions = sentence_positions(passages, settings.overlap_sentences)
    by_number = {s.number: s for s in seed.sections}
    for p, at in zip(passages, positions, strict=True):
        if p.section not in by_number:
            continue
        section = by_number[p.section]
        spans = split_sentences(section.text, settings.max_chars)
        wanted = [section.text[s.start : s.end] for s in spans[at : at + len(p.sentences)]]
        assert sentence_texts(p) == wanted


FORMATS = ROOT / "tests" / "data" / "formats"


@pytest.mark.parametrize(
    "source",
    [
        Source(FORMATS / "Xq7LmN2pR4s.ko.vtt", FORMATS / "Xq7LmN2pR4s.info.json"),
        Source(FORMATS / "haenyeo_talk.srt"),
        Source(FORMATS / "coffee_lecture.json"),
    ],
    ids=lambda s: s.kind,
)
@pytest.mark.parametrize("settings", [ChunkSettings(), ChunkSettings(200, 0), ChunkSettings(120, 3)])
def test_positions_name_each_passage_sentences_in_cue_sections(
    source: Source, settings: ChunkSettings
) -> None:
    """The same invariant for subtitles and speech-to-text, whose sentences are runs of cues."""
    seed = read_source(source)
    passages = chunk_seed(seed, settings)
    positions = sentence_positions(passages, settings.overlap_sentences)
    by_number = {s.number: s for s in seed.sections}
    checked = 0
    for p, at in zip(passages, positions, strict=True):
        if p.section not in by_number:
            continue
        section = by_number[p.section]
        spans = section_sentences(section, settings.max_chars)
        assert p.sentences == tuple(
            Span(s.start - spans[at].start, s.end - spans[at].start, s.start_ms, s.end_ms)
            for s in spans[at : at + len(p.sentences)]
        )
        checked += 1
    assert checked == len(passages) - 1


def pair_in_one_section(passages: list[Passage]) -> int:
    return next(
        i
        for i in range(1, len(passages) - 1)
        if passages[i].section == passages[i + 1].section and len(passages[i].sentences) >= 3
    )


def test_overlapping_passages_become_one_moment(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings())
    i = pair_in_one_section(passages)
    a, b = passages[i], passages[i + 1]
    # b is ranked higher: the moment keeps its score, starts where a starts, ends where b ends.
    moments = folder.fold([(i + 1, 0.9), (i, 0.7)], k=5)
    assert len(moments) == 1
    merged, rows = folder.passage(moments[0])
    assert moments[0].score == 0.9 and moments[0].best == i + 1
    assert (merged.start_ms, merged.end_ms, merged.estimated) == (a.start_ms, b.end_ms, a.estimated)
    shared = sentence_texts(a)[-2:]
    assert sentence_texts(b)[:2] == shared
    texts = sentence_texts(merged)
    assert texts == sentence_texts(a) + sentence_texts(b)[2:]
    assert len(texts) == len(set(texts))
    assert squash_text(a.text) in squash_text(merged.text) and squash_text(b.text) in squash_text(merged.text)
    assert len(rows) == len(texts) and rows[0] == (i, 0)


def test_touching_passages_become_one_moment(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings(200, 0))
    i = pair_in_one_section(passages)
    moments = folder.fold([(i, 0.8), (i + 1, 0.6)], k=5)
    assert len(moments) == 1
    merged, _ = folder.passage(moments[0])
    assert sentence_texts(merged) == sentence_texts(passages[i]) + sentence_texts(passages[i + 1])


def test_a_single_passage_is_returned_as_it_is(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings())
    merged, rows = folder.passage(folder.fold([(5, 1.0)], k=1)[0])
    assert merged is passages[5] and rows == ()


def test_passages_of_different_sections_stay_apart(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings())
    i = next(i for i in range(1, len(passages) - 1) if passages[i].section != passages[i + 1].section)
    assert len(folder.fold([(i, 0.9), (i + 1, 0.8)], k=5)) == 2


def test_a_long_run_is_capped_and_never_shows_a_sentence_twice(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings())
    # Every passage ranked in order: neighbours would chain whole sections together.
    ranked = [(row, 1.0 - row / 1000) for row in range(len(passages))]
    moments = folder.fold(ranked, k=50)
    shown: set[tuple[int, int]] = set()
    for m in moments:
        merged, _ = folder.passage(m)
        assert len(merged.text) <= MOMENT_CHARS
        own = {(m.section, g) for g in range(m.lo, m.hi)}
        assert not own & shown
        shown |= own
    # The first moment of the script (the info passage comes first) grew near the cap.
    assert len(folder.passage(moments[1])[0].text) > 300


def test_first_results_do_not_depend_on_k(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings())
    ranked = [(row, 1.0 - row / 1000) for row in range(0, len(passages), 3)]
    three = folder.fold(ranked, k=3)
    ten = folder.fold(ranked, k=10)
    assert [(m.lo, m.hi, m.section) for m in three] == [(m.lo, m.hi, m.section) for m in ten[:3]]


def test_a_moment_of_cue_passages_keeps_exact_times() -> None:
    seed = read_source(Source(FORMATS / "haenyeo_talk.srt"))
    passages, folder = folder_for(seed, ChunkSettings())
    i = pair_in_one_section(passages)
    a, b = passages[i], passages[i + 1]
    merged, _ = folder.passage(folder.fold([(i + 1, 0.9), (i, 0.7)], k=5)[0])
    assert (merged.start_ms, merged.end_ms, merged.estimated) == (a.start_ms, b.end_ms, False)
    assert [(s.start_ms, s.end_ms) for s in merged.sentences] == [
        *((s.start_ms, s.end_ms) for s in a.sentences),
        *((s.start_ms, s.end_ms) for s in b.sentences[2:]),
    ]
    # Capped, the moment grows from b back into a by one sentence: it starts inside passage a,
    # on that sentence's first cue, and its time is still exact.
    before = a.sentences[-3]
    cap = len(b.text) + 1 + before.end - before.start
    grown, _ = folder.passage(folder.fold([(i + 1, 0.9), (i, 0.7)], k=5, cap=cap)[0])
    assert grown.text == a.text[before.start : before.end] + " " + b.text
    assert (grown.start_ms, grown.estimated) == (before.start_ms, False)


def test_a_larger_k_only_adds_moments_after_the_first_ten(seed: Seed) -> None:
    passages, folder = folder_for(seed, ChunkSettings())
    # Every third passage first, then their neighbours: a larger k used to grow the first ten with
    # those neighbours, so `-k 15` showed other first results (and answer offsets) than `-k 10`.
    ranked = [(row, 1.0 - row / 1000) for row in range(0, len(passages), 3)]
    ranked += [(row, 0.5 - row / 1000) for row in range(1, len(passages), 3)]
    ten = folder.fold(ranked, k=10)
    for k in (11, 15, 30, 50):
        more = folder.fold(ranked, k=k)
        assert [(m.lo, m.hi, m.section) for m in more[:10]] == [(m.lo, m.hi, m.section) for m in ten]
        # The moments after the ten show no sentence of theirs.
        first = {(m.section, g) for m in ten for g in range(m.lo, m.hi)}
        assert len(more) > 10 and not any(
            (m.section, g) in first for m in more[10:] for g in range(m.lo, m.hi)
        )
    # Candidates of a larger pool come after the settled ten whatever their score.
    extra = folder.fold(ranked[:12], k=15, more=ranked[12:])
    assert [(m.lo, m.hi) for m in extra[:10]] == [(m.lo, m.hi) for m in folder.fold(ranked[:12], k=10)]
