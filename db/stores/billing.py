"""Subscriptions, the customers they belong to, and the webhook ledger."""

from __future__ import annotations

from datetime import datetime

from piccolo.custom_types import Combinable

from db.stores.rows import from_row, to_row
from db.tables import PolarCustomerTable, SubscriptionTable, WebhookDeliveryTable
from domain.entities import Subscription
from domain.enums import DeliveryOutcome
from domain.ids import UserId

SUBSCRIPTION_JSON = frozenset({"metadata"})


class PiccoloSubscriptionStore:
    async def list_for_user(self, user_id: UserId) -> list[Subscription]:
        rows = await SubscriptionTable.select().where(SubscriptionTable.user_id == user_id)
        return [from_row(row, Subscription, SUBSCRIPTION_JSON) for row in rows]

    async def get_by_polar_id(self, polar_subscription_id: str) -> Subscription | None:
        row = (
            await SubscriptionTable.select()
            .where(SubscriptionTable.polar_subscription_id == polar_subscription_id)
            .first()
        )
        return None if row is None else from_row(row, Subscription, SUBSCRIPTION_JSON)

    async def save_unless_older(self, subscription: Subscription) -> bool:
        replaced = [
            c
            for c in SubscriptionTable._meta.columns
            if c._meta.name not in ("id", "polar_subscription_id", "created_at")
        ]
        written = (
            await SubscriptionTable.insert(SubscriptionTable(**to_row(subscription, SUBSCRIPTION_JSON)))
            .on_conflict(
                target=SubscriptionTable.polar_subscription_id,
                action="DO UPDATE",
                values=replaced,
                where=_not_later_than(subscription),
            )
            .returning(SubscriptionTable.id)
        )
        return bool(written)

    async def assign_customer(self, customer_id: str, user_id: UserId) -> int:
        assigned = (
            await SubscriptionTable.update({SubscriptionTable.user_id: user_id})
            .where((SubscriptionTable.customer_id == customer_id) & SubscriptionTable.user_id.is_null())
            .returning(SubscriptionTable.id)
        )
        return len(assigned)


def _not_later_than(subscription: Subscription) -> Combinable:
    """The stored row is of an earlier state than `subscription`, or of the same one, or undated
    (stored before states were dated). Checked on the stored row inside the upsert, under its lock,
    so a concurrent event about the same subscription is compared with what the other one wrote."""
    modified, sent = SubscriptionTable.polar_modified_at, SubscriptionTable.polar_sent_at
    condition: Combinable = modified.is_null()
    if subscription.polar_modified_at is None or subscription.polar_sent_at is None:
        return condition
    same_moment = (modified == subscription.polar_modified_at) & (
        sent.is_null() | (sent <= subscription.polar_sent_at)
    )
    return condition | (modified < subscription.polar_modified_at) | same_moment


class PiccoloCustomerStore:
    async def user_of(self, customer_id: str) -> UserId | None:
        row = (
            await PolarCustomerTable.select(PolarCustomerTable.user_id)
            .where(PolarCustomerTable.customer_id == customer_id)
            .first()
        )
        return None if row is None else UserId(row["user_id"])

    async def link(self, customer_id: str, user_id: UserId, at: datetime) -> None:
        row = PolarCustomerTable(customer_id=customer_id, user_id=user_id, linked_at=at)
        await PolarCustomerTable.insert(row).on_conflict(
            target=PolarCustomerTable.customer_id,
            action="DO UPDATE",
            values=[PolarCustomerTable.user_id, PolarCustomerTable.linked_at],
        )


class PiccoloWebhookLedger:
    async def first_delivery(self, webhook_id: str, event_type: str, at: datetime) -> bool:
        row = WebhookDeliveryTable(
            webhook_id=webhook_id,
            event_type=event_type[:64],
            received_at=at,
            outcome=DeliveryOutcome.APPLIED.value,
        )
        inserted = (
            await WebhookDeliveryTable.insert(row)
            .on_conflict(target=WebhookDeliveryTable.webhook_id, action="DO NOTHING")
            .returning(WebhookDeliveryTable.webhook_id)
        )
        return bool(inserted)

    async def record_outcome(self, webhook_id: str, outcome: DeliveryOutcome) -> None:
        await WebhookDeliveryTable.update({WebhookDeliveryTable.outcome: outcome.value}).where(
            WebhookDeliveryTable.webhook_id == webhook_id
        )
