"""What every service shares: its stores, the event publisher, the clock, and how a change and its
events commit together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

import msgspec

from domain.clock import Clock
from domain.entities import ProjectAccess
from domain.errors import NotFound
from domain.events import LoggedBatch, ProjectEvent, ProjectUpdated
from domain.ids import ProjectId, UserId
from domain.ports import EventPublisher, NoSignals, NoWakeups, Storage, UserSignals, WorkerWakeups
from domain.rules.listings import changed_for_members, owner_if_changed_for_everyone
from domain.rules.permissions import Action, check_allowed, role_in
from domain.rules.wakeups import wakes_workers
from domain.signals import AnyUserSignal, ListingChanged, UsageChanged
from domain.views import ProjectView


class Outbox:
    """The events of one transaction, per project in the order they were added."""

    def __init__(self) -> None:
        self.pending: dict[ProjectId, list[ProjectEvent]] = {}
        self.fences: dict[ProjectId, str] = {}
        self.batches: list[LoggedBatch] = []
        """What the event log made of them, once the transaction committed."""
        self.signals: set[AnyUserSignal] = set()
        """What people's own channels are told once the transaction committed."""

    def add(self, project_id: ProjectId, event: ProjectEvent) -> None:
        self.pending.setdefault(project_id, []).append(event)

    def fence(self, project_id: ProjectId, token: str) -> None:
        """From this transaction's events on, the project's stream takes live frames only under
        `token` ("" for none): the run attempt that now works on the project. The transaction must
        add an event of the project too; the fence travels on its last one."""
        self.fences[project_id] = token

    def listing_changed(self, user_ids: Iterable[UserId], project_id: ProjectId) -> None:
        """The project appeared, changed or went away in these people's lists (the changes its
        events imply are found without this: domain/rules/listings.py)."""
        self.signals.update(ListingChanged(user_id=user, project_id=project_id) for user in user_ids)

    def usage_changed(self, user_id: UserId) -> None:
        self.signals.add(UsageChanged(user_id=user_id))


class Service:
    def __init__(
        self,
        storage: Storage,
        events: EventPublisher,
        clock: Clock,
        *,
        wakeups: WorkerWakeups | None = None,
        signals: UserSignals | None = None,
    ) -> None:
        self.storage = storage
        self.events = events
        self.clock = clock
        self.wakeups: WorkerWakeups = wakeups or NoWakeups()
        self.signals: UserSignals = signals or NoSignals()

    @asynccontextmanager
    async def committed(self) -> AsyncIterator[Outbox]:
        """A transaction whose events are written to the event log inside it, so they commit with
        the change or not at all, and are published at once after the commit. A change that lets a
        run start wakes the workers after that, and the people whose project list or credits it
        changed hear of it on their own channels."""
        outbox = Outbox()
        async with self.storage.transaction():
            yield outbox
            await self._find_listing_changes(outbox)
            outbox.batches = await self._log(outbox)
        if outbox.batches:
            await self.events.publish(outbox.batches)
        if wakes_workers(e for events in outbox.pending.values() for e in events):
            await self.wakeups.runs_waiting()
        if outbox.signals:
            await self.signals.send(sorted(outbox.signals, key=_signal_order))

    async def _find_listing_changes(self, outbox: Outbox) -> None:
        """Whose lists the transaction's events change, read inside it (who is a member now)."""
        for project_id, events in outbox.pending.items():
            outbox.listing_changed(changed_for_members(events), project_id)
            owner = owner_if_changed_for_everyone(events)
            if owner is not None:
                members = await self.storage.members.list_for_project(project_id)
                outbox.listing_changed([owner, *(m.user_id for m in members)], project_id)

    async def _log(self, outbox: Outbox) -> list[LoggedBatch]:
        # Projects in one order everywhere: two transactions never wait for each other's streams.
        return [
            await self.storage.events.append(project_id, events, outbox.fences.get(project_id))
            for project_id, events in sorted(outbox.pending.items(), key=lambda item: str(item[0]))
        ]

    async def touch_project(self, outbox: Outbox, project_id: ProjectId, now: datetime) -> None:
        """The project had activity: its `updatedAt` moves, and every tab learns it."""
        project = await self.storage.projects.touch(project_id, now)
        if project is not None:
            outbox.add(project_id, ProjectUpdated(project=ProjectView.from_entity(project)))

    async def access(self, user_id: UserId, project_id: ProjectId, action: Action) -> ProjectAccess:
        """The project with the user's role on it, if that role allows `action`
        (domain/rules/permissions.py): a project not shared with the user is as missing as none
        (NotFound), a role that does not allow the action is RoleRequired."""
        project = await self.storage.projects.get(project_id)
        if project is None:
            raise NotFound("Project not found.")
        member = None if project.user_id == user_id else await self.storage.members.get(project_id, user_id)
        return ProjectAccess(project=project, role=check_allowed(role_in(project, user_id, member), action))


def _signal_order(signal: AnyUserSignal) -> tuple[str, str]:
    """One order, so that repeated runs of a test or a bench send the same frames."""
    project = signal.project_id if isinstance(signal, ListingChanged) else ""
    return (signal.user_id, str(project))


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
