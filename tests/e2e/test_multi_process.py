"""Two `forge serve` processes sharing PostgreSQL and Redis (one server, or a cluster), tabs on both,
events published from a third process: every tab sees the identical sequence."""

from __future__ import annotations

import asyncio
import signal
import sys
import textwrap

from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET, http_client
from tests.processes import ServeProcess, forge_env
from tests.ws import open_tab

EVENTS = 200
TABS_AT_SHUTDOWN = 50

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from uuid import UUID
    from channels.publisher import BrokerPublisher
    from channels.redis import RedisBroker
    from channels.redis_connection import connect_redis
    from db.engine import Database
    from db.storage import PiccoloStorage
    from domain.clock import SystemClock
    from domain.ids import ProjectId, UserId
    from domain.inputs import ProjectChanges
    from domain.rules.plans import PlanCatalog
    from domain.services.projects import ProjectService
    from domain.services.usage import UsageService

    async def main(database_url, redis_url, cluster, prefix, project, label, count):
        database = Database(database_url)
        await database.start()
        redis = connect_redis(redis_url, cluster=cluster == "true", max_connections=4)
        storage = PiccoloStorage(database)
        publisher = BrokerPublisher(RedisBroker(redis, prefix), storage.events)
        usage = UsageService(storage, publisher, SystemClock(), PlanCatalog())
        projects = ProjectService(storage, publisher, SystemClock(), usage)
        for n in range(count):
            name = f"{label} {n}"
            await projects.update(UserId("alice"), ProjectId(UUID(project)), ProjectChanges(name=name))
        await redis.aclose()
        await database.stop()

    asyncio.run(main(*sys.argv[1:7], int(sys.argv[7])))
    """
)
"""Commits renames of a project through the domain services, as any worker process commits."""


async def test_tabs_on_two_servers_see_two_other_processes_commits_in_commit_order(two_servers, scaled_env):
    first, second = two_servers
    headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}
    async with http_client(first.url) as http:
        project = (await http.post("/api/projects", json={"message": "a to-do app"}, headers=headers)).json()
    tabs = [await open_tab(server.url, project["id"]) for server in (first, second, first, second)]
    hellos = [await tab.next_of("hello") for tab in tabs]

    writers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WRITER,
            scaled_env["FORGE_DATABASE_URL"],
            scaled_env["FORGE_REDIS_URL"],
            scaled_env["FORGE_REDIS_CLUSTER"],
            scaled_env["FORGE_REDIS_PREFIX"],
            project["id"],
            label,
            str(EVENTS // 2),
            env=forge_env(),
        )
        for label in ("A", "B")
    ]
    assert [await writer.wait() for writer in writers] == [0, 0]
    received = [[await tab.next_of("project.updated", timeout=20) for _ in range(EVENTS)] for tab in tabs]
    async with http_client(second.url) as http:
        final = (await http.get(f"/api/projects/{project['id']}", headers=headers)).json()

    assert len({hello["epoch"] for hello in hellos}) == 1
    sequences = [[(f["seq"], f["project"]["name"]) for f in frames] for frames in received]
    assert all(sequence == sequences[0] for sequence in sequences)
    assert [seq for seq, _ in sequences[0]] == list(
        range(hellos[0]["seq"] + 1, hellos[0]["seq"] + 1 + EVENTS)
    )
    assert sequences[0][-1][1] == final["name"]  # the last one committed is the last one sent
    for tab in tabs:
        await tab.close()


async def test_presence_spans_both_servers(two_servers):
    first, second = two_servers
    async with http_client(first.url) as http:
        headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}
        project = (await http.post("/api/projects", json={"message": "a to-do app"}, headers=headers)).json()
    on_first = await open_tab(first.url, project["id"])
    await on_first.next_of("hello")

    on_second = await open_tab(second.url, project["id"])
    hello = await on_second.next_of("hello")
    joined = await on_first.until(
        lambda f: f["type"] == "presence.joined" and f["client"]["clientId"] == hello["clientId"]
    )

    assert hello["presence"]["count"] == 2
    assert joined["count"] == 2
    await on_first.close()
    await on_second.close()


async def test_sigterm_closes_tabs_with_1001_and_they_resume_on_the_other_server(two_servers):
    first, second = two_servers
    async with http_client(first.url) as http:
        headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}
        project = (await http.post("/api/projects", json={"message": "a to-do app"}, headers=headers)).json()
    tab = await open_tab(first.url, project["id"])
    hello = await tab.next_of("hello")

    first.process.send_signal(signal.SIGTERM)
    code = await tab.closed_with(timeout=15)
    again = await open_tab(second.url, project["id"], since=hello["seq"], epoch=hello["epoch"])

    assert code == 1001
    assert (await again.next())["type"] == "resumed"
    await again.close()


async def test_sigterm_closes_every_one_of_many_tabs_with_1001(tmp_path, scaled_env):
    server = ServeProcess(tmp_path, **scaled_env)
    try:
        server.wait_ready()
        async with http_client(server.url) as http:
            headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}
            project = (await http.post("/api/projects", json={"name": "Busy"}, headers=headers)).json()
        tabs = [await open_tab(server.url, project["id"]) for _ in range(TABS_AT_SHUTDOWN)]
        for tab in tabs:
            await tab.next_of("hello")

        server.process.send_signal(signal.SIGTERM)
        codes = [await tab.closed_with(timeout=15) for tab in tabs]

        assert set(codes) == {1001}
    finally:
        server.terminate()


async def test_the_tabs_of_a_killed_server_leave_presence_within_seconds(tmp_path, scaled_env):
    servers = [ServeProcess(tmp_path, FORGE_PRESENCE_TTL_SECONDS="2", **scaled_env) for _ in range(2)]
    try:
        for server in servers:
            server.wait_ready()
        doomed, survivor = servers
        async with http_client(survivor.url) as http:
            headers = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}
            project = (
                await http.post("/api/projects", json={"message": "a to-do app"}, headers=headers)
            ).json()
        watcher = await open_tab(survivor.url, project["id"])
        await watcher.next_of("hello")
        victim = await open_tab(doomed.url, project["id"])
        victim_id = (await victim.next_of("hello"))["clientId"]

        doomed.process.kill()
        left = await watcher.until(
            lambda f: f["type"] == "presence.left" and f["clientId"] == victim_id, timeout=10
        )

        assert left["count"] == 1
        await watcher.close()
    finally:
        for server in servers:
            server.terminate()
