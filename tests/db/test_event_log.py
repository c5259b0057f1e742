"""The event log (transactional outbox) on SQLite and PostgreSQL: numbers in commit order without
gaps, gone with a rolled-back transaction, and forgotten once the broker has the events."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from domain.entities import Project
from domain.enums import Framework
from domain.events import ProjectUpdated
from domain.ids import ProjectId, UserId, new_id
from domain.views import ProjectView

RENAMES = 20


@pytest.fixture
async def project(storage, clock) -> Project:
    now = clock.now()
    project = Project(
        id=ProjectId(new_id()),
        user_id=UserId("alice"),
        name="Log",
        framework=Framework.REACT,
        created_at=now,
        updated_at=now,
    )
    await storage.projects.insert(project)
    return project


def renamed(project: Project, name: str) -> ProjectUpdated:
    return ProjectUpdated(project=ProjectView.from_entity(msgspec.structs.replace(project, name=name)))


async def append(storage, project, *names: str, fence: str | None = None):
    async with storage.transaction():
        return await storage.events.append(project.id, [renamed(project, n) for n in names], fence)


async def test_numbers_follow_the_order_transactions_commit_in(storage, project):
    head = await storage.events.head(project.id)

    batches = await asyncio.gather(*(append(storage, project, f"Name {n}") for n in range(RENAMES)))

    assert sorted(b.last_seq for b in batches) == list(range(head + 1, head + 1 + RENAMES))
    assert await storage.events.head(project.id) == head + RENAMES


async def test_a_rolled_back_transaction_gives_its_numbers_back(storage, project):
    head = await storage.events.head(project.id)
    with pytest.raises(RuntimeError):
        async with storage.transaction():
            await storage.events.append(project.id, [renamed(project, "Never")])
            raise RuntimeError("the change failed")

    batch = await append(storage, project, "Kept")

    assert batch.last_seq == head + 1
    assert [e.seq for e in await storage.events.read(project.id, head, head + 5)] == [head + 1]


async def test_the_fence_travels_on_the_last_event_of_its_transaction(storage, project):
    batch = await append(storage, project, "a", "b", fence="run:1")

    stored = await storage.events.read(project.id, batch.logged[0].seq - 1, batch.last_seq)

    assert [e.fence for e in stored] == [None, "run:1"]
    assert [e.payload for e in stored] == [e.payload for e in batch.logged]


async def test_events_the_broker_has_are_forgotten(storage, project):
    batch = await append(storage, project, "a", "b")
    assert (project.id, 0, batch.last_seq) in await storage.events.unpublished(100)

    async with storage.transaction():
        await storage.events.mark_published({project.id: batch.last_seq})

    assert await storage.events.unpublished(100) == []
    assert await storage.events.read(project.id, 0, batch.last_seq) == []
    assert await storage.events.head(project.id) == batch.last_seq


async def test_a_deleted_projects_stream_goes_once_the_broker_has_its_last_event(storage, project):
    batch = await append(storage, project, "last words")
    async with storage.transaction():
        await storage.projects.delete(project.id)

    async with storage.transaction():
        await storage.events.mark_published({project.id: batch.last_seq})

    assert await storage.events.head(project.id) == 0
