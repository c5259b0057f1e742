"""What the services need from the outside, as protocols that `db` and `channels` implement."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from domain.entities import (
    AgentRun,
    Attachment,
    Fragment,
    Message,
    Project,
    Subscription,
    Usage,
)
from domain.events import ProjectEvent
from domain.ids import MessageId, ProjectId, UserId


class ProjectStore(Protocol):
    async def insert(self, project: Project) -> None: ...

    async def get(self, project_id: ProjectId) -> Project | None: ...

    async def list_for_user(self, user_id: UserId) -> list[Project]:
        """Most recently updated first."""
        ...

    async def update(self, project: Project) -> None: ...

    async def delete(self, project_id: ProjectId) -> None:
        """Removes the project and everything that belongs to it."""
        ...


class MessageStore(Protocol):
    async def insert(self, message: Message) -> None: ...

    async def list_for_project(
        self, project_id: ProjectId, limit: int, after: MessageId | None = None
    ) -> list[Message]:
        """Oldest first, starting after the message `after`."""
        ...


class AttachmentStore(Protocol):
    async def insert_many(self, attachments: Sequence[Attachment]) -> None: ...

    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Attachment]: ...


class FragmentStore(Protocol):
    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Fragment]: ...

    async def latest_for_project(self, project_id: ProjectId) -> Fragment | None: ...


class RunStore(Protocol):
    async def insert(self, run: AgentRun) -> None: ...


class UsageStore(Protocol):
    async def get(self, user_id: UserId) -> Usage | None: ...

    async def lock(self, user_id: UserId, empty: Usage) -> Usage:
        """The user's usage, created from `empty` if missing, locked until the transaction ends.

        Concurrent transactions locking the same user wait for each other, so a credit check
        and its consumption cannot interleave with another's.
        """
        ...

    async def save(self, usage: Usage) -> None: ...


class SubscriptionStore(Protocol):
    async def list_for_user(self, user_id: UserId) -> list[Subscription]: ...


class Storage(Protocol):
    """Every store, plus the transaction that makes several of their writes one."""

    projects: ProjectStore
    messages: MessageStore
    attachments: AttachmentStore
    fragments: FragmentStore
    runs: RunStore
    usage: UsageStore
    subscriptions: SubscriptionStore

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Store calls made inside the block commit together or not at all.

        Writers are serialized where the engine cannot lock rows (SQLite), so a transaction that
        reads and then writes never sees a write sneak in between.
        """
        ...


class EventPublisher(Protocol):
    async def publish(self, project_id: ProjectId, events: Sequence[ProjectEvent]) -> None:
        """Appends the events to the project's stream, in order, after their changes committed."""
        ...
