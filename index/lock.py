"""One build at a time, across processes: an exclusive ``flock`` on a file in the index folder.

The kernel drops the lock when its holder dies (even by SIGKILL), so a killed build never
leaves the index locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import RagError

LOCK_NAME = "build.lock"


class BuildBusyError(RagError):
    """Another build holds the index folder."""


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise BuildBusyError(f"another build is running on {index_dir} (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def check_free(index_dir: Path) -> None:
    """Raise BuildBusyError now if another process is building (a quick look, not a reservation)."""
    with build_lock(index_dir):
        pass
