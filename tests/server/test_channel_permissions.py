"""API.md's permission table on the project channel: every client frame type, sent by the owner,
an editor and a viewer, is answered as their role allows, and a refused frame changes nothing."""

from __future__ import annotations

import typing
from typing import Any

import pytest

from server.auth import issue_dev_token
from server.client_frames import AnyClientFrame
from tests.api import FILES, Api
from tests.conftest import JWT_SECRET
from tests.ws import open_tab

USERS = {"OWNER": "olivia", "EDITOR": "eddie", "VIEWER": "vera"}
# Per frame type: the frame, the roles that may send it, and the frame that answers them.
CASES: dict[str, tuple[dict[str, Any], set[str], str]] = {
    "ping": ({"type": "ping", "ref": "r1"}, {"OWNER", "EDITOR", "VIEWER"}, "pong"),
    "prompt": (
        {"type": "prompt", "value": "Add a dark mode toggle", "ref": "r1"},
        {"OWNER", "EDITOR"},
        "message.created",
    ),
    "draft.put": (
        {"type": "draft.put", "files": FILES, "version": 0, "ref": "r1"},
        {"OWNER", "EDITOR"},
        "draft.updated",
    ),
    # A renewed token answers nothing: the ping sent after it does (see the test).
    "auth": ({"type": "auth", "ref": "r1"}, {"OWNER", "EDITOR", "VIEWER"}, "pong"),
}
FRAME_TYPES = {frame.__struct_config__.tag for frame in typing.get_args(AnyClientFrame)}


@pytest.fixture
async def project(api: Api) -> dict[str, Any]:
    created = await api.ok("olivia", "POST", "/api/projects", {"name": "Shared"})
    await api.share("olivia", created["id"], "eddie", "EDITOR")
    await api.share("olivia", created["id"], "vera", "VIEWER")
    await api.ok("olivia", "GET", f"/api/projects/{created['id']}/draft")  # made by its first read
    return created


async def state(api: Api, project: dict[str, Any]) -> list[Any]:
    reads = ["", "/messages", "/draft", "/runs"]
    return [
        *[await api.ok("olivia", "GET", f"/api/projects/{project['id']}{suffix}") for suffix in reads],
        await api.ok("olivia", "GET", "/api/usage"),
    ]


def test_every_client_frame_type_is_in_the_table():
    assert set(CASES) == FRAME_TYPES


@pytest.mark.parametrize("role", ["OWNER", "EDITOR", "VIEWER"])
@pytest.mark.parametrize("frame_type", sorted(CASES))
async def test_a_client_frame_is_answered_as_the_role_allows(api, base_url, project, frame_type, role):
    frame, allowed, answer = CASES[frame_type]
    tab = await open_tab(base_url, project["id"], USERS[role])
    await tab.next_of("hello")
    before = await state(api, project)

    if frame_type == "auth":
        await tab.send({**frame, "token": issue_dev_token(JWT_SECRET, USERS[role])})
        frame = {"type": "ping", "ref": "r1"}
    await tab.send(frame)
    reply = await tab.until(lambda f: f["type"] in (answer, "error"))

    if role in allowed:
        assert reply["type"] == answer
    else:
        assert reply == {
            "type": "error",
            "code": "forbidden",
            "message": "Your role on this project does not allow this.",
            "ref": "r1",
        }
        assert await tab.sequenced_within(0.3) == []
        assert await state(api, project) == before
    await tab.close()


async def test_a_stranger_cannot_open_the_channel(base_url, project):
    tab = await open_tab(base_url, project["id"], "sam")

    assert await tab.closed_with() == 4404
