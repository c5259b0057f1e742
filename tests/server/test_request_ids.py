"""Every response carries an `X-Request-Id`: the client's own when it is a short token safe to
log, else a fresh one. The log lines written meanwhile carry it (tests/server/test_json_logs.py)."""

from __future__ import annotations

import re

from tests.ws import open_tab

FRESH = re.compile(r"[0-9a-f]{16}")


async def test_a_request_id_sent_by_the_client_comes_back(client):
    response = await client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.9:2"})

    assert response.headers["x-request-id"] == "lb-7f3a.9:2"


async def test_a_request_without_an_id_gets_a_fresh_one(client):
    first, second = await client.get("/healthz"), await client.get("/healthz")

    assert FRESH.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_an_id_unsafe_to_log_is_replaced(client):
    for unsafe in ("two words", "x" * 65, 'quote"d', "ünïcode"):
        response = await client.get("/healthz", headers={"X-Request-Id": unsafe.encode()})

        assert FRESH.fullmatch(response.headers["x-request-id"]), unsafe


async def test_refusals_and_unknown_routes_carry_an_id_too(client):
    refused = await client.get("/api/projects")
    unknown = await client.get("/no/such/route")

    assert (refused.status_code, unknown.status_code) == (401, 404)
    assert FRESH.fullmatch(refused.headers["x-request-id"])
    assert FRESH.fullmatch(unknown.headers["x-request-id"])


async def test_a_websocket_handshake_answers_with_its_id(api, base_url):
    project = await api.project()

    tab = await open_tab(base_url, project["id"])

    assert tab.connection.response is not None
    assert FRESH.fullmatch(tab.connection.response.headers["X-Request-Id"])
    await tab.close()
