"""Counts what committed events say happened, outside the domain that made it happen: the domain
imports no metrics library, and every committed event passes here exactly once, in the process
that committed it (events the relay publishes later do not pass again)."""

from __future__ import annotations

from collections.abc import Sequence

from domain.enums import RunSource, RunStatus
from domain.events import LoggedBatch, ProjectEvent, RunUpdated
from domain.ids import ProjectId
from domain.ports import EventPublisher
from domain.views import RunView
from forge.metrics import CREDITS_SPENT, RUN_TRANSITIONS


class CountingPublisher:
    """An EventPublisher that counts run status changes and credits spent, then passes on."""

    def __init__(self, inner: EventPublisher) -> None:
        self.inner = inner
        for source in RunSource:  # every series from the start, so rate() sees its first move
            for status in RunStatus:
                RUN_TRANSITIONS.labels(source.value, status.value)

    async def publish(self, batches: Sequence[LoggedBatch]) -> None:
        for batch in batches:
            for event in batch.events:
                if isinstance(event, RunUpdated):
                    count_run(event.run)
        await self.inner.publish(batches)

    async def publish_live(self, project_id: ProjectId, events: Sequence[ProjectEvent], fence: str) -> None:
        await self.inner.publish_live(project_id, events, fence)


def count_run(run: RunView) -> None:
    # Every write that changes a run's status clears its stage (domain/services/agent_runs.py,
    # runs.py); a `run.updated` with a stage is a RUNNING run's progress, not a change of status.
    if run.stage is not None:
        return
    RUN_TRANSITIONS.labels(run.source.value, run.status.value).inc()
    # A server run is only ever queued with the credit that pays for it (domain/services/turns.py),
    # and only a new one has never started: a run given back to the queue keeps its `startedAt`.
    if run.source == RunSource.SERVER and run.status == RunStatus.PENDING and run.started_at is None:
        CREDITS_SPENT.inc()
