"""Fixtures of the server tests that take Redis away from under a running app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from litestar import Litestar

from forge.settings import Settings
from server.app import build_app, configure
from tests.conftest import FakeClock
from tests.redis_server import PrivateRedis


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[PrivateRedis]:
    """A redis-server of the test's own, which it may restart, empty it or roll it back."""
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def private_redis_app(settings: Settings, clock: FakeClock, redis_server: PrivateRedis) -> Litestar:
    """The scaled app on `redis_server` instead of the shared Redis."""
    own = msgspec.structs.replace(settings, redis_url=redis_server.url)
    app = build_app(own.max_body_bytes)
    configure(app, own, clock)
    return app
