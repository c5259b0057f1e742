"""How a worker hears that the run it executes was cancelled: the `run.updated` event that says
so reaches the project's channel in every process, within milliseconds of the commit, so the
worker listens there for as long as the run lasts instead of polling the run's row."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec

from channels.broker import Broker
from domain.entities import AgentRun
from domain.enums import RunStatus
from domain.events import RunUpdated

_RUN_UPDATED = b'"type":"run.updated"'
_decoder = msgspec.json.Decoder(RunUpdated)


class BrokerCancellations:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker

    async def watch(self, run: AgentRun, cancelled: Callable[[], None]) -> Callable[[], Awaitable[None]]:
        """Calls `cancelled` once when the run is cancelled; returns what stops the watching."""
        marker = str(run.id).encode()
        told = False

        def listener(_epoch: str, frame: bytes, _committed_at: float | None) -> None:
            nonlocal told
            if told or _RUN_UPDATED not in frame or marker not in frame:
                return
            event = _decoder.decode(frame)
            if event.run.id == run.id and event.run.status == RunStatus.CANCELLED:
                told = True
                cancelled()

        await self.broker.listen(run.project_id, listener)

        async def stop() -> None:
            await self.broker.unlisten(run.project_id, listener)

        return stop
