"""A `forge serve` that dies between committing a change and publishing its event: tabs on the
other server get the event from that server's relay within two seconds, once and in order, and
the dead server's tabs find it when they resume on the survivor."""

from __future__ import annotations

import contextlib

import httpx

from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET, http_client
from tests.processes import ServeProcess
from tests.ws import open_tab

RELAY_DEADLINE_SECONDS = 2.0
HEADERS = {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, 'alice')}"}


async def test_an_event_committed_by_a_process_that_died_reaches_every_tab(tmp_path, scaled_env):
    doomed = ServeProcess(tmp_path, FORGE_FAULT_AFTER_COMMIT="exit:project.updated", **scaled_env)
    survivor = ServeProcess(tmp_path, **scaled_env)
    try:
        doomed.wait_ready()
        survivor.wait_ready()
        async with http_client(survivor.url) as http:
            project = (
                await http.post("/api/projects", json={"message": "a to-do app"}, headers=HEADERS)
            ).json()
        watching = await open_tab(survivor.url, project["id"])
        hello = await watching.next_of("hello")
        orphan = await open_tab(doomed.url, project["id"])
        orphaned_at = await orphan.next_of("hello")

        async with http_client(doomed.url) as http:
            with contextlib.suppress(httpx.TransportError):  # it died before answering, after its commit
                await http.patch(f"/api/projects/{project['id']}", json={"name": "Renamed"}, headers=HEADERS)
        received = await watching.sequenced_within(RELAY_DEADLINE_SECONDS)
        await orphan.closed_with()
        resumed = await open_tab(
            survivor.url, project["id"], since=orphaned_at["seq"], epoch=orphaned_at["epoch"]
        )
        replayed = [await resumed.next(), await resumed.next()]

        assert doomed.process.wait(timeout=10) != 0
        assert [(f["type"], f["seq"], f["project"]["name"]) for f in received] == [
            ("project.updated", hello["seq"] + 1, "Renamed")
        ]
        assert [f["type"] for f in replayed] == ["resumed", "project.updated"]
        assert replayed[1] == received[0]
        await watching.close()
        await resumed.close()
    finally:
        for server in (doomed, survivor):
            server.terminate()
