"""The Redis broker of the scaled deployment: streams shared by every server and worker process,
on one Redis server or a Redis Cluster.

Appends are one Lua step (check, number, store, publish) on one project's keys, which share a hash
tag and so one cluster slot. Each process subscribes to the projects that have a tab here
(channels/pubsub.py); a frame lost by pub/sub (a reconnect) is no loss, since every frame is also
in the history, where the hub fetches the gap. On a cluster, frames go by sharded pub/sub: the node
that owns a project's slot publishes them to its own subscribers only, instead of to every node.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from redis.asyncio.cluster import RedisCluster

from channels.broker import Behind, Head, History, Listener, Retention
from channels.pubsub import PlainSubscriber, Subscriber
from channels.redis_connection import RedisClient
from channels.redis_scripts import run_for_each
from channels.sharded_pubsub import ShardedSubscriber
from domain.events import LoggedEvent
from domain.ids import ProjectId

_LUA = Path(__file__).parent / "lua"


class RedisKeys:
    """Every key and channel name, under one prefix so that deployments and tests never collide.
    A project's keys and channel share the hash tag `{<project id>}`: on a cluster they live in one
    slot, so one script can touch them together. The other keys are each used alone."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def _project(self, project_id: ProjectId, name: str) -> str:
        return f"{self.prefix}project:{{{project_id}}}:{name}"

    def meta(self, project_id: ProjectId) -> str:
        return self._project(project_id, "meta")

    def history(self, project_id: ProjectId) -> str:
        return self._project(project_id, "history")

    def sizes(self, project_id: ProjectId) -> str:
        return self._project(project_id, "sizes")

    def stream(self, project_id: ProjectId) -> list[str]:
        """The keys append.lua and open.lua take."""
        return [self.meta(project_id), self.history(project_id), self.sizes(project_id)]

    def channel(self, project_id: ProjectId) -> str:
        return self._project(project_id, "events")

    def presence(self, project_id: ProjectId) -> str:
        return self._project(project_id, "presence")

    def presence_expiry(self, project_id: ProjectId) -> str:
        return self._project(project_id, "presence-expiry")

    def presence_due(self) -> str:
        """The projects whose presence the keepers must look at, and from when."""
        return f"{self.prefix}presence-due"

    def rate_limit(self, key: str) -> str:
        return f"{self.prefix}ratelimit:{key}"


class RedisBroker:
    def __init__(self, client: RedisClient, prefix: str, retention: Retention | None = None) -> None:
        self.client = client
        self.keys = RedisKeys(prefix)
        self.retention = retention or Retention()
        self._append = client.register_script((_LUA / "append.lua").read_text())
        self._read = client.register_script((_LUA / "read.lua").read_text())
        self._open = client.register_script((_LUA / "open.lua").read_text())
        self.sharded = isinstance(client, RedisCluster)
        """Sharded pub/sub (SPUBLISH) on a cluster: plain PUBLISH would go to every node."""
        self._subscriber: Subscriber = (
            ShardedSubscriber(client) if isinstance(client, RedisCluster) else PlainSubscriber(client)
        )

    async def append(
        self,
        project_id: ProjectId,
        events: Sequence[LoggedEvent],
        restart: bool = False,
        committed_at: float | None = None,
    ) -> Head | Behind:
        args: list[bytes | str | int] = []
        for event in events:
            args += [event.seq, "" if event.fence is None else "=" + event.fence, event.payload]
        stamp = "" if committed_at is None else f"{committed_at:.6f}"
        result = await self._run_append(project_id, "restart" if restart else "commit", stamp, args)
        if result[0] == b"behind":
            return Behind(int(result[1]))
        return _head(result)

    async def append_live(self, project_id: ProjectId, payloads: Sequence[bytes], fence: str) -> Head | None:
        result = await self._run_append(project_id, "live", fence, list(payloads))
        return None if result[0] == b"fenced" else _head(result)

    async def open(self, project_id: ProjectId, commit: int) -> Head:
        result = await self._open(
            keys=self.keys.stream(project_id),
            args=[secrets.token_hex(8), commit, self.retention.idle_ttl_seconds],
        )
        return _head(result)

    async def commits(self, project_ids: Sequence[ProjectId]) -> dict[ProjectId, int]:
        calls = [(self._read_keys(project_id), [""]) for project_id in project_ids]
        results = await run_for_each(self.client, self._read, calls)
        return {p: int(r[2]) for p, r in zip(project_ids, results, strict=True) if r[0]}

    async def broadcast(self, project_id: ProjectId, frame: bytes) -> None:
        channel, message = self.keys.channel(project_id), b"\n" + frame
        if self.sharded:
            await self.client.spublish(channel, message)
        else:
            await self.client.publish(channel, message)

    async def read(self, project_id: ProjectId, since: int | None = None) -> History:
        epoch, seq, commit, complete, *frames = await self._read(
            keys=self._read_keys(project_id), args=["" if since is None else since]
        )
        return History(epoch.decode(), int(seq), int(commit), list(frames), bool(complete))

    async def listen(self, project_id: ProjectId, listener: Listener) -> None:
        await self._subscriber.add(self.keys.channel(project_id), listener)

    async def unlisten(self, project_id: ProjectId, listener: Listener) -> None:
        await self._subscriber.remove(self.keys.channel(project_id), listener)

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """`callback` runs after a pub/sub connection came back (frames may have been missed)."""
        self._subscriber.reconnect_callbacks.append(callback)

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self._subscriber.close()

    def _read_keys(self, project_id: ProjectId) -> list[str]:
        return [self.keys.meta(project_id), self.keys.history(project_id)]

    async def _run_append(
        self, project_id: ProjectId, mode: str, fence_or_stamp: str, rest: list[bytes | str | int]
    ) -> list[bytes]:
        retention = self.retention
        result: list[bytes] = await self._append(
            keys=self.keys.stream(project_id),
            args=[
                secrets.token_hex(8),
                time.time_ns() // 1_000_000,
                retention.min_events,
                retention.min_age_ms,
                retention.max_bytes,
                retention.idle_ttl_seconds,
                self.keys.channel(project_id),
                "SPUBLISH" if self.sharded else "PUBLISH",
                mode,
                fence_or_stamp,
                *rest,
            ],
        )
        return result


def _head(result: list[bytes]) -> Head:
    return Head(result[0].decode(), int(result[1]), int(result[2]))
