"""The Redis client of the scaled deployment: one server (or a primary behind a failover proxy), or a
Redis Cluster. The broker, presence and rate limits take either; only fan-out (sharded pub/sub on
a cluster) and scripts run for many projects at once differ between them."""

from __future__ import annotations

from typing import TypeAlias

from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

RedisClient: TypeAlias = Redis | RedisCluster
