"""Whole runs with the Anthropic provider: the worker drives the real SDK against a local server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.previews import as_previewed
from tests.workers.test_agent_end_to_end import _prompted_tab, _until_run_ends
from workers.agent.loop import CONTINUE

PAGE = '<!doctype html><h1>Hello</h1><ul id="todos"></ul>'
WRITE = ("toolu_1", "createOrUpdateFiles", {"files": [{"path": "index.html", "content": PAGE}]})
EDIT = ("toolu_2", "editFile", {"path": "index.html", "search": "Hello", "replace": "Todos"})
SUMMARY = Reply(text=["<task_sum", "mary>Built a to-do list.</task_summary>"])


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(settings, anthropic_api_key="sk-test", anthropic_base_url=fake.base_url)


async def test_a_run_over_two_rounds_of_tool_calls_ends_with_the_edited_app(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(
        Reply(text=["I'll write ", "the page."], tools=[WRITE]),
        Reply(text=["Now the ", "heading."], tools=[EDIT]),
        SUMMARY,
    )
    _, tab = await _prompted_tab(api, base_url)
    end = await _until_run_ends(tab)

    completed = next(f for f in tab.frames if f["type"] == "message.completed")["message"]
    fragment = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    assert end["run"]["status"] == "COMPLETED"
    assert completed["content"] == "I'll write the page.\n\nNow the heading.\n\nBuilt a to-do list."
    assert fragment["files"]["index.html"] == PAGE.replace("Hello", "Todos")
    assert (fragment["title"], fragment["metadata"]["provider"]) == ("Built a to-do list.", "anthropic")


async def test_the_model_gets_its_tool_results_back(api: Api, base_url: str, fake: FakeAnthropic) -> None:
    fake.script(Reply(text=["Writing."], tools=[WRITE]), SUMMARY)
    _, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    result = fake.requests[1]["messages"][-1]["content"][0]
    assert (result["type"], result["tool_use_id"]) == ("tool_result", "toolu_1")
    assert result["content"] == "Wrote index.html"


async def test_a_reply_cut_by_max_tokens_is_asked_to_continue(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(
        Reply(text=["Half of it"], stop_reason="max_tokens"),
        Reply(text=[" and the rest."], tools=[WRITE]),
        SUMMARY,
    )
    _, tab = await _prompted_tab(api, base_url)
    end = await _until_run_ends(tab)

    assert end["run"]["status"] == "COMPLETED"
    assert [b["text"] for b in fake.requests[1]["messages"][-1]["content"]] == [CONTINUE]


async def test_a_round_that_fails_at_every_try_fails_the_run_and_refunds_the_credit(
    api: Api, base_url: str, fake: FakeAnthropic, settings: Settings
) -> None:
    fake.script(*[Reply(text=["Let ", "me ", "start"], fail_after=2)] * settings.agent_retry_attempts)
    project_id, tab = await _prompted_tab(api, base_url)
    end = await _until_run_ends(tab)

    reply = (await api.messages("alice", project_id))[-1]
    usage = await api.ok("alice", "GET", "/api/usage")
    assert (end["run"]["status"], end["run"]["error"]) == (
        "FAILED",
        "The model service is overloaded; try again in a moment. Your credit was refunded.",
    )
    assert (reply["type"], reply["status"]) == ("ERROR", "COMPLETE")
    assert "overloaded" in reply["content"]
    assert usage["creditsRemaining"] == usage["creditsPerDay"]


BROKEN = (
    "toolu_3",
    "createOrUpdateFiles",
    {"files": [{"path": "index.html", "content": "<h1>Half</h1>"}, {"path": "src/extra.js", "content": "x"}]},
)
REFUSED = Reply(status=401)  # a failure that asking again would not mend


async def test_a_failed_run_leaves_the_preview_showing_the_last_good_fragment(
    api: Api, base_url: str, fake: FakeAnthropic, client: httpx.AsyncClient, settings: Settings
) -> None:
    fake.script(Reply(text=["Writing."], tools=[WRITE]), SUMMARY)
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)
    tab.frames.clear()
    fake.script(Reply(text=["Changing it."], tools=[BROKEN]), REFUSED)

    await api.ok("alice", "POST", f"/api/projects/{project_id}/messages", {"value": "add a footer"})
    end = await _until_run_ends(tab)

    folder = settings.sandboxes_dir / project_id
    page = await client.get(f"/preview/{project_id}/")
    assert end["run"]["status"] == "FAILED"
    assert [f["path"] for f in tab.frames if f["type"] == "file.written"] == ["index.html", "src/extra.js"]
    assert (page.status_code, page.text) == (200, as_previewed(PAGE))
    assert (await client.get(f"/preview/{project_id}/src/extra.js")).status_code == 404
    assert sorted(p.name for p in folder.iterdir()) == ["index.html"]


async def test_a_failed_first_run_leaves_no_preview(
    api: Api, base_url: str, fake: FakeAnthropic, client: httpx.AsyncClient, settings: Settings
) -> None:
    fake.script(Reply(text=["Writing."], tools=[BROKEN]), REFUSED)
    project_id, tab = await _prompted_tab(api, base_url)

    end = await _until_run_ends(tab)

    assert end["run"]["status"] == "FAILED"
    assert (await client.get(f"/preview/{project_id}/")).status_code == 404
    assert list((settings.sandboxes_dir / project_id).iterdir()) == []
