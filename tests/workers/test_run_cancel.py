"""Stopping a run (API.md, `POST /api/runs/{id}/cancel`): CANCELLED at once, the running agent
stops, its reply ends as it stood, the files it wrote stay, no refund; a finished run is 409."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.workers.test_agent_end_to_end import _prompted_tab, _until_run_ends
from tests.ws import Frame, TabClient

PAGE = ("toolu_1", "createOrUpdateFiles", {"files": [{"path": "index.html", "content": "<h1>Todos</h1>"}]})


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(settings, anthropic_api_key="sk-test", anthropic_base_url=fake.base_url)


async def running_run(tab: TabClient) -> Frame:
    frame = await tab.until(lambda f: f["type"] == "run.updated" and f["run"]["status"] == "RUNNING")
    return frame["run"]


async def until_second_round_holds(fake: FakeAnthropic) -> None:
    async with asyncio.timeout(15):
        while len(fake.first_text_sent) < 2:  # noqa: ASYNC110 - the fake records, it does not signal
            await asyncio.sleep(0.02)


async def test_a_running_run_stops_its_reply_ends_as_it_stood_and_its_files_stay(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    never = asyncio.Event()
    fake.script(
        Reply(text=["Writing ", "the page."], tools=[PAGE]),
        Reply(text=["Now the ", "styles", " and more"], hold=never),
    )
    project_id, tab = await _prompted_tab(api, base_url)
    run = await running_run(tab)
    await until_second_round_holds(fake)
    credits = (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"]

    response = await api.call("alice", "POST", f"/api/runs/{run['id']}/cancel")

    assert (response.status_code, response.json()["status"]) == (200, "CANCELLED")
    end = await tab.until(lambda f: f["type"] == "run.updated" and f["run"]["status"] == "CANCELLED")
    final = await tab.until(
        lambda f: f["type"] == "message.completed" and f["message"]["content"].endswith("Now the ")
    )
    assert end["run"]["finishedAt"] is not None
    assert final["message"]["content"] == "Writing the page.\n\nNow the "
    assert len(fake.requests) == 2  # the agent asked nothing more
    draft = await api.ok("alice", "GET", f"/api/projects/{project_id}/draft")
    assert draft["files"]["index.html"] == "<h1>Todos</h1>"
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == credits
    await tab.close()


async def test_a_waiting_run_is_cancelled_and_never_runs(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    first_may_end = asyncio.Event()
    fake.script(Reply(text=["Busy. ", "<task_summary>Done.</task_summary>"], hold=first_may_end))
    project_id, tab = await _prompted_tab(api, base_url)
    await running_run(tab)
    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "And a footer"})
    waiting = await tab.until(
        lambda f: (
            f["type"] == "run.updated"
            and f["run"]["status"] == "PENDING"
            and f["run"]["value"] == "And a footer"
        )
    )

    response = await api.call("alice", "POST", f"/api/runs/{waiting['run']['id']}/cancel")
    first_may_end.set()
    await _until_run_ends(tab)

    assert response.json()["status"] == "CANCELLED"
    await asyncio.sleep(0.5)  # a worker that wrongly took the cancelled run would ask the model
    assert len(fake.requests) == 1
    await tab.close()


async def test_a_finished_run_cannot_be_cancelled(api: Api, base_url: str, fake: FakeAnthropic) -> None:
    fake.script(Reply(text=["<task_summary>Done.</task_summary>"]))
    _, tab = await _prompted_tab(api, base_url)
    end = await _until_run_ends(tab)

    response = await api.call("alice", "POST", f"/api/runs/{end['run']['id']}/cancel")

    assert response.status_code == 409
    await tab.close()


async def test_a_viewer_cannot_cancel_and_a_stranger_finds_nothing(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    never = asyncio.Event()
    fake.script(Reply(text=["Busy."], hold=never))
    project_id, tab = await _prompted_tab(api, base_url)
    run = await running_run(tab)
    await api.share("alice", project_id, "vera", "VIEWER")

    refused = await api.call("vera", "POST", f"/api/runs/{run['id']}/cancel")
    unknown = await api.call("stranger", "POST", f"/api/runs/{run['id']}/cancel")

    assert (refused.status_code, unknown.status_code) == (403, 404)
    assert (await api.ok("alice", "GET", f"/api/runs/{run['id']}"))["status"] == "RUNNING"
    never.set()
    await tab.close()
