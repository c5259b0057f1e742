"""Sharing across processes (API.md, "Sharing"): two `forge serve` on PostgreSQL and Redis; what
the owner does through one reaches the people connected to the other within a second."""

from __future__ import annotations

import time

from channels.close_codes import CLOSE_FORBIDDEN
from server.auth import issue_dev_token
from tests.api import Api
from tests.conftest import JWT_SECRET, http_client
from tests.ws import open_me, open_tab

WITHIN_SECONDS = 1.0


def bearer(user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_dev_token(JWT_SECRET, user)}"}


async def test_a_removed_members_tab_on_the_other_server_closes_with_4403_within_a_second(two_servers):
    first, second = two_servers
    async with http_client(first.url) as http:
        api = Api(http, bearer)
        project = await api.ok("olivia", "POST", "/api/projects", {"name": "Shared"})
        await api.share("olivia", project["id"], "eddie", "EDITOR")
        tab = await open_tab(second.url, project["id"], "eddie")
        await tab.next_of("hello")

        removed_at = time.monotonic()
        await api.ok("olivia", "DELETE", f"/api/projects/{project['id']}/members/eddie")
        code = await tab.closed_with(timeout=5)

    assert (code, time.monotonic() - removed_at < WITHIN_SECONDS) == (CLOSE_FORBIDDEN, True)


async def test_an_invitation_accepted_on_one_server_lists_the_project_on_the_other(two_servers):
    first, second = two_servers
    async with http_client(first.url) as http:
        api = Api(http, bearer)
        project = await api.ok("olivia", "POST", "/api/projects", {"name": "Shared"})
        me = await open_me(second.url, "eddie")
        assert (await me.next_of("hello"))["projects"] == []

        accepted_at = time.monotonic()
        await api.share("olivia", project["id"], "eddie", "VIEWER")
        listed = await me.next_of("project.listed", timeout=5)

    assert (listed["project"]["id"], listed["project"]["role"]) == (project["id"], "VIEWER")
    assert time.monotonic() - accepted_at < WITHIN_SECONDS
    await me.close()
