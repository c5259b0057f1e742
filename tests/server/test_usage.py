"""`GET /api/usage`: what the credit rules look like from outside."""

from __future__ import annotations

from datetime import timedelta

from db.tables import AgentRunTable, CreditSpendTable
from domain.views import iso_ms
from tests.conftest import PRO_PRODUCT, UNLIMITED_PRODUCT
from tests.factories import subscribe

PROMPT = {"message": "a to-do list app"}

FREE_MODELS = ["claude-haiku-5-5", "claude-sonnet-5-5", "offline-builder"]


async def create(client, headers):
    return await client.post("/api/projects", json=PROMPT, headers=headers)


async def test_a_new_user_has_every_free_credit(client, auth):
    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json() == {
        "plan": "FREE",
        "creditsRemaining": 5,
        "creditsPerDay": 5,
        "resetsAt": None,
        "allowedModels": FREE_MODELS,
    }


async def test_a_creation_spends_a_credit_that_comes_back_in_24_hours(client, auth, clock):
    await client.post("/api/projects", json={"message": "a to-do list app"}, headers=auth("alice"))

    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json() == {
        "plan": "FREE",
        "creditsRemaining": 4,
        "creditsPerDay": 5,
        "resetsAt": iso_ms(clock.now() + timedelta(hours=24)),
        "allowedModels": FREE_MODELS,
    }


async def test_the_usage_lists_the_models_the_plan_may_choose(client, auth, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now())

    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json()["allowedModels"] == [
        "claude-haiku-5-5",
        "claude-opus-5-5",
        "claude-sonnet-5-5",
        "offline-builder",
    ]


async def test_pro_has_a_hundred_credits(client, auth, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now())

    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json()["plan"] == "PRO"
    assert response.json()["creditsRemaining"] == 100


async def test_unlimited_has_no_limit(client, auth, clock):
    await subscribe("alice", UNLIMITED_PRODUCT, clock.now())
    for _ in range(7):
        await client.post("/api/projects", json={"message": "a to-do list app"}, headers=auth("alice"))

    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json()["plan"] == "UNLIMITED"
    assert (response.json()["creditsRemaining"], response.json()["creditsPerDay"]) == (None, None)


async def test_an_ended_subscription_is_free_again(client, auth, clock):
    await subscribe("alice", PRO_PRODUCT, clock.now(), current_period_end=clock.now() - timedelta(seconds=1))

    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json()["plan"] == "FREE"


async def test_usage_says_when_the_next_credit_comes_back(client, auth, clock):
    first = clock.now()
    await create(client, auth("alice"))
    clock.advance(timedelta(hours=1))
    await create(client, auth("alice"))
    clock.advance(timedelta(hours=23))

    response = await client.get("/api/usage", headers=auth("alice"))

    assert (response.json()["creditsRemaining"], response.json()["resetsAt"]) == (
        4,
        iso_ms(first + timedelta(hours=25)),
    )


async def test_ten_credits_do_not_fit_in_two_minutes_across_the_end_of_a_day(client, auth, clock):
    assert (await create(client, auth("alice"))).status_code == 201
    clock.advance(timedelta(hours=23, minutes=59))
    for _ in range(4):
        assert (await create(client, auth("alice"))).status_code == 201
    clock.advance(timedelta(minutes=2))

    statuses = [(await create(client, auth("alice"))).status_code for _ in range(5)]

    assert statuses == [201, 429, 429, 429, 429]


async def test_a_refusal_names_when_the_oldest_spend_comes_back(client, auth, clock):
    first = clock.now()
    for _ in range(5):
        await create(client, auth("alice"))
        clock.advance(timedelta(hours=1))

    response = await create(client, auth("alice"))

    assert (response.status_code, response.json()["resetsAt"]) == (429, iso_ms(first + timedelta(hours=24)))
    assert response.headers["retry-after"] == str(19 * 3600)


async def test_each_prompt_is_a_row_of_the_spend_ledger(client, auth, clock):
    project = (await create(client, auth("alice"))).json()

    runs = await AgentRunTable.select(AgentRunTable.id).where(AgentRunTable.project_id == project["id"])
    spends = await CreditSpendTable.select()
    assert [(s["user_id"], s["run_id"], s["spent_at"], s["refunded_at"]) for s in spends] == [
        ("alice", runs[0]["id"], clock.now(), None)
    ]


async def test_deleting_a_project_gives_no_credit_back(client, auth):
    projects = [(await create(client, auth("alice"))).json() for _ in range(5)]

    await client.delete(f"/api/projects/{projects[0]['id']}", headers=auth("alice"))

    assert (await client.get("/api/usage", headers=auth("alice"))).json()["creditsRemaining"] == 0
    assert (await create(client, auth("alice"))).status_code == 429
