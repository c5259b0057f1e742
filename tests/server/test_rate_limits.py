"""Rate limits: writes per user, failed authentications and webhooks per address."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from channels.rate_limits import MemoryRateLimitStore, RedisRateLimitStore
from domain.rules.rate_limits import RateLimit
from server.app import create_app


@pytest.fixture
def app(settings, clock):
    strict = msgspec.structs.replace(
        settings,
        rate_limit_writes_per_minute=3,
        rate_limit_auth_failures_per_minute=2,
        rate_limit_webhooks_per_minute=2,
    )
    return create_app(strict, clock=clock)


async def test_writes_past_the_limit_are_429_with_retry_after(api):
    project = await api.project()
    for name in ("a", "b"):
        await api.ok("alice", "PATCH", f"/api/projects/{project['id']}", {"name": name})

    response = await api.call("alice", "PATCH", f"/api/projects/{project['id']}", {"name": "c"})

    assert response.status_code == 429
    assert response.headers["retry-after"] == "60"
    assert (await api.ok("alice", "GET", f"/api/projects/{project['id']}"))["name"] == "b"


async def test_making_invitations_counts_against_the_write_limit(api):
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Shared"})
    for role in ("EDITOR", "VIEWER"):
        await api.invite("alice", project["id"], role)

    response = await api.call(
        "alice", "POST", f"/api/projects/{project['id']}/invitations", {"role": "VIEWER"}
    )

    assert response.status_code == 429
    assert len((await api.ok("alice", "GET", f"/api/projects/{project['id']}/invitations"))["items"]) == 2


async def test_reads_are_not_counted_as_writes(api):
    for _ in range(5):
        await api.ok("alice", "GET", "/api/projects")

    response = await api.call("alice", "POST", "/api/projects", {"name": "still fine"})

    assert response.status_code == 201


async def test_the_limit_is_per_user(api):
    for _ in range(3):
        await api.project("alice")

    response = await api.call("bob", "POST", "/api/projects", {"name": "mine"})

    assert response.status_code == 201


async def test_the_window_ends_after_a_minute(api, clock):
    for _ in range(3):
        await api.project("alice")
    clock.advance(timedelta(seconds=61))

    response = await api.call("alice", "POST", "/api/projects", {"name": "again"})

    assert response.status_code == 201


async def test_repeated_bad_tokens_from_an_address_become_429(client):
    for _ in range(2):
        assert (
            await client.get("/api/projects", headers={"Authorization": "Bearer nope"})
        ).status_code == 401

    response = await client.get("/api/projects", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 429
    assert "retry-after" in response.headers


async def test_webhooks_past_the_limit_are_429(client):
    for _ in range(2):
        await client.post("/api/webhooks/polar", content=b"{}")

    response = await client.post("/api/webhooks/polar", content=b"{}")

    assert response.status_code == 429


async def test_concurrent_hits_never_exceed_the_limit(app, client):
    limiter = app.state.web.limits.limiter
    rule = RateLimit(limit=10, window=timedelta(minutes=1))

    decisions = await asyncio.gather(
        *(limiter.store.hit("burst", rule, limiter.clock.now()) for _ in range(25))
    )

    assert sum(d.allowed for d in decisions) == 10


async def test_expired_windows_are_removed():
    store = MemoryRateLimitStore()
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rule = RateLimit(limit=5, window=timedelta(minutes=1))
    await store.hit("old", rule, now)
    await store.hit("new", rule, now + timedelta(seconds=50))

    removed = await store.remove_expired(now + timedelta(seconds=61))

    assert removed == 1
    assert (await store.hit("new", rule, now + timedelta(seconds=61))).remaining == 3


@pytest.mark.parametrize("deployment", ["scaled", "cluster"], indirect=True)
async def test_redis_windows_expire_by_themselves(app, client, settings):
    limiter = app.state.web.limits.limiter
    rule = RateLimit(limit=10, window=timedelta(seconds=30))

    await limiter.store.hit("expiring", rule, limiter.clock.now())

    ttl_ms = await app.state.web.core.redis.pttl(f"{settings.redis_prefix}ratelimit:expiring")
    assert 0 < ttl_ms <= 30_000


@pytest.mark.parametrize("deployment", ["scaled", "cluster"], indirect=True)
async def test_servers_sharing_redis_count_a_users_hits_in_one_window(settings, make_redis):
    servers = [RedisRateLimitStore(make_redis(), settings.redis_prefix) for _ in range(2)]
    rule = RateLimit(limit=3, window=timedelta(minutes=1))
    now = datetime.now(UTC)

    decisions = [await servers[n % 2].hit("writes:alice", rule, now) for n in range(4)]

    assert [d.allowed for d in decisions] == [True, True, True, False]
