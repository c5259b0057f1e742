"""Who is watching a project: tabs with their user and join time, across every server process.

Contract: `join` and `leave` return the project's new count. In Redis an entry lives only while
its server keeps refreshing it, so the tabs of a crashed server disappear within its TTL;
`reap` removes such entries and says which, so that someone can announce that they left.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Protocol
from uuid import UUID

import msgspec
from redis.asyncio import Redis

from channels.frames import PresenceClient, PresenceList
from channels.redis import RedisKeys
from domain.ids import ProjectId

PRESENCE_LIST_LIMIT = 100
PRESENCE_TTL_SECONDS = 15
"""How long an entry outlives its server's last refresh; servers refresh three times as often."""

_decoder = msgspec.json.Decoder(PresenceClient)
_encoder = msgspec.json.Encoder()


class Reaped(msgspec.Struct, frozen=True):
    project_id: ProjectId
    client_id: str
    count: int


class Presence(Protocol):
    async def join(self, project_id: ProjectId, client: PresenceClient) -> int: ...

    async def leave(self, project_id: ProjectId, client_id: str) -> int: ...

    async def everyone(self, project_id: ProjectId) -> list[PresenceClient]:
        """Every client of the project, in the order they joined."""
        ...

    async def refresh(self, entries: Sequence[tuple[ProjectId, str]]) -> None:
        """Keeps this process's tabs alive."""
        ...

    async def reap(self) -> list[Reaped]:
        """Removes entries whose server stopped refreshing them."""
        ...


class PresenceView:
    """Who watches one project, as a feed of this process sees it: loaded once when the feed
    starts, then kept current by the presence frames that pass through the feed, so that a hello
    lists presence without asking the store, whatever the number of watchers."""

    def __init__(self) -> None:
        self.clients: dict[str, PresenceClient] = {}
        """In the order they joined."""

    def load(self, clients: Sequence[PresenceClient]) -> None:
        self.clients = {c.client_id: c for c in clients}

    def joined(self, client: PresenceClient) -> None:
        self.clients.setdefault(client.client_id, client)

    def left(self, client_id: str) -> None:
        self.clients.pop(client_id, None)

    def listed(self) -> PresenceList:
        return PresenceList(
            count=len(self.clients), clients=list(islice(self.clients.values(), PRESENCE_LIST_LIMIT))
        )


class MemoryPresence:
    """One process holds every tab, so nothing can outlive its server here."""

    def __init__(self) -> None:
        self._projects: dict[ProjectId, dict[str, PresenceClient]] = {}

    async def join(self, project_id: ProjectId, client: PresenceClient) -> int:
        clients = self._projects.setdefault(project_id, {})
        clients[client.client_id] = client
        return len(clients)

    async def leave(self, project_id: ProjectId, client_id: str) -> int:
        clients = self._projects.get(project_id, {})
        clients.pop(client_id, None)
        if not clients:
            self._projects.pop(project_id, None)
        return len(clients)

    async def everyone(self, project_id: ProjectId) -> list[PresenceClient]:
        return list(self._projects.get(project_id, {}).values())

    async def refresh(self, entries: Sequence[tuple[ProjectId, str]]) -> None:
        return None

    async def reap(self) -> list[Reaped]:
        return []


class RedisPresence:
    """A hash of clients per project, and one sorted set of every entry's expiry for reaping."""

    def __init__(self, client: Redis, prefix: str, ttl_seconds: int = PRESENCE_TTL_SECONDS) -> None:
        self.client = client
        self.keys = RedisKeys(prefix)
        self.ttl_ms = ttl_seconds * 1000
        self._reap = client.register_script((Path(__file__).parent / "lua" / "reap_presence.lua").read_text())

    async def join(self, project_id: ProjectId, client: PresenceClient) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.presence(project_id), client.client_id, _encoder.encode(client))
            pipe.zadd(self.keys.presence_index(), {_member(project_id, client.client_id): self._expiry()})
            pipe.hlen(self.keys.presence(project_id))
            *_, count = await pipe.execute()
        return int(count)

    async def leave(self, project_id: ProjectId, client_id: str) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(self.keys.presence(project_id), client_id)
            pipe.zrem(self.keys.presence_index(), _member(project_id, client_id))
            pipe.hlen(self.keys.presence(project_id))
            *_, count = await pipe.execute()
        return int(count)

    async def everyone(self, project_id: ProjectId) -> list[PresenceClient]:
        raw = await self.client.hgetall(self.keys.presence(project_id))
        return sorted((_decoder.decode(v) for v in raw.values()), key=lambda c: c.joined_at)

    async def refresh(self, entries: Sequence[tuple[ProjectId, str]]) -> None:
        if entries:
            expiry = self._expiry()
            await self.client.zadd(
                self.keys.presence_index(), {_member(p, c): expiry for p, c in entries}, xx=True
            )

    def _expiry(self) -> int:
        return _now_ms() + self.ttl_ms

    async def reap(self) -> list[Reaped]:
        rows = await self._reap(keys=[self.keys.presence_index()], args=[_now_ms(), self.keys.prefix])
        return [Reaped(ProjectId(UUID(p.decode())), c.decode(), int(n)) for p, c, n in rows]


def _member(project_id: ProjectId, client_id: str) -> str:
    return f"{project_id}|{client_id}"


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
