"""A `prompt` frame sent again with its `ref` gets the first answer and costs one credit."""

from __future__ import annotations

import pytest

from channels.frames import ErrorFrame
from domain.errors import KeyReused, RequestInFlight
from server.client_frames import Prompt
from server.prompt_refs import PromptRefs, Replay
from tests.conftest import ADMIN
from tests.ws import open_tab

REFUSED = ErrorFrame(code="out_of_credits", message="You have used all of your credits for now.", ref="r1")


def prompt(value: str = "Add a footer", ref: str = "r1") -> Prompt:
    return Prompt(value=value, ref=ref)


@pytest.fixture
async def tab(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    tab.project = project
    await tab.next_of("hello")
    yield tab
    await tab.close()


async def errors_until_synced(tab):
    """The error frames answering what the tab sent so far. A tab's frames are handled in order,
    so when the pong of a ping sent now arrives, their writes are committed too."""
    await tab.send({"type": "ping", "ref": "sync"})
    start = len(tab.frames)
    await tab.next_of("pong")
    return [f for f in tab.frames[start:] if f["type"] == "error"]


def test_a_new_ref_is_run():
    assert PromptRefs().begin("r1", prompt()) is None


def test_a_ref_sent_again_while_its_prompt_is_handled_is_in_flight():
    refs = PromptRefs()
    refs.begin("r1", prompt())

    with pytest.raises(RequestInFlight):
        refs.begin("r1", prompt())


def test_a_ref_sent_again_gets_the_first_refusal():
    refs = PromptRefs()
    refs.begin("r1", prompt())
    refs.settle("r1", REFUSED)

    assert refs.begin("r1", prompt()) == Replay(REFUSED)


def test_a_ref_sent_again_with_another_prompt_is_reused():
    refs = PromptRefs()
    refs.begin("r1", prompt())
    refs.settle("r1", None)

    with pytest.raises(KeyReused):
        refs.begin("r1", prompt("Add a header"))


def test_a_forgotten_ref_runs_again():
    refs = PromptRefs()
    refs.begin("r1", prompt())

    refs.forget("r1")

    assert refs.begin("r1", prompt()) is None


def test_past_the_limit_the_oldest_ref_is_forgotten():
    refs = PromptRefs(limit=2)
    for ref in ("r1", "r2", "r3"):
        refs.begin(ref, prompt(ref=ref))
        refs.settle(ref, None)

    assert (refs.begin("r1", prompt(ref="r1")), refs.begin("r3", prompt(ref="r3"))) == (None, Replay(None))


async def test_a_prompt_sent_again_with_its_ref_adds_nothing_and_costs_one_credit(tab, api):
    await tab.send({"type": "prompt", "value": "Add a footer", "ref": "r1"})
    await tab.next_of("message.created")

    await tab.send({"type": "prompt", "value": "Add a footer", "ref": "r1"})

    assert await errors_until_synced(tab) == []
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 3
    assert len(await api.messages("alice", tab.project["id"])) == 2


async def test_a_prompt_sent_twice_at_once_is_taken_once(tab, api):
    frame = {"type": "prompt", "value": "Add a footer", "ref": "r1"}

    await tab.send(frame)
    await tab.send(frame)

    assert await errors_until_synced(tab) == []
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 3
    assert len(await api.messages("alice", tab.project["id"])) == 2


async def test_a_refused_prompt_sent_again_gets_the_same_error_frame(tab, api):
    for _ in range(4):
        await api.ok("alice", "POST", f"/api/projects/{tab.project['id']}/messages", {"value": "more"})
    await tab.send({"type": "prompt", "value": "one more", "ref": "r9"})
    first = await tab.next_of("error")
    await api.ok(ADMIN, "POST", "/api/admin/usage/alice/reset")

    await tab.send({"type": "prompt", "value": "one more", "ref": "r9"})

    assert await errors_until_synced(tab) == [first]
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 5


async def test_a_ref_sent_again_with_another_prompt_is_an_invalid_input_frame(tab, api):
    await tab.send({"type": "prompt", "value": "Add a footer", "ref": "r1"})
    await tab.next_of("message.created")

    await tab.send({"type": "prompt", "value": "Add a header", "ref": "r1"})
    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("invalid_input", "r1")
    assert len(await api.messages("alice", tab.project["id"])) == 2
