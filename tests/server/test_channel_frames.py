"""Frames a tab sends: ping, prompt, draft.put, and what happens to frames that are not protocol."""

from __future__ import annotations

import json

import pytest

from tests.ws import open_tab

pytestmark = pytest.mark.cluster


@pytest.fixture
async def tab(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    tab.project = project
    await tab.next_of("hello")
    yield tab
    await tab.close()


async def test_ping_is_answered_with_pong(tab):
    await tab.send({"type": "ping", "ref": "p1"})

    assert await tab.next_of("pong") == {"type": "pong", "ref": "p1"}


async def test_a_prompt_adds_a_message_like_the_rest_route(tab, api):
    await tab.send({"type": "prompt", "value": "Add a footer", "ref": "r1"})

    created = await tab.next_of("message.created")

    assert (created["message"]["content"], created["message"]["role"]) == ("Add a footer", "USER")
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 3


async def test_a_prompt_without_credits_is_an_error_frame_with_its_ref(tab, api):
    for _ in range(4):
        await api.ok("alice", "POST", f"/api/projects/{tab.project['id']}/messages", {"value": "more"})

    await tab.send({"type": "prompt", "value": "one more", "ref": "r9"})
    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("out_of_credits", "r9")
    assert "The next credit comes back at" in error["message"]
    assert len(await api.messages("alice", tab.project["id"])) == 5


async def test_an_empty_prompt_is_refused_as_rest_refuses_it(tab):
    await tab.send({"type": "prompt", "value": "", "ref": "r2"})

    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("invalid_input", "r2")


async def test_a_draft_put_updates_the_draft(tab):
    await tab.send({"type": "draft.put", "files": {"index.html": "<h1>hi</h1>"}, "version": 0, "ref": "d1"})

    updated = await tab.until(lambda f: f["type"] == "draft.updated" and f["draft"]["version"] == 1)

    assert updated["draft"]["files"] == {"index.html": "<h1>hi</h1>"}


async def test_a_stale_draft_put_is_an_error_frame(tab):
    await tab.send({"type": "draft.put", "files": {}, "version": 0})
    await tab.until(lambda f: f["type"] == "draft.updated" and f["draft"]["version"] == 1)

    await tab.send({"type": "draft.put", "files": {"a.txt": "x"}, "version": 0, "ref": "d2"})
    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("stale_version", "d2")


async def test_an_unknown_type_is_an_error_frame_and_the_tab_stays(tab):
    await tab.send({"type": "teleport", "ref": "t1"})

    error = await tab.next_of("error")
    await tab.send({"type": "ping"})

    assert (error["code"], error["ref"]) == ("invalid_frame", "t1")
    assert (await tab.next_of("pong"))["type"] == "pong"


async def test_bad_fields_are_an_error_frame(tab):
    await tab.send({"type": "draft.put", "files": "nope", "version": 0, "ref": "b1"})

    assert (await tab.next_of("error"))["ref"] == "b1"


@pytest.mark.parametrize(
    "raw",
    ["not json", "[1, 2]", '"a string"', json.dumps({"type": "ping", "pad": "x" * 70_000})],
    ids=["not-json", "array", "string", "over-64k"],
)
async def test_a_frame_that_is_not_protocol_closes_with_1008(tab, raw):
    await tab.send(raw)

    assert await tab.closed_with() == 1008


async def test_a_binary_frame_closes_with_1008(tab):
    await tab.connection.send(b"\x00\x01")

    assert await tab.closed_with() == 1008


async def test_a_draft_put_with_a_name_no_file_system_takes_is_an_error_frame(tab, api):
    await tab.send({"type": "draft.put", "files": {"é" * 128: "y"}, "version": 0, "ref": "long"})

    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("invalid_input", "long")
    assert "longer than 255 bytes" in error["message"]
    draft = await api.ok("alice", "GET", f"/api/projects/{tab.project['id']}/draft")
    assert (draft["files"], draft["version"]) == ({}, 0)


async def test_a_refused_frame_changes_nothing(tab, api):
    await tab.send({"type": "draft.put", "files": {"../x": "y"}, "version": 0, "ref": "z"})
    await tab.next_of("error")

    draft = await api.ok("alice", "GET", f"/api/projects/{tab.project['id']}/draft")

    assert (draft["files"], draft["version"]) == ({}, 0)
