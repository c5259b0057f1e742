"""Who pays on a shared project (API.md, "Sharing"): a member's prompt spends the owner's credit
under the owner's plan, a refund goes back to the owner, and each USER message says who sent it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db.tables import MessageTable
from tests.conftest import PRO_PRODUCT
from tests.factories import subscribe


@pytest.fixture
async def project(api):
    created = await api.ok("olivia", "POST", "/api/projects", {"name": "Shared"})
    await api.share("olivia", created["id"], "eddie", "EDITOR")
    return created


async def prompt(api, user, project, value="Add a dark mode toggle"):
    return await api.call(user, "POST", f"/api/projects/{project['id']}/messages", {"value": value})


async def credits(api, user):
    return (await api.ok(user, "GET", "/api/usage"))["creditsRemaining"]


async def test_an_editors_prompt_spends_the_owners_credit(api, project):
    response = await prompt(api, "eddie", project)

    assert response.status_code == 201
    assert (await credits(api, "olivia"), await credits(api, "eddie")) == (4, 5)


async def test_an_editor_out_of_their_own_credits_still_prompts_on_the_owners(api, project):
    own = await api.ok("eddie", "POST", "/api/projects", {"name": "Eddie's"})
    for n in range(5):
        await prompt(api, "eddie", own, f"Idea {n}")

    response = await prompt(api, "eddie", project)

    assert response.status_code == 201


async def test_the_owner_out_of_credits_means_429_for_the_editor(api, project):
    for n in range(5):
        assert (await prompt(api, "olivia", project, f"Idea {n}")).status_code == 201

    response = await prompt(api, "eddie", project)

    assert response.status_code == 429
    assert response.json()["type"] == "https://forgeai.dev/problems/out-of-credits"
    assert "Retry-After" in response.headers
    assert await MessageTable.count() == 5


async def test_the_owners_plan_sets_the_limit(api, project, clock):
    await subscribe("olivia", PRO_PRODUCT, clock.now())
    for n in range(5):
        await prompt(api, "olivia", project, f"Idea {n}")

    response = await prompt(api, "eddie", project)

    assert response.status_code == 201
    assert await credits(api, "olivia") == 94


async def test_a_failed_run_of_an_editors_prompt_refunds_the_owner(api, app, project):
    await prompt(api, "eddie", project)
    runs = app.state.web.core.services.agent_runs
    run = await runs.claim_next("worker-1", timedelta(seconds=30))

    await runs.fail(run, "The model did not answer.")

    assert (await credits(api, "olivia"), await credits(api, "eddie")) == (5, 5)


async def test_a_user_message_says_which_member_sent_it(api, project):
    await prompt(api, "olivia", project, "First")
    await prompt(api, "eddie", project, "Second")
    await api.assistant_message("olivia", project["id"])

    messages = await api.messages("olivia", project["id"])

    assert [(m["content"], m["userId"]) for m in messages] == [
        ("First", "olivia"),
        ("Second", "eddie"),
        ("Here it is.", None),
    ]
