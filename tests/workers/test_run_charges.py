"""What a run costs: a model that answers without building gave a (charged) chat answer, and a run
stops at its token budget with what it built so far. Only failures on our side refund (the
provider's failures: tests/workers/test_anthropic_runs.py). The worker drives the real SDK
against the local Anthropic server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.workers.test_agent_end_to_end import _prompted_tab, _until_run_ends
from workers.agent.loop import OUT_OF_TOKENS

PAGE = '<!doctype html><h1>Hello</h1><ul id="todos"></ul>'
WRITE = ("toolu_1", "createOrUpdateFiles", {"files": [{"path": "index.html", "content": PAGE}]})
EDIT = ("toolu_2", "editFile", {"path": "index.html", "search": "Hello", "replace": "Todos"})
ITERATIONS = 3
HALF_THE_BUDGET = 200_000  # of the default 400,000 tokens per run


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(
        settings,
        anthropic_api_key="sk-test",
        anthropic_base_url=fake.base_url,
        agent_max_iterations=ITERATIONS,
    )


def chat(fake: FakeAnthropic) -> None:
    fake.script(
        Reply(text=["React is ", "a library for user interfaces."]),
        Reply(text=["<task_summary>Answered a question about React.</task_summary>"]),
    )


def build_past_the_budget(fake: FakeAnthropic) -> None:
    """Two calls of 200,017 tokens each: the second passes the budget, so no third call is made."""
    fake.script(
        Reply(text=["Writing the page."], tools=[WRITE], input_tokens=HALF_THE_BUDGET),
        Reply(text=["Now the heading."], tools=[EDIT], input_tokens=HALF_THE_BUDGET),
        Reply(text=["<task_summary>Never asked for.</task_summary>"]),
    )


async def test_a_model_that_answers_without_building_completes_the_run(api: Api, base_url: str, fake) -> None:
    chat(fake)
    _, tab = await _prompted_tab(api, base_url, "What is React? Do not use any tools.")

    end = await _until_run_ends(tab)

    assert (end["run"]["status"], end["run"]["error"]) == ("COMPLETED", None)


async def test_a_chat_answer_is_the_assistant_message_without_a_fragment(
    api: Api, base_url: str, fake
) -> None:
    chat(fake)
    project_id, tab = await _prompted_tab(api, base_url, "What is React? Do not use any tools.")
    await _until_run_ends(tab)

    reply = (await api.messages("alice", project_id))[-1]
    assert (reply["role"], reply["type"], reply["status"], reply["fragment"]) == (
        "ASSISTANT",
        "RESULT",
        "COMPLETE",
        None,
    )
    assert reply["content"] == "React is a library for user interfaces.\n\nAnswered a question about React."
    assert (await api.ok("alice", "GET", f"/api/projects/{project_id}/fragments"))["items"] == []
    assert not any(f["type"] == "fragment.updated" for f in tab.frames)


async def test_a_chat_answer_keeps_its_credit(api: Api, base_url: str, fake) -> None:
    chat(fake)
    _, tab = await _prompted_tab(api, base_url, "What is React? Do not use any tools.")
    await _until_run_ends(tab)

    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 4


async def test_a_model_that_only_talks_through_every_step_is_charged(api: Api, base_url: str, fake) -> None:
    fake.script(*(Reply(text=[f"Just words, step {n}."]) for n in range(ITERATIONS)))
    _, tab = await _prompted_tab(api, base_url, "Never use tools, just keep talking.")

    end = await _until_run_ends(tab)

    assert (end["run"]["status"], len(fake.requests)) == ("COMPLETED", ITERATIONS)
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 4


async def test_a_run_past_its_token_budget_makes_no_further_model_call(api: Api, base_url: str, fake) -> None:
    build_past_the_budget(fake)
    _, tab = await _prompted_tab(api, base_url)

    end = await _until_run_ends(tab)

    assert (end["run"]["status"], len(fake.requests)) == ("COMPLETED", 2)


async def test_a_run_stopped_by_its_budget_keeps_what_it_built(api: Api, base_url: str, fake) -> None:
    build_past_the_budget(fake)
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    fragment = (await api.ok("alice", "GET", f"/api/projects/{project_id}/fragments"))["items"][0]
    assert fragment["files"] == {"index.html": PAGE.replace("Hello", "Todos")}


async def test_a_run_stopped_by_its_budget_says_so_and_is_charged(api: Api, base_url: str, fake) -> None:
    build_past_the_budget(fake)
    project_id, tab = await _prompted_tab(api, base_url)
    await _until_run_ends(tab)

    reply = (await api.messages("alice", project_id))[-1]
    assert reply["content"] == f"Writing the page.\n\nNow the heading.\n\n{OUT_OF_TOKENS}"
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 4
