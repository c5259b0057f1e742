"""How much a socket may send: token buckets, of messages and of bytes. People type a few keys a
second and a paste is one message, so a generous budget never touches them, while a client that
floods a shared document (each update is stored) is cut off instead of filling the log."""

from __future__ import annotations

import time
from collections.abc import Callable

DOC_MESSAGES_PER_SECOND = 60.0
DOC_MESSAGE_BURST = 600
DOC_BYTES_PER_SECOND = 1024 * 1024
DOC_BYTE_BURST = 16 * 1024 * 1024


class MessageBudget:
    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def take(self, amount: int = 1) -> bool:
        """Whether `amount` more (messages, or bytes) fit, counting them if they do."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
        self._at = now
        if self._tokens < amount:
            return False
        self._tokens -= amount
        return True
