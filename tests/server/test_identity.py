"""Who people are (API.md, "Sharing"): names and pictures come from token claims, and members
lists, invitations, `hello` and presence show them to the others of a project."""

from __future__ import annotations

import pytest

from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET
from tests.ws import open_tab

OLIVIA = {"name": "Olivia Owner", "image_url": "https://img.example/olivia.png"}


def token_of(user: str, **shown: str) -> str:
    return issue_dev_token(JWT_SECRET, user, **shown)  # type: ignore[arg-type]


def bearer(user: str, **shown: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_of(user, **shown)}"}


@pytest.fixture
async def project(api, client):
    response = await client.post("/api/projects", json={"name": "Todo"}, headers=bearer("olivia", **OLIVIA))
    return response.json()


async def accept_as(api, client, project, user, **shown):
    invitation = await api.invite("olivia", project["id"], "EDITOR")
    response = await client.post(
        "/api/invitations/accept", json={"token": invitation["token"]}, headers=bearer(user, **shown)
    )
    assert response.status_code == 200


async def test_members_show_the_names_and_pictures_their_tokens_carried(api, client, project):
    await accept_as(api, client, project, "eddie", name="Eddie")

    members = await api.ok("eddie", "GET", f"/api/projects/{project['id']}/members")

    assert [(m["userId"], m.get("name"), m.get("imageUrl")) for m in members["items"]] == [
        ("olivia", "Olivia Owner", "https://img.example/olivia.png"),
        ("eddie", "Eddie", None),
    ]


async def test_a_later_token_with_another_name_renames_the_person(api, client, project):
    await client.get("/api/usage", headers=bearer("olivia", name="Olivia O."))

    members = await api.ok("olivia", "GET", f"/api/projects/{project['id']}/members")

    assert members["items"][0]["name"] == "Olivia O."


async def test_a_token_without_a_name_keeps_the_known_one(api, project):
    members = await api.ok("olivia", "GET", f"/api/projects/{project['id']}/members")

    assert members["items"][0]["name"] == "Olivia Owner"


async def test_a_name_that_does_not_fit_is_dropped_not_refused(api, client, project):
    response = await client.get("/api/usage", headers=bearer("olivia", name="x" * 500, image_url="ftp://no"))

    assert response.status_code == 200
    members = await api.ok("olivia", "GET", f"/api/projects/{project['id']}/members")
    assert members["items"][0]["name"] == "Olivia Owner"


async def test_a_new_member_event_carries_their_name(api, client, base_url, project):
    tab = await open_tab(base_url, project["id"], "olivia")
    await tab.next_of("hello")

    await accept_as(api, client, project, "bea", name="Bea", image_url="https://img.example/bea.png")

    event = await tab.next_of("member.updated")
    assert event["member"] == {
        "userId": "bea",
        "role": "EDITOR",
        "name": "Bea",
        "imageUrl": "https://img.example/bea.png",
        "addedAt": event["member"]["addedAt"],
    }
    await tab.close()


async def test_a_hello_lists_the_members_with_their_names(api, client, base_url, project):
    await accept_as(api, client, project, "bea", name="Bea")
    tab = await open_tab(base_url, project["id"], "olivia")

    hello = await tab.next_of("hello")

    assert [m.get("name") for m in hello["members"]] == ["Olivia Owner", "Bea"]
    await tab.close()


async def test_presence_shows_who_is_watching_by_name_and_picture(api, client, base_url, project):
    await accept_as(api, client, project, "bea", name="Bea")
    owner = await open_tab(base_url, project["id"], "olivia")
    await owner.next_of("hello")

    bea = await open_tab(
        base_url, project["id"], token=token_of("bea", name="Bea", image_url=OLIVIA["image_url"])
    )

    joined = await owner.until(lambda f: f["type"] == "presence.joined" and f["client"]["userId"] == "bea")
    assert (joined["client"]["name"], joined["client"]["imageUrl"], joined["client"]["role"]) == (
        "Bea",
        OLIVIA["image_url"],
        "EDITOR",
    )
    await owner.close()
    await bea.close()
