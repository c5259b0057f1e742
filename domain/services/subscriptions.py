"""Subscriptions from Polar (seed: subscriptions.*), applied once per webhook delivery.

An event whose user is unknown is stored with its customer and given to the user as soon as
that customer is linked (by a later event naming the user), never dropped.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from domain.entities import Subscription
from domain.enums import SubscriptionStatus
from domain.errors import NotFound
from domain.ids import SubscriptionId, UserId, new_id
from domain.inputs import SubscriptionData
from domain.rules.plans import PlanCatalog, grants_plan, plan_for
from domain.services.base import Service


class SubscriptionAction(StrEnum):
    """What a Polar subscription event asks for, on top of storing the subscription it carries."""

    SYNC = "sync"
    """created, updated, active: store it as reported."""
    MARK_FOR_CANCELLATION = "cancel"
    REACTIVATE = "uncancel"
    REVOKE = "revoke"


class SubscriptionEvent(msgspec.Struct, frozen=True, kw_only=True):
    action: SubscriptionAction
    data: SubscriptionData


class CustomerLinked(msgspec.Struct, frozen=True, kw_only=True):
    """A Polar customer now known to be our user (its external id)."""

    customer_id: str
    user_id: str


BillingEvent = SubscriptionEvent | CustomerLinked


class SubscriptionService(Service):
    async def handle_delivery(self, webhook_id: str, event_type: str, event: BillingEvent | None) -> bool:
        """Applies a webhook delivery once; a replay (same webhook id) changes nothing and gives False.

        `event` is None for event types we acknowledge without acting on them.
        """
        async with self.committed():
            if not await self.storage.webhooks.first_delivery(webhook_id, event_type, self.clock.now()):
                return False
            match event:
                case SubscriptionEvent(action=action, data=data):
                    await self._create_or_update(data)
                    await self._apply(action, data.polar_subscription_id)
                case CustomerLinked(customer_id=customer_id, user_id=user_id):
                    await self._link_customer(customer_id, UserId(user_id))
        return True

    async def create_or_update(self, data: SubscriptionData) -> Subscription:
        """Seed: subscriptions.createOrUpdateSubscription."""
        async with self.committed():
            return await self._create_or_update(data)

    async def mark_for_cancellation(self, polar_subscription_id: str) -> Subscription:
        """Cancel at period end (seed: subscriptions.markSubscriptionForCancellation)."""
        async with self.committed():
            return await self._apply(SubscriptionAction.MARK_FOR_CANCELLATION, polar_subscription_id)

    async def reactivate(self, polar_subscription_id: str) -> Subscription:
        """Seed: subscriptions.reactivateSubscription."""
        async with self.committed():
            return await self._apply(SubscriptionAction.REACTIVATE, polar_subscription_id)

    async def revoke(self, polar_subscription_id: str) -> Subscription:
        """Ends the subscription now (seed: subscriptions.revokeSubscription)."""
        async with self.committed():
            return await self._apply(SubscriptionAction.REVOKE, polar_subscription_id)

    async def current_for_user(self, user_id: UserId, catalog: PlanCatalog) -> Subscription | None:
        """The subscription that decides the user's plan, else the most recent one, else None."""
        subscriptions = await self.storage.subscriptions.list_for_user(user_id)
        if not subscriptions:
            return None
        now = self.clock.now()
        granting = [s for s in subscriptions if grants_plan(s, now)]
        if granting:
            best = plan_for(granting, catalog, now)
            return next(s for s in granting if plan_for([s], catalog, now) == best)
        return max(subscriptions, key=lambda s: s.updated_at)

    async def _create_or_update(self, data: SubscriptionData) -> Subscription:
        now = self.clock.now()
        user_id = await self._resolve_user(data)
        existing = await self.storage.subscriptions.get_by_polar_id(data.polar_subscription_id)
        fields = msgspec.structs.asdict(data)
        del fields["user_id"]
        subscription = Subscription(
            id=existing.id if existing else SubscriptionId(new_id()),
            user_id=user_id or (existing.user_id if existing else None),
            **fields,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        await self.storage.subscriptions.save(subscription)
        return subscription

    async def _apply(self, action: SubscriptionAction, polar_subscription_id: str) -> Subscription:
        subscription = await self.storage.subscriptions.get_by_polar_id(polar_subscription_id)
        if subscription is None:
            raise NotFound("Subscription not found.")
        match action:
            case SubscriptionAction.SYNC:
                return subscription
            case SubscriptionAction.MARK_FOR_CANCELLATION:
                changed = msgspec.structs.replace(subscription, cancel_at_period_end=True)
            case SubscriptionAction.REACTIVATE:
                changed = msgspec.structs.replace(subscription, cancel_at_period_end=False)
            case SubscriptionAction.REVOKE:
                changed = msgspec.structs.replace(
                    subscription, status=SubscriptionStatus.CANCELED, cancel_at_period_end=False
                )
        changed = msgspec.structs.replace(changed, updated_at=self.clock.now())
        await self.storage.subscriptions.save(changed)
        return changed

    async def _resolve_user(self, data: SubscriptionData) -> UserId | None:
        if data.user_id:
            await self._link_customer(data.customer_id, UserId(data.user_id))
            return UserId(data.user_id)
        return await self.storage.customers.user_of(data.customer_id)

    async def _link_customer(self, customer_id: str, user_id: UserId) -> None:
        """Remembers the customer's user and hands it every subscription that waited for it."""
        await self.storage.customers.link(customer_id, user_id, self.clock.now())
        await self.storage.subscriptions.assign_customer(customer_id, user_id)
