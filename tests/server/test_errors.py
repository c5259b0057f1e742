"""Every error is a problem details document."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


async def test_an_unknown_route_is_a_404_problem(client):
    response = await client.get("/api/nowhere", headers={})

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 404


async def test_a_wrong_method_is_a_405_problem(client, auth):
    response = await client.put("/api/projects", json={}, headers=auth("alice"))

    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM


async def test_malformed_json_is_a_400_problem(client, auth):
    response = await client.post(
        "/api/projects", content=b"{not json", headers={**auth("alice"), "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM


async def test_a_wrong_type_names_the_field(client, auth):
    response = await client.post("/api/projects", json={"message": 42}, headers=auth("alice"))

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["message"]


async def test_a_body_over_the_limit_is_413(client, auth, settings):
    oversized = b'{"message":"' + b"a" * settings.max_body_bytes + b'"}'

    response = await client.post(
        "/api/projects", content=oversized, headers={**auth("alice"), "content-type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM


@pytest.mark.parametrize("path", ["/api/projects/not-a-uuid", "/api/projects/123/messages"])
async def test_a_malformed_id_is_not_a_500(client, auth, path):
    response = await client.get(path, headers=auth("alice"))

    assert response.status_code in (400, 404)


async def test_a_bad_cursor_is_a_400(client, auth):
    project = (
        await client.post("/api/projects", json={"message": "a to-do app"}, headers=auth("alice"))
    ).json()

    response = await client.get(f"/api/projects/{project['id']}/messages?cursor=%%%", headers=auth("alice"))

    assert response.status_code == 400


async def test_a_limit_out_of_range_is_a_400(client, auth):
    project = (
        await client.post("/api/projects", json={"message": "a to-do app"}, headers=auth("alice"))
    ).json()

    response = await client.get(f"/api/projects/{project['id']}/messages?limit=201", headers=auth("alice"))

    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": "a to-do\\u0000 app"}',
        b'{"message": "a to-do app", "attachments": [{"url": "x\\u0000", "size": 1}]}',
    ],
)
async def test_a_nul_character_is_a_400_on_every_deployment(client, auth, body):
    response = await client.post(
        "/api/projects", content=body, headers={**auth("alice"), "content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


async def test_an_escaped_backslash_before_u0000_is_ordinary_text(client, auth):
    response = await client.post(
        "/api/projects",
        content=b'{"message": "print \\\\u0000 literally"}',
        headers={**auth("alice"), "content-type": "application/json"},
    )

    assert response.status_code == 201
    assert (await client.get("/api/projects", headers=auth("alice"))).status_code == 200
