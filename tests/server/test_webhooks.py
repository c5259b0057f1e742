"""`POST /api/webhooks/polar`: signatures, replays, the four subscription operations, late users."""

from __future__ import annotations

import asyncio

import pytest

from db.tables import SubscriptionTable, WebhookDeliveryTable
from tests.polar import customer_payload, signed, subscription_payload

EARLIER = "2026-01-10T08:00:00Z"
LATER = "2026-01-10T09:00:00Z"


async def deliver(client, payload, webhook_id, **signing):
    body, headers = signed(payload, webhook_id, **signing)
    return await client.post("/api/webhooks/polar", content=body, headers=headers)


async def subscription_of(api, user):
    return await api.ok(user, "GET", "/api/subscription")


async def test_a_created_subscription_gives_its_user_the_plan(client, api):
    response = await deliver(client, subscription_payload("subscription.created"), "msg_1")

    assert (response.status_code, response.json()) == (
        200,
        {"received": True, "duplicate": False, "stale": False},
    )
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "PRO"
    assert (await subscription_of(api, "alice"))["polarSubscriptionId"] == "sub_1"


async def test_a_replayed_webhook_id_changes_nothing(client, api):
    await deliver(client, subscription_payload("subscription.created"), "msg_1")

    response = await deliver(client, subscription_payload("subscription.revoked", status="canceled"), "msg_1")

    assert (response.status_code, response.json()["duplicate"]) == (200, True)
    assert (await subscription_of(api, "alice"))["status"] == "active"


async def test_canceled_means_cancel_at_period_end(client, api):
    await deliver(client, subscription_payload("subscription.created"), "msg_1")

    await deliver(client, subscription_payload("subscription.canceled"), "msg_2")

    subscription = await subscription_of(api, "alice")
    assert (subscription["status"], subscription["cancelAtPeriodEnd"]) == ("active", True)
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "PRO"


async def test_uncanceled_reactivates(client, api):
    await deliver(client, subscription_payload("subscription.canceled", cancel_at_period_end=True), "msg_1")

    await deliver(client, subscription_payload("subscription.uncanceled"), "msg_2")

    assert (await subscription_of(api, "alice"))["cancelAtPeriodEnd"] is False


async def test_revoked_ends_the_plan_now(client, api):
    await deliver(client, subscription_payload("subscription.created"), "msg_1")

    await deliver(client, subscription_payload("subscription.revoked", status="canceled"), "msg_2")

    subscription = await subscription_of(api, "alice")
    assert (subscription["status"], subscription["cancelAtPeriodEnd"]) == ("canceled", False)
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "FREE"


async def test_an_update_before_the_creation_is_still_stored(client, api):
    response = await deliver(client, subscription_payload("subscription.updated"), "msg_1")

    assert response.status_code == 200
    assert (await subscription_of(api, "alice"))["status"] == "active"


async def test_an_unknown_user_waits_for_the_customer_link(client, api):
    await deliver(
        client, subscription_payload("subscription.created", customer_id="cus_9", external_id=None), "m1"
    )
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "FREE"
    assert await SubscriptionTable.count() == 1

    await deliver(client, customer_payload("cus_9", "alice"), "m2")

    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "PRO"


async def test_a_later_event_of_a_linked_customer_finds_its_user(client, api):
    await deliver(client, customer_payload("cus_7", "alice"), "m1")

    await deliver(
        client, subscription_payload("subscription.created", customer_id="cus_7", external_id=None), "m2"
    )

    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "PRO"


async def test_an_event_we_do_not_handle_is_acknowledged(client):
    response = await deliver(client, {"type": "order.created", "data": {"id": "ord_1"}}, "msg_1")

    assert (response.status_code, response.json()["duplicate"]) == (200, False)


async def test_no_subscription_is_null(api):
    assert await subscription_of(api, "alice") is None


@pytest.mark.parametrize(
    "signing",
    [{"secret": "someone-elses-secret"}, {"age_seconds": 301}, {"age_seconds": -301}],
    ids=["wrong-secret", "stale", "from-the-future"],
)
async def test_a_badly_signed_delivery_is_refused_and_changes_nothing(client, signing):
    response = await deliver(client, subscription_payload("subscription.created"), "msg_1", **signing)

    assert response.status_code == 401
    assert await SubscriptionTable.count() == 0


