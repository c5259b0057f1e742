"""The browser editor's page and assets at `/`, and the dev-only `POST /api/dev/token`."""

from __future__ import annotations

import msgspec
import pytest

from server.app import create_app
from server.auth import DEV_USER_ID
from server.controllers.editor import is_local_name, is_loopback
from tests.live import live_server
from tests.server.test_auth_clerk import ISSUER, KEY, public_pem


async def test_the_editor_page_is_served_at_the_root(client):
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script type="module" src="/editor/app.js">' in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_an_invite_link_serves_the_editor_page_without_its_token(client):
    root = await client.get("/")

    response = await client.get("/invite/SECRET-invite-token")

    assert response.status_code == 200
    assert response.text == root.text
    assert "SECRET-invite-token" not in response.text
    assert response.headers["content-security-policy"] == root.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_the_page_may_show_avatars_from_https_addresses(client):
    response = await client.get("/")

    assert "img-src 'self' data: https:;" in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("app.js", "text/javascript; charset=utf-8"),
        ("channel.js", "text/javascript; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
    ],
)
async def test_the_editor_assets_are_served_with_their_media_types(client, name, media_type):
    response = await client.get(f"/editor/{name}")

    assert (response.status_code, response.headers["content-type"]) == (200, media_type)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("name", ["missing.js", ".gitignore", "..%2Fcontrollers%2Feditor.py", "%2E%2E"])
async def test_only_the_editor_folder_s_own_files_are_served(client, name):
    response = await client.get(f"/editor/{name}")

    assert response.status_code == 404


async def test_the_editor_routes_stay_out_of_the_openapi_document(client):
    paths = (await client.get("/schema/openapi.json")).json()["paths"]

    assert not [path for path in paths if path == "/" or path.startswith(("/editor", "/invite", "/api/dev"))]


async def test_a_dev_token_signs_the_development_user_in(client):
    response = await client.post("/api/dev/token")

    assert response.status_code == 200
    body = response.json()
    assert body["userId"] == DEV_USER_ID
    usage = await client.get("/api/usage", headers={"Authorization": f"Bearer {body['token']}"})
    assert usage.status_code == 200


@pytest.mark.parametrize("deployment", ["embedded"], indirect=True)
async def test_there_is_no_dev_token_when_clerk_is_configured(settings, clock, httpx_client_for):
    clerk = msgspec.structs.replace(
        settings, jwt_secret=None, clerk_issuer=ISSUER, clerk_public_key=public_pem(KEY)
    )
    async with live_server(create_app(clerk, clock=clock)) as url, httpx_client_for(url) as http:
        response = await http.post("/api/dev/token")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1", True),
        ("127.8.0.1", True),
        ("::1", True),
        ("10.0.0.5", False),
        ("172.17.0.1", False),
        ("testclient", False),
        (None, False),
    ],
)
def test_dev_tokens_go_only_to_browsers_on_this_machine(host, local):
    assert is_loopback(host) is local


@pytest.mark.parametrize(
    ("hostname", "local"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("[::1]", True),
        ("app.localhost", True),
        ("evil.example", False),
        ("192.168.1.10", False),
        (None, False),
    ],
)
def test_dev_tokens_go_only_to_pages_that_asked_for_this_machine(hostname, local):
    assert is_local_name(hostname) is local


async def test_a_page_served_under_another_name_gets_no_dev_token(client):
    response = await client.post("/api/dev/token", headers={"Host": "rebound.example:8000"})

    assert response.status_code == 404


async def test_an_editor_asset_name_no_file_can_have_is_404(client):
    response = await client.get("/editor/" + "a" * 300 + ".js")

    assert response.status_code == 404
