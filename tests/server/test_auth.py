"""Bearer tokens on `/api` with development HS256 tokens."""

from __future__ import annotations

import time

import jwt
import pytest

from forge.settings import Settings
from server.auth import dev_auth_refusal
from tests.conftest import JWT_SECRET


def hs256(claims: dict[str, object], secret: str = JWT_SECRET) -> dict[str, str]:
    return {"Authorization": f"Bearer {jwt.encode(claims, secret, algorithm='HS256')}"}


def in_an_hour() -> int:
    return int(time.time()) + 3600


async def test_no_token_is_401_with_a_bearer_challenge(client):
    response = await client.get("/api/projects")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic YWxpY2U6c2VjcmV0"},
        hs256({"sub": "alice", "exp": in_an_hour()}, secret="another-secret-" + "y" * 40),
        hs256({"sub": "alice", "exp": int(time.time()) - 60}),
        hs256({"sub": "alice"}),
        hs256({"exp": in_an_hour()}),
        hs256({"sub": "alice", "exp": in_an_hour(), "nbf": in_an_hour()}),
    ],
    ids=["garbage", "basic", "wrong-secret", "expired", "no-exp", "no-sub", "not-yet-valid"],
)
async def test_a_bad_token_is_401(client, headers):
    response = await client.get("/api/projects", headers=headers)

    assert response.status_code == 401


async def test_a_minimal_dev_token_is_enough(client):
    response = await client.get("/api/projects", headers=hs256({"sub": "alice", "exp": in_an_hour()}))

    assert response.status_code == 200


def test_development_authentication_off_loopback_is_accepted_when_said_out_loud():
    accepted = Settings(dev_auth=True)

    assert dev_auth_refusal(accepted, "0.0.0.0") is None
