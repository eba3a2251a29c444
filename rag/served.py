"""The index the settings name, whichever store holds it: its version now, and the index itself."""

from __future__ import annotations

from rag.corpus import Corpus
from rag.settings import Settings


def served_version(settings: Settings) -> str | None:
    """What a server compares once a second to notice a new build (None: nothing built yet)."""
    if settings.store == "milvus":
        from rag.milvus import connect, version_of

        return version_of(connect(settings))
    from rag.store import current_version

    return current_version(settings.index_dir)


def open_corpus(settings: Settings, model_id: str | None = None, dimension: int | None = None) -> Corpus:
    """The current index, refused (IndexMismatchError) when built with another model."""
    if settings.store == "milvus":
        from rag import milvus_corpus
        from rag.milvus import connect

        return milvus_corpus.load(connect(settings), model_id, dimension)
    from rag.local import LocalCorpus
    from rag.store import load_index

    return LocalCorpus(load_index(settings.index_dir, model_id, dimension))
