"""The order of the results written in another language than the question.

e5-small finds the right talk for a Korean question about an English or Japanese one, but inside
that talk it often ranks the passage that answers second or lower: its cosines across languages
say "on this subject" more than "this says it" (docs/quality.md, "A cross-language ranker").
The keyword side cannot help there (a Korean word matches no English passage), so among the
settled results written in another script than the question, the order is decided again by a
small listwise model over:

- the result's fused score and its cosine to the question (the order before);
- its cosine to the question's vector after a learned square map (384 by 384, ``adapter``),
  fitted on the development questions to bring a question nearer the passages that answer it
  (each cosine the best of the passages the result is made of);
- the share of the question's numbers and of its Latin-script words ("GPU", "ICU") the result
  states, which are written the same way in either language (an English question's words are
  the keyword side's to match: their share counts 0);
- its place and its length.

Only the places those results already hold are reordered: a result in the question's own script
keeps its place, so a question over talks in its language ranks as before, and so does a video's
info passage (its labels are Korean whatever the talk's language).  A moved result takes
the score of the place it moves to, so scores still fall with rank.

The map and the weights are fitted for one model (`python -m bench.crossrank`, which prints
figures for each library fitted without it) and stored in ``rag/data/crossrank.npz`` with that
model's id; under another model there is nothing to reorder with.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from rag.chunking import INFO_SECTION
from rag.corpus import Rows
from rag.errors import RagError
from rag.foreign import script
from rag.moments import SETTLED, Hit

Matrix = npt.NDArray[np.float32]

FEATURES = ("score", "cosine", "adapted", "numbers", "latin", "slot", "length")
BUNDLED = Path(__file__).parent / "data" / "crossrank.npz"

_NUMBER = re.compile(r"\d+")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def _numbers(text: str) -> set[str]:
    # "1,041억" and "1041" state one figure; "007" and "7" too; full-width digits are digits.
    folded = unicodedata.normalize("NFKC", text).replace(",", "")
    return {n.lstrip("0") for n in _NUMBER.findall(folded) if n.strip("0")}


def _latin(text: str) -> set[str]:
    return {w.lower() for w in _LATIN.findall(unicodedata.normalize("NFKC", text))}


def _share(asked: set[str], stated: set[str]) -> float:
    return len(asked & stated) / len(asked) if asked else 0.0


@dataclass(frozen=True, eq=False)
class CrossRanker:
    """The fitted map and weights for one model's vectors."""

    model_id: str
    adapter: Matrix
    weights: npt.NDArray[np.float64]

    def __post_init__(self) -> None:
        d = self.adapter.shape[0] if self.adapter.ndim else 0
        if self.adapter.shape != (d, d) or self.weights.shape != (len(FEATURES),):
            raise RagError(
                f"a cross-language ranker needs a square map and {len(FEATURES)} weights, "
                f"got {self.adapter.shape} and {self.weights.shape}"
            )

    def adapt(self, vector: Matrix) -> Matrix:
        mapped = vector @ self.adapter
        norm = float(np.linalg.norm(mapped))
        return mapped / norm if norm else mapped

    def slots(self, language: str | None, hits: Sequence[Hit]) -> list[int]:
        """The places among the settled results held by a transcript passage in another script than
        the question."""
        if language is None:
            return []
        return [
            i
            for i, h in enumerate(hits[:SETTLED])
            if h.passage.section != INFO_SECTION and script(h.passage.text) != language
        ]

    def features(
        self,
        question: str,
        language: str | None,
        vector: Matrix,
        hits: Sequence[Hit],
        slots: list[int],
        rows: Rows,
    ) -> Matrix:
        """One row of FEATURES per result in ``slots``, for ``question`` written in ``language``."""
        adapted = self.adapt(vector)
        numbers = _numbers(question)
        # An English question's words are English: matching them is the keyword side's work.
        latin = _latin(question) if language != "en" else set()
        out = np.zeros((len(slots), len(FEATURES)), dtype=np.float32)
        for j, i in enumerate(slots):
            h = hits[i]
            vectors = np.stack([rows.vector(r) for r in sorted({r for r, _ in h.sentence_refs()})])
            text = h.passage.text
            out[j] = (
                h.score,
                float((vectors @ vector).max()),
                float((vectors @ adapted).max()),
                _share(numbers, _numbers(text)),
                _share(latin, _latin(text)),
                i / SETTLED,
                len(text) / 400,
            )
        return out

    def reorder(
        self, question: str, language: str | None, vector: Matrix, hits: list[Hit], rows: Rows
    ) -> list[Hit]:
        """``hits`` with the settled ones in another script than the question in the model's order."""
        slots = self.slots(language, hits)
        if len(slots) < 2:
            return hits
        scores = self.features(question, language, vector, hits, slots, rows) @ self.weights
        moved = [slots[j] for j in sorted(range(len(slots)), key=lambda j: (-scores[j], j))]
        out = list(hits)
        for place, source in zip(slots, moved, strict=True):
            out[place] = replace(hits[source], rank=place + 1, score=hits[place].score)
        return out


def save(path: Path, ranker: CrossRanker) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        np.savez_compressed(
            fh,
            model_id=np.array(ranker.model_id),
            features=np.array(FEATURES),
            adapter=ranker.adapter.astype(np.float32),
            weights=ranker.weights.astype(np.float64),
        )


# The file ships inside the package: a damaged one is a damaged install.
_REFIT = "reinstall rag, or refit it from a checkout with python -m bench.crossrank"


def load(path: Path) -> CrossRanker:
    try:
        # Opened here: np.load leaves its own file open when the archive is damaged.
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as data:
            stored: dict[str, Any] = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise RagError(f"the cross-language ranker {path} could not be read ({exc}): {_REFIT}") from None
    missing = {"model_id", "features", "adapter", "weights"} - stored.keys()
    if missing:
        raise RagError(f"the cross-language ranker {path} lacks {', '.join(sorted(missing))}: {_REFIT}")
    shapes = tuple(stored[name].ndim for name in ("model_id", "features", "adapter", "weights"))
    if shapes != (0, 1, 2, 1):
        raise RagError(f"the cross-language ranker {path} is not shaped as one: {_REFIT}")
    if tuple(str(f) for f in stored["features"]) != FEATURES:
        raise RagError(f"the cross-language ranker {path} was fitted on other features: {_REFIT}")
    return CrossRanker(
        str(stored["model_id"].item()), stored["adapter"].astype(np.float32), stored["weights"]
    )


@cache
def bundled_for(model_id: str, path: Path = BUNDLED) -> CrossRanker | None:
    """The shipped ranker when it was fitted for ``model_id``; None for any other model."""
    ranker = load(path)
    return ranker if ranker.model_id == model_id else None
