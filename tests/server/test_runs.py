"""Agent runs for the browser (seed: agentRuns.*): enqueue, claim, complete, fail."""

from __future__ import annotations

import asyncio

from db.tables import AgentRunTable
from tests.api import FILES


async def browser_run(api, user="alice"):
    project = await api.project(user)
    run = await api.ok(user, "POST", f"/api/projects/{project['id']}/runs", {"value": "Add a footer"})
    return project, run


RESULT = {"summary": "Added a footer.\nIt links home.", "files": FILES, "framework": "NEXTJS"}


async def test_enqueue_makes_a_pending_webcontainer_run(api):
    project, run = await browser_run(api)

    assert (run["status"], run["source"], run["value"], run["projectId"], run["framework"]) == (
        "PENDING",
        "WEBCONTAINER",
        "Add a footer",
        project["id"],
        "NEXTJS",
    )
    assert await api.ok("alice", "GET", f"/api/runs/{run['id']}") == run


async def test_claim_runs_it_for_the_owner_with_the_latest_files(api):
    project, run = await browser_run(api)
    await api.fragment("alice", (await api.assistant_message("alice", project["id"]))["id"], files=FILES)

    claimed = await api.ok("alice", "POST", f"/api/runs/{run['id']}/claim")

    assert (claimed["run"]["status"], claimed["run"]["claimedBy"]) == ("RUNNING", "alice")
    assert claimed["files"] == FILES


async def test_of_two_concurrent_claims_exactly_one_wins(api):
    _, run = await browser_run(api)

    responses = await asyncio.gather(
        *(api.call("alice", "POST", f"/api/runs/{run['id']}/claim") for _ in range(2))
    )

    assert sorted(r.status_code for r in responses) == [200, 409]


async def test_only_the_owner_may_claim(api):
    _, run = await browser_run(api)

    response = await api.call("mallory", "POST", f"/api/runs/{run['id']}/claim")

    assert response.status_code == 404
    assert (await api.ok("alice", "GET", f"/api/runs/{run['id']}"))["status"] == "PENDING"


async def test_a_server_run_cannot_be_claimed_by_a_browser(api):
    project = await api.project()
    server_run = (
        await AgentRunTable.select(AgentRunTable.id).where(AgentRunTable.project_id == project["id"])
    )[0]

    response = await api.call("alice", "POST", f"/api/runs/{server_run['id']}/claim")

    assert response.status_code == 409


async def test_complete_adds_the_summary_and_the_fragment(api):
    project, run = await browser_run(api)
    await api.ok("alice", "POST", f"/api/runs/{run['id']}/claim")

    done = await api.ok("alice", "POST", f"/api/runs/{run['id']}/complete", RESULT)

    assert done["run"]["status"] == "COMPLETED"
    assert (done["message"]["role"], done["message"]["type"], done["message"]["content"]) == (
        "ASSISTANT",
        "RESULT",
        RESULT["summary"],
    )
    assert (done["fragment"]["sandboxUrl"], done["fragment"]["title"], done["fragment"]["files"]) == (
        "webcontainer://local",
        "Added a footer.",
        FILES,
    )
    assert (await api.messages("alice", project["id"]))[-1]["fragment"]["id"] == done["fragment"]["id"]


async def test_complete_without_a_claim_is_409(api):
    _, run = await browser_run(api)

    response = await api.call("alice", "POST", f"/api/runs/{run['id']}/complete", RESULT)

    assert response.status_code == 409


async def test_complete_twice_is_409(api):
    _, run = await browser_run(api)
    await api.ok("alice", "POST", f"/api/runs/{run['id']}/claim")
    await api.ok("alice", "POST", f"/api/runs/{run['id']}/complete", RESULT)

    response = await api.call("alice", "POST", f"/api/runs/{run['id']}/complete", RESULT)

    assert response.status_code == 409


async def test_fail_records_the_error(api):
    _, run = await browser_run(api)
    await api.ok("alice", "POST", f"/api/runs/{run['id']}/claim")

    failed = await api.ok("alice", "POST", f"/api/runs/{run['id']}/fail", {"error": "npm install failed"})

    assert (failed["status"], failed["error"]) == ("FAILED", "npm install failed")


async def test_runs_of_a_project_are_listed_newest_first(api):
    project, run = await browser_run(api)

    listed = await api.ok("alice", "GET", f"/api/projects/{project['id']}/runs")

    assert [r["source"] for r in listed["items"]] == ["WEBCONTAINER", "SERVER"]
    assert listed["items"][0]["id"] == run["id"]
