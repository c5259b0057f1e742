"""Waking workers: a run that may start now, or an import to do, is announced on one broker channel
every process can listen to, so idle workers claim it at once instead of finding it on their next
slow poll."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from channels.broker import Broker, Listener
from domain.enums import ImportStatus, RunSource, RunStatus
from domain.events import ImportUpdated, ProjectEvent, RunUpdated
from domain.ids import ProjectId

RUN_QUEUE_CHANNEL = ProjectId(UUID(int=0))
"""No project has the nil UUID (ids are UUIDv7), so the queue's channel cannot meet a project's."""
WAKE = b'{"type":"runs.waiting"}'
# A run waiting, or a run ending (the next one of its project may start now).
_WAKING = frozenset({RunStatus.PENDING, RunStatus.COMPLETED, RunStatus.FAILED})
# An import waiting, or an import ending (a run waiting for it may start now).
_WAKING_IMPORTS = frozenset({ImportStatus.PENDING, ImportStatus.COMPLETE, ImportStatus.FAILED})


def wakes_workers(events: Sequence[ProjectEvent]) -> bool:
    return any(
        (isinstance(e, RunUpdated) and e.run.source == RunSource.SERVER and e.run.status in _WAKING)
        or (isinstance(e, ImportUpdated) and e.import_.status in _WAKING_IMPORTS)
        for e in events
    )


async def wake_workers(broker: Broker) -> None:
    await broker.broadcast(RUN_QUEUE_CHANNEL, WAKE)


async def listen_for_runs(broker: Broker, wake: Callable[[], None]) -> Listener:
    """Calls `wake` whenever runs may be waiting; returns the listener, to unlisten it."""

    def listener(_epoch: str, _frame: bytes, _committed_at: float | None) -> None:
        wake()

    await broker.listen(RUN_QUEUE_CHANNEL, listener)
    return listener
