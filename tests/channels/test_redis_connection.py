"""The Redis clients of channels/redis_connection.py, on one server and on a cluster."""

from __future__ import annotations

import asyncio
import random

import pytest

pytestmark = pytest.mark.parametrize("deployment", ["scaled", "cluster"], indirect=True)

ATTEMPTS = 200


async def test_a_task_sending_commands_stops_when_cancelled(make_redis, settings):
    """Background tasks (relay, presence keeper) are cancelled on shutdown, at any point of a
    command: none may run on."""
    client = make_redis()

    async def send_forever() -> None:
        while True:
            await client.set(f"{settings.redis_prefix}cancelled", "x")

    for _ in range(ATTEMPTS):
        task = asyncio.create_task(send_forever())
        await asyncio.sleep(random.random() * 0.003)
        task.cancel()
        async with asyncio.timeout(1):
            await asyncio.wait([task])
        assert task.cancelled()
