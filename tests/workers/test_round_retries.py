"""Whole runs whose model fails for a passing reason partway: the failed round is asked again and
the run goes on from its last completed round. Earlier rounds are not asked again, and the tab's
text neither shrinks nor repeats. The worker drives the real SDK against a local server."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from forge.settings import Settings
from tests.api import Api
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.metrics import scrape, value
from tests.workers.test_agent_end_to_end import _prompted_tab, _reply_id, _until_run_ends
from tests.ws import Frame, ShownText, TabClient
from workers.agent.resumption import RESUME

SUMMARY = Reply(text=["<task_summary>Built it.</task_summary>"])


def write(n: int, path: str, content: str) -> tuple[str, str, dict[str, object]]:
    return (f"toolu_{n}", "createOrUpdateFiles", {"files": [{"path": path, "content": content}]})


PAGE = write(1, "index.html", "<h1>Todos</h1>")
SCRIPT = write(2, "app.js", "console.log('todos')")
STYLES = write(3, "style.css", "h1 { color: teal }")
THREE_ROUNDS_THE_THIRD_OVERLOADED = (
    Reply(text=["First ", "the page."], tools=[PAGE]),
    Reply(text=["Then ", "the script."], tools=[SCRIPT]),
    Reply(status=529),
    Reply(text=["Now ", "the styles."], tools=[STYLES]),
    SUMMARY,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, fake: FakeAnthropic) -> Settings:
    return msgspec.structs.replace(settings, anthropic_api_key="sk-test", anthropic_base_url=fake.base_url)


def completed_content(tab: TabClient) -> str:
    return str(next(f for f in tab.frames if f["type"] == "message.completed")["message"]["content"])


def fragment_of(tab: TabClient) -> Frame:
    fragment: Frame = next(f for f in tab.frames if f["type"] == "fragment.updated")["fragment"]
    return fragment


async def test_a_run_whose_third_round_is_overloaded_completes_without_asking_the_first_two_again(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(*THREE_ROUNDS_THE_THIRD_OVERLOADED)
    _, tab = await _prompted_tab(api, base_url)

    end = await _until_run_ends(tab)

    assert end["run"]["status"] == "COMPLETED"
    assert [len(request["messages"]) for request in fake.requests] == [1, 3, 5, 5, 7]
    assert fake.requests[3]["messages"] == fake.requests[2]["messages"]
    assert sorted(fragment_of(tab)["files"]) == ["app.js", "index.html", "style.css"]


async def test_the_tabs_text_never_shrinks_while_a_round_is_asked_again(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(*THREE_ROUNDS_THE_THIRD_OVERLOADED)
    _, tab = await _prompted_tab(api, base_url)

    await _until_run_ends(tab)

    shown = ShownText(_reply_id(tab)).apply_all(tab.frames)
    assert shown.lengths == sorted(shown.lengths)
    assert shown.text == completed_content(tab)
    assert shown.text == "First the page.\n\nThen the script.\n\nNow the styles.\n\nBuilt it."


async def test_a_round_cut_off_mid_text_goes_on_after_the_text_already_shown(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(
        Reply(text=["I'll write ", "the page ", "for you."], cut_after=2),
        Reply(text=["for you."], tools=[PAGE]),
        SUMMARY,
    )
    _, tab = await _prompted_tab(api, base_url)

    await _until_run_ends(tab)

    asked_again = fake.requests[1]["messages"][-2:]
    assert [(m["role"], m["content"][0]["text"]) for m in asked_again] == [
        ("assistant", "I'll write the page "),
        ("user", RESUME),
    ]
    assert completed_content(tab) == "I'll write the page for you.\n\nBuilt it."


async def test_a_model_that_says_the_cut_off_text_again_is_not_shown_it_twice(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(
        Reply(text=["I'll write ", "the page ", "for you."], fail_after=2),
        Reply(text=["I'll write ", "the page ", "for you."], tools=[PAGE]),
        SUMMARY,
    )
    _, tab = await _prompted_tab(api, base_url)

    await _until_run_ends(tab)

    shown = ShownText(_reply_id(tab)).apply_all(tab.frames)
    assert shown.lengths == sorted(shown.lengths)
    assert shown.text == completed_content(tab) == "I'll write the page for you.\n\nBuilt it."
    assert fake.requests[2]["messages"][1]["content"][0]["text"] == "I'll write the page for you."


async def test_while_the_run_waits_its_tab_reads_that_the_model_is_busy(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(Reply(status=529), Reply(text=["Done."], tools=[PAGE]), SUMMARY)
    _, tab = await _prompted_tab(api, base_url)

    await _until_run_ends(tab)

    stages = [f["run"]["stage"] for f in tab.frames if f["type"] == "run.updated" and f["run"]["stage"]]
    waiting = [s for s in stages if re.fullmatch(r"The model is busy, retrying in \d+ s", s)]
    assert len(waiting) == 1
    assert stages[stages.index(waiting[0]) + 1] == "Asking the model again…"


async def test_a_dropped_connection_and_a_server_error_are_asked_again(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(Reply(drop=True), Reply(status=500), Reply(text=["Done."], tools=[PAGE]), SUMMARY)
    _, tab = await _prompted_tab(api, base_url)

    end = await _until_run_ends(tab)

    assert (end["run"]["status"], len(fake.requests)) == ("COMPLETED", 4)


async def test_a_refused_request_fails_the_run_at_once_with_a_readable_reason(
    api: Api, base_url: str, fake: FakeAnthropic
) -> None:
    fake.script(Reply(status=400))
    _, tab = await _prompted_tab(api, base_url)

    end = await _until_run_ends(tab)

    assert (end["run"]["status"], end["run"]["error"]) == (
        "FAILED",
        "The model service answered 400. Your credit was refunded.",
    )
    assert len(fake.requests) == 1


async def test_each_round_asked_again_is_counted_in_the_metrics(
    api: Api, base_url: str, fake: FakeAnthropic, client: httpx.AsyncClient
) -> None:
    before = value(await scrape(client), "forge_model_retries_total")
    fake.script(Reply(status=529), Reply(status=529), Reply(text=["Done."], tools=[PAGE]), SUMMARY)
    _, tab = await _prompted_tab(api, base_url)

    await _until_run_ends(tab)

    assert value(await scrape(client), "forge_model_retries_total") == before + 2
