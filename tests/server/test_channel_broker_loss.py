"""A broker that lost or rolled back history is noticed: Redis restarted empty, or restarted from
an older dump (as a failover to a replica that is behind would be). Connected tabs get a fresh
hello, a tab resuming from before gets one too, and no tab is ever sent a seq it had for another
event."""

from __future__ import annotations

import pytest

from tests.streams import rename
from tests.ws import open_tab

pytestmark = pytest.mark.parametrize("deployment", ["scaled"], indirect=True)

NEW_HELLO_SECONDS = 10.0


@pytest.fixture
def app(private_redis_app):
    return private_redis_app


def sequence_problems(frames: list[dict]) -> list[str]:
    """Every sequenced frame must follow the previous one by exactly one, within one hello."""
    problems, last = [], None
    for frame in frames:
        if frame["type"] == "hello":
            last = frame["seq"]
        elif "seq" in frame:
            if frame["seq"] != last + 1:
                problems.append(f"{frame['type']} seq {frame['seq']} after {last}")
            last = frame["seq"]
    return problems


async def test_a_redis_restarted_empty_gives_connected_tabs_a_fresh_hello(app, api, base_url, redis_server):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    await rename(app, project["id"], "One", "Two")
    await tab.next_of("project.updated")
    await tab.next_of("project.updated")

    redis_server.restart_from(None)
    await rename(app, project["id"], "Three")
    fresh = await tab.next_of("hello", timeout=NEW_HELLO_SECONDS)

    assert fresh["epoch"] != hello["epoch"]
    assert fresh["project"]["name"] == "Three"
    assert sequence_problems(tab.frames) == []
    await tab.close()


async def test_a_redis_restored_from_an_older_dump_gives_connected_tabs_a_fresh_hello(
    app, api, base_url, redis_server
):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    await rename(app, project["id"], "Saved")
    await tab.next_of("project.updated")
    older = redis_server.save()
    await rename(app, project["id"], "After the dump", "Later still")
    *_, last = [await tab.next_of("project.updated") for _ in range(2)]

    redis_server.restart_from(older)  # its streams are back at "Saved", numbered as they were then
    await rename(app, project["id"], "After the restore")
    fresh = await tab.next_of("hello", timeout=NEW_HELLO_SECONDS)

    assert fresh["epoch"] != hello["epoch"]
    assert fresh["project"]["name"] == "After the restore"
    assert last["project"]["name"] == "Later still"
    assert sequence_problems(tab.frames) == []
    await tab.close()


async def test_a_tab_resuming_into_a_rolled_back_redis_gets_a_fresh_hello(app, api, base_url, redis_server):
    project = await api.project()
    older = redis_server.save()
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    await rename(app, project["id"], "One", "Two", "Three")
    seen = [hello, *[await tab.next_of("project.updated") for _ in range(3)]]
    await tab.close()

    redis_server.restart_from(older)
    again = await open_tab(base_url, project["id"], since=seen[-1]["seq"], epoch=seen[0]["epoch"])
    first = await again.next(timeout=NEW_HELLO_SECONDS)

    assert first["type"] == "hello"
    assert first["epoch"] != seen[0]["epoch"]
    assert first["project"]["name"] == "Three"
    await again.close()
