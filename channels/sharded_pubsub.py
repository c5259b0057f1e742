"""Fan-out on a Redis Cluster: sharded pub/sub. A sharded message (SPUBLISH) reaches only the
subscribers of the node that owns its channel's slot, so the process keeps one pub/sub connection
per node that owns a subscribed channel, each read by its own task.

Not redis-py's `ClusterPubSub`: its `get_sharded_message` polls the nodes' connections in turn,
waiting out the timeout on each, so a frame published on the third node waited up to two seconds
while the other two were polled; and it reconnects and resubscribes by itself, so the broker would
not learn that frames may have been missed.

Anything unexpected on a node's connection (it dropped, the node answered MOVED, or it ended a
subscription because the channel's slot moved to another node) is handled one way: the connection
is closed, the cluster's slot map read again, the channels it carried subscribed again wherever
they live now, and the reconnect callbacks run so the feeds catch up from history.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter, defaultdict
from collections.abc import Callable

from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import Connection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisClusterException, RedisError, SlotNotCoveredError

from channels.broker import Listener
from channels.pubsub import RECONNECT_DELAY_SECONDS, SUBSCRIBE_TIMEOUT_SECONDS, deliver, reconnected
from forge.logs import detached

READ_TIMEOUT_SECONDS = 1.0

logger = logging.getLogger("forge.channels")

_TROUBLE = (RedisError, RedisClusterException, OSError)
"""What a node's connection or the slot map may raise: lost connections, MOVED, an unreachable
cluster."""


class ShardedSubscriber:
    def __init__(self, cluster: RedisCluster) -> None:
        self.cluster = cluster
        self.listeners: dict[str, list[Listener]] = defaultdict(list)
        self.reconnect_callbacks: list[Callable[[], None]] = []
        self._links: dict[str, _NodeLink] = {}
        """By node name: the connection to each node that carries a subscription now."""
        self._confirmed: dict[str, asyncio.Event] = {}
        self._routing = asyncio.Lock()
        """Held while subscriptions move between connections, so each channel is on one."""
        self._recoveries: set[asyncio.Task[None]] = set()

    async def add(self, channel: str, listener: Listener) -> None:
        first = channel not in self.listeners
        self.listeners[channel].append(listener)
        if not first:
            return
        confirmed = self._confirmed[channel] = asyncio.Event()
        try:
            async with self._routing:
                await self._subscribe(channel)
        except BaseException:
            self.listeners.pop(channel, None)
            self._confirmed.pop(channel, None)
            raise
        # Only once the node confirmed the subscription is every later publish sure to reach us.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT_SECONDS):
                await confirmed.wait()

    async def remove(self, channel: str, listener: Listener) -> None:
        listeners = self.listeners.get(channel)
        if not listeners or listener not in listeners:
            return
        listeners.remove(listener)
        if listeners:
            return
        del self.listeners[channel]
        self._confirmed.pop(channel, None)
        async with self._routing:
            link = next((link for link in self._links.values() if channel in link.channels), None)
            if link is None:
                return  # its connection was lost; the recovery leaves it out
            await link.unsubscribe(channel)
            if not link.channels:
                del self._links[link.node]
                await link.close()

    async def close(self) -> None:
        for task in list(self._recoveries):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for link in list(self._links.values()):
            await link.close()
        self._links.clear()

    async def _subscribe(self, channel: str) -> None:
        """Subscribes on the connection to the node that owns the channel's slot (under
        `_routing`)."""
        await self.cluster.initialize()  # learns the slot map once; a no-op after that
        node = self.cluster.get_node_from_key(channel)
        if node is None:
            raise SlotNotCoveredError(f"no node of the cluster serves {channel}")
        link = self._links.get(node.name)
        if link is not None and link.started and not link.connection.is_connected:
            self.lost(link, "disconnected")  # before its reader noticed: this channel need not wait
            link = None
        if link is None:
            link = self._links[node.name] = _NodeLink(node, self)
        try:
            await link.subscribe(channel)
        except _TROUBLE:
            if not link.started:  # never connected: nothing else rides on it
                del self._links[node.name]
                await link.close()
            raise  # a started link's reader notices the loss and recovers its channels

    def confirmed(self, channel: str) -> None:
        event = self._confirmed.get(channel)
        if event is not None:
            event.set()

    def lost(self, link: _NodeLink, reason: BaseException | str) -> None:
        """Starts moving the link's channels to fresh connections, once per link."""
        if self._links.get(link.node) is not link:
            return
        del self._links[link.node]
        logger.warning("redis cluster pub/sub on %s lost (%s); subscribing again", link.node, reason)
        task = asyncio.create_task(
            self._recover(link), name=f"redis-shard-recovery-{link.node}", context=detached()
        )
        self._recoveries.add(task)
        task.add_done_callback(self._recoveries.discard)

    async def _recover(self, link: _NodeLink) -> None:
        await link.close()
        pending = set(link.channels)
        while pending:
            await asyncio.sleep(RECONNECT_DELAY_SECONDS)
            async with self._routing:
                pending &= self.listeners.keys()  # tabs may have left meanwhile
                try:
                    await self.cluster.nodes_manager.initialize()  # the slots may have moved
                    for channel in sorted(pending):
                        await self._subscribe(channel)
                        pending.discard(channel)
                except _TROUBLE as error:
                    logger.warning("redis cluster pub/sub: subscribing again failed (%s); retrying", error)
        reconnected(self.reconnect_callbacks)


