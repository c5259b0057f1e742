"""A model is chosen from the plan's list on every route and frame that takes one (or uses the
project's): anything else is a 400 listing the plan's models, and nothing is written or spent."""

from __future__ import annotations

from datetime import timedelta

from db.tables import AgentRunTable, ProjectTable
from tests.conftest import PRO_PRODUCT
from tests.factories import subscribe
from tests.ws import open_tab

PROMPT = "Build a to-do list app with a clean, minimal design"
FREE_MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5", "offline-builder"]
PRO_ONLY = "claude-opus-5-5"


async def credits_left(api, user="alice"):
    return (await api.ok(user, "GET", "/api/usage"))["creditsRemaining"]


async def test_an_unknown_model_is_a_400_listing_the_plans_models(api):
    response = await api.call("alice", "POST", "/api/projects", {"message": PROMPT, "model": "gpt-9"})

    assert (response.status_code, response.headers["content-type"]) == (400, "application/problem+json")
    body = response.json()
    assert (body["type"], body["allowedModels"]) == (
        "https://forgeai.dev/problems/invalid-input",
        FREE_MODELS,
    )
    assert body["errors"] == [
        {
            "field": "model",
            "message": "'gpt-9' is not a model we offer; choose one of: " + ", ".join(FREE_MODELS),
            "source": "body",
        }
    ]


async def test_a_refused_model_writes_nothing_and_spends_nothing(api):
    await api.call("alice", "POST", "/api/projects", {"message": PROMPT, "model": "gpt-9"})

    assert (await ProjectTable.count(), await credits_left(api)) == (0, 5)


async def test_a_model_of_a_dearer_plan_is_refused_on_free(api):
    response = await api.call("alice", "POST", "/api/projects", {"message": PROMPT, "model": PRO_ONLY})

    assert response.status_code == 400
    assert "is not available on your plan" in response.json()["errors"][0]["message"]


async def test_pro_may_choose_its_models(api, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now())

    response = await api.call("alice", "POST", "/api/projects", {"message": PROMPT, "model": PRO_ONLY})

    assert (response.status_code, response.json()["modelPreference"]) == (201, PRO_ONLY)


async def test_the_offline_model_is_allowed_without_an_anthropic_key(api):
    response = await api.call(
        "alice", "POST", "/api/projects", {"message": PROMPT, "model": "offline-builder"}
    )

    assert response.status_code == 201


async def test_a_model_preference_outside_the_plan_is_refused_and_kept_as_it_was(api):
    project = await api.project()

    response = await api.call(
        "alice", "PATCH", f"/api/projects/{project['id']}", {"modelPreference": "gpt-9"}
    )

    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "modelPreference")
    assert response.json()["allowedModels"] == FREE_MODELS
    assert (await api.ok("alice", "GET", f"/api/projects/{project['id']}"))["modelPreference"] is None


async def test_a_model_preference_can_be_cleared(api):
    project = await api.project()

    response = await api.call("alice", "PATCH", f"/api/projects/{project['id']}", {"modelPreference": None})

    assert (response.status_code, response.json()["modelPreference"]) == (200, None)


async def test_a_prompt_after_a_downgrade_is_refused_for_the_projects_model(api, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now(), current_period_end=clock.now() + timedelta(hours=1))
    project = await api.ok("alice", "POST", "/api/projects", {"message": PROMPT, "model": PRO_ONLY})
    clock.advance(timedelta(hours=2))

    response = await api.call("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "more"})

    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "modelPreference")
    assert response.json()["allowedModels"] == FREE_MODELS
    assert (len(await api.messages("alice", project["id"])), await credits_left(api)) == (1, 4)


async def test_a_prompt_frame_after_a_downgrade_is_an_error_frame_listing_the_models(api, base_url, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now(), current_period_end=clock.now() + timedelta(hours=1))
    project = await api.ok("alice", "POST", "/api/projects", {"message": PROMPT, "model": PRO_ONLY})
    clock.advance(timedelta(hours=2))
    tab = await open_tab(base_url, project["id"])
    try:
        await tab.next_of("hello")

        await tab.send({"type": "prompt", "value": "more", "ref": "r1"})
        error = await tab.next_of("error")
    finally:
        await tab.close()

    assert (error["code"], error["ref"]) == ("invalid_input", "r1")
    assert error["message"].endswith("choose one of: " + ", ".join(FREE_MODELS))
    assert await credits_left(api) == 4


async def test_a_browser_run_with_a_model_outside_the_plan_is_refused(api):
    project = await api.project()

    response = await api.call(
        "alice", "POST", f"/api/projects/{project['id']}/runs", {"value": "build it", "model": "gpt-9"}
    )

    assert (response.status_code, response.json()["errors"][0]["field"]) == (400, "model")
    assert await AgentRunTable.count() == 1  # the project's own server run, nothing more
