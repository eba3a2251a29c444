"""Rebuilds run by the server (admin requests, the seeds watcher): one at a time, each a job."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from index.parts import BuildReport
from rag.errors import RagError, SeedError

log = logging.getLogger("rag.api")
State = Literal["running", "succeeded", "failed"]
KEEP_JOBS = 100


class BusyError(RagError):
    """A rebuild is already running in this server."""

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id
        super().__init__(f"a rebuild is already running (job {job_id})")


@dataclass
class Job:
    id: str
    state: State = "running"
    started_at: float = field(default_factory=time.time)
    finished_at: float | None = None
    result: dict[str, Any] | None = None
    error: str | None = None


class Jobs:
    """One rebuild at a time: ``rebuild`` builds, ``reload`` serves what it built, and ``observe``
    records each job's state and seconds (the service passes its own; nothing here knows it)."""

    def __init__(
        self,
        rebuild: Callable[[bool], BuildReport],
        reload: Callable[[], object],
        observe: Callable[[State, float], None],
    ) -> None:
        self._rebuild = rebuild
        self._reload = reload
        self._observe = observe
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self._running: Job | None = None
        self._again = False

    def check_idle(self) -> None:
        """Raise BusyError if this server is running a rebuild."""
        running = self._running
        if running is not None:
            raise BusyError(running.id)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def start(self, force: bool = False) -> Job:
        """Start a rebuild in the background, or raise BusyError naming the running one.

        Without ``force`` the rebuild may find the served version up to date and build nothing.
        """
        with self._lock:
            if self._running is not None:
                raise BusyError(self._running.id)
            job = self._claim()
        self._launch(job, force)
        return job

    def start_or_queue(self) -> None:
        """For the watcher: changes during a build trigger one more build after it.

        Checked and queued under one hold of the lock: a build ending in between would otherwise
        miss the request and leave the change unbuilt until the next one.
        """
        with self._lock:
            if self._running is not None:
                self._again = True
                return
            job = self._claim()
        self._launch(job, False)

    def _claim(self) -> Job:
        job = self._running = Job(uuid.uuid4().hex[:12])
        self._jobs[job.id] = job
        for old in list(self._jobs)[:-KEEP_JOBS]:
            del self._jobs[old]
        return job

    def _launch(self, job: Job, force: bool) -> None:
        threading.Thread(target=self._run, args=(job, force), name=f"rag-job-{job.id}", daemon=True).start()

    def _run(self, job: Job, force: bool) -> None:
        try:
            report = self._rebuild(force)
            job.result = {
                "version": report.version,
                "up_to_date": report.up_to_date,
                "videos": len(report.videos),
                "passages": report.passages,
                "seconds": round(report.seconds, 2),
                "added": report.added,
                "changed": report.changed,
                "removed": report.removed,
                "reused": report.reused,
                "kept": report.kept,
                "failures": [_located(f) for f in report.failures],
                "warnings": [_located(w) for w in report.warnings],
                "notes": report.notes,
            }
            for failure in report.failures:
                log.warning("bad seed: %s", failure)
            for warning in report.warnings:
                log.warning("seed warning: %s", warning)
            self._reload()
            job.state = "succeeded"
            done = "up to date, nothing built" if report.up_to_date else report.summary()
            log.info("rebuild %s: index %s (%s)", job.id, report.version, done)
        except RagError as exc:
            job.state, job.error = "failed", str(exc)
            log.error("rebuild %s failed: %s", job.id, exc)
        except Exception as exc:  # a job must end in a state, whatever went wrong
            job.state, job.error = "failed", f"internal error: {exc!r}"
            log.exception("rebuild %s crashed", job.id)
        finally:
            job.finished_at = time.time()
            self._observe(job.state, job.finished_at - job.started_at)
            with self._lock:
                self._running = None
                again, self._again = self._again, False
            if again:
                self.start_or_queue()


def _located(problem: SeedError) -> dict[str, str | int | None]:
    """A bad file's problem as the job's result lists it: by file and line."""
    return {"file": problem.path, "line": problem.line, "reason": problem.reason}
