"""One tab's outgoing side: what it may be sent (events, direct frames, a resync) and its bounded
buffer, drained by the tab's writer."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from channels.close_codes import CLOSE_TOO_SLOW
from channels.watchers import MemberChange
from forge.metrics import SLOW_TABS_CLOSED


@dataclass(frozen=True, slots=True)
class Event:
    """A sequenced frame."""

    epoch: str
    seq: int
    text: str
    ends_project: bool = False
    """A `project.deleted`: after it the tab is closed with 4404."""
    member: MemberChange | None = None
    """What a member event changes: a removed member's tabs are closed with 4403 after it."""
    committed_at: float | None = None
    """When the publisher got the event, if the broker said (see channels/broker.py, Listener)."""


@dataclass(frozen=True, slots=True)
class Direct:
    """An unsequenced frame (presence, pong, error): sent as it comes."""

    text: str


@dataclass(frozen=True, slots=True)
class Resync:
    """The tab must start over from a fresh snapshot."""


Outgoing = Event | Direct | Resync


class Tab:
    """One connected tab's outgoing side: a bounded buffer its writer drains.

    Idle tabs are most of a server's tabs, so an idle one holds only an empty list and, while its
    writer waits, one future: no deque or Event (each carries a 64-slot block).
    """

    __slots__ = ("_wakeup", "client_id", "close_code", "limit", "limit_bytes", "pending", "pending_bytes")

    def __init__(self, client_id: str, limit: int, limit_bytes: int = 16 * 1024 * 1024) -> None:
        self.client_id = client_id
        self.limit = limit
        self.limit_bytes = limit_bytes
        self.pending: list[Outgoing] = []
        self.pending_bytes = 0
        self.close_code: int | None = None
        self._wakeup: asyncio.Future[None] | None = None

    def offer(self, item: Outgoing) -> None:
        """Queues the item, or, past either limit (frames or bytes), marks the tab too slow (never
        blocks, never drops silently). Frames are shared with the other tabs, not copied: the
        byte limit bounds what a stalled tab keeps alive."""
        if self.close_code is not None:
            return
        size = len(item.text) if isinstance(item, Event | Direct) else 0
        if len(self.pending) >= self.limit or self.pending_bytes + size > self.limit_bytes:
            self.close(CLOSE_TOO_SLOW)
            SLOW_TABS_CLOSED.inc()
            return
        self.pending.append(item)
        self.pending_bytes += size
        self._wake()

    def close(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
        self._wake()

    async def next_batch(self) -> list[Outgoing]:
        """Everything queued, once there is something or the tab is closed. The writer sends a
        batch while the next one fills: a tab falls too far behind when `limit` frames queue up
        behind the batch it is still sending."""
        while not self.pending and self.close_code is None:
            self._wakeup = asyncio.get_running_loop().create_future()
            try:
                await self._wakeup
            finally:
                self._wakeup = None
        batch, self.pending, self.pending_bytes = self.pending, [], 0
        return batch

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)
