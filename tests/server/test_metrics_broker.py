"""The Redis pub/sub connection coming back after Redis restarted is counted."""

from __future__ import annotations

import pytest

from tests.metrics import scrape, scrape_until, value
from tests.ws import open_tab

pytestmark = pytest.mark.parametrize("deployment", ["scaled"], indirect=True)

RECONNECT_SECONDS = 10.0


@pytest.fixture
def app(private_redis_app):
    return private_redis_app


async def test_a_pubsub_connection_back_after_a_redis_restart_is_counted(api, base_url, client, redis_server):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])  # the process subscribes to the project
    await tab.next_of("hello")
    before = value(await scrape(client), "forge_broker_reconnects_total")

    redis_server.restart_from(None)
    after = await scrape_until(
        client, lambda s: value(s, "forge_broker_reconnects_total") > before, RECONNECT_SECONDS
    )

    assert value(after, "forge_broker_reconnects_total") == before + 1
    await tab.close()
