"""What the routes serve: the loaded model and index, loaded in the background after start-up."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from rag.embedder import Embedder, load_embedder
from rag.errors import RagError
from rag.retrieval import RetrievalParams, Searcher
from rag.settings import Settings
from rag.store import load_index

log = logging.getLogger("rag.api")
EmbedderFactory = Callable[[Settings], Embedder]


class NotReadyError(RagError):
    """The model or the index is not loaded (yet, or at all)."""


class Service:
    """Holds the current searcher; routes read it once per request so a swap never tears a request."""

    def __init__(
        self,
        settings: Settings,
        embedder_factory: EmbedderFactory | None = None,
        params: RetrievalParams | None = None,
    ) -> None:
        self.settings = settings
        self.params = params
        self._factory = embedder_factory or (lambda s: load_embedder(s, log=log.info))
        self._searcher: Searcher | None = None
        self._problem: str = "starting: loading the model and the index"
        self._thread: threading.Thread | None = None

    @property
    def searcher(self) -> Searcher:
        searcher = self._searcher
        if searcher is None:
            raise NotReadyError(self._problem)
        return searcher

    @property
    def ready(self) -> bool:
        return self._searcher is not None

    @property
    def problem(self) -> str:
        return self._problem

    def load(self) -> None:
        """Load model and index now; on failure keep serving 503 with the reason."""
        try:
            embedder = self._factory(self.settings)
            index = load_index(self.settings.index_dir, embedder.model_id, embedder.dimension)
            # The first encode pays for lazy initialisation inside torch: not a user's request.
            embedder.embed_batch(["warm-up"], "query")
        except RagError as exc:
            self._problem = str(exc)
            log.error("not ready: %s", exc)
            return
        self._searcher = Searcher(index, embedder, self.params)
        m = index.manifest
        log.info("ready: index %s, %d passages, model %s", m.version, len(index.passages), m.model_id)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.load, name="rag-load", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)
