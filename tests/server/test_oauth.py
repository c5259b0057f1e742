"""OAuth connections (seed: oauth.*): tokens encrypted at rest and never returned."""

from __future__ import annotations

import logging

import pytest

from db.tables import OAuthConnectionTable
from domain.enums import OAuthProvider
from domain.ids import UserId

ACCESS = "gho_AccessTokenThatMustNeverLeak123"
REFRESH = "ghr_RefreshTokenThatMustNeverLeak456"


def connection(**overrides):
    return {
        "accessToken": ACCESS,
        "refreshToken": REFRESH,
        "expiresAt": 1_893_456_000_000,
        "scope": "repo read:user",
        "metadata": {"login": "alice"},
        **overrides,
    }


def leaks(response) -> bool:
    return ACCESS in response.text or REFRESH in response.text


@pytest.fixture(autouse=True)
async def no_response_or_log_leaks_a_token(client, caplog):
    """Every response and log record of this module's tests is searched for the token values."""
    caplog.set_level(logging.DEBUG)
    seen = []

    async def keep(response):
        await response.aread()
        seen.append(response)

    client.event_hooks["response"].append(keep)
    yield
    assert [r.request.url.path for r in seen if leaks(r)] == []
    assert ACCESS not in caplog.text
    assert REFRESH not in caplog.text


async def test_store_answers_without_tokens(api):
    response = await api.call("alice", "PUT", "/api/oauth/connections/github", connection())

    assert response.status_code == 200
    assert response.json() == {
        "provider": "github",
        "scope": "repo read:user",
        "expiresAt": "2030-01-01T00:00:00.000Z",
        "hasRefreshToken": True,
        "metadata": {"login": "alice"},
        "createdAt": response.json()["createdAt"],
        "updatedAt": response.json()["updatedAt"],
    }
    assert not leaks(response)


async def test_tokens_are_not_stored_in_plaintext(api):
    await api.ok("alice", "PUT", "/api/oauth/connections/github", connection())

    rows = await OAuthConnectionTable.select()

    raw = repr(rows).encode() + b"".join(
        r["access_token_encrypted"] + r["refresh_token_encrypted"] for r in rows
    )
    assert ACCESS.encode() not in raw
    assert REFRESH.encode() not in raw


async def test_the_service_decrypts_the_token_for_provider_calls(api, app):
    await api.ok("alice", "PUT", "/api/oauth/connections/figma", connection())

    token = await app.state.web.core.services.oauth.access_token(UserId("alice"), OAuthProvider.FIGMA)

    assert token == ACCESS


async def test_storing_again_replaces_the_connection(api):
    await api.ok("alice", "PUT", "/api/oauth/connections/github", connection())

    await api.ok("alice", "PUT", "/api/oauth/connections/github", connection(scope="repo", refreshToken=None))

    listed = await api.ok("alice", "GET", "/api/oauth/connections")
    assert [(c["provider"], c["scope"], c["hasRefreshToken"]) for c in listed["items"]] == [
        ("github", "repo", False)
    ]


async def test_list_holds_every_provider_and_no_token(api):
    await api.ok("alice", "PUT", "/api/oauth/connections/github", connection())
    await api.ok("alice", "PUT", "/api/oauth/connections/figma", connection())

    response = await api.call("alice", "GET", "/api/oauth/connections")

    assert [c["provider"] for c in response.json()["items"]] == ["figma", "github"]
    assert not leaks(response)


async def test_metadata_is_replaced(api):
    await api.ok("alice", "PUT", "/api/oauth/connections/github", connection())

    response = await api.call(
        "alice", "PATCH", "/api/oauth/connections/github/metadata", {"metadata": {"org": "octo"}}
    )

    assert response.json()["metadata"] == {"org": "octo"}
    assert not leaks(response)


async def test_revoke_forgets_the_connection(api):
    await api.ok("alice", "PUT", "/api/oauth/connections/github", connection())

    response = await api.call("alice", "DELETE", "/api/oauth/connections/github")

    assert (response.status_code, response.json()) == (200, {"success": True})
    assert await OAuthConnectionTable.count() == 0


async def test_revoking_a_missing_connection_is_404(api):
    response = await api.call("alice", "DELETE", "/api/oauth/connections/figma")

    assert response.status_code == 404


async def test_an_unknown_provider_is_refused(api):
    response = await api.call("alice", "PUT", "/api/oauth/connections/gitlab", connection())

    assert response.status_code in (400, 404)


async def test_an_expiry_utc_cannot_hold_is_400(api):
    response = await api.call(
        "alice", "PUT", "/api/oauth/connections/github", connection(expiresAt="0001-01-01T00:00:00+05:00")
    )

    assert response.status_code == 400
