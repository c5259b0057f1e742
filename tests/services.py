"""The test session's PostgreSQL database and Redis (one server, or the local cluster of
tests/redis_cluster.py), and what to do when they are missing."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass

import asyncpg
import pytest
from redis.asyncio import Redis

from channels.redis_connection import connect_redis
from db.migrate import migrate
from db.tables import TABLES

REQUIRE_SERVICES = os.environ.get("FORGE_TEST_REQUIRE_SERVICES") == "1"
POSTGRES_ADMIN_URL = os.environ.get(
    "FORGE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("FORGE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Unavailable:
    reason: str


@dataclass(frozen=True)
class RedisTarget:
    url: str
    cluster: bool


SINGLE_REDIS = RedisTarget(REDIS_URL, cluster=False)


def unavailable(reason: str) -> None:
    """Skip, or fail when CI demands the scaled half of the suite."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (FORGE_TEST_REQUIRE_SERVICES=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def database_url(name: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


async def create_database(migrated: bool = True) -> str | Unavailable:
    """A fresh database for this test session, migrated unless told otherwise."""
    name = f"forge_test_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as error:
        return Unavailable(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = database_url(name)
    if migrated:
        await migrate(url)
    return url


async def drop_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def truncate_all(url: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        # DELETE beats TRUNCATE on tables this small: TRUNCATE swaps files and takes a quarter second.
        await connection.execute("; ".join(f"DELETE FROM {t._meta.tablename}" for t in reversed(TABLES)))
    finally:
        await connection.close()


async def check_redis() -> Unavailable | None:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await client.ping()
    except (OSError, ConnectionError) as error:
        return Unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")
    except Exception as error:  # redis-py wraps socket errors in its own classes
        return Unavailable(f"Redis is not reachable at {REDIS_URL}: {error}")
    finally:
        await client.aclose()
    return None


def redis_target(redis_problem: Unavailable | None, cluster_url: str | Unavailable | None) -> RedisTarget:
    """The session's Redis server, or the cluster when given its URL; skips, or fails when
    services are required, if the one asked for is missing."""
    if cluster_url is None:
        if redis_problem is not None:
            unavailable(redis_problem.reason)
        return SINGLE_REDIS
    if isinstance(cluster_url, Unavailable):
        unavailable(cluster_url.reason)
    assert isinstance(cluster_url, str)
    return RedisTarget(cluster_url, cluster=True)


async def delete_prefix(redis: RedisTarget, prefix: str) -> None:
    """Deletes a test's keys, on every node of a cluster."""
    client = connect_redis(redis.url, cluster=redis.cluster, max_connections=4)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
