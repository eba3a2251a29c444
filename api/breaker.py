"""What a failed call to the LLM server is, and the circuit breaker that counts them.

After ``failures`` failures in a row the server is left alone for ``seconds``: asks get
``llm_unavailable`` at once instead of each waiting for a timeout; then one call probes whether it
is back.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from rag.generate import ErrorCode


class LlmFailure(Exception):
    """A written answer that could not be had; ``code`` is one of rag.generate.ERROR_CODES."""

    def __init__(self, code: ErrorCode, message: str, *, counts: bool = False) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        # Whether it says something about the server's health (for the circuit breaker).
        self.counts = counts


class Breaker:
    """Closed until ``failures`` failures in a row; then open for ``seconds``; then one probe."""

    def __init__(self, failures: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures = failures
        self.seconds = seconds
        self.clock = clock
        self._failed = 0
        self._open_until = 0.0
        self._probing = False

    @property
    def open(self) -> bool:
        return self._failed >= self.failures

    def admit(self) -> None:
        if not self.open:
            return
        left = self._open_until - self.clock()
        if left > 0:
            raise LlmFailure(
                "llm_unavailable",
                f"the LLM server failed {self._failed} times in a row: not calling it for another "
                f"{math.ceil(left)} s",
            )
        if self._probing:
            raise LlmFailure(
                "llm_unavailable",
                f"the LLM server failed {self._failed} times in a row: checking whether it is back",
            )
        # One call goes through to see whether the server is back; the others keep being refused.
        self._probing = True

    def record(self, healthy: bool | None) -> None:
        """After an admitted call: True it worked, False it failed, None it says nothing (a 4xx, a cancel)."""
        self._probing = False
        if healthy:
            self._failed = 0
        elif healthy is False:
            self._failed += 1
            if self.open:
                self._open_until = self.clock() + self.seconds
