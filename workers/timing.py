"""How long a run takes on its worker, for the metrics (forge/metrics.py): from its claim to the
first text of its reply going out, and to its committed end."""

from __future__ import annotations

import time
from collections.abc import Sequence

from domain.events import ProjectEvent
from forge.metrics import FIRST_TOKEN, RUN_DURATION
from workers.streaming import LiveFrames


class RunTimer:
    def __init__(self) -> None:
        self.started = time.monotonic()
        self._first_text_out = False

    def first_text(self) -> None:
        """The reply's first text went out; later calls change nothing."""
        if not self._first_text_out:
            self._first_text_out = True
            FIRST_TOKEN.observe(time.monotonic() - self.started)

    def ended(self, outcome: str) -> float:
        """The run's end was committed (`completed` or `failed`); returns its duration in seconds."""
        seconds = time.monotonic() - self.started
        RUN_DURATION.labels(outcome).observe(seconds)
        return seconds


class TimedReply:
    """The reply's live frames on their way out; the first that was sent marks the first token."""

    def __init__(self, live: LiveFrames, timer: RunTimer) -> None:
        self.live = live
        self.timer = timer

    async def publish(self, events: Sequence[ProjectEvent]) -> None:
        await self.live.publish(events)
        self.timer.first_text()
