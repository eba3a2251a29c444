from collections import Counter
from pathlib import Path

import pytest

from rag.chunking import ChunkSettings, chunk_seed, squash_text
from rag.errors import RagError
from rag.evaluation import Outcome, Question, format_misses, format_report, in_split, load_questions, score
from rag.seed import read_seed
from tests.conftest import ROOT, SEED

QUESTIONS = ROOT / "eval" / "questions.jsonl"
VIDEO_QUESTIONS = ROOT / "eval" / "videos.jsonl"
# Written out, not read from rag.evaluation: a split added or dropped there must be added here too.
SPLIT_NAMES = {
    "tune",
    "report",
    "holdout",
    "blind",
    "blind2",
    "blind3",
    "blind4",
    "blind5",
    "blind6",
    "blind7",
    "blind8",
    "blind9",
    "blind10",
    "blind11",
    "blind12",
}
VIDEO_SPLIT_NAMES = {"newdev", "blind13"}
JA_QUESTIONS = ROOT / "eval" / "ja.jsonl"


def test_the_question_set_covers_what_it_must() -> None:
    questions = load_questions(QUESTIONS)
    assert len(questions) >= 60 and len({q.id for q in questions}) == len(questions)
    langs = Counter(q.lang for q in questions)
    assert langs["en"] + langs["ja"] >= 12 and langs["ko"] > len(questions) / 2
    kinds = Counter(q.kind for q in questions)
    assert kinds["none"] >= 10 and all(kinds[k] for k in ("misheard", "paraphrase", "numeric", "video"))
    assert {q.split for q in questions} == SPLIT_NAMES
    assert all((q.kind == "none") == (q.evidence is None) for q in questions)


@pytest.mark.parametrize("settings", [ChunkSettings(), ChunkSettings(600, 0)])
def test_every_evidence_is_in_some_passage(settings: ChunkSettings) -> None:
    passages = [squash_text(p.text) for p in chunk_seed(read_seed(SEED), settings)]
    for q in load_questions(QUESTIONS):
        if q.evidence is not None:
            assert any(squash_text(q.evidence) in p for p in passages), q


def _q(qid: str, evidence: str | None) -> Question:
    return Question(qid, "ko", "fact", "report", "질문", evidence)


def test_score_uses_ranx_metrics_and_counts_flags() -> None:
    outcomes = [
        Outcome(_q("a", "x"), [("p1", 0.9), ("p2", 0.8)], {"p1"}, True, False),
        Outcome(_q("b", "y"), [("p1", 0.9), ("p2", 0.8)], {"p2"}, False, False),
        Outcome(_q("c", "z"), [], {"p3"}, False, True),
        Outcome(_q("d", None), [("p1", 0.5)], set(), False, True),
        Outcome(_q("e", None), [("p1", 0.5)], set(), False, False),
    ]
    row = score(outcomes).rows["overall"]
    assert row["hit_rate@1"] == pytest.approx(1 / 3)
    assert row["hit_rate@3"] == pytest.approx(2 / 3)
    assert row["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert row["section@1"] == pytest.approx(1 / 3)
    assert row["answered"] == pytest.approx(2 / 3) and row["flagged"] == pytest.approx(0.5)
    assert "hit_rate@1" in format_report(score(outcomes), "dense").splitlines()[0]


def test_bad_question_file(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "q1"}\n', encoding="utf-8")
    with pytest.raises(RagError, match=r"q\.jsonl:1: not a question record"):
        load_questions(path)


def test_splits_select_their_questions() -> None:
    questions = load_questions(QUESTIONS)
    counts = {name: sum(in_split(q, name) for q in questions) for name in ("dev", "report", "blind4", "all")}
    assert counts == {"dev": 900, "report": 36, "blind4": 70, "all": len(questions)}
    # Development: every split but the report split (and a blind split not yet spent, when there is one).
    assert {q.split for q in questions if in_split(q, "dev")} == SPLIT_NAMES - {"report"}


def test_the_question_set_over_three_videos() -> None:
    questions = load_questions(VIDEO_QUESTIONS)
    assert len({q.id for q in questions}) == len(questions) == 140
    assert {q.split for q in questions} == VIDEO_SPLIT_NAMES
    assert {q.lang for q in questions} == {"ko", "en", "ja"}
    assert all((q.kind == "none") == (q.evidence is None) for q in questions)
    # blind13 became development data once scored before and after a change (UNSPENT is empty).
    assert sum(q.split == "newdev" for q in questions) == 60
    assert sum(in_split(q, "dev") for q in questions) == 140
    passages = [
        squash_text(p.text)
        for path in sorted((ROOT / "eval" / "videos").glob("*.txt"))
        for p in chunk_seed(read_seed(path), ChunkSettings())
    ]
    assert len(passages) > 200
    for q in questions:
        if q.evidence is not None:
            assert sum(squash_text(q.evidence) in p for p in passages) >= 1, q


def test_misses_say_what_was_ranked_said_and_wanted() -> None:
    outcomes = [
        Outcome(_q("a", "x"), [("p1", 0.9)], {"p1"}, True, False, True, answer="x is it."),
        Outcome(_q("b", "y"), [("p1", 0.9), ("p2", 0.8)], {"p2"}, False, True, answer="not it."),
        Outcome(_q("c", "z"), [], {"p3"}, False, False),
        Outcome(_q("d", None), [("p1", 0.5)], set(), False, True, answer="withheld."),
        Outcome(_q("e", None), [("p1", 0.5)], set(), False, False, answer="said anyway."),
    ]
    assert format_misses(outcomes, "final").splitlines() == [
        "misses, final: 3 of 5 questions",
        "b (ko, fact) first relevant at 2, answer misses the evidence, withheld: 질문",
        "    said: not it.",
        "    wanted: y",
        "c (ko, fact) first relevant at -, answer misses the evidence, answered: 질문",
        "    said: -",
        "    wanted: z",
        "e (ko, fact) unanswerable, answered: 질문",
        "    said: said anyway.",
    ]


def test_the_question_set_over_a_japanese_talk() -> None:
    questions = load_questions(JA_QUESTIONS)
    assert len({q.id for q in questions}) == len(questions) == 120
    assert {q.split for q in questions} == {"blind14", "jadev"} and {q.lang for q in questions} == {
        "ko",
        "en",
        "ja",
    }
    assert all((q.kind == "none") == (q.evidence is None) for q in questions)
    # Spent (scored before and after a change): development data now.
    assert all(in_split(q, "dev") for q in questions)
    folder = ROOT / "eval" / "ja"
    passages = [
        squash_text(p.text)
        for path in sorted(folder.glob("*.txt"))
        for p in chunk_seed(read_seed(path), ChunkSettings())
    ]
    for q in questions:
        if q.evidence is not None:
            assert any(squash_text(q.evidence) in p for p in passages), q


def test_the_question_set_over_a_korean_interview() -> None:
    questions = load_questions(ROOT / "eval" / "ko.jsonl")
    assert len({q.id for q in questions}) == len(questions) == 60
    assert {q.split for q in questions} == {"blind15"} and {q.lang for q in questions} == {"ko", "en", "ja"}
    assert all((q.kind == "none") == (q.evidence is None) for q in questions)
    # Spent (scored before and after a change): development data now.
    assert all(in_split(q, "dev") for q in questions)
    folder = ROOT / "eval" / "ko"
    passages = [
        squash_text(p.text)
        for path in sorted(folder.glob("*.txt"))
        for p in chunk_seed(read_seed(path), ChunkSettings())
    ]
    for q in questions:
        if q.evidence is not None:
            assert any(squash_text(q.evidence) in p for p in passages), q
