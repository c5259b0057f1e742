"""A run within its model's context budget, whatever it starts from: a long conversation, an
imported repository of hundreds of files, a run of many rounds writing large files. The local model
server refuses any request larger than the budget, as the real API refuses a prompt too long, and
counts every request's tokens; none may pass the budget."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.conftest import FakeClock
from tests.factories import add_conversation, add_draft
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.workers.test_agent_end_to_end import _until_run_ends
from tests.ws import Frame, TabClient, open_tab
from workers.agent.budget import EARLIER_NOTE

BUDGET = 20_000
SUMMARY = Reply(text=["<task_summary>Built it.</task_summary>"])
REPOSITORY = {f"src/module{n // 20}/file{n}.js": f"export const value{n} = {n};\n" * 50 for n in range(400)}


def write(n: int, path: str, content: str) -> tuple[str, str, dict[str, object]]:
    return (f"toolu_{n}", "createOrUpdateFiles", {"files": [{"path": path, "content": content}]})


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic(max_request_tokens=BUDGET) as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(
        settings,
        anthropic_api_key="sk-test",
        anthropic_base_url=fake.base_url,
        agent_context_budget_tokens=BUDGET,
        agent_max_iterations=45,
        agent_max_tokens_per_run=10_000_000,
    )


async def project_with(api: Api, base_url: str) -> tuple[str, TabClient]:
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Big", "framework": "REACT"})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    return project["id"], tab


async def prompt(api: Api, project_id: str, tab: TabClient) -> Frame:
    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "add a footer"})
    return await _until_run_ends(tab, timeout=60)


def assert_within_budget(fake: FakeAnthropic) -> None:
    assert fake.oversized == []
    assert max(fake.request_tokens) <= BUDGET


async def test_a_conversation_of_200_messages_stays_within_the_budget(
    api: Api, base_url: str, fake: FakeAnthropic, clock: FakeClock
) -> None:
    project_id, tab = await project_with(api, base_url)
    await add_conversation(project_id, clock.now(), count=200, length=3000)
    clock.advance(timedelta(seconds=1))
    fake.script(Reply(text=["Adding it."], tools=[write(1, "footer.html", "<footer>")]), SUMMARY)

    end = await prompt(api, project_id, tab)

    first = fake.requests[0]["messages"]
    assert end["run"]["status"] == "COMPLETED"
    assert_within_budget(fake)
    assert first[0]["content"][0]["text"].startswith(EARLIER_NOTE)
    assert first[-2]["content"][0]["text"].startswith("message 199 from the assistant")


async def test_an_imported_repository_of_400_files_is_sent_as_a_listing_and_read_on_demand(
    api: Api, base_url: str, fake: FakeAnthropic, clock: FakeClock
) -> None:
    project_id, tab = await project_with(api, base_url)
    await add_draft(project_id, clock.now(), REPOSITORY)
    clock.advance(timedelta(seconds=1))
    wanted = sorted(REPOSITORY)[:40]
    fake.script(
        Reply(text=["Reading."], tools=[("toolu_1", "readFiles", {"files": wanted})]),
        Reply(text=["Adding it."], tools=[write(2, "src/footer.js", "export {}")]),
        SUMMARY,
    )

    end = await prompt(api, project_id, tab)

    files = next(
        b["text"] for b in fake.requests[0]["messages"][-1]["content"] if "current files" in b["text"]
    )
    answer = fake.requests[1]["messages"][-1]["content"][0]["content"]
    assert end["run"]["status"] == "COMPLETED"
    assert_within_budget(fake)
    assert "--- src/module19/ (20 files)" in files
    assert answer.startswith("--- src/module0/file0.js\n") and "Read them next." in answer


@pytest.mark.parametrize("deployment", ["embedded"], indirect=True)  # the budget is the worker's alone
async def test_a_run_of_forty_rounds_writing_large_files_stays_within_the_budget(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    project_id, tab = await project_with(api, base_url)
    fake.script(
        *[Reply(text=[f"Part {n}."], tools=[write(n, f"part{n}.js", "x" * 6000)]) for n in range(40)],
        SUMMARY,
    )

    end = await prompt(api, project_id, tab)

    assert end["run"]["status"] == "COMPLETED"
    assert len(fake.requests) == 41
    assert_within_budget(fake)
