"""Fan-out on a Redis Cluster (channels/sharded_pubsub.py): frames published by sharded pub/sub on
any node reach a listener of another process, also after its connections to the nodes dropped or a
project's slot moved to another node; the broker then says frames may have been missed."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster

from channels.broker import Listener
from channels.redis import RedisBroker
from domain.events import LoggedEvent
from domain.ids import ProjectId

pytestmark = pytest.mark.parametrize("deployment", ["cluster"], indirect=True)

HEARD_TIMEOUT_SECONDS = 10.0


def renamed(seq: int, name: str) -> list[LoggedEvent]:
    return [LoggedEvent(seq=seq, payload=json.dumps({"type": "project.updated", "name": name}).encode())]


class Ears:
    """A listening broker's frames, by project."""

    def __init__(self) -> None:
        self.heard: dict[ProjectId, list[str]] = {}
        self.changed = asyncio.Event()

    def listener(self, project_id: ProjectId) -> Listener:
        def hear(_epoch: str, frame: bytes, _committed_at: float | None) -> None:
            self.heard.setdefault(project_id, []).append(json.loads(frame)["name"])
            self.changed.set()

        return hear

    async def until_each_heard(self, projects: list[ProjectId], name: str) -> None:
        async with asyncio.timeout(HEARD_TIMEOUT_SECONDS):
            while not all(name in self.heard.get(p, []) for p in projects):
                self.changed.clear()
                await self.changed.wait()

    async def until_each_hears_again(self, publisher: RedisBroker, projects: list[ProjectId]) -> None:
        """Publishes a frame to each project now and then until each was heard: a frame published
        before the listener subscribed again is missed by pub/sub (feeds read it from history)."""
        async with asyncio.timeout(HEARD_TIMEOUT_SECONDS):
            for seq in itertools.count(1):
                for project in projects:
                    await publisher.append(project, renamed(seq, "again"))
                await asyncio.sleep(0.1)
                if all("again" in self.heard.get(p, []) for p in projects):
                    return


@pytest.fixture
async def brokers(make_broker) -> tuple[RedisBroker, RedisBroker]:
    """A broker that publishes and one that listens, each with a client of its own."""
    publisher, listener = make_broker(), make_broker()
    await publisher.client.initialize()
    return publisher, listener


@pytest.fixture
async def nodes(brokers) -> AsyncIterator[dict[str, Redis]]:
    """A plain client of each primary, by node name, for what an operator would do to one node."""
    cluster = brokers[0].client
    clients = {node.name: Redis(host=node.host, port=node.port) for node in cluster.get_primaries()}
    yield clients
    for client in clients.values():
        await client.aclose()


def project_on(cluster: RedisCluster, broker: RedisBroker, node: ClusterNode) -> ProjectId:
    while True:
        project = ProjectId(uuid4())
        if cluster.get_node_from_key(broker.keys.channel(project)) == node:
            return project


async def listen_on_every_node(brokers: tuple[RedisBroker, RedisBroker], ears: Ears) -> list[ProjectId]:
    """A project on each primary, listened to by the listening broker."""
    publisher, listener = brokers
    cluster = publisher.client
    assert isinstance(cluster, RedisCluster)
    projects = [project_on(cluster, publisher, node) for node in cluster.get_primaries()]
    for project in projects:
        await listener.listen(project, ears.listener(project))
    return projects


async def test_frames_of_projects_on_every_node_reach_a_listener_of_another_client(brokers):
    publisher, _ = brokers
    ears = Ears()
    projects = await listen_on_every_node(brokers, ears)

    for project in projects:
        await publisher.append(project, renamed(1, "first"))

    await ears.until_each_heard(projects, "first")
    assert all(ears.heard[p] == ["first"] for p in projects)


async def test_a_listener_whose_node_connections_dropped_is_told_and_hears_again(brokers, nodes):
    publisher, listener = brokers
    ears = Ears()
    reconnected = asyncio.Event()
    listener.on_reconnect(reconnected.set)
    projects = await listen_on_every_node(brokers, ears)

    for node in nodes.values():
        await node.client_kill_filter(_type="pubsub")
    async with asyncio.timeout(HEARD_TIMEOUT_SECONDS):
        await reconnected.wait()

    await ears.until_each_hears_again(publisher, projects)


async def test_a_listener_follows_a_project_whose_slot_moved_to_another_node(brokers, nodes):
    publisher, listener = brokers
    cluster = publisher.client
    assert isinstance(cluster, RedisCluster)
    source, target = cluster.get_primaries()[:2]
    project = await project_in_an_empty_slot(cluster, publisher, source, nodes[source.name])
    ears = Ears()
    reconnected = asyncio.Event()
    listener.on_reconnect(reconnected.set)
    await listener.listen(project, ears.listener(project))

    await move_slot(cluster.keyslot(publisher.keys.channel(project)), source.name, target.name, nodes)
    async with asyncio.timeout(HEARD_TIMEOUT_SECONDS):
        await reconnected.wait()

    await ears.until_each_hears_again(publisher, [project])


async def project_in_an_empty_slot(
    cluster: RedisCluster, broker: RedisBroker, owner: ClusterNode, client: Redis
) -> ProjectId:
    """A project of `owner` whose slot holds no key: a slot with keys cannot move without them."""
    while True:
        project = project_on(cluster, broker, owner)
        slot = cluster.keyslot(broker.keys.channel(project))
        if not await client.execute_command("CLUSTER COUNTKEYSINSLOT", slot):
            return project


async def move_slot(slot: int, source: str, target: str, nodes: dict[str, Redis]) -> None:
    """Moves an empty slot as `redis-cli --cluster reshard` does: the target is told first (it
    takes a new config epoch), then the source (which ends the slot's shard subscriptions), then
    the rest. The slot stays there: the session's cluster serves every slot either way."""
    source_id, target_id = [
        (await nodes[n].execute_command("CLUSTER MYID")).decode() for n in (source, target)
    ]
    await nodes[target].execute_command("CLUSTER SETSLOT", slot, "IMPORTING", source_id)
    await nodes[source].execute_command("CLUSTER SETSLOT", slot, "MIGRATING", target_id)
    for name in [target, source, *(n for n in nodes if n not in (source, target))]:
        await nodes[name].execute_command("CLUSTER SETSLOT", slot, "NODE", target_id)
