"""The Redis broker of the scaled deployment: streams shared by every server and worker process.

Appends are one Lua step (check, number, store, publish). Each process keeps one pub/sub connection
and subscribes to the projects that have a tab here; a frame lost by pub/sub (a reconnect) is no
loss, since every frame is also in the history, where the hub fetches the gap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from channels.broker import Behind, Head, History, Listener, Retention
from channels.redis_scripts import run_for_each
from domain.events import LoggedEvent
from domain.ids import ProjectId

_LUA = Path(__file__).parent / "lua"
SUBSCRIBE_TIMEOUT_SECONDS = 5.0
RECONNECT_DELAY_SECONDS = 0.5

logger = logging.getLogger("forge.channels")


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
    def __init__(self, client: Redis, prefix: str, retention: Retention | None = None) -> None:
        self.client = client
        self.keys = RedisKeys(prefix)
        self.retention = retention or Retention()
        self._append = client.register_script((_LUA / "append.lua").read_text())
        self._read = client.register_script((_LUA / "read.lua").read_text())
        self._open = client.register_script((_LUA / "open.lua").read_text())
        self._subscriber = _Subscriber(client)

    async def append(
        self, project_id: ProjectId, events: Sequence[LoggedEvent], restart: bool = False
    ) -> Head | Behind:
        args: list[bytes | str | int] = []
        for event in events:
            args += [event.seq, "" if event.fence is None else "=" + event.fence, event.payload]
        result = await self._run_append(project_id, "restart" if restart else "commit", "", args)
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
        await self.client.publish(self.keys.channel(project_id), b"\n" + frame)

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
        """`callback` runs after the pub/sub connection came back (frames may have been missed)."""
        self._subscriber.reconnect_callbacks.append(callback)

    async def ping(self) -> None:
        await self.client.ping()

    async def close(self) -> None:
        await self._subscriber.close()

    def _read_keys(self, project_id: ProjectId) -> list[str]:
        return [self.keys.meta(project_id), self.keys.history(project_id)]

    async def _run_append(
        self, project_id: ProjectId, mode: str, fence: str, rest: list[bytes | str | int]
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
                mode,
                fence,
                *rest,
            ],
        )
        return result


def _head(result: list[bytes]) -> Head:
    return Head(result[0].decode(), int(result[1]), int(result[2]))


class _Subscriber:
    """One pub/sub connection for the process; channels come and go with the projects' tabs."""

    def __init__(self, client: Redis) -> None:
        self.pubsub = client.pubsub()
        self.listeners: dict[str, list[Listener]] = defaultdict(list)
        self.reconnect_callbacks: list[Callable[[], None]] = []
        self._confirmed: dict[str, asyncio.Event] = {}
        self._task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def add(self, channel: str, listener: Listener) -> None:
        first = channel not in self.listeners
        self.listeners[channel].append(listener)
        if not first:
            return
        confirmed = self._confirmed[channel] = asyncio.Event()
        await self.pubsub.subscribe(channel)
        self._subscribed.set()
        if self._task is None:
            self._task = asyncio.create_task(self._read(), name="redis-pubsub-reader")
        # Only once Redis confirmed the subscription is every later publish sure to reach us.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_SECONDS):
                await confirmed.wait()

    async def remove(self, channel: str, listener: Listener) -> None:
        listeners = self.listeners.get(channel)
        if not listeners or listener not in listeners:
            return
        listeners.remove(listener)
        if not listeners:
            del self.listeners[channel]
            self._confirmed.pop(channel, None)
            with contextlib.suppress(RedisConnectionError, RedisTimeoutError):
                await self.pubsub.unsubscribe(channel)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.pubsub.aclose()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated

    async def _read(self) -> None:
        while True:
            if not self.listeners:
                self._subscribed.clear()
                await self._subscribed.wait()
            try:
                message = await self.pubsub.get_message(timeout=1.0)
            except (RedisConnectionError, RedisTimeoutError, OSError) as error:
                logger.warning("redis pub/sub connection lost (%s); reconnecting", error)
                await asyncio.sleep(RECONNECT_DELAY_SECONDS)
                await self._resubscribe()
                continue
            if message is not None:
                self._dispatch(message)

    async def _resubscribe(self) -> None:
        try:
            await self.pubsub.subscribe(*self.listeners)
        except (RedisConnectionError, RedisTimeoutError, OSError):
            return
        for callback in self.reconnect_callbacks:
            callback()

    def _dispatch(self, message: dict[str, object]) -> None:
        channel = message["channel"]
        name = channel.decode() if isinstance(channel, bytes) else str(channel)
        if message["type"] == "subscribe":
            if name in self._confirmed:
                self._confirmed[name].set()
            return
        if message["type"] != "message":
            return
        data = message["data"]
        if not isinstance(data, bytes):
            return
        epoch, _, frame = data.partition(b"\n")
        for listener in list(self.listeners.get(name, ())):
            listener(epoch.decode(), frame)
