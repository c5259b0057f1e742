"""Waking workers through the broker: the domain says when a run may start now
(`domain.ports.WorkerWakeups`), and one broker channel every process can listen to carries it, so
idle workers claim the run at once instead of finding it on their next slow poll."""

from __future__ import annotations

import logging
from collections.abc import Callable
from uuid import UUID

from channels.broker import Broker, Listener
from channels.publisher import BROKER_ERRORS
from domain.ids import ProjectId

RUN_QUEUE_CHANNEL = ProjectId(UUID(int=0))
"""No project has the nil UUID (ids are UUIDv7), so the queue's channel cannot meet a project's."""
WAKE = b'{"type":"runs.waiting"}'

logger = logging.getLogger("forge.channels")


class BrokerWakeups:
    """The domain's WorkerWakeups, told to every listening process through the broker."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    async def runs_waiting(self) -> None:
        try:
            await self.broker.broadcast(RUN_QUEUE_CHANNEL, WAKE)
        except BROKER_ERRORS:  # idle workers poll; they find the run a little later
            logger.warning("waking workers failed", exc_info=True)


async def listen_for_runs(broker: Broker, wake: Callable[[], None]) -> Listener:
    """Calls `wake` whenever runs may be waiting; returns the listener, to unlisten it."""

    def listener(_epoch: str, _frame: bytes, _committed_at: float | None) -> None:
        wake()

    await broker.listen(RUN_QUEUE_CHANNEL, listener)
    return listener
