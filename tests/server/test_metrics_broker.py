"""The Redis pub/sub connection coming back after Redis restarted is counted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from server.app import build_app, configure
from tests.metrics import scrape, scrape_until, value
from tests.redis_server import PrivateRedis
from tests.ws import open_tab

pytestmark = pytest.mark.parametrize("deployment", ["scaled"], indirect=True)

RECONNECT_SECONDS = 10.0


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(settings, clock, redis_server):
    own = msgspec.structs.replace(settings, redis_url=redis_server.url)
    app = build_app(own.max_body_bytes)
    configure(app, own, clock)
    return app


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
