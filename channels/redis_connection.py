"""The Redis client of the scaled deployment: one server (or a primary behind a failover proxy), or a
Redis Cluster. The broker, presence and rate limits take either; only fan-out (sharded pub/sub on
a cluster) and scripts run for many projects at once differ between them."""

from __future__ import annotations

from typing import TypeAlias

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.cluster import RedisCluster

REDIS_WAIT_SECONDS = 10.0
"""How long a command may wait for one of the pool's connections before it fails."""

RedisClient: TypeAlias = Redis | RedisCluster


def connect_redis(url: str, *, cluster: bool, max_connections: int) -> RedisClient:
    """A client of the server at `url`, or of the cluster that node belongs to.

    On one server, commands wait for a free connection when all are busy: redis-py's default pool
    refuses the command outright (a reconnect storm of a thousand tabs would get errors). redis-py's
    cluster client has no such pool: it keeps up to `max_connections` per node, and a command
    beyond them fails.

    Neither has a socket timeout (redis-py's default is 5 s): with one, redis-py sends each command
    under asyncio.wait_for, which on Python 3.11 swallows a cancellation arriving just as the write
    ends. A background task cancelled at that moment (the outbox relay, the presence keeper) runs
    on, and the runtime never finishes stopping. Connecting still times out."""
    if cluster:
        return RedisCluster.from_url(url, max_connections=max_connections, socket_timeout=None)
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=REDIS_WAIT_SECONDS, socket_timeout=None
    )
    return Redis.from_pool(pool)  # owns the pool: closing the client closes its connections
