"""One error family for the whole product.

The core raises these with messages that name the file, line or value at fault;
only the edges (CLI, HTTP) turn them into exit codes or status codes.
"""

from __future__ import annotations

from pathlib import PurePath


class RagError(Exception):
    """Base of every error the core raises on purpose."""


class SeedError(RagError):
    """A transcript file cannot be parsed."""

    def __init__(self, path: str, line: int | None, reason: str, source: str | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        # The transcript's file name this error keeps out of the index: the file itself, or the
        # transcript beside a broken ``.info.json`` sidecar.
        self.source = source or PurePath(path).name
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")

    def against(self, source: str) -> SeedError:
        """The same problem, kept against ``source``: a sidecar's errors and warnings are its transcript's."""
        return SeedError(self.path, self.line, self.reason, source)


class NotASeedError(SeedError):
    """A ``.txt`` without the seed format's timestamp table: plain text, or no seed at all."""


class ModelError(RagError):
    """The embedding model cannot be prepared or loaded."""


class StoreError(RagError):
    """Base for problems with the index folder."""


class IndexMissingError(StoreError):
    """There is no index where one was expected."""


class IndexMismatchError(StoreError):
    """The index was built with other settings than the ones asked for."""


class IndexCorruptError(StoreError):
    """A file of the index is missing, truncated or does not match its checksum."""


class QueryError(RagError):
    """A question or search request is not acceptable."""


class NotFoundError(RagError):
    """A named thing (video, job) does not exist."""


class StoreUnavailableError(StoreError):
    """The index's store (a Milvus server) cannot be reached or did not answer in time."""
