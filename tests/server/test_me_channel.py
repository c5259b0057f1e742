"""A person's own channel (`GET /ws/me`, API.md): their project list and credits, live."""

from __future__ import annotations

import pytest

from channels.close_codes import CLOSE_POLICY_VIOLATION, CLOSE_UNAUTHORIZED
from tests.conftest import ADMIN
from tests.ws import open_me


@pytest.fixture
async def project(api):
    return await api.ok("olivia", "POST", "/api/projects", {"name": "Todo"})


async def listed(me, project_id):
    return await me.until(lambda f: f["type"] == "project.listed" and f["project"]["id"] == project_id)


async def test_hello_lists_own_and_shared_projects_with_roles_and_the_credits(api, base_url, project):
    mine = await api.ok("eddie", "POST", "/api/projects", {"name": "Mine"})
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    me = await open_me(base_url, "eddie")

    hello = await me.next()

    assert hello["type"] == "hello"
    assert [(p["id"], p["name"], p["role"]) for p in hello["projects"]] == [
        (mine["id"], "Mine", "OWNER"),
        (project["id"], "Todo", "EDITOR"),
    ]
    assert hello["usage"] == await api.ok("eddie", "GET", "/api/usage")
    await me.close()


async def test_the_list_is_what_get_projects_gives(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "VIEWER")
    me = await open_me(base_url, "eddie")

    hello = await me.next_of("hello")

    assert hello["projects"] == await api.ok("eddie", "GET", "/api/projects")
    await me.close()


async def test_a_new_project_is_listed_for_its_owner(api, base_url):
    me = await open_me(base_url, "olivia")
    await me.next_of("hello")

    created = await api.ok("olivia", "POST", "/api/projects", {"name": "Fresh"})

    frame = await listed(me, created["id"])
    assert (frame["project"]["name"], frame["project"]["role"]) == ("Fresh", "OWNER")
    await me.close()


async def test_an_accepted_invitation_lists_the_project_with_the_role(api, base_url, project):
    me = await open_me(base_url, "eddie")
    await me.next_of("hello")

    await api.share("olivia", project["id"], "eddie", "VIEWER")

    frame = await listed(me, project["id"])
    assert frame["project"] == {**project, "role": "VIEWER", "updatedAt": frame["project"]["updatedAt"]}
    await me.close()


async def test_a_rename_reaches_every_members_list(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    owner, member = await open_me(base_url, "olivia"), await open_me(base_url, "eddie")
    await owner.next_of("hello")
    await member.next_of("hello")

    await api.ok("eddie", "PATCH", f"/api/projects/{project['id']}", {"name": "Renamed"})

    assert (await listed(owner, project["id"]))["project"]["name"] == "Renamed"
    assert (await listed(member, project["id"]))["project"]["name"] == "Renamed"
    await owner.close()
    await member.close()


async def test_a_role_change_relists_the_project_with_the_new_role(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    me = await open_me(base_url, "eddie")
    await me.next_of("hello")

    await api.ok("olivia", "PATCH", f"/api/projects/{project['id']}/members/eddie", {"role": "VIEWER"})

    assert (await listed(me, project["id"]))["project"]["role"] == "VIEWER"
    await me.close()


async def test_a_removed_member_sees_the_project_unlisted(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    me = await open_me(base_url, "eddie")
    await me.next_of("hello")

    await api.ok("olivia", "DELETE", f"/api/projects/{project['id']}/members/eddie")

    assert await me.next_of("project.unlisted") == {"type": "project.unlisted", "projectId": project["id"]}
    await me.close()


async def test_a_deleted_project_is_unlisted_for_the_owner_and_the_members(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "VIEWER")
    owner, member = await open_me(base_url, "olivia"), await open_me(base_url, "eddie")
    await owner.next_of("hello")
    await member.next_of("hello")

    await api.ok("olivia", "DELETE", f"/api/projects/{project['id']}")

    assert (await owner.next_of("project.unlisted"))["projectId"] == project["id"]
    assert (await member.next_of("project.unlisted"))["projectId"] == project["id"]
    await owner.close()
    await member.close()


async def test_a_members_prompt_updates_the_owners_credits(api, base_url, project):
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    me = await open_me(base_url, "olivia")
    before = (await me.next_of("hello"))["usage"]["creditsRemaining"]

    await api.ok("eddie", "POST", f"/api/projects/{project['id']}/messages", {"value": "Add a footer"})

    usage = (await me.next_of("usage.updated"))["usage"]
    assert usage["creditsRemaining"] == before - 1
    await me.close()


async def test_an_admin_reset_gives_the_credits_back_live(api, base_url):
    await api.project("olivia")
    me = await open_me(base_url, "olivia")
    await me.next_of("hello")

    await api.ok(ADMIN, "POST", "/api/admin/usage/olivia/reset")

    assert (await me.next_of("usage.updated"))["usage"]["creditsRemaining"] == 5
    await me.close()


async def test_another_persons_changes_are_not_heard(api, base_url, project):
    me = await open_me(base_url, "stranger")
    await me.next_of("hello")

    await api.ok("olivia", "PATCH", f"/api/projects/{project['id']}", {"name": "Secret"})
    await me.send({"type": "ping", "ref": "after"})

    assert await me.next() == {"type": "pong", "ref": "after"}
    await me.close()


async def test_without_a_token_the_channel_closes_with_4401(base_url):
    me = await open_me(base_url, token=None)

    assert await me.closed_with() == CLOSE_UNAUTHORIZED


async def test_a_prompt_frame_is_refused_with_an_error_frame(base_url):
    me = await open_me(base_url, "olivia")
    await me.next_of("hello")

    await me.send({"type": "prompt", "value": "hello", "ref": "p1"})

    error = await me.next_of("error")
    assert (error["code"], error["ref"]) == ("invalid_frame", "p1")
    await me.close()


async def test_a_frame_that_is_not_json_closes_with_1008(base_url):
    me = await open_me(base_url, "olivia")
    await me.next_of("hello")

    await me.send("not json")

    assert await me.closed_with() == CLOSE_POLICY_VIOLATION
