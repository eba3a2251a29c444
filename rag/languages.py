"""The language each video of a library is spoken in, for ranking across languages.

e5-small scores a question higher against text in the question's own language than against the
same meaning in another.  In a library of one language that lean is the same for every passage and
changes nothing.  In a library that mixes languages it ranks a passage of another video in the
question's language above the English or Japanese passage that answers a Korean question: on the
development splits the answering passage came first for a quarter of such questions
(docs/quality.md).  So the Searcher takes ``RetrievalParams.same_language`` off the dense score of
passages in the question's language, and searches each side separately, because the passage that
answers can lie past the first hundred by raw cosine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rag.chunking import INFO_SECTION, Passage
from rag.corpus import Corpus
from rag.foreign import script


def spoken(passages: Iterable[Passage]) -> str | None:
    """The script most of a video's passages are written in (its info passage aside: its labels are
    Korean whatever the video's language)."""
    counts = Counter(script(p.text) for p in passages if p.section != INFO_SECTION)
    counts.pop(None, None)
    return counts.most_common(1)[0][0] if counts else None


class Languages:
    """Each video's language: as its index recorded it, or read from its passages on first need
    (an index built before videos recorded it)."""

    def __init__(self, corpus: Corpus) -> None:
        self._corpus = corpus
        self._of: dict[str, str | None] | None = None
        # Each question language's split, fixed for the index version: asked once per question.
        self._splits: dict[str | None, tuple[list[str], list[str]] | None] = {}
        self._spoken: frozenset[str | None] | None = None

    def of(self) -> dict[str, str | None]:
        if self._of is None:
            self._of = {
                vid: v.language if v.language is not None else spoken(self._corpus.video_passages(vid))
                for vid, v in self._corpus.videos.items()
            }
        return self._of

    def speaks(self, language: str) -> bool:
        """Whether some video of the library is in ``language`` (read once per index version, not
        over every video on every question)."""
        if self._spoken is None:
            self._spoken = frozenset(self.of().values())
        return language in self._spoken

    def split(self, language: str | None) -> tuple[list[str], list[str]] | None:
        """The videos in ``language`` and the others, or None where the library is not mixed: no
        video in the question's language, or none in another (a video of no known language, with
        no letters, does not make a library mixed, but is searched with the others)."""
        if language not in self._splits:
            self._splits[language] = self._split(language)
        return self._splits[language]

    def _split(self, language: str | None) -> tuple[list[str], list[str]] | None:
        if language is None:
            return None
        of = self.of()
        same = [vid for vid, lang in of.items() if lang == language]
        other = [vid for vid, lang in of.items() if lang != language]
        mixed = any(lang not in (None, language) for lang in of.values())
        return (same, other) if same and mixed else None
