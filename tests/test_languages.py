"""Each video's language, and which videos a question's language sets apart (rag.languages)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from rag.chunking import INFO_SECTION, Passage, Span
from rag.corpus import Corpus
from rag.languages import Languages, spoken
from rag.manifest import VideoRecord


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


def test_a_question_sets_apart_the_videos_in_its_language_only_in_a_mixed_library() -> None:
    corpus = _Corpus({"a": _record("a", "ko"), "b": _record("b", "en"), "c": _record("c", "ko")}, {})
    languages = _languages(corpus)
    assert languages.split("ko") == (["a", "c"], ["b"])
    assert languages.split("en") == (["b"], ["a", "c"])
    # No video in the question's language, or a question with no letters: nothing to set apart.
    assert languages.split("ja") is None
    assert languages.split(None) is None
    assert _languages(_Corpus({"a": _record("a", "ko")}, {})).split("ko") is None
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
