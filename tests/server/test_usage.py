"""`GET /api/usage`: what the credit rules look like from outside."""

from __future__ import annotations

from datetime import timedelta

from domain.views import iso_ms
from tests.conftest import PRO_PRODUCT, UNLIMITED_PRODUCT
from tests.factories import subscribe


async def test_a_new_user_has_every_free_credit(client, auth):
    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json() == {"plan": "FREE", "creditsRemaining": 5, "creditsPerDay": 5, "resetsAt": None}


async def test_a_creation_spends_a_credit_and_opens_the_window(client, auth, clock):
    await client.post("/api/projects", json={"message": "a to-do list app"}, headers=auth("alice"))

    response = await client.get("/api/usage", headers=auth("alice"))

    assert response.json() == {
        "plan": "FREE",
        "creditsRemaining": 4,
        "creditsPerDay": 5,
        "resetsAt": iso_ms(clock.now() + timedelta(hours=24)),
    }


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
