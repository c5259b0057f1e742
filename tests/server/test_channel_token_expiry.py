"""A tab is authorized as long as its token is: it is closed with 4401 when the token runs out,
unless an `auth` frame brought a fresher token of the same user."""

from __future__ import annotations

import asyncio
import time

import jwt

from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET
from tests.ws import open_tab

SHORT_SECONDS = 2


def short_token(user: str = "alice") -> str:
    return jwt.encode({"sub": user, "exp": int(time.time()) + SHORT_SECONDS}, JWT_SECRET, algorithm="HS256")


async def test_a_tab_is_closed_with_4401_when_its_token_expires(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"], token=short_token())
    await tab.next_of("hello")

    assert await tab.closed_with(timeout=SHORT_SECONDS + 5) == 4401


async def test_an_auth_frame_with_a_fresher_token_keeps_the_tab_open(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"], token=short_token())
    await tab.next_of("hello")

    await tab.send({"type": "auth", "token": issue_dev_token(JWT_SECRET, "alice")})
    await asyncio.sleep(SHORT_SECONDS + 1)
    await tab.send({"type": "ping", "ref": "still-there"})

    assert (await tab.next_of("pong"))["ref"] == "still-there"
    await tab.close()


async def test_an_auth_frame_with_another_users_token_is_refused(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await tab.send({"type": "auth", "token": issue_dev_token(JWT_SECRET, "mallory"), "ref": "a1"})
    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("forbidden", "a1")
    await tab.close()


async def test_an_auth_frame_with_a_bad_token_is_refused(api, base_url):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")

    await tab.send({"type": "auth", "token": "not-a-token", "ref": "a2"})
    error = await tab.next_of("error")

    assert (error["code"], error["ref"]) == ("unauthorized", "a2")
    await tab.close()
