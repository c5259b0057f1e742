"""A project's feed in one process: what joining tabs share, and what a crowd of watchers hears."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from channels.feed import ProjectFeed
from channels.frames import PresenceClient, PresenceJoined, encode
from channels.hellos import SharedHello
from channels.memory import MemoryBroker
from channels.presence import PRESENCE_LIST_LIMIT, MemoryPresence
from channels.tab import Direct, Event, Tab
from domain.enums import ProjectRole
from domain.events import LoggedEvent
from domain.ids import ProjectId

SUMMARY_SECONDS = 0.05


@pytest.fixture
def project() -> ProjectId:
    return ProjectId(uuid4())


@pytest.fixture
def broker() -> MemoryBroker:
    return MemoryBroker()


@pytest.fixture
async def feed(broker, project) -> AsyncIterator[ProjectFeed]:
    feed = ProjectFeed(project, broker, MemoryPresence(), presence_summary_seconds=SUMMARY_SECONDS)
    await feed.start()
    yield feed
    await feed.stop()


def event(seq: int) -> LoggedEvent:
    return LoggedEvent(seq=seq, payload=json.dumps({"type": "project.updated", "n": seq}).encode())


def joined(n: int) -> bytes:
    client = PresenceClient(
        client_id=f"c{n}", user_id="alice", role=ProjectRole.OWNER, joined_at="2026-12-01T00:00:00.000Z"
    )
    return encode(PresenceJoined(client=client, count=n)).encode()


async def until(condition, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - the feed's task delivers in its own time
            await asyncio.sleep(0.005)


async def test_tabs_joining_together_share_one_hello_state(feed):
    loads = 0

    async def load() -> SharedHello:
        nonlocal loads
        loads += 1
        await asyncio.sleep(0.01)
        return SharedHello(feed.epoch, feed.last_seq, {"alice": ProjectRole.OWNER}, b"{}")

    hellos = await asyncio.gather(*(feed.shared_hello(load) for _ in range(50)))

    assert loads == 1
    assert len({id(h) for h in hellos}) == 1


async def test_a_shared_hello_state_is_caught_up_from_the_frames_delivered_since(feed, broker, project):
    await broker.append(project, [event(1)])
    await until(lambda: feed.last_seq == 1)
    shared = await feed.shared_hello(lambda: _hello(feed))
    await broker.append(project, [event(2), event(3)])
    await until(lambda: feed.last_seq == 3)

    again = await feed.shared_hello(lambda: _hello(feed))

    assert again is shared
    assert [e.seq for e in feed.frames_after(shared.epoch, shared.seq) or []] == [2, 3]


async def test_a_resume_from_beyond_what_the_feed_delivered_is_not_served_from_it(feed, broker, project):
    await broker.append(project, [event(1)])
    await until(lambda: feed.last_seq == 1)

    assert feed.frames_after(feed.epoch, 5) is None
    assert feed.frames_after("another epoch", 0) is None


async def test_a_crowd_hears_of_presence_changes_as_one_summary_now_and_then(feed, broker, project):
    tab = Tab("watcher", limit=1000)
    feed.tabs.add(tab)
    for n in range(PRESENCE_LIST_LIMIT):
        feed.presence.joined(
            PresenceClient(client_id=f"old{n}", user_id="bob", role=ProjectRole.VIEWER, joined_at="x")
        )

    for n in range(1, 6):
        await broker.broadcast(project, joined(PRESENCE_LIST_LIMIT + n))
    await until(lambda: bool(tab.pending))
    received = await tab.next_batch()

    assert [json.loads(item.text)["count"] for item in received if isinstance(item, Direct)] == [
        PRESENCE_LIST_LIMIT + 5
    ]
    assert feed.presence.listed().count == PRESENCE_LIST_LIMIT + 5


async def test_a_few_watchers_hear_of_each_presence_change_at_once(feed, broker, project):
    tab = Tab("watcher", limit=1000)
    feed.tabs.add(tab)

    for n in range(1, 4):
        await broker.broadcast(project, joined(n))
    await until(lambda: len(tab.pending) == 3)

    assert [json.loads(item.text)["count"] for item in tab.pending if isinstance(item, Direct)] == [1, 2, 3]


async def _hello(feed: ProjectFeed) -> SharedHello:
    return SharedHello(feed.epoch, feed.last_seq, {"alice": ProjectRole.OWNER}, b"{}")


def test_a_tab_past_its_byte_budget_is_closed_as_too_slow():
    tab = Tab("slow", limit=1000, limit_bytes=10_000)

    for seq in range(1, 4):
        tab.offer(Event("e", seq, "x" * 4000))

    assert tab.close_code == 4408
    assert [item.seq for item in tab.pending if isinstance(item, Event)] == [1, 2]
