"""The domain's event publisher over a broker: committed batches go out in commit order, the
missing ones fetched from the event log first; live frames go out under their run's fence."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import msgspec
from redis.exceptions import RedisError

from channels.broker import Behind, Broker, Head
from domain.errors import LeaseLost
from domain.events import LoggedBatch, LoggedEvent, ProjectEvent
from domain.ids import ProjectId
from domain.ports import EventLog

logger = logging.getLogger("forge.channels")

BROKER_ERRORS = (RedisError, OSError)
"""What a broker that cannot be reached raises; the relay publishes what it could not."""


class BrokerPublisher:
    def __init__(self, broker: Broker, log: EventLog) -> None:
        self.broker = broker
        self.log = log
        self._encoder = msgspec.json.Encoder()

    async def publish(self, batches: Sequence[LoggedBatch]) -> None:
        # Right after the commit: where the commit-to-tab lag starts (a wall clock, since the tab
        # may be served by another process).
        committed_at = time.time()
        for batch in batches:
            try:
                await self.append(batch.project_id, batch.logged, committed_at)
            except BROKER_ERRORS as error:
                logger.warning(
                    "publishing to project %s failed (%s); the relay will", batch.project_id, error
                )

    async def append(
        self, project_id: ProjectId, events: Sequence[LoggedEvent], committed_at: float | None = None
    ) -> Head | Behind:
        """Appends committed events, first the ones the stream is missing before them (another
        process committed them and has not published them yet, or died before it could).
        `committed_at`: when the publisher got them, if it did right after their commit."""
        result = await self.broker.append(project_id, events, committed_at=committed_at)
        if isinstance(result, Head):
            return result
        return await self._fill(project_id, result, events[0].seq - 1, events, committed_at) or result

    async def catch_up(self, project_id: ProjectId, upto: int) -> Head | None:
        """Brings the project's stream up to event-log number `upto` from the log; None if the
        project has no stream (nothing to bring up to date)."""
        commits = await self.broker.commits([project_id])
        if project_id not in commits or commits[project_id] >= upto:
            return None
        return await self._fill(project_id, Behind(commits[project_id]), upto, [])

    async def publish_live(self, project_id: ProjectId, events: Sequence[ProjectEvent], fence: str) -> None:
        payloads = [self._encoder.encode(e) for e in events]
        try:
            if await self.broker.append_live(project_id, payloads, fence) is not None:
                return
            # The claim that set this fence may not be in the stream yet: bring it up to date
            # from the log once; if the fence is still another, the run is no longer ours.
            await self.catch_up(project_id, await self.log.head(project_id))
            if await self.broker.append_live(project_id, payloads, fence) is not None:
                return
        except BROKER_ERRORS as error:
            logger.warning("live frames of project %s dropped (%s)", project_id, error)
            return
        raise LeaseLost()

    async def _fill(
        self,
        project_id: ProjectId,
        behind: Behind,
        upto: int,
        then: Sequence[LoggedEvent],
        committed_at: float | None = None,
    ) -> Head | None:
        """Appends the events after the stream's last up to `upto` from the log, then `then`."""
        events = [*await self.log.read(project_id, behind.commit, upto), *then]
        if not events:
            return None
        if events[0].seq == behind.commit + 1:
            result = await self.broker.append(project_id, events, committed_at=committed_at)
            if isinstance(result, Head):
                return result
        # The log no longer holds what the stream misses (it was marked published, then the stream
        # lost it): the stream starts over in a new epoch, and its tabs with a fresh hello.
        logger.warning("project %s: its stream misses events the log forgot; new epoch", project_id)
        restarted = await self.broker.append(project_id, events, restart=True, committed_at=committed_at)
        return restarted if isinstance(restarted, Head) else None
