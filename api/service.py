"""What the routes serve: the model and the current index version, swapped live when it changes.

A request reads ``Service.searcher`` once and keeps that object, so a swap never changes the index
under a request in flight; the old version is simply dropped when its last request ends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from api.jobs import Jobs
from api.observe import Metrics
from index.build import build, stale_reason
from index.parts import BuildReport, set_aside_notes
from rag.embedder import Embedder, load_embedder
from rag.errors import RagError
from rag.manifest import left_out_of
from rag.params import RetrievalParams
from rag.retrieval import Searcher
from rag.served import open_corpus, served_version
from rag.settings import Settings

log = logging.getLogger("rag.api")
EmbedderFactory = Callable[[Settings], Embedder]


class NotReadyError(RagError):
    """The model or the index is not loaded (yet, or at all)."""


class Service:
    def __init__(
        self,
        settings: Settings,
        embedder_factory: EmbedderFactory | None = None,
        params: RetrievalParams | None = None,
    ) -> None:
        self.settings = settings
        self.params = params
        self._factory = embedder_factory or (lambda s: load_embedder(s, log=log.info))
        self._embedder: Embedder | None = None
        self._searcher: Searcher | None = None
        self._problem: str = "starting: loading the model and the index"
        self._failed_version: str | None = None
        # Nothing built yet, and the log already says so: checked again every poll, said once.
        self._waiting = False
        # The store's name for the version served (rag.served.served_version).
        self._served: str | None = None
        self._swap = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.metrics = Metrics()
        self.jobs = Jobs(
            self._rebuild,
            self.reload,
            lambda state, seconds: self.metrics.builds.labels(state).observe(seconds),
        )

    @property
    def searcher(self) -> Searcher:
        searcher = self._searcher
        if searcher is None:
            raise NotReadyError(self._problem)
        return searcher

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            raise NotReadyError(self._problem)
        return self._embedder

    @property
    def ready(self) -> bool:
        return self._searcher is not None

    @property
    def problem(self) -> str:
        return self._problem

    def load(self) -> None:
        """Load the model, then the current index; on failure keep answering 503 with the reason."""
        try:
            embedder = self._factory(self.settings)
            # The first encode pays for lazy initialisation inside torch: not a user's request.
            embedder.embed_batch(["warm-up"], "query")
        except RagError as exc:
            self._problem = str(exc)
            log.error("not ready: %s", exc)
            return
        self._embedder = embedder
        import faiss

        # One question's search is far below a millisecond per thread at the sizes exact search
        # is used for; a second OpenMP thread only waits on a core the model or another request
        # needs (an exact search of 10k rows took 16 ms instead of 0.2 beside another busy process).
        faiss.omp_set_num_threads(1)
        self.reload()
        if self._searcher is not None:
            # Kiwi's model and the keyword index load on first use: pay for it before users do.
            self._searcher.ask("준비 운동 warm-up", 1)

    def reload(self) -> bool:
        """Serve the version CURRENT names if it is new and loads cleanly; keep the old one if not."""
        embedder = self._embedder
        if embedder is None:
            return False
        with self._swap:
            try:
                version = served_version(self.settings)
            except RagError as exc:
                # The store is unreachable: keep serving what is loaded (its questions fail on
                # their own, as 503s) and say why when nothing is, in the log too (once a cause).
                if self._searcher is None:
                    if self._problem != str(exc):
                        log.error("no index served: %s", exc)
                    self._problem = str(exc)
                return False
            if version is not None:
                self._waiting = False
            served = self._served
            if served is not None and version in (served, self._failed_version):
                return False
            if served is None and version is not None and version == self._failed_version:
                return False
            if version is None and self._waiting:
                return False
            try:
                index = open_corpus(self.settings, embedder.model_id, embedder.dimension)
                # A Searcher reads the model's cross-language ranker (rag.crossrank): a damaged
                # install refuses the version as a damaged index would.
                searcher = Searcher(index, embedder, self.params, self.settings.cache_size)
            except RagError as exc:
                if self._searcher is None:
                    self._problem = str(exc)
                if version is None:
                    # Not a fault: a server may start before the first build (`rag index`,
                    # --watch, the admin route).  Said once, not at every poll.
                    self._waiting = True
                    log.warning("waiting for an index: %s", exc)
                else:
                    self._failed_version = version
                    kept = f"still serving {served}" if served else "serving none"
                    log.error("index %s refused, %s: %s", version, kept, exc)
                return False
            self._searcher = searcher
            self._served = version
            m = index.manifest
            self.metrics.serving(m.version, index.size)
            log.info("serving index %s: %d videos, %d passages", m.version, len(index.videos), index.size)
            return True

    def _rebuild(self, force: bool) -> BuildReport:
        """Build unless the version served already holds the seeds as they are (or ``force``).

        A new version of the same files would only empty the answer cache; ``rag index`` skips
        such a build too.
        """
        embedder = self.embedder
        searcher, served = self._searcher, self._served
        # `served` is the store's name for the version (a Milvus collection's includes the collection).
        if (
            not force
            and searcher is not None
            and served is not None
            and stale_reason(self.settings, embedder.model_id) is None
            and served == served_version(self.settings)
        ):
            return _unchanged(searcher)
        return build(self.settings, embedder)

    def _poll(self) -> None:
        # CURRENT is one small file: reading it once a second costs nothing and catches builds
        # made by any process (`rag index`, another server, the watcher).
        while not self._stop.wait(self.settings.reload_interval):
            if self._embedder is not None:
                self.reload()

    def _watch(self) -> None:
        from api.watcher import watch_seeds

        settings = self.settings
        watch_seeds(
            settings.seeds_dir,
            settings.watch_debounce_ms,
            self._stop,
            lambda: stale_reason(settings, self.embedder.model_id),
            self.jobs.start_or_queue,
            settings.reload_interval,
        )

    def start(self, *, background: bool = True, watch: bool = False) -> None:
        targets: list[Callable[[], None]] = [self._poll] + ([self._watch] if watch else [])
        if background:
            targets.insert(0, self.load)
        else:
            self.load()
        for target in targets:
            thread = threading.Thread(target=target, name=f"rag-{target.__name__.strip('_')}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()


def _unchanged(searcher: Searcher) -> BuildReport:
    """The report of a rebuild that found the served version up to date, as a build would give it."""
    manifest = searcher.index.manifest
    failures, set_aside, warnings = left_out_of(manifest)
    # A file that no longer parses keeps its last good version: indexed, and failed.
    kept = sorted({f.source for f in failures} & set(manifest.seeds))
    return BuildReport(
        version=manifest.version,
        videos=list(searcher.index.videos),
        passages=manifest.counts.get("passages", 0),
        sentences=manifest.counts.get("sentences", 0),
        reused=sorted(set(manifest.seeds) - set(kept)),
        kept=kept,
        failures=failures,
        warnings=warnings,
        notes=set_aside_notes(set_aside),
        up_to_date=True,
    )
