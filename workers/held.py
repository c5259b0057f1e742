"""A run this worker holds: the run as it last wrote it, its lease as this process sees it, and the
live frames it may publish only while it holds the run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import TypeVar

from domain.entities import AgentRun, Files
from domain.errors import LeaseLost
from domain.events import FileWritten, ProjectEvent
from domain.ports import EventPublisher
from domain.rules.streaming import stream_fence

T = TypeVar("T")


class HeldRun:
    """The run as this worker last wrote it. Writes take turns, so the heartbeat and the agent
    never race each other's check of who holds the run.

    The lease is also kept on this process's own clock: once it has run out without a renewal,
    another worker may take the run at any moment, so this one stops changing anything at once
    rather than when the database or the stream next refuses it.
    """

    def __init__(self, run: AgentRun, lease: timedelta) -> None:
        self.run = run
        self.lease_seconds = lease.total_seconds()
        self._deadline = time.monotonic() + self.lease_seconds
        self._turn = asyncio.Lock()

    async def update(self, write: Callable[[AgentRun], Awaitable[AgentRun]]) -> AgentRun:
        async with self._turn:
            self.run = await write(self.run)
            return self.run

    async def use(self, act: Callable[[AgentRun], Awaitable[T]]) -> T:
        async with self._turn:
            return await act(self.run)

    async def renew(self, write: Callable[[AgentRun], Awaitable[AgentRun]]) -> None:
        """Renews the lease through `write`; the new lease counts from before the write began."""
        started = time.monotonic()
        await self.update(write)
        self._deadline = started + self.lease_seconds

    def check(self) -> None:
        if time.monotonic() > self._deadline:
            raise LeaseLost("The run's lease ran out before it could be renewed.")


class RunFrames:
    """A held run's live frames (its reply's deltas, the files it writes), published under the
    run's fence: the project's stream refuses them once another attempt or run took over."""

    def __init__(self, publisher: EventPublisher, held: HeldRun) -> None:
        self.publisher = publisher
        self.held = held
        run = held.run
        self.project_id = run.project_id
        self.fence = stream_fence(run.id, run.attempts)
        assert run.reply_message_id is not None  # a claimed run always has its reply
        self.reply_id = run.reply_message_id

    def check(self) -> None:
        self.held.check()

    async def publish(self, events: Sequence[ProjectEvent]) -> None:
        self.held.check()
        await self.publisher.publish_live(self.project_id, events, self.fence)

    async def announce(self, files: Files) -> None:
        await self.publish(
            [
                FileWritten(message_id=self.reply_id, path=path, content=content)
                for path, content in files.items()
            ]
        )
