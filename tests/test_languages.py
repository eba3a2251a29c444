"""Each video's language, and which videos a question's language sets apart (rag.languages)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import pytest

from index.build import build
from rag.chunking import INFO_SECTION, Passage, Span
from rag.corpus import Corpus
from rag.embedder import FakeEmbedder
from rag.foreign import script
from rag.languages import Languages, spoken
from rag.manifest import VideoRecord
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.settings import Settings
from rag.store import load_index
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"


def _passage(video: str, text: str, section: int = 0) -> Passage:
    return Passage(f"{video}:{text}", video, section, None, 0, 1000, False, text, (Span(0, len(text)),))


def _record(video: str, language: str | None) -> VideoRecord:
    return VideoRecord(
        video, video, "", None, None, 0, "", {}, f"{video}.txt", "0" * 64, 1, language=language
    )


@dataclass
class _Corpus:
    """The two things Languages reads of a corpus; counts the passages it fetched."""

    videos: dict[str, VideoRecord]
    texts: dict[str, list[Passage]]
    fetched: list[str] = field(default_factory=list)

    def video_passages(self, video_id: str) -> list[Passage]:
        self.fetched.append(video_id)
        return self.texts[video_id]


def _languages(corpus: Any) -> Languages:
    return Languages(cast(Corpus, corpus))


def test_a_video_speaks_the_script_most_of_its_passages_are_written_in() -> None:
    english = [
        _passage("v", "제목: Subsea cables / Deep Dive", INFO_SECTION),
        _passage("v", "So the cable was laid in 1858."),
        _passage("v", "It reached Newfoundland, 그러니까 뉴펀들랜드."),
        _passage("v", "And it failed within weeks."),
    ]
    # The info passage's Korean labels don't count, and one Korean word in a passage outvoted.
    assert spoken(english) == "en"
    assert spoken([_passage("v", "ミツバチは3キロ飛ぶ。")]) == "ja"
    assert spoken([_passage("v", "1858 — 1866")]) is None
    assert spoken([]) is None


def test_whether_a_library_speaks_a_language_is_read_once() -> None:
    corpus = _Corpus(
        {"a": _record("a", "ko"), "n": _record("n", None)}, {"n": [_passage("n", "So it failed.")]}
    )
    languages = _languages(corpus)
    assert languages.speaks("en") and languages.speaks("ko") and not languages.speaks("ja")
    assert corpus.fetched == ["n"]


def test_a_question_sets_apart_the_videos_in_its_language_only_in_a_mixed_library() -> None:
    corpus = _Corpus({"a": _record("a", "ko"), "b": _record("b", "en"), "c": _record("c", "ko")}, {})
    languages = _languages(corpus)
    assert languages.split("ko") == (["a", "c"], ["b"])
    assert languages.split("en") == (["b"], ["a", "c"])
    # No video in the question's language, or a question with no letters: nothing to set apart.
    assert languages.split("ja") is None
    assert languages.split(None) is None
    assert _languages(_Corpus({"a": _record("a", "ko")}, {})).split("ko") is None
    # A video with no letters to tell its language by does not make a library mixed.
    numbers = _Corpus({"a": _record("a", "ko"), "n": _record("n", None)}, {"n": [_passage("n", "1858 1866")]})
    assert _languages(numbers).split("ko") is None
    numbers.videos["b"] = _record("b", "en")
    assert _languages(numbers).split("ko") == (["a"], ["n", "b"])
    assert corpus.fetched == []


def test_an_index_from_before_languages_were_recorded_reads_them_from_the_passages_once() -> None:
    corpus = _Corpus(
        {"a": _record("a", None), "b": _record("b", "en")},
        {"a": [_passage("a", "일본 정부가 지원했죠.")]},
    )
    languages = _languages(corpus)
    assert languages.split("ko") == (["a"], ["b"])
    assert languages.split("en") == (["b"], ["a"])
    assert corpus.fetched == ["a"]


def test_the_lean_moves_only_passages_in_the_questions_language(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("001_space.txt", "003_mitsubachi.txt"):
        shutil.copy(DATA / name, seeds / name)
    settings = make_settings(model="fake")
    build(settings, FakeEmbedder())
    index = load_index(settings.index_dir)
    japanese = {v for v, r in index.videos.items() if r.language == "ja"}
    question = "우주 정거장은 어떻게 만들었나요?"
    vector = FakeEmbedder().embed_batch([question], "query")[0]
    dense = RetrievalParams(mode="dense", sentence_weight=0.0)
    plain = Searcher(index, FakeEmbedder(), replace(dense, same_language=0.0)).search(question, 50)
    leaned = Searcher(index, FakeEmbedder(), replace(dense, same_language=0.5)).search(question, 50)
    # Scores shown stay true cosines; the ranking score of a passage written in Korean (the
    # Japanese video's info passage too: its labels are Korean) loses the lean.
    korean = {h.row for h in plain if script(h.passage.text) == "ko"}
    assert any(h.passage.section == INFO_SECTION and h.passage.video_id in japanese for h in plain)
    for hits in (plain, leaned):
        for h in hits:
            assert h.dense == pytest.approx(float(index.dense.reconstruct(h.row) @ vector), abs=1e-5)
            lean = 0.5 if hits is leaned and h.row in korean else 0.0
            assert h.score == pytest.approx(h.dense - lean, abs=1e-5)
    # So every Japanese passage now ranks above every Korean one, in the order it had.
    order = [h.row not in korean for h in leaned]
    assert order == sorted(order, reverse=True) and any(order) and not all(order)
    assert [h.row for h in leaned if h.row not in korean] == [h.row for h in plain if h.row not in korean]
