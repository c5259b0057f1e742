"""The admin reset of usage (seed: usage.resetUsage)."""

from __future__ import annotations

from tests.conftest import ADMIN


async def spend_everything(api):
    for _ in range(5):
        await api.project()


async def test_an_admin_gives_a_user_every_credit_back(api):
    await spend_everything(api)

    response = await api.call(ADMIN, "POST", "/api/admin/usage/alice/reset")

    assert response.status_code == 200
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 5
    assert (await api.call("alice", "POST", "/api/projects", {"message": "one more app"})).status_code == 201


async def test_anyone_else_is_forbidden_and_nothing_changes(api):
    await spend_everything(api)

    response = await api.call("bob", "POST", "/api/admin/usage/alice/reset")

    assert response.status_code == 403
    assert (await api.ok("alice", "GET", "/api/usage"))["creditsRemaining"] == 0


async def test_the_refusal_says_administrators_only_not_a_plan(api):
    response = await api.call("bob", "POST", "/api/admin/usage/alice/reset")

    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://forgeai.dev/problems/admin-only",
        "title": "Administrators only",
        "status": 403,
        "detail": "Only administrators may reset usage.",
    }
