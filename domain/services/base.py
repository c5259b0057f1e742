"""What every service shares: its stores, the event publisher, the clock, and commit-then-publish."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from domain.clock import Clock
from domain.entities import Project
from domain.errors import NotFound
from domain.events import ProjectEvent
from domain.ids import ProjectId, UserId
from domain.ports import EventPublisher, Storage


class Outbox:
    """Events of one transaction, published only once it has committed."""

    def __init__(self) -> None:
        self.pending: list[tuple[ProjectId, ProjectEvent]] = []

    def add(self, project_id: ProjectId, event: ProjectEvent) -> None:
        self.pending.append((project_id, event))


class Service:
    def __init__(self, storage: Storage, events: EventPublisher, clock: Clock) -> None:
        self.storage = storage
        self.events = events
        self.clock = clock

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[Outbox]:
        """A transaction whose events are published after it commits, and dropped if it fails."""
        outbox = Outbox()
        async with self.storage.transaction():
            yield outbox
        for project_id, events in _grouped(outbox.pending):
            await self.events.publish(project_id, events)

    async def owned_project(self, user_id: UserId, project_id: ProjectId) -> Project:
        """The project, if it is the user's; another user's project is as missing as none."""
        project = await self.storage.projects.get(project_id)
        if project is None or project.user_id != user_id:
            raise NotFound("Project not found.")
        return project


def _grouped(
    pending: list[tuple[ProjectId, ProjectEvent]],
) -> list[tuple[ProjectId, list[ProjectEvent]]]:
    """Consecutive events of one project travel together, keeping their order."""
    groups: list[tuple[ProjectId, list[ProjectEvent]]] = []
    for project_id, event in pending:
        if groups and groups[-1][0] == project_id:
            groups[-1][1].append(event)
        else:
            groups.append((project_id, [event]))
    return groups
