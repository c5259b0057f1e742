"""The domain's event publisher over a broker: each event is encoded once, here."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from channels.broker import Broker
from channels.run_queue import wake_workers, wakes_workers
from domain.events import ProjectEvent
from domain.ids import ProjectId


class BrokerPublisher:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self._encoder = msgspec.json.Encoder()

    async def publish(self, project_id: ProjectId, events: Sequence[ProjectEvent]) -> None:
        if events:
            await self.broker.append(project_id, [self._encoder.encode(e) for e in events])
            if wakes_workers(events):
                await wake_workers(self.broker)
