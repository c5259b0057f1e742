"""Invite links (API.md, "Sharing"): made, listed, revoked and accepted, with their limits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.tables import InvitationTable


@pytest.fixture
async def project(api):
    return await api.ok("olivia", "POST", "/api/projects", {"name": "Todo"})


def invitations_of(project):
    return f"/api/projects/{project['id']}/invitations"


async def accept(api, user, token):
    return await api.call(user, "POST", "/api/invitations/accept", {"token": token})


async def role_of(api, project, user):
    members = (await api.ok("olivia", "GET", f"/api/projects/{project['id']}/members"))["items"]
    return next((m["role"] for m in members if m["userId"] == user), None)


async def test_an_invitation_shows_its_token_once_with_its_terms(api, project, clock):
    response = await api.call("olivia", "POST", invitations_of(project), {"role": "EDITOR"})

    body = response.json()
    assert response.status_code == 201
    assert sorted(body) == ["expiresAt", "id", "maxUses", "role", "token", "uses"]
    assert (body["role"], body["maxUses"], body["uses"]) == ("EDITOR", 1, 0)
    assert body["expiresAt"] == "2026-01-22T12:00:00.000Z"  # 168 hours after the clock's now
    assert len(body["token"]) >= 40


async def test_the_terms_given_are_kept(api, project):
    body = await api.invite("olivia", project["id"], "VIEWER", expiresInHours=1, maxUses=100)

    assert (body["role"], body["expiresAt"], body["maxUses"]) == ("VIEWER", "2026-01-15T13:00:00.000Z", 100)


async def test_only_a_hash_of_the_token_is_stored(api, project):
    body = await api.invite("olivia", project["id"])

    [row] = await InvitationTable.select(InvitationTable.token_hash)
    assert body["token"] not in row["token_hash"]


@pytest.mark.parametrize(
    "body",
    [
        {"role": "OWNER"},
        {"role": "ADMIN"},
        {"role": "EDITOR", "expiresInHours": 0},
        {"role": "EDITOR", "expiresInHours": 721},
        {"role": "EDITOR", "maxUses": 0},
        {"role": "EDITOR", "maxUses": 101},
        {},
    ],
)
async def test_terms_outside_the_contract_are_400_and_make_nothing(api, project, body):
    response = await api.call("olivia", "POST", invitations_of(project), body)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert await InvitationTable.count() == 0


async def test_the_list_has_no_tokens_newest_first(api, project):
    first = await api.invite("olivia", project["id"], "VIEWER")
    second = await api.invite("olivia", project["id"], "EDITOR", maxUses=3)

    listed = await api.ok("olivia", "GET", invitations_of(project))

    assert [i["id"] for i in listed["items"]] == [second["id"], first["id"]]
    assert listed["items"][0] == {
        "id": second["id"],
        "role": "EDITOR",
        "expiresAt": second["expiresAt"],
        "maxUses": 3,
        "uses": 0,
        "createdBy": "olivia",
        "createdAt": "2026-01-15T12:00:00.000Z",
    }
    assert listed["nextCursor"] is None


async def test_accepting_makes_a_member_with_the_links_role(api, project):
    invitation = await api.invite("olivia", project["id"], "VIEWER")

    response = await accept(api, "vera", invitation["token"])

    assert (response.status_code, response.json()) == (200, {"projectId": project["id"], "role": "VIEWER"})
    assert await role_of(api, project, "vera") == "VIEWER"


async def test_an_acceptance_counts_a_use(api, project):
    invitation = await api.invite("olivia", project["id"], maxUses=5)

    await accept(api, "eddie", invitation["token"])

    [listed] = (await api.ok("olivia", "GET", invitations_of(project)))["items"]
    assert listed["uses"] == 1


async def test_accepting_again_is_harmless_and_counts_no_use(api, project):
    invitation = await api.invite("olivia", project["id"])
    await accept(api, "eddie", invitation["token"])

    again = await accept(api, "eddie", invitation["token"])

    assert (again.status_code, again.json()) == (200, {"projectId": project["id"], "role": "EDITOR"})
    assert [i["uses"] for i in (await api.ok("olivia", "GET", invitations_of(project)))["items"]] == [1]


async def test_accepting_a_lower_role_keeps_the_higher_one(api, project):
    await api.share("olivia", project["id"], "eddie", "EDITOR")
    viewer_link = await api.invite("olivia", project["id"], "VIEWER")

    response = await accept(api, "eddie", viewer_link["token"])

    assert response.json()["role"] == "EDITOR"
    assert await role_of(api, project, "eddie") == "EDITOR"


async def test_accepting_a_higher_role_raises_the_member(api, project):
    await api.share("olivia", project["id"], "vera", "VIEWER")
    editor_link = await api.invite("olivia", project["id"], "EDITOR")

    response = await accept(api, "vera", editor_link["token"])

    assert response.json()["role"] == "EDITOR"
    assert await role_of(api, project, "vera") == "EDITOR"


async def test_the_owner_accepting_stays_the_owner(api, project):
    invitation = await api.invite("olivia", project["id"], "VIEWER")

    response = await accept(api, "olivia", invitation["token"])

    assert response.json() == {"projectId": project["id"], "role": "OWNER"}
    assert [
        m["userId"]
        for m in (await api.ok("olivia", "GET", f"/api/projects/{project['id']}/members"))["items"]
    ] == ["olivia"]


async def test_an_unknown_token_is_404(api, project):
    response = await accept(api, "eddie", "no-such-token")

    assert response.status_code == 404


async def test_a_revoked_link_is_404_at_once(api, project):
    invitation = await api.invite("olivia", project["id"])

    revoked = await api.call("olivia", "DELETE", f"{invitations_of(project)}/{invitation['id']}")
    response = await accept(api, "eddie", invitation["token"])

    assert (revoked.status_code, revoked.json()) == (200, {"success": True})
    assert response.status_code == 404
    assert await role_of(api, project, "eddie") is None


async def test_a_revoked_link_leaves_the_list(api, project):
    invitation = await api.invite("olivia", project["id"])

    await api.ok("olivia", "DELETE", f"{invitations_of(project)}/{invitation['id']}")

    assert (await api.ok("olivia", "GET", invitations_of(project)))["items"] == []


async def test_revoking_twice_is_404(api, project):
    invitation = await api.invite("olivia", project["id"])
    await api.ok("olivia", "DELETE", f"{invitations_of(project)}/{invitation['id']}")

    response = await api.call("olivia", "DELETE", f"{invitations_of(project)}/{invitation['id']}")

    assert response.status_code == 404


async def test_an_invitation_of_another_project_cannot_be_revoked_through_this_one(api, project):
    other = await api.ok("olivia", "POST", "/api/projects", {"name": "Other"})
    invitation = await api.invite("olivia", other["id"])

    response = await api.call("olivia", "DELETE", f"{invitations_of(project)}/{invitation['id']}")

    assert response.status_code == 404
    assert (await accept(api, "eddie", invitation["token"])).status_code == 200


async def test_an_expired_link_is_404(api, project, clock):
    invitation = await api.invite("olivia", project["id"], expiresInHours=1)
    clock.advance(timedelta(hours=1))

    response = await accept(api, "eddie", invitation["token"])

    assert response.status_code == 404
    assert await role_of(api, project, "eddie") is None


async def test_a_used_up_link_is_404_for_someone_new(api, project):
    invitation = await api.invite("olivia", project["id"], maxUses=1)
    await accept(api, "eddie", invitation["token"])

    response = await accept(api, "vera", invitation["token"])

    assert response.status_code == 404
    assert await role_of(api, project, "vera") is None


async def test_the_404s_do_not_say_why(api, project, clock):
    used_up = await api.invite("olivia", project["id"], maxUses=1)
    await accept(api, "eddie", used_up["token"])
    expired = await api.invite("olivia", project["id"], expiresInHours=1)
    revoked = await api.invite("olivia", project["id"])
    await api.ok("olivia", "DELETE", f"{invitations_of(project)}/{revoked['id']}")
    clock.advance(timedelta(hours=1))

    answers = [
        (await accept(api, "vera", token)).json()
        for token in (used_up["token"], expired["token"], revoked["token"], "unknown")
    ]

    assert all(answer == answers[0] for answer in answers)


async def test_a_deleted_projects_links_are_404(api, project):
    invitation = await api.invite("olivia", project["id"])
    await api.ok("olivia", "DELETE", f"/api/projects/{project['id']}")

    response = await accept(api, "eddie", invitation["token"])

    assert response.status_code == 404
