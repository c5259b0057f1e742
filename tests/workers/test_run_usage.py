"""What a run's model calls cost: every request marks the prompt cache's breakpoints, the calls
after the first read the conversation from the cache, and the run shows each call's tokens, in
`run.updated` and in `GET /api/runs/{id}`. The worker drives the real SDK against a local server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.workers.test_agent_end_to_end import _until_run_ends
from tests.ws import TabClient, open_tab

RESTORED = {"index.html": "<!doctype html>\n" + "<p>An app worth caching.</p>\n" * 300}
SUMMARY = Reply(text=["<task_summary>Built it.</task_summary>"])
THREE_ROUNDS = (
    Reply(text=["Reading the page."], tools=[("toolu_1", "readFiles", {"files": ["index.html"]})]),
    Reply(
        text=["Adding a script."],
        tools=[("toolu_2", "createOrUpdateFiles", {"files": [{"path": "app.js", "content": "let n = 0"}]})],
    ),
    SUMMARY,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(settings, anthropic_api_key="sk-test", anthropic_base_url=fake.base_url)


async def prompted_with_files(api: Api, base_url: str) -> tuple[str, TabClient]:
    """A project whose draft holds an app, with a tab open before the prompt is sent."""
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Cached", "framework": "REACT"})
    draft = await api.ok("alice", "GET", f"/api/projects/{project['id']}/draft")
    body = {"files": RESTORED, "version": draft["version"]}
    await api.ok("alice", "PUT", f"/api/projects/{project['id']}/draft", body)
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "add a counter"})
    return project["id"], tab


def marked(request: dict[str, Any]) -> list[str]:
    """What each mark of a request closes: `system`, `files`, or the role of a message it ends."""
    places = ["system" for block in request["system"] if "cache_control" in block]
    for message in request["messages"]:
        for n, block in enumerate(message["content"]):
            if "cache_control" not in block:
                continue
            files = str(block.get("text", "")).startswith("The project's current files")
            places.append("files" if files else f"end of {message['role']}" + ("" if n else " (first block)"))
    return places


async def test_every_request_marks_the_system_prompt_the_restored_files_and_the_conversation(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(*THREE_ROUNDS)
    _, tab = await prompted_with_files(api, base_url)

    await _until_run_ends(tab)

    assert [marked(r) for r in fake.requests] == [
        ["system", "files", "end of user"],
        ["system", "files", "end of user", "end of user (first block)"],
        ["system", "files", "end of user (first block)", "end of user (first block)"],
    ]


async def test_from_the_second_call_on_the_conversation_is_read_from_the_cache(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(*THREE_ROUNDS)
    _, tab = await prompted_with_files(api, base_url)

    await _until_run_ends(tab)

    reads = [usage.cache_read_input_tokens for usage in fake.usages]
    assert reads[0] == 0
    assert all(read > 0 for read in reads[1:])
    assert reads[2] > reads[1]  # each call reads what the one before it sent


async def test_the_runs_usage_shows_each_calls_tokens_as_the_service_counted_them(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(*THREE_ROUNDS)
    _, tab = await prompted_with_files(api, base_url)
    end = await _until_run_ends(tab)

    run = await api.ok("alice", "GET", f"/api/runs/{end['run']['id']}")

    counted = [
        {
            "inputTokens": u.input_tokens,
            "outputTokens": 17,
            "cacheReadInputTokens": u.cache_read_input_tokens,
            "cacheCreationInputTokens": u.cache_creation_input_tokens,
        }
        for u in fake.usages
    ]
    assert run["usage"]["rounds"] == counted
    assert run["usage"]["cacheReadInputTokens"] == sum(r["cacheReadInputTokens"] for r in counted)
    assert end["run"]["usage"] == run["usage"]


async def test_each_completed_round_updates_the_runs_usage_on_every_tab(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(*THREE_ROUNDS)
    _, tab = await prompted_with_files(api, base_url)

    await _until_run_ends(tab)

    counts = [
        len(f["run"]["usage"]["rounds"])
        for f in tab.frames
        if f["type"] == "run.updated" and f["run"]["usage"]
    ]
    assert sorted(set(counts)) == [1, 2, 3]
