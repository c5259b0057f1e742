"""The presence store (channels/presence.py) on every deployment: counts and lists of who watches,
and, on Redis (one server or a cluster), entries whose server stopped refreshing them reaped once,
by whichever server's keeper gets there first."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from uuid import uuid4

import pytest

from channels.frames import PresenceClient
from channels.presence import MemoryPresence, Presence, Reaped, RedisPresence
from domain.enums import ProjectRole
from domain.ids import ProjectId

pytestmark = pytest.mark.cluster

TTL_SECONDS = 1.0
on_redis = pytest.mark.parametrize("deployment", ["scaled", "cluster"], indirect=True)


@pytest.fixture
def make_presence(settings, make_redis) -> Callable[[], Presence]:
    """`make_presence()`: the presence store of one more server process (embedded: the one)."""
    memory = MemoryPresence()

    def make() -> Presence:
        if settings.redis_url is None:
            return memory
        return RedisPresence(make_redis(), settings.redis_prefix, ttl_seconds=TTL_SECONDS)

    return make


@pytest.fixture
def project() -> ProjectId:
    return ProjectId(uuid4())


def tab(name: str) -> PresenceClient:
    return PresenceClient(
        client_id=name, user_id="alice", role=ProjectRole.OWNER, joined_at="2026-01-15T12:00:00.000Z"
    )


async def test_join_and_leave_answer_how_many_watch_the_project(make_presence, project):
    presence = make_presence()

    counts = [
        await presence.join(project, tab("a")),
        await presence.join(project, tab("b")),
        await presence.leave(project, "a"),
    ]

    assert counts == [1, 2, 1]


@on_redis
async def test_the_entry_of_a_server_that_stopped_refreshing_is_reaped_with_the_count_left(
    make_presence, project
):
    crashed, alive = make_presence(), make_presence()
    await crashed.join(project, tab("gone"))
    await alive.join(project, tab("here"))

    await asyncio.sleep(TTL_SECONDS / 2)
    await alive.refresh([(project, "here")])
    await asyncio.sleep(TTL_SECONDS * 0.7)
    reaped = await alive.reap()

    assert reaped == [Reaped(project, "gone", 1)]
    assert [c.client_id for c in await alive.everyone(project)] == ["here"]


@on_redis
async def test_an_entry_is_reaped_once_by_keepers_reaping_together(make_presence, project):
    crashed, keepers = make_presence(), [make_presence() for _ in range(3)]
    await crashed.join(project, tab("gone"))

    await asyncio.sleep(TTL_SECONDS * 1.2)
    rounds = await asyncio.gather(*(keeper.reap() for keeper in keepers))

    assert sorted(len(reaped) for reaped in rounds) == [0, 0, 1]


@on_redis
async def test_a_project_the_keepers_forgot_is_reaped_again_once_a_tab_joins_it(make_presence, project):
    presence = make_presence()
    await presence.join(project, tab("first"))
    await presence.leave(project, "first")
    await asyncio.sleep(TTL_SECONDS * 1.2)
    assert await presence.reap() == []  # nobody left to reap: the keepers forget the project

    await presence.join(project, tab("second"))
    await asyncio.sleep(TTL_SECONDS * 1.2)

    assert await presence.reap() == [Reaped(project, "second", 0)]
