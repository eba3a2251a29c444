"""The index in Milvus: Milvus Lite in a local ``.db`` file, or a Milvus server or cluster.

Layout (written by ``index.milvus_build``):

- One collection per full build, ``<alias>_<version>``.  The alias (``RAG_MILVUS_COLLECTION``)
  names the one served; a full build moves it in one step, so every server swaps at once.
- A row per passage: ``id`` (consecutive within a video, in chunk order), ``video_id`` (the video
  filter is a filter expression), ``position`` (where its first sentence lies in its section),
  ``passage`` (the passage as JSON), ``vector`` (its e5 vector), ``sentences`` (its sentences'
  vectors, an array of one float32 vector in base64 per sentence: the answer span reads them;
  recomputing them would cost a model call per sentence of every candidate), ``tokens`` (its Kiwi morphemes) and ``sparse`` (its BM25
  weights, ``rag.bm25sparse``) and ``second`` (its second-encoder vector in base64, ``rag.second``;
  "" where none is used).
- The collection's properties hold the manifest, the videos and the keyword statistics, so they
  move with the alias and any server can check compatibility before serving.

Every call is bounded by ``RAG_MILVUS_TIMEOUT``; a failure is a ``StoreUnavailableError``, and
the next call connects afresh (which also restarts a Milvus Lite server stopped in-process).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rag.errors import IndexMissingError, StoreError, StoreUnavailableError
from rag.settings import Settings

PROPERTY = "rag.{}"
# Milvus's longest VARCHAR.
VARCHAR_MAX = 65_535
# Milvus's largest ARRAY: a passage's sentence vectors, one element each.  A passage holds at most
# RAG_CHUNK_CHARS (at most 4,000) characters, so at most that many sentences: they always fit.
SENTENCES_MAX = 4_096
# How the sentence vectors of a collection's rows are stored (its layout's "sentence_vectors").
# Builds before it wrote them into one VARCHAR, which held 31 sentences of 384 floats at most.
SENTENCE_LAYOUT = "array"
# How a collection's rows hold their second-encoder vectors (rag.second; its layout's
# "second_vectors"): a base64 VARCHAR, "" where none is used.  Builds before it held none.
SECOND_LAYOUT = "varchar"
# The longest second-encoder vector a row holds (USE multilingual v3 has 512 dimensions).
SECOND_MAX = 512
_NOT_FOUND = 100
_NOT_LOADED = 101
T = TypeVar("T")
log = logging.getLogger("rag.milvus")


# "http://user:password@host:19530": pymilvus takes credentials there too; messages must not.
_USERINFO = re.compile(r"://[^/@]*@")


@dataclass(frozen=True)
class MilvusConfig:
    uri: str
    token: str | None
    alias: str
    timeout: float

    @classmethod
    def of(cls, settings: Settings) -> MilvusConfig:
        token = settings.milvus_token.get_secret_value() if settings.milvus_token else None
        return cls(settings.milvus_uri, token, settings.milvus_collection, settings.milvus_timeout)

    @property
    def lite(self) -> bool:
        return not self.uri.startswith(("http://", "https://"))

    @property
    def where(self) -> str:
        """The URI and alias, for messages: never the token, nor credentials written in the URI."""
        shown = _USERINFO.sub("://", self.uri)
        return f"Milvus at {shown} (collection {self.alias!r})"


class Milvus:
    """One connection to Milvus, shared by every question and build of a process."""

    def __init__(self, config: MilvusConfig) -> None:
        self.config = config
        self._client: Any = None
        self._lock = threading.Lock()

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException

        # pymilvus configures its loggers when imported and logs every failed call with a
        # traceback; the failure reaches the user once, as a domain error, from here.
        for name in ("pymilvus", "pymilvus.milvus_client"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        c = self.config
        if c.lite:
            # Milvus Lite runs its gRPC server in this process: it logs a traceback when another
            # process holds the file (said below, once) and for every client call it does not
            # implement (pymilvus then does without).
            for name in ("milvus_lite.server_manager", "grpc._server"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
        problem = lite_path_problem(c.uri) if c.lite else None
        if problem:
            raise StoreUnavailableError(problem)
        try:
            return MilvusClient(uri=c.uri, token=c.token or "", timeout=c.timeout)
        except MilvusException as exc:
            if c.lite and "Open local milvus failed" in str(exc):
                raise StoreUnavailableError(lite_failure(c.uri)) from None
            raise StoreUnavailableError(f"{c.where} is unreachable: {_reason(exc)}") from None

    def reset(self) -> None:
        with self._lock:
            self._client = None

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``MilvusClient.<method>`` with the timeout; None when the thing named does not exist."""
        from pymilvus.exceptions import MilvusException

        client = self.client()
        try:
            try:
                return getattr(client, method)(*args, timeout=self.config.timeout, **kwargs)
            except MilvusException as exc:
                # A restarted Milvus Lite opens its collections released; a server keeps them
                # loaded.  Load and try once more.
                if (exc.code != _NOT_LOADED and "load()" not in str(exc)) or "collection_name" not in kwargs:
                    raise
                client.load_collection(kwargs["collection_name"], timeout=self.config.timeout)
                return getattr(client, method)(*args, timeout=self.config.timeout, **kwargs)
        except MilvusException as exc:
            if exc.code == _NOT_FOUND:
                return None
            self.reset()
            raise StoreUnavailableError(f"{self.config.where} failed ({method}): {_reason(exc)}") from None
        except Exception as exc:  # grpc errors, timeouts and closed channels surface raw here
            self.reset()
            raise StoreUnavailableError(f"{self.config.where} failed ({method}): {exc!r}") from None

    def served(self) -> str | None:
        """The collection the alias names, or None when there is none yet."""
        found = self.call("describe_alias", alias=self.config.alias)
        return str(found["collection_name"]) if found else None

    def properties(self, collection: str) -> dict[str, str]:
        described = self.call("describe_collection", collection_name=collection)
        if described is None:
            raise IndexMissingError(f"{self.config.where}: collection {collection!r} is gone")
        return dict(described.get("properties") or {})

    def read(self, collection: str, name: str) -> Any:
        raw = self.properties(collection).get(PROPERTY.format(name))
        return None if raw is None else json.loads(raw)

    def state(self, collection: str, names: tuple[str, ...]) -> dict[str, Any]:
        """Several properties, decoded, from one description of the collection (None if unset)."""
        found = self.properties(collection)
        return {
            n: json.loads(found[PROPERTY.format(n)]) if PROPERTY.format(n) in found else None for n in names
        }

    def served_manifest(self) -> tuple[str | None, dict[str, Any] | None]:
        """The collection the alias names and its manifest as stored (None: none, or unfinished)."""
        collection = self.served()
        manifest = self.read(collection, "manifest") if collection else None
        return collection, manifest if isinstance(manifest, dict) else None

    def write(self, collection: str, values: dict[str, Any]) -> None:
        properties = {PROPERTY.format(k): json.dumps(v, ensure_ascii=False) for k, v in values.items()}
        self.call("alter_collection_properties", collection_name=collection, properties=properties)


