"""The outbox relay: every process publishes whatever committed events the broker still misses.

The process that commits a change publishes its events at once. When it cannot (it crashed right
after the commit, or the broker was away), the events wait in the event log, and the relay of any
`forge serve` or `forge worker` publishes them within a couple of seconds, in commit order. The
relay also records how far the broker has each project's events, which lets the log forget them.
Relays of several processes may publish the same events: the broker drops what it has.
"""

from __future__ import annotations

import asyncio
import logging
import time

from channels.broker import Broker, Head
from channels.publisher import BrokerPublisher
from domain.ids import ProjectId
from domain.ports import Storage

logger = logging.getLogger("forge.channels")

RELAY_INTERVAL_SECONDS = 0.5
MARK_INTERVAL_SECONDS = 5.0
"""How often the relay records what the broker has: a write that waits its turn on each active
stream's row, so not every round (a round that publishes something records it at once)."""
RELAY_BATCH = 200
"""Streams looked at per round; a round that finds this many goes again at once."""


class OutboxRelay:
    def __init__(
        self,
        storage: Storage,
        broker: Broker,
        publisher: BrokerPublisher,
        interval: float = RELAY_INTERVAL_SECONDS,
    ) -> None:
        self.storage = storage
        self.broker = broker
        self.publisher = publisher
        self.interval = interval
        self._marked_at = 0.0

    async def run(self) -> None:
        """Relays until cancelled; a failed round (database or broker away) is tried again."""
        while True:
            try:
                while await self.relay_once() >= RELAY_BATCH:
                    pass
            except Exception:
                logger.warning("the outbox relay failed a round; it tries again", exc_info=True)
            await asyncio.sleep(self.interval)

    async def relay_once(self, mark: bool | None = None) -> int:
        """One round; returns how many streams it looked at. It records what the broker has when
        `mark` says so (by default: when it published something, or now and then)."""
        log = self.storage.events
        pending = await log.unpublished(RELAY_BATCH)
        if not pending:
            return 0
        commits = await self.broker.commits([project_id for project_id, _, _ in pending])
        marks: dict[ProjectId, int] = {}
        published = False
        for project_id, marked, last in pending:
            have = commits.get(project_id)
            if have is None or have < last:
                events = await log.read(project_id, max(marked, have or 0), last)
                if not events:
                    continue
                result = await self.publisher.append(project_id, events)
                if not isinstance(result, Head):
                    continue
                have, published = result.commit, True
            marks[project_id] = min(have, last)
        now = time.monotonic()
        if mark is None:
            mark = published or now - self._marked_at >= MARK_INTERVAL_SECONDS
        if marks and mark:
            self._marked_at = now
            async with self.storage.transaction():
                await log.mark_published(marks)
        return len(pending)
