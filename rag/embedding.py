"""The embedding seam's types: what every embedder is and reports, with no model behind it.

Kept apart from rag.embedder (the implementations and their factory) so that an implementation in
a module of its own (rag.onnxembed) depends on these and the factory on it, never in a circle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

Kind = Literal["query", "passage"]
Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 rows; ``model_id`` and ``dimension`` go into manifests."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors: ...


class EmbedderBase:
    """What every embedder reports the same way: ``model_id`` and ``dimension`` from its fields."""

    _model_id: str
    _dimension: int

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    def _none(self) -> Vectors:
        """The answer to an empty batch."""
        return np.zeros((0, self._dimension), dtype=np.float32)