_connections: dict[MilvusConfig, Milvus] = {}
_connections_lock = threading.Lock()


def connect(settings: Settings) -> Milvus:
    """The process's connection for these settings (Milvus Lite allows one process per file)."""
    config = MilvusConfig.of(settings)
    with _connections_lock:
        if config not in _connections:
            _connections[config] = Milvus(config)
        return _connections[config]


def lite_path_problem(uri: str) -> str | None:
    """Why a Milvus Lite path cannot hold a database, seen before opening it (None: no reason)."""
    path = Path(uri)
    if not path.parent.is_dir():
        what = "is not a folder" if path.parent.exists() else "does not exist"
        return f"cannot create the Milvus Lite file {uri}: the folder {path.parent} {what}"
    if path.exists() and not path.is_dir():
        # Milvus Lite 3 keeps a database in a folder with this name (version 2 wrote one file).
        return f"the Milvus Lite file {uri} is a file, not the folder Milvus Lite keeps its database in"
    return None


def lite_failure(uri: str) -> str:
    """Why Milvus Lite did not open ``uri``: it says only that it failed, so open it here to see."""
    from milvus_lite import DataDirLockedError, MilvusLite

    try:
        MilvusLite(str(Path(uri).absolute())).close()
    except DataDirLockedError:
        return lite_busy(uri)
    except OSError as exc:
        return f"cannot open the Milvus Lite file {uri}: {exc.strerror or exc}"
    except Exception as exc:  # whatever else Milvus Lite raises on opening, said as it says it
        return f"cannot open the Milvus Lite file {uri}: {exc}"
    return f"cannot open the Milvus Lite file {uri}: Milvus Lite failed to start its server"


def lite_busy(uri: str) -> str:
    return (
        f"the Milvus Lite file {uri} is open in another process (a 'rag serve', 'rag mcp' or another "
        "'rag index'?): Milvus Lite lets one process open it at a time. Let a build end; rebuild through "
        "a running server (POST /v1/admin/reindex with RAG_ADMIN_TOKEN, or run it with --watch), or stop "
        "it first; for several processes use a Milvus server (RAG_MILVUS_URI=http://host:19530)"
    )


def version_of(milvus: Milvus) -> str | None:
    """The served version (a Milvus build's manifest version), None when nothing is served."""
    collection, manifest = milvus.served_manifest()
    return f"{collection}/{manifest['version']}" if collection and manifest else None


def guarded(milvus: Milvus, what: Callable[[], T]) -> T:
    """Run ``what``; a store error other than unavailability becomes one naming the store."""
    try:
        return what()
    except StoreError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise StoreError(f"{milvus.config.where}: unexpected data ({exc!r})") from None


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None)
    return str(message) if message else str(exc)
