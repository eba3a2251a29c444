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

from rag.errors import RagError, StoreError
from rag.store import not_a_folder

LOCK_NAME = "build.lock"


class BuildBusyError(RagError):
    """Another build holds the index folder."""


def make_folder(index_dir: Path) -> None:
    """Create the index folder if missing; a StoreError saying why when it cannot be one."""
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        # FileExistsError: exist_ok forgives only an existing folder, not a file of that name.
        raise not_a_folder(index_dir) from None
    except OSError as exc:
        raise StoreError(f"cannot create index folder {index_dir}: {exc.strerror or exc}") from None


@contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    make_folder(index_dir)
    path = index_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot write in index folder {index_dir}: {exc.strerror or exc}") from None
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
