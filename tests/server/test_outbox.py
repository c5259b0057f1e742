"""The stream is the commit log: an event whose publish was lost after its commit still reaches
every tab, once and in order, through the relay (the crash of a whole process: tests/e2e)."""

from __future__ import annotations

import msgspec
import pytest

from server.app import build_app, configure
from tests.streams import LiveStream, claim
from tests.ws import open_tab

RELAY_DEADLINE_SECONDS = 2.0


@pytest.fixture
def fault() -> str:
    return "drop:project.updated"


@pytest.fixture
def app(settings, clock, fault):
    """This server commits renames (or what `fault` names) but loses their publish, as a broker
    outage or a crash right after the commit would."""
    faulty = msgspec.structs.replace(settings, fault_after_commit=fault)
    app = build_app(faulty.max_body_bytes)
    configure(app, faulty, clock)
    return app


async def test_an_event_whose_publish_was_lost_reaches_every_tab_within_two_seconds(api, base_url):
    project = await api.project()
    tabs = [await open_tab(base_url, project["id"]) for _ in range(2)]
    hellos = [await tab.next_of("hello") for tab in tabs]

    await api.ok("alice", "PATCH", f"/api/projects/{project['id']}", {"name": "Renamed"})
    received = [await tab.sequenced_within(RELAY_DEADLINE_SECONDS) for tab in tabs]

    assert [[(f["type"], f["seq"], f["project"]["name"]) for f in frames] for frames in received] == [
        [("project.updated", hello["seq"] + 1, "Renamed")] for hello in hellos
    ]
    for tab in tabs:
        await tab.close()


async def test_events_after_a_lost_one_keep_their_commit_order(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")

    await api.ok("alice", "PATCH", f"/api/projects/{project['id']}", {"name": "Lost publish"})
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "Add dark mode"})
    received = await tab.sequenced_within(RELAY_DEADLINE_SECONDS)

    assert [(f["seq"], f["type"]) for f in received] == [
        (hello["seq"] + 1, "project.updated"),
        (hello["seq"] + 2, "message.created"),
        (hello["seq"] + 3, "run.updated"),
        (hello["seq"] + 4, "project.updated"),  # the prompt is activity: updatedAt moved
    ]
    await tab.close()


async def test_a_tab_joining_before_the_relay_ran_sees_the_committed_state(api, base_url):
    project = await api.project()

    await api.ok("alice", "PATCH", f"/api/projects/{project['id']}", {"name": "Committed"})
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    later = await tab.sequenced_within(RELAY_DEADLINE_SECONDS)

    assert hello["project"]["name"] == "Committed"
    assert later == []  # the hello already holds it, and its seq covers it
    await tab.close()


@pytest.mark.parametrize("fault", ["drop:message.created"])
async def test_a_delta_never_comes_before_the_claim_of_its_run(app, api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    run = await claim(app, project["id"])  # its reply's message.created is committed, not published

    await LiveStream(app, run).write("Hello")
    received = await tab.sequenced_within(RELAY_DEADLINE_SECONDS)

    assert [f["type"] for f in received] == ["message.created", "run.updated", "message.delta"]
    assert received[0]["message"]["id"] == received[2]["messageId"]
    await tab.close()
