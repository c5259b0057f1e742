"""Liveness and readiness."""

from __future__ import annotations

import msgspec
import pytest

from server.app import create_app
from tests.live import live_server


async def test_healthz_answers_while_the_process_lives(client):
    response = await client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_checks_database_and_broker(client):
    response = await client.get("/readyz")

    assert (response.status_code, response.json()) == (
        200,
        {"status": "ready", "database": "ok", "broker": "ok"},
    )


@pytest.mark.parametrize("deployment", ["scaled"], indirect=True)
async def test_readyz_is_503_when_the_broker_is_unreachable(settings, clock, httpx_client_for):
    unreachable = msgspec.structs.replace(settings, redis_url="redis://127.0.0.1:1/0")
    async with live_server(create_app(unreachable, clock=clock)) as url, httpx_client_for(url) as http:
        response = await http.get("/readyz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("unavailable")