async def test_a_delivery_without_signature_headers_is_refused(client):
    response = await client.post("/api/webhooks/polar", json=subscription_payload("subscription.created"))

    assert response.status_code == 401


async def test_a_signed_body_that_is_not_a_polar_event_is_400(client):
    response = await deliver(client, {"type": "subscription.created", "data": {"id": 5}}, "msg_1")

    assert response.status_code == 400


async def test_a_retried_update_arriving_after_revoked_does_not_give_the_plan_back(client, api):
    await deliver(client, subscription_payload("subscription.created"), "msg_1")
    revoked = subscription_payload("subscription.revoked", status="canceled", modified_at=LATER)
    await deliver(client, revoked, "msg_3")

    retried = subscription_payload("subscription.updated", modified_at=EARLIER)
    response = await deliver(client, retried, "msg_2")

    assert (response.status_code, response.json()) == (
        200,
        {"received": True, "duplicate": True, "stale": True},
    )
    assert (await subscription_of(api, "alice"))["status"] == "canceled"
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "FREE"


async def test_without_modified_at_the_events_own_timestamp_orders_them(client, api):
    revoked = subscription_payload("subscription.revoked", status="canceled")
    await deliver(client, {**revoked, "timestamp": LATER}, "msg_2")

    retried = subscription_payload("subscription.updated")  # signed now, as every retry is
    response = await deliver(client, {**retried, "timestamp": EARLIER}, "msg_1")

    assert response.json()["stale"] is True
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "FREE"


async def test_events_about_the_same_moment_are_ordered_by_when_they_were_sent(client, api):
    await deliver(client, subscription_payload("subscription.revoked", status="canceled"), "msg_2")

    sent_a_minute_earlier = subscription_payload("subscription.updated")
    response = await deliver(client, sent_a_minute_earlier, "msg_1", age_seconds=60)

    assert response.json()["stale"] is True
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "FREE"


async def test_an_event_about_a_later_state_still_applies(client, api):
    await deliver(
        client, subscription_payload("subscription.revoked", status="canceled", modified_at=EARLIER), "m1"
    )

    response = await deliver(client, subscription_payload("subscription.active", modified_at=LATER), "m2")

    assert response.json() == {"received": True, "duplicate": False, "stale": False}
    assert (await api.ok("alice", "GET", "/api/usage"))["plan"] == "PRO"


async def test_events_about_the_same_modification_all_apply(client, api):
    await deliver(client, subscription_payload("subscription.updated", modified_at=LATER), "m1")

    response = await deliver(client, subscription_payload("subscription.canceled", modified_at=LATER), "m2")

    assert response.json()["stale"] is False
    assert (await subscription_of(api, "alice"))["cancelAtPeriodEnd"] is True


async def test_a_stale_delivery_is_recorded_as_stale(client):
    await deliver(
        client, subscription_payload("subscription.revoked", status="canceled", modified_at=LATER), "m1"
    )

    await deliver(client, subscription_payload("subscription.updated", modified_at=EARLIER), "m2")

    rows = await WebhookDeliveryTable.select(WebhookDeliveryTable.webhook_id, WebhookDeliveryTable.outcome)
    assert sorted((r["webhook_id"], r["outcome"]) for r in rows) == [("m1", "APPLIED"), ("m2", "STALE")]


async def test_a_replay_of_a_stale_delivery_is_a_plain_duplicate(client):
    await deliver(
        client, subscription_payload("subscription.revoked", status="canceled", modified_at=LATER), "m1"
    )
    stale = subscription_payload("subscription.updated", modified_at=EARLIER)
    await deliver(client, stale, "m2")

    response = await deliver(client, stale, "m2")

    assert response.json() == {"received": True, "duplicate": True, "stale": False}


async def test_racing_deliveries_end_at_the_later_state_whatever_commits_first(client, api):
    for round_ in range(5):
        subscription_id, user = f"sub_race_{round_}", f"user_{round_}"
        revoked = subscription_payload(
            "subscription.revoked",
            subscription_id,
            f"cus_{round_}",
            user,
            status="canceled",
            modified_at=LATER,
        )
        updated = subscription_payload(
            "subscription.updated", subscription_id, f"cus_{round_}", user, modified_at=EARLIER
        )

        await asyncio.gather(deliver(client, updated, f"u{round_}"), deliver(client, revoked, f"r{round_}"))

        assert (await subscription_of(api, user))["status"] == "canceled"
