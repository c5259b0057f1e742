"""Sharing on the project channel (API.md): the caller's role and the members in `hello`, member
events, roles in presence, and a removed member's tabs closed with 4403."""

from __future__ import annotations

import asyncio

import pytest

from tests.ws import open_tab


@pytest.fixture
async def project(api):
    created = await api.ok("olivia", "POST", "/api/projects", {"name": "Todo"})
    await api.share("olivia", created["id"], "eddie", "EDITOR")
    await api.share("olivia", created["id"], "vera", "VIEWER")
    return created


def member_path(project, user):
    return f"/api/projects/{project['id']}/members/{user}"


async def test_a_hello_carries_the_callers_role_and_the_members_owner_first(base_url, project):
    tab = await open_tab(base_url, project["id"], "vera")

    hello = await tab.next_of("hello")

    assert hello["role"] == "VIEWER"
    assert [(m["userId"], m["role"]) for m in hello["members"]] == [
        ("olivia", "OWNER"),
        ("eddie", "EDITOR"),
        ("vera", "VIEWER"),
    ]
    await tab.close()


async def test_presence_carries_each_clients_role(base_url, project):
    owner = await open_tab(base_url, project["id"], "olivia")
    await owner.next_of("hello")

    viewer = await open_tab(base_url, project["id"], "vera")
    hello = await viewer.next_of("hello")
    joined = await owner.until(lambda f: f["type"] == "presence.joined" and f["client"]["userId"] == "vera")

    assert joined["client"]["role"] == "VIEWER"
    assert [c["role"] for c in hello["presence"]["clients"]] == ["OWNER", "VIEWER"]
    await owner.close()
    await viewer.close()


async def test_a_new_member_is_announced_as_a_sequenced_event(api, base_url, project):
    tab = await open_tab(base_url, project["id"], "olivia")
    hello = await tab.next_of("hello")

    await api.share("olivia", project["id"], "nina", "VIEWER")
    event = await tab.next_of("member.updated")

    assert event["seq"] == hello["seq"] + 1
    assert (event["member"]["userId"], event["member"]["role"]) == ("nina", "VIEWER")
    await tab.close()


async def test_a_role_change_is_announced(api, base_url, project):
    tab = await open_tab(base_url, project["id"], "eddie")
    await tab.next_of("hello")

    await api.ok("olivia", "PATCH", member_path(project, "eddie"), {"role": "VIEWER"})
    event = await tab.next_of("member.updated")

    assert (event["member"]["userId"], event["member"]["role"]) == ("eddie", "VIEWER")
    await tab.close()


async def test_a_removed_members_tab_gets_the_removal_then_is_closed_with_4403_within_a_second(
    api, base_url, project
):
    tab = await open_tab(base_url, project["id"], "vera")
    await tab.next_of("hello")

    await api.ok("olivia", "DELETE", member_path(project, "vera"))
    removed = await tab.next_of("member.removed", timeout=1.0)
    code = await tab.closed_with(timeout=1.0)

    assert (removed["userId"], code) == ("vera", 4403)


async def test_a_member_who_leaves_has_their_tabs_closed_with_4403(api, base_url, project):
    tabs = [await open_tab(base_url, project["id"], "eddie") for _ in range(2)]
    for tab in tabs:
        await tab.next_of("hello")

    await api.ok("eddie", "DELETE", member_path(project, "eddie"))

    assert [await tab.closed_with(timeout=1.0) for tab in tabs] == [4403, 4403]


async def test_the_others_see_the_removal_and_stay(api, base_url, project):
    owner = await open_tab(base_url, project["id"], "olivia")
    await owner.next_of("hello")

    await api.ok("olivia", "DELETE", member_path(project, "vera"))
    removed = await owner.next_of("member.removed")
    await owner.send({"type": "ping", "ref": "still-here"})

    assert removed["userId"] == "vera"
    assert await owner.next_of("pong") == {"type": "pong", "ref": "still-here"}
    await owner.close()


async def test_a_removed_member_cannot_come_back(api, base_url, project):
    watching = await open_tab(base_url, project["id"], "olivia")  # keeps the project's feed here
    await watching.next_of("hello")
    await api.ok("olivia", "DELETE", member_path(project, "vera"))
    await watching.next_of("member.removed")

    tab = await open_tab(base_url, project["id"], "vera")

    assert await tab.closed_with() == 4404
    await watching.close()


async def test_a_member_added_while_the_project_is_watched_may_join(api, base_url, project):
    watching = await open_tab(base_url, project["id"], "olivia")
    await watching.next_of("hello")
    await api.share("olivia", project["id"], "nina", "EDITOR")
    await watching.next_of("member.updated")

    tab = await open_tab(base_url, project["id"], "nina")

    assert (await tab.next_of("hello"))["role"] == "EDITOR"
    await tab.close()
    await watching.close()


async def test_a_tab_resuming_past_its_removal_gets_it_and_is_closed_with_4403(api, base_url, project):
    tab = await open_tab(base_url, project["id"], "vera")
    hello = await tab.next_of("hello")
    await tab.close()
    watching = await open_tab(base_url, project["id"], "olivia")
    await watching.next_of("hello")
    await api.ok("olivia", "PATCH", f"/api/projects/{project['id']}", {"name": "Renamed"})
    await api.ok("olivia", "DELETE", member_path(project, "vera"))
    await watching.next_of("member.removed")

    resumed = await open_tab(base_url, project["id"], "vera", since=hello["seq"], epoch=hello["epoch"])

    assert await resumed.closed_with() == 4404  # no longer a member: refused before anything is sent
    await watching.close()


async def test_a_downgraded_members_next_write_frame_is_refused(api, base_url, project):
    tab = await open_tab(base_url, project["id"], "eddie")
    hello = await tab.next_of("hello")
    await api.ok("olivia", "PATCH", member_path(project, "eddie"), {"role": "VIEWER"})
    await tab.next_of("member.updated")

    await tab.send({"type": "draft.put", "files": {"a.txt": "x"}, "version": 0, "ref": "d1"})
    error = await tab.next_of("error")

    assert error == {
        "type": "error",
        "code": "forbidden",
        "message": "Your role on this project does not allow this.",
        "ref": "d1",
    }
    assert await tab.sequenced_within(0.3) == []
    assert hello["draft"] is None
    assert (await api.ok("olivia", "GET", f"/api/projects/{project['id']}/draft"))["version"] == 0
    await tab.close()


async def test_removal_closes_the_tab_even_while_it_writes(api, base_url, project):
    tab = await open_tab(base_url, project["id"], "eddie")
    await tab.next_of("hello")

    await asyncio.gather(
        tab.send({"type": "ping", "ref": "p"}),
        api.ok("olivia", "DELETE", member_path(project, "eddie")),
    )

    assert await tab.closed_with(timeout=1.0) == 4403


async def test_a_members_prompt_frame_carries_its_sender(base_url, project):
    tab = await open_tab(base_url, project["id"], "eddie")
    await tab.next_of("hello")

    await tab.send({"type": "prompt", "value": "Add a footer", "ref": "p1"})
    created = await tab.next_of("message.created")

    assert (created["message"]["content"], created["message"]["userId"]) == ("Add a footer", "eddie")
    await tab.close()
