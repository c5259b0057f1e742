"""Who is watching a project: tabs with their user and join time, across every server process.

Contract: `join` and `leave` return the project's new count. In Redis an entry lives only while
its server keeps refreshing it, so the tabs of a crashed server disappear within its TTL;
`reap` removes such entries and says which, so that someone can announce that they left.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from itertools import islice
from pathlib import Path
from typing import Protocol
from uuid import UUID

import msgspec

from channels.frames import PresenceClient, PresenceList
from channels.redis import RedisKeys
from channels.redis_connection import RedisClient
from channels.redis_scripts import run_for_each
from domain.ids import ProjectId

PRESENCE_LIST_LIMIT = 100
PRESENCE_TTL_SECONDS = 15
"""How long an entry outlives its server's last refresh; servers refresh three times as often."""
REAP_PROJECTS = 100
"""Projects one reap looks at; more wait for the next round (servers reap every TTL / 3)."""
REAP_ENTRIES = 500
"""Entries one project's reap removes at most; the rest go in the next round."""

_LUA = Path(__file__).parent / "lua"

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
    """Per project, a hash of its clients and a sorted set of their expiries, under the project's
    hash tag (one cluster slot, one script). Which projects to reap is kept apart, in one sorted
    set of the time each project is due a look: a keeper takes the due ones, reaps each with a
    script of its own, and settles them, so that no script touches two projects."""

    def __init__(self, client: RedisClient, prefix: str, ttl_seconds: float = PRESENCE_TTL_SECONDS) -> None:
        self.client = client
        self.keys = RedisKeys(prefix)
        self.ttl_ms = int(ttl_seconds * 1000)
        self._take = client.register_script((_LUA / "presence_take.lua").read_text())
        self._reap = client.register_script((_LUA / "presence_reap.lua").read_text())
        self._settle = client.register_script((_LUA / "presence_settle.lua").read_text())

    async def join(self, project_id: ProjectId, client: PresenceClient) -> int:
        expiry = self._expiry()
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.presence(project_id), client.client_id, _encoder.encode(client))
            pipe.zadd(self.keys.presence_expiry(project_id), {client.client_id: expiry})
            pipe.hlen(self.keys.presence(project_id))
            *_, count = await pipe.execute()
        # After the entry, never before: a keeper that found the project empty then keeps it due.
        await self.client.zadd(self.keys.presence_due(), {str(project_id): expiry}, lt=True)
        return int(count)

    async def leave(self, project_id: ProjectId, client_id: str) -> int:
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hdel(self.keys.presence(project_id), client_id)
            pipe.zrem(self.keys.presence_expiry(project_id), client_id)
            pipe.hlen(self.keys.presence(project_id))
            *_, count = await pipe.execute()
        return int(count)

    async def everyone(self, project_id: ProjectId) -> list[PresenceClient]:
        raw = await self.client.hgetall(self.keys.presence(project_id))
        return sorted((_decoder.decode(v) for v in raw.values()), key=lambda c: c.joined_at)

    async def refresh(self, entries: Sequence[tuple[ProjectId, str]]) -> None:
        if not entries:
            return
        projects: dict[ProjectId, list[str]] = defaultdict(list)
        for project_id, client_id in entries:
            projects[project_id].append(client_id)
        expiry = self._expiry()
        async with self.client.pipeline(transaction=False) as pipe:
            for project_id, client_ids in projects.items():
                # Only entries still there: one reaped meanwhile stays gone.
                pipe.zadd(self.keys.presence_expiry(project_id), dict.fromkeys(client_ids, expiry), xx=True)
            await pipe.execute()

    def _expiry(self) -> int:
        return _now_ms() + self.ttl_ms

    async def reap(self) -> list[Reaped]:
        now = _now_ms()
        # Longer than a TTL: a join meanwhile sets an expiry below it, which settling notices.
        lease = now + 2 * self.ttl_ms
        due = self.keys.presence_due()
        taken = await self._take(keys=[due], args=[now, lease, REAP_PROJECTS])
        if not taken:
            return []
        projects = [ProjectId(UUID(p.decode())) for p in taken]
        calls = [
            ([self.keys.presence(p), self.keys.presence_expiry(p)], [now, REAP_ENTRIES]) for p in projects
        ]
        reaped: list[Reaped] = []
        found: list[str | int] = [lease]
        for project_id, (earliest, *gone) in zip(
            projects, await run_for_each(self.client, self._reap, calls), strict=True
        ):
            found += [str(project_id), earliest.decode()]
            reaped += [
                Reaped(project_id, c.decode(), int(n)) for c, n in zip(gone[::2], gone[1::2], strict=True)
            ]
        await self._settle(keys=[due], args=found)
        return reaped


def _now_ms() -> int:
    return time.time_ns() // 1_000_000
