"""How many messages a socket may send: a token bucket. People type a few keys a second and a
paste is one message, so a generous budget never touches them, while a client that floods a
shared document (each update is stored) is cut off instead of filling the log."""

from __future__ import annotations

import time
from collections.abc import Callable

DOC_MESSAGES_PER_SECOND = 60.0
DOC_MESSAGE_BURST = 600


class MessageBudget:
    def __init__(
        self,
        per_second: float = DOC_MESSAGES_PER_SECOND,
        burst: int = DOC_MESSAGE_BURST,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.burst = burst
        self.clock = clock
        self._tokens = float(burst)
        self._at = clock()

    def take(self) -> bool:
        """Whether one more message fits (and counts it)."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.per_second)
        self._at = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
