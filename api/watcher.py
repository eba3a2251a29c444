"""``rag serve --watch``: rebuild when the seeds folder changes, and catch up with it at start.

A server started over a folder that changed while it was down (or that has never been built)
builds at once instead of waiting for the next file event.  A folder that is removed and made
again is a new inode, which the old watch never hears from: it is watched again, and caught up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from rag.errors import RagError

log = logging.getLogger("rag.api")


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def watch_seeds(
    folder: Path,
    debounce_ms: int,
    stop: threading.Event,
    stale: Callable[[], str | None],
    rebuild: Callable[[], None],
    poll_seconds: float,
) -> None:
    """Call ``rebuild`` for every burst of changes in ``folder`` until ``stop`` is set.

    ``stale`` says why the index no longer matches the folder (None when it does, and it may raise
    RagError while the model is loading); it is asked each time a watch starts.
    """
    from watchfiles import watch

    folder.mkdir(parents=True, exist_ok=True)
    missing_said = False
    while not stop.is_set():
        identity = _identity(folder)
        if identity is None:
            if not missing_said:
                log.warning("seeds folder %s is gone: watching for it to come back", folder)
                missing_said = True
            stop.wait(poll_seconds)
            continue
        missing_said = False
        log.info("watching %s for new, changed and removed seeds", folder)
        try:
            _catch_up(stale, rebuild, stop, poll_seconds)
            for changes in watch(folder, debounce=debounce_ms, stop_event=stop, raise_interrupt=False):
                log.info("seeds changed (%d files): rebuilding", len(changes))
                rebuild()
                # The folder itself deleted (its inode may come back with a new folder of the same
                # name, so the event says it, not the inode), or replaced: watch what is there now.
                if any(Path(path) in (folder, folder.absolute()) for _, path in changes) or (
                    _identity(folder) != identity
                ):
                    break
        except OSError:
            # Removed between the check above and the watch (watchfiles: "No path was found"), or
            # while the catch-up read it: round again, to wait for it.
            continue


def _catch_up(
    stale: Callable[[], str | None], rebuild: Callable[[], None], stop: threading.Event, poll_seconds: float
) -> None:
    while not stop.is_set():
        try:
            reason = stale()
        except RagError:
            stop.wait(poll_seconds)  # the model is not loaded yet
            continue
        if reason is not None:
            log.info("seeds folder differs from the index (%s): rebuilding", reason)
            rebuild()
        return
