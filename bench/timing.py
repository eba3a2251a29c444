"""Timing and memory helpers of the benchmarks."""

from __future__ import annotations

import ctypes
import gc
import os
import time
from collections.abc import Callable

import numpy as np

LATENCY_BUDGET_S = 8.0
MB = 1e6


def rss() -> int:
    """Resident bytes of this process, after handing freed memory back to the system.

    Without the trim, an index loaded into memory freed by the previous one shows no growth.
    """
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def latencies(run: Callable[[int], object], n: int, faiss_threads: int = 1) -> list[float]:
    """Milliseconds of run(i) for query i, one at a time, within the time budget (at least 50).

    Timed with faiss on ``faiss_threads`` threads: for one query, a second thread only helps when
    a core is idle, and while another process is busy it waits for its turn on a core (16 ms
    for 10k exact rows instead of 0.3 ms here).  A service answering concurrent requests gets
    its parallelism from them.
    """
    import faiss

    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(faiss_threads)
    try:
        for i in range(min(5, n)):  # warm-up
            run(i)
        out: list[float] = []
        deadline = time.perf_counter() + LATENCY_BUDGET_S
        for i in range(n):
            started = time.perf_counter()
            run(i)
            out.append((time.perf_counter() - started) * 1000)
            if i >= 50 and time.perf_counter() > deadline:
                break
    finally:
        faiss.omp_set_num_threads(threads)
    return out


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))
