"""A reply's text on its way out: deltas to every tab, coalesced, and silent saves to the database.

The first piece goes out at once (the tab sees the model start), later ones at most one frame per
`delta_interval` per reply: at 1,000 tabs a frame per token would be a frame per tab per token.
One run per project runs at a time, so per reply is per project.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from domain.errors import LeaseLost
from domain.events import MessageDelta, ProjectEvent
from domain.ids import MessageId

logger = logging.getLogger("forge.worker")

DELTA_INTERVAL_SECONDS = 0.025
SAVE_INTERVAL_SECONDS = 0.3

Save = Callable[[str], Awaitable[None]]


class LiveFrames(Protocol):
    async def publish(self, events: Sequence[ProjectEvent]) -> None:
        """Streams a run's live frames to its project's tabs; raises LeaseLost once the run is no
        longer this worker's."""
        ...


class ReplyStream:
    def __init__(
        self,
        live: LiveFrames,
        message_id: MessageId,
        save: Save,
        delta_interval: float = DELTA_INTERVAL_SECONDS,
        save_interval: float = SAVE_INTERVAL_SECONDS,
        already: str = "",
    ) -> None:
        """`already` is the reply's text as stored, which an earlier attempt of the run streamed:
        the tabs have it, so this stream goes on after it."""
        self.live = live
        self.message_id = message_id
        self.content = already
        self.frames = 0
        self.saves = 0
        self._save = save
        self._delta_interval = delta_interval
        self._save_interval = save_interval
        self._sent = len(already)
        self._saved = len(already)
        self._last_frame = -delta_interval
        self._last_save = time.monotonic()
        self._order = asyncio.Lock()
        self._timer: asyncio.Task[None] | None = None
        self._saving: asyncio.Task[None] | None = None
        self._lost: LeaseLost | None = None
        """Raised by a flush in the background; the next write raises it, so the run stops."""

    async def write(self, text: str) -> None:
        if self._lost is not None:
            raise self._lost
        if not text:
            return
        self.content += text
        wait = self._last_frame + self._delta_interval - time.monotonic()
        if wait <= 0:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.create_task(self._flush_after(wait))
        self._save_now_and_then()

    async def flush(self) -> None:
        """Sends what the tabs do not have yet; called before anything that must follow the text."""
        async with self._order:  # two flushes must not overtake each other on the way to the broker
            if self._sent == len(self.content):
                return
            offset, text = self._sent, self.content[self._sent :]
            self._sent = len(self.content)
            self._last_frame = time.monotonic()
            self.frames += 1
            await self.live.publish([MessageDelta(message_id=self.message_id, offset=offset, text=text)])

    async def close(self) -> None:
        """Sends the rest and stops saving; the final content is stored by whoever ends the run."""
        if self._timer is not None:
            self._timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._timer
            self._timer = None
        await self.flush()
        if self._saving is not None:
            with contextlib.suppress(Exception):
                await self._saving

    async def _flush_after(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._timer = None
        try:
            await self.flush()
        except LeaseLost as lost:
            self._lost = lost

    def _save_now_and_then(self) -> None:
        """A save at most every `save_interval`, in the background: the stream never waits for it."""
        due = time.monotonic() - self._last_save >= self._save_interval
        if due and (self._saving is None or self._saving.done()) and self._saved != len(self.content):
            self._last_save = time.monotonic()
            self._saving = asyncio.create_task(self._store(self.content))

    async def _store(self, content: str) -> None:
        try:
            await self._save(content)
            self._saved = len(content)
            self.saves += 1
        except LeaseLost as lost:
            self._lost = lost
        except Exception:  # a missed save only costs a refresh the latest few characters
            logger.warning("saving the streamed reply of %s failed", self.message_id, exc_info=True)