class _NodeLink:
    """One pub/sub connection to one node, and the channels subscribed on it. A bare connection,
    not redis-py's PubSub, which would reconnect and resubscribe unseen."""

    def __init__(self, node: ClusterNode, subscriber: ShardedSubscriber) -> None:
        self.node = node.name
        self.subscriber = subscriber
        # The node's own connection settings (credentials, TLS, timeouts), apart from the pool the
        # cluster client runs its commands on.
        self.connection: Connection = node.connection_class(**node.connection_kwargs)
        self.channels: set[str] = set()
        self._leaving: Counter[str] = Counter()
        """Unsubscriptions asked for whose answer has not come yet."""
        self._task: asyncio.Task[None] | None = None

    @property
    def started(self) -> bool:
        return self._task is not None

    async def subscribe(self, channel: str) -> None:
        """On a connected link only (ShardedSubscriber._subscribe checks): sending on a lost one
        would connect again silently, with this channel as its only subscription."""
        if self._task is None:
            await self.connection.connect()  # type: ignore[no-untyped-call]  # redis-py leaves it unannotated
            self._task = asyncio.create_task(
                self._read(), name=f"redis-shard-reader-{self.node}", context=detached()
            )
        self.channels.add(channel)
        await self.connection.send_command("SSUBSCRIBE", channel, check_health=False)

    async def unsubscribe(self, channel: str) -> None:
        self.channels.discard(channel)
        self._leaving[channel] += 1
        if self.connection.is_connected:
            with contextlib.suppress(*_TROUBLE):  # a lost connection is noticed by the reader
                await self.connection.send_command("SUNSUBSCRIBE", channel, check_health=False)

    async def close(self) -> None:
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.connection.disconnect()

    async def _read(self) -> None:
        while True:
            try:
                if not self.connection.is_connected:
                    raise RedisConnectionError("disconnected")
                reply = await self.connection.read_response(timeout=READ_TIMEOUT_SECONDS, push_request=True)
            except _TROUBLE as error:
                self.subscriber.lost(self, error)
                return
            if reply is None:
                continue  # nothing within the timeout
            kind, channel = reply[0], reply[1].decode()
            if kind == b"smessage":
                deliver(self.subscriber.listeners.get(channel, ()), reply[2])
            elif kind == b"ssubscribe":
                self.subscriber.confirmed(channel)
            elif kind == b"sunsubscribe":
                if self._leaving[channel] > 0:
                    self._leaving[channel] -= 1
                    if not self._leaving[channel]:
                        del self._leaving[channel]
                elif channel in self.channels:  # not asked for: the channel's slot moved away
                    self.subscriber.lost(self, f"the node gave up the slot of {channel}")
                    return
