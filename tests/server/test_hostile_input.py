"""Input an attacker or a careless client sends: malformed JSON on every write route and frame,
too many attachments, NUL characters in frames, token subjects that do not fit, huge upgrade URLs.
Each is refused as a client error; none is a 500, a dropped connection or a stored row."""

from __future__ import annotations

import asyncio
import re
import uuid

import jwt
import pytest
from litestar.routes import HTTPRoute

from domain.inputs import MAX_ATTACHMENTS
from server.app import build_app
from tests.conftest import JWT_SECRET
from tests.ws import open_tab

JSON = {"content-type": "application/json"}
INVALID_UTF8 = b'{"name":"\xff"}'
DEEP = b"[" * 1000 + b"]" * 1000
ATTACHMENT = {"url": "https://img.example/a.png", "size": 10}


def _json_write_routes() -> list[tuple[str, str]]:
    """Every route that decodes a JSON body, with made-up path parameters (the body is refused
    before anything is looked up)."""
    routes = []
    for route in build_app(1 << 20).routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in sorted(set(handler.http_methods) & {"POST", "PUT", "PATCH"}):
                if "data" in handler.parsed_fn_signature.parameters:
                    path = re.sub(r"\{\w+:uuid\}", str(uuid.uuid4()), route.path)
                    routes.append((method, re.sub(r"\{\w+:str\}", "GITHUB", path)))
    return routes


WRITE_ROUTES = _json_write_routes()


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
async def test_a_body_that_is_not_utf8_is_a_400_on_every_write_route(client, auth, method, path):
    response = await client.request(method, path, content=INVALID_UTF8, headers={**auth("alice"), **JSON})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": "body", "message": "is not valid UTF-8", "source": "body"}]


@pytest.mark.parametrize(("method", "path"), WRITE_ROUTES)
async def test_a_body_nested_1000_deep_is_a_400_on_every_write_route(client, auth, method, path):
    response = await client.request(method, path, content=DEEP, headers={**auth("alice"), **JSON})

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "is nested too deeply"


async def test_a_webhook_body_nested_1000_deep_is_not_a_500(client):
    response = await client.post("/api/webhooks/polar", content=DEEP, headers=JSON)

    assert response.status_code < 500


async def test_a_prompt_with_too_many_attachments_is_refused_and_spends_nothing(api):
    project = await api.project()
    before = await api.ok("alice", "GET", "/api/usage")

    response = await api.call(
        "alice",
        "POST",
        f"/api/projects/{project['id']}/messages",
        {"value": "add a logo", "attachments": [ATTACHMENT] * (MAX_ATTACHMENTS + 1)},
    )

    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["attachments"]
    assert await api.ok("alice", "GET", "/api/usage") == before


async def test_a_message_takes_no_attachment_past_the_limit(api):
    project = await api.project()
    message = await api.first_message("alice", project["id"])
    for _ in range(MAX_ATTACHMENTS):
        await api.ok("alice", "POST", f"/api/messages/{message['id']}/attachments", ATTACHMENT)

    response = await api.call("alice", "POST", f"/api/messages/{message['id']}/attachments", ATTACHMENT)

    assert response.status_code == 409
    assert len((await api.first_message("alice", project["id"]))["attachments"]) == MAX_ATTACHMENTS


async def test_a_prompt_frame_with_a_nul_character_is_answered_with_an_error_and_stored_nowhere(
    api, base_url
):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await tab.send('{"type": "prompt", "value": "a\\u0000b", "ref": "p1"}')
    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("invalid_frame", "p1")
    assert len(await api.messages("alice", project["id"])) == 1
    await tab.close()


async def test_a_draft_put_frame_with_a_nul_character_changes_no_draft(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    draft = await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft")

    await tab.send('{"type": "draft.put", "files": {"a.txt": "x\\u0000"}, "version": 0, "ref": "d1"}')
    error = await tab.next_of("error")

    assert error["ref"] == "d1"
    assert await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft") == draft
    await tab.close()


async def test_a_frame_nested_1000_deep_closes_with_a_policy_code(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await tab.send(DEEP.decode())

    assert await tab.closed_with() == 1008


@pytest.mark.parametrize("subject", ["alice\u0000", "a" * 256])
async def test_a_signed_token_whose_subject_cannot_be_a_user_id_is_a_401(client, subject):
    token = jwt.encode({"sub": subject, "exp": 4_000_000_000}, JWT_SECRET, algorithm="HS256")

    response = await client.get("/api/projects", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_a_websocket_upgrade_with_an_8_kb_url_is_answered_414(base_url):
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    path = f"/ws/projects/{uuid.uuid4()}?token={'a' * 8192}"
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )

    async with asyncio.timeout(5):
        status_line = await reader.readline()

    assert status_line.startswith(b"HTTP/1.1 414")
    writer.close()
