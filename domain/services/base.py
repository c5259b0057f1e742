"""What every service shares: its stores, the event publisher, the clock, and commit-then-publish."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

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


T = TypeVar("T")
K = TypeVar("K")


class Page(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    """One page of a list, and the id the next page continues from (None on the last page)."""

    items: list[T]
    next_key: UUID | None


def page_of(rows: list[T], limit: int, key: Callable[[T], UUID]) -> Page[T]:
    """Stores are asked for `limit + 1` rows: the extra one only says that there is more."""
    items = rows[:limit]
    return Page(items=items, next_key=key(items[-1]) if len(rows) > limit else None)


def set_fields(changes: msgspec.Struct) -> dict[str, object]:
    """The fields a partial update gives a value (UNSET fields stay as they are)."""
    return {
        name: value
        for name, value in msgspec.structs.asdict(changes).items()
        if not isinstance(value, msgspec.UnsetType)
    }


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
