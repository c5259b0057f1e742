"""How a process hears the frames Redis publishes: one subscription per project with a tab here,
whatever the number of tabs. On one Redis server that is plain pub/sub over one connection
(`PlainSubscriber`); a cluster uses sharded pub/sub (`channels/sharded_pubsub.py`).

A frame lost by pub/sub (a reconnect) is no loss, since every frame is also in the history: after
a reconnect the reconnect callbacks run, and the hub fetches what its feeds missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from channels.broker import Listener
from forge.logs import detached
from forge.metrics import BROKER_RECONNECTS

SUBSCRIBE_TIMEOUT_SECONDS = 5.0
RECONNECT_DELAY_SECONDS = 0.5

logger = logging.getLogger("forge.channels")


class Subscriber(Protocol):
    reconnect_callbacks: list[Callable[[], None]]
    """Run after subscriptions came back from a lost connection (frames may have been missed)."""

    async def add(self, channel: str, listener: Listener) -> None:
        """Returns once Redis confirmed the subscription (or after a few seconds without)."""
        ...

    async def remove(self, channel: str, listener: Listener) -> None: ...

    async def close(self) -> None: ...


def deliver(listeners: Sequence[Listener], message: bytes) -> None:
    """Hands a published `<epoch>\\n<frame>` or `<epoch> <time>\\n<frame>` (channels/lua/append.lua)
    to each listener, with the time its batch was committed when there is one."""
    header, _, frame = message.partition(b"\n")
    epoch, _, stamp = header.partition(b" ")
    committed_at = float(stamp) if stamp else None
    for listener in list(listeners):
        listener(epoch.decode(), frame, committed_at)


def reconnected(callbacks: Sequence[Callable[[], None]]) -> None:
    """Subscriptions came back from a lost connection: counted, and the callbacks run."""
    BROKER_RECONNECTS.inc()
    for callback in callbacks:
        callback()


class PlainSubscriber:
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
            # It serves every tab of the process, not the one whose connection started it.
            self._task = asyncio.create_task(self._read(), name="redis-pubsub-reader", context=detached())
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
        reconnected(self.reconnect_callbacks)

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
        if isinstance(data, bytes):
            deliver(self.listeners.get(name, ()), data)
