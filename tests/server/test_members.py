"""A project's members (API.md, "Sharing"): the list, roles, removing and leaving, and the
projects a member sees."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.tables import ProjectMemberTable


@pytest.fixture
async def project(api, clock):
    created = await api.ok("olivia", "POST", "/api/projects", {"name": "Todo"})
    clock.advance(timedelta(minutes=1))
    await api.share("olivia", created["id"], "eddie", "EDITOR")
    clock.advance(timedelta(minutes=1))
    await api.share("olivia", created["id"], "vera", "VIEWER")
    return created


def members_of(project):
    return f"/api/projects/{project['id']}/members"


async def roles(api, project):
    return [(m["userId"], m["role"]) for m in (await api.ok("olivia", "GET", members_of(project)))["items"]]


async def test_the_list_has_the_owner_first_then_the_members_as_they_came(api, project):
    response = await api.call("vera", "GET", members_of(project))

    assert response.json() == {
        "items": [
            {"userId": "olivia", "role": "OWNER", "addedAt": "2026-01-15T12:00:00.000Z"},
            {"userId": "eddie", "role": "EDITOR", "addedAt": "2026-01-15T12:01:00.000Z"},
            {"userId": "vera", "role": "VIEWER", "addedAt": "2026-01-15T12:02:00.000Z"},
        ]
    }


async def test_the_owner_changes_a_members_role(api, project):
    response = await api.call("olivia", "PATCH", f"{members_of(project)}/eddie", {"role": "VIEWER"})

    assert (response.status_code, response.json()) == (
        200,
        {"userId": "eddie", "role": "VIEWER", "addedAt": "2026-01-15T12:01:00.000Z"},
    )
    assert await roles(api, project) == [("olivia", "OWNER"), ("eddie", "VIEWER"), ("vera", "VIEWER")]


async def test_a_member_cannot_raise_their_own_role(api, project):
    response = await api.call("vera", "PATCH", f"{members_of(project)}/vera", {"role": "EDITOR"})

    assert response.status_code == 403
    assert response.json()["title"] == "Not allowed for your role on this project"
    assert ("vera", "VIEWER") in await roles(api, project)


async def test_an_editor_cannot_change_roles(api, project):
    response = await api.call("eddie", "PATCH", f"{members_of(project)}/vera", {"role": "EDITOR"})

    assert response.status_code == 403
    assert ("vera", "VIEWER") in await roles(api, project)


@pytest.mark.parametrize("role", ["OWNER", "ADMIN", None])
async def test_a_role_outside_the_enum_is_400(api, project, role):
    response = await api.call("olivia", "PATCH", f"{members_of(project)}/eddie", {"role": role})

    assert response.status_code == 400
    assert ("eddie", "EDITOR") in await roles(api, project)


async def test_the_owners_role_cannot_be_changed(api, project):
    response = await api.call("olivia", "PATCH", f"{members_of(project)}/olivia", {"role": "VIEWER"})

    assert response.status_code == 409


async def test_changing_the_role_of_someone_who_is_not_a_member_is_404(api, project):
    response = await api.call("olivia", "PATCH", f"{members_of(project)}/sam", {"role": "VIEWER"})

    assert response.status_code == 404
    assert await ProjectMemberTable.count() == 2


@pytest.mark.parametrize("member", ["%00", "a" * 300])
async def test_a_user_id_that_cannot_exist_is_no_member(api, project, member):
    removed = await api.call("olivia", "DELETE", f"{members_of(project)}/{member}")
    changed = await api.call("olivia", "PATCH", f"{members_of(project)}/{member}", {"role": "VIEWER"})

    assert (removed.status_code, changed.status_code) == (404, 404)


async def test_the_owner_removes_a_member(api, project):
    response = await api.call("olivia", "DELETE", f"{members_of(project)}/eddie")

    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await roles(api, project) == [("olivia", "OWNER"), ("vera", "VIEWER")]
    assert (await api.call("eddie", "GET", f"/api/projects/{project['id']}")).status_code == 404


async def test_a_member_leaves(api, project):
    response = await api.call("vera", "DELETE", f"{members_of(project)}/vera")

    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await roles(api, project) == [("olivia", "OWNER"), ("eddie", "EDITOR")]


async def test_a_member_cannot_remove_another(api, project):
    response = await api.call("eddie", "DELETE", f"{members_of(project)}/vera")

    assert response.status_code == 403
    assert ("vera", "VIEWER") in await roles(api, project)


async def test_the_owner_cannot_be_removed(api, project):
    response = await api.call("olivia", "DELETE", f"{members_of(project)}/olivia")

    assert response.status_code == 409
    assert (await api.call("olivia", "GET", f"/api/projects/{project['id']}")).status_code == 200


async def test_removing_someone_who_is_not_a_member_is_404(api, project):
    response = await api.call("olivia", "DELETE", f"{members_of(project)}/sam")

    assert response.status_code == 404


async def test_the_project_list_has_shared_projects_with_the_callers_role(api, project, clock):
    clock.advance(timedelta(minutes=1))
    own = await api.ok("eddie", "POST", "/api/projects", {"name": "Eddie's"})

    listed = await api.ok("eddie", "GET", "/api/projects")

    assert [(p["id"], p["role"]) for p in listed] == [(own["id"], "OWNER"), (project["id"], "EDITOR")]


async def test_a_shared_project_moves_up_the_list_when_it_changes(api, project, clock):
    own = await api.ok("vera", "POST", "/api/projects", {"name": "Vera's"})
    clock.advance(timedelta(minutes=1))

    await api.ok("olivia", "PATCH", f"/api/projects/{project['id']}", {"name": "Renamed"})

    assert [p["id"] for p in await api.ok("vera", "GET", "/api/projects")] == [project["id"], own["id"]]


async def test_a_removed_member_no_longer_lists_the_project(api, project):
    await api.ok("olivia", "DELETE", f"{members_of(project)}/vera")

    assert await api.ok("vera", "GET", "/api/projects") == []


async def test_a_project_read_by_a_member_carries_their_role(api, project):
    detail = await api.ok("vera", "GET", f"/api/projects/{project['id']}")

    assert (detail["id"], detail["role"], detail["userId"]) == (project["id"], "VIEWER", "olivia")
