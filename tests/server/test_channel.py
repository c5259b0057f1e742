"""`/ws/projects/{id}`: joining, authorization, live events, presence and closing (API.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.ws import open_tab

pytestmark = pytest.mark.cluster


async def test_a_fresh_tab_gets_a_hello_with_the_whole_state(api, base_url):
    project = await api.project()

    tab = await open_tab(base_url, project["id"])
    hello = await tab.next()

    assert hello["type"] == "hello"
    assert hello["project"]["id"] == project["id"]
    assert [m["content"] for m in hello["messages"]] == [
        "Build a to-do list app with a clean, minimal design"
    ]
    assert [r["status"] for r in hello["runs"]] == ["PENDING"]
    assert (hello["fragment"], hello["draft"]) == (None, None)
    assert hello["presence"]["count"] == 1
    assert hello["presence"]["clients"][0]["clientId"] == hello["clientId"]
    assert isinstance(hello["epoch"], str) and hello["seq"] >= 2
    await tab.close()


async def test_the_token_may_come_in_the_authorization_header(api, base_url):
    project = await api.project()

    tab = await open_tab(base_url, project["id"], header=True)

    assert (await tab.next())["type"] == "hello"
    await tab.close()


async def test_no_token_is_closed_with_4401(api, base_url):
    project = await api.project()

    tab = await open_tab(base_url, project["id"], token=None)

    assert await tab.closed_with() == 4401


async def test_a_bad_token_is_closed_with_4401(api, base_url):
    project = await api.project()

    tab = await open_tab(base_url, project["id"], token="not-a-token")

    assert await tab.closed_with() == 4401


async def test_another_users_project_is_closed_with_4404(api, base_url):
    project = await api.project("alice")

    tab = await open_tab(base_url, project["id"], user="mallory")

    assert await tab.closed_with() == 4404


async def test_a_missing_project_is_closed_with_4404(base_url):
    tab = await open_tab(base_url, "01a20300-0000-7000-8000-000000000000")

    assert await tab.closed_with() == 4404


async def test_changes_arrive_as_events_with_consecutive_seq(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next()

    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "Add dark mode"})
    created = await tab.next_of("message.created")
    run = await tab.next_of("run.updated")

    assert created["message"]["content"] == "Add dark mode"
    assert run["run"]["status"] == "PENDING"
    assert [created["seq"], run["seq"]] == [hello["seq"] + 1, hello["seq"] + 2]
    await tab.close()


async def test_every_tab_sees_the_same_sequence(api, base_url):
    project = await api.project()
    tabs = [await open_tab(base_url, project["id"]) for _ in range(3)]
    for tab in tabs:
        await tab.next_of("hello")

    for name in ("one", "two", "three"):
        await api.ok("alice", "PATCH", f"/api/projects/{project['id']}", {"name": name})
    for tab in tabs:
        await tab.until(lambda f: f.get("project", {}).get("name") == "three")

    sequences = [[(f["seq"], f["type"]) for f in tab.sequenced()] for tab in tabs]
    assert sequences[0] == sequences[1] == sequences[2]
    assert len(sequences[0]) == 3
    for tab in tabs:
        await tab.close()


async def test_presence_announces_joins_and_leaves(api, base_url):
    project = await api.project()
    first = await open_tab(base_url, project["id"])
    await first.next_of("hello")

    second = await open_tab(base_url, project["id"], user="alice")
    hello = await second.next_of("hello")
    joined = await first.until(
        lambda f: f["type"] == "presence.joined" and f["client"]["clientId"] == hello["clientId"]
    )
    await second.close()
    left = await first.next_of("presence.left")

    assert hello["presence"]["count"] == 2
    assert (joined["count"], joined["client"]["userId"]) == (2, "alice")
    assert (left["clientId"], left["count"]) == (hello["clientId"], 1)
    await first.close()


async def test_a_deleted_project_closes_its_tabs_with_4404(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await api.ok("alice", "DELETE", f"/api/projects/{project['id']}")

    assert (await tab.next_of("project.deleted"))["project"]["id"] == project["id"]
    assert await tab.closed_with() == 4404


async def test_a_hello_lists_every_version_as_a_summary_and_the_latest_whole(api, base_url):
    project = await api.project()
    for title in ("First", "Second"):
        message = await api.assistant_message("alice", project["id"])
        await api.fragment("alice", message["id"], title=title)

    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")

    summaries = [m["fragment"] for m in hello["messages"] if m["fragment"]]
    assert [(f["title"], f["fileCount"], "files" in f) for f in summaries] == [
        ("First", 2, False),
        ("Second", 2, False),
    ]
    assert hello["fragment"]["title"] == "Second"
    assert sorted(hello["fragment"]["files"]) == ["app/page.tsx", "package.json"]
    await tab.close()


async def test_a_tab_learns_the_projects_updated_at_that_a_posted_message_moved(api, base_url, clock):
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Plain"})
    tab = await open_tab(base_url, project["id"])
    hello = await tab.next_of("hello")
    clock.advance(timedelta(minutes=1))

    await api.assistant_message("alice", project["id"])
    received = await tab.sequenced_within(1.0)
    shown = [hello["project"], *(f["project"] for f in received if f["type"] == "project.updated")][-1]

    assert "message.created" in [f["type"] for f in received]
    assert shown["updatedAt"] == (await api.ok("alice", "GET", f"/api/projects/{project['id']}"))["updatedAt"]
    await tab.close()
