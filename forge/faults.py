"""Fault injection for tests only (`FORGE_FAULT_AFTER_COMMIT`): a process that dies, or loses its
publish, right after committing a change, so a test can show that the event still reaches every
tab through the outbox relay. Never set it in production."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from domain.events import LoggedBatch, ProjectEvent
from domain.ids import ProjectId
from domain.ports import EventPublisher

logger = logging.getLogger("forge.server")

FAULTS = ("exit", "drop")
CRASH_EXIT_CODE = 70


class FaultAfterCommit:
    """Publishes through `inner`, except after a commit with an event of type `event_type`: then the
    process exits on the spot ("exit") or the publish silently does not happen ("drop")."""

    def __init__(self, inner: EventPublisher, spec: str) -> None:
        self.inner = inner
        self.fault, _, self.event_type = spec.partition(":")

    async def publish(self, batches: Sequence[LoggedBatch]) -> None:
        if any(_type(e) == self.event_type for batch in batches for e in batch.events):
            logger.warning("fault injection: %s after committing %s", self.fault, self.event_type)
            if self.fault == "exit":
                os._exit(CRASH_EXIT_CODE)
            return
        await self.inner.publish(batches)

    async def publish_live(self, project_id: ProjectId, events: Sequence[ProjectEvent], fence: str) -> None:
        await self.inner.publish_live(project_id, events, fence)


def _type(event: ProjectEvent) -> str:
    return str(event.__struct_config__.tag)
