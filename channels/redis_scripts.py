"""One Lua script run for many projects at once: the relay asks how far many streams are, the
presence keeper reaps many projects. Each call touches one project's keys only, so it stays in one
cluster slot; what differs is how the calls travel."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from redis.asyncio.cluster import RedisCluster
from redis.commands.core import AsyncScript
from redis.typing import EncodableT

from channels.redis_connection import RedisClient

CLUSTER_CALLS_AT_ONCE = 16
"""On a cluster, calls in flight at once: enough to hide round trips, few enough to leave most of
each node's connections to the tabs."""

ScriptCall = tuple[Sequence[str], Sequence[EncodableT]]
"""The keys and the arguments of one call."""


async def run_for_each(client: RedisClient, script: AsyncScript, calls: Sequence[ScriptCall]) -> list[Any]:
    """The script's result for each call, in order. On one server the calls go in one pipeline;
    redis-py refuses scripts in a cluster pipeline, so there they go one by one, a few at a time."""
    if isinstance(client, RedisCluster):
        turns = asyncio.Semaphore(CLUSTER_CALLS_AT_ONCE)

        async def call(keys: Sequence[str], args: Sequence[EncodableT]) -> Any:
            async with turns:
                return await script(keys=keys, args=args)

        return list(await asyncio.gather(*(call(keys, args) for keys, args in calls)))
    async with client.pipeline(transaction=False) as pipe:
        for keys, args in calls:
            await script(keys=keys, args=args, client=pipe)
        return list(await pipe.execute())
