"""Reconnecting tabs: resume from history inside the window, a fresh hello outside it."""

from __future__ import annotations

from uuid import UUID

import msgspec
import pytest

from domain.ids import ProjectId
from server.app import build_app, configure
from tests.streams import rename
from tests.ws import open_tab

pytestmark = pytest.mark.cluster

HISTORY = 5


@pytest.fixture
def app(settings, clock):
    """History holds only the last few events, so a test can fall out of it."""
    short = msgspec.structs.replace(settings, history_min_events=HISTORY, history_min_age_seconds=0)
    app = build_app(short.max_body_bytes)
    configure(app, short, clock)
    return app


async def renames(app, project_id: str, count: int, start: int = 0) -> None:
    await rename(app, project_id, *(f"Name {n}" for n in range(start, start + count)))


async def last_seen(api, base_url, project):
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    await tab.close()
    return hello


async def test_a_resume_inside_the_window_gets_exactly_the_missed_events(app, api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)
    await renames(app, project["id"], 3)

    tab = await open_tab(base_url, project["id"], since=hello["seq"], epoch=hello["epoch"])
    resumed = await tab.next()
    missed = [await tab.next_of("project.updated") for _ in range(3)]

    assert resumed == {
        "type": "resumed",
        "epoch": hello["epoch"],
        "from": hello["seq"] + 1,
        "to": hello["seq"] + 3,
    }
    assert [(f["seq"], f["project"]["name"]) for f in missed] == [
        (hello["seq"] + n, f"Name {n - 1}") for n in (1, 2, 3)
    ]
    await tab.close()


async def test_a_resume_with_nothing_missed_is_an_empty_resumed(api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)

    tab = await open_tab(base_url, project["id"], since=hello["seq"], epoch=hello["epoch"])

    assert await tab.next() == {
        "type": "resumed",
        "epoch": hello["epoch"],
        "from": hello["seq"] + 1,
        "to": hello["seq"],
    }
    await tab.close()


async def test_live_events_follow_the_resumed_ones_without_a_gap(app, api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)
    await renames(app, project["id"], 2)
    tab = await open_tab(base_url, project["id"], since=hello["seq"], epoch=hello["epoch"])
    await tab.next_of("resumed")

    await renames(app, project["id"], 2, start=2)
    frames = [await tab.next_of("project.updated") for _ in range(4)]

    assert [f["seq"] for f in frames] == [hello["seq"] + n for n in (1, 2, 3, 4)]
    await tab.close()


async def test_a_resume_outside_the_window_gets_a_hello(app, api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)
    await renames(app, project["id"], HISTORY + 3)

    tab = await open_tab(base_url, project["id"], since=hello["seq"], epoch=hello["epoch"])
    fresh = await tab.next()

    assert (fresh["type"], fresh["seq"]) == ("hello", hello["seq"] + HISTORY + 3)
    await tab.close()


async def test_a_resume_with_another_epoch_gets_a_hello(api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)

    tab = await open_tab(base_url, project["id"], since=hello["seq"], epoch="not-this-one")

    assert (await tab.next())["type"] == "hello"
    await tab.close()


async def test_a_resume_from_the_future_gets_a_hello(api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)

    tab = await open_tab(base_url, project["id"], since=hello["seq"] + 50, epoch=hello["epoch"])

    assert (await tab.next())["type"] == "hello"
    await tab.close()


async def test_history_survives_the_last_tab_leaving(app, api, base_url):
    project = await api.project()
    hello = await last_seen(api, base_url, project)
    await renames(app, project["id"], 2)

    tab = await open_tab(base_url, project["id"], since=hello["seq"], epoch=hello["epoch"])

    assert (await tab.next())["type"] == "resumed"
    await tab.close()


@pytest.mark.parametrize("deployment", ["scaled", "cluster"], indirect=True)
async def test_a_lost_history_sends_connected_tabs_a_new_hello(app, api, base_url, settings):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    core = app.state.web.core
    keys = core.broker.keys
    pid = ProjectId(UUID(project["id"]))

    await core.redis.delete(*keys.stream(pid))  # as a flushed Redis would
    await renames(app, project["id"], 1)
    again = await tab.next_of("hello")

    assert again["epoch"] != hello["epoch"]
    assert again["project"]["name"] == "Name 0"
    await tab.close()
