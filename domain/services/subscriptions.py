"""Subscriptions from Polar (seed: subscriptions.*), applied once per webhook delivery and in the
order of the subscription's own modifications, whatever order the deliveries arrive in.

An event whose user is unknown is stored with its customer and given to the user as soon as
that customer is linked (by a later event naming the user), never dropped.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec

from domain.entities import Subscription
from domain.enums import DeliveryOutcome, SubscriptionStatus
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
    async def handle_delivery(
        self, webhook_id: str, event_type: str, event: BillingEvent | None
    ) -> DeliveryOutcome | None:
        """Applies a webhook delivery once; None for a replay (same webhook id), which changes nothing.

        A subscription event about a state older than the one stored is STALE: it is recorded and
        changes nothing, so events that arrive out of order (Polar retries a failed delivery later)
        cannot give back a plan that a later event took away. `event` is None for event types we
        acknowledge without acting on them.
        """
        async with self.committed() as outbox:
            if not await self.storage.webhooks.first_delivery(webhook_id, event_type, self.clock.now()):
                return None
            outcome = DeliveryOutcome.APPLIED
            match event:
                case SubscriptionEvent(action=action, data=data):
                    saved = await self._save(action, data)
                    if saved is None:
                        outcome = DeliveryOutcome.STALE
                        await self.storage.webhooks.record_outcome(webhook_id, outcome)
                    elif saved.user_id is not None:  # the plan may have changed
                        outbox.usage_changed(saved.user_id)
                case CustomerLinked(customer_id=customer_id, user_id=user_id):
                    await self._link_customer(customer_id, UserId(user_id))
                    outbox.usage_changed(UserId(user_id))
        return outcome

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

    async def _save(self, action: SubscriptionAction, data: SubscriptionData) -> Subscription | None:
        """Stores the subscription as the event reports it, with what its action asks on top
        (seed: subscriptions.createOrUpdateSubscription, markSubscriptionForCancellation,
        reactivateSubscription, revokeSubscription); None when a later state was stored already."""
        now = self.clock.now()
        user_id = await self._resolve_user(data)
        existing = await self.storage.subscriptions.get_by_polar_id(data.polar_subscription_id)
        fields = msgspec.structs.asdict(data)
        del fields["user_id"]
        reported = Subscription(
            id=existing.id if existing else SubscriptionId(new_id()),
            user_id=user_id or (existing.user_id if existing else None),
            **fields,
            created_at=existing.created_at if existing else now,
            updated_at=now,
        )
        subscription = _with_action(reported, action)
        return subscription if await self.storage.subscriptions.save_unless_older(subscription) else None

    async def _resolve_user(self, data: SubscriptionData) -> UserId | None:
        if data.user_id:
            await self._link_customer(data.customer_id, UserId(data.user_id))
            return UserId(data.user_id)
        return await self.storage.customers.user_of(data.customer_id)

    async def _link_customer(self, customer_id: str, user_id: UserId) -> None:
        """Remembers the customer's user and hands it every subscription that waited for it."""
        await self.storage.customers.link(customer_id, user_id, self.clock.now())
        await self.storage.subscriptions.assign_customer(customer_id, user_id)


def _with_action(subscription: Subscription, action: SubscriptionAction) -> Subscription:
    match action:
        case SubscriptionAction.SYNC:
            return subscription
        case SubscriptionAction.MARK_FOR_CANCELLATION:
            return msgspec.structs.replace(subscription, cancel_at_period_end=True)
        case SubscriptionAction.REACTIVATE:
            return msgspec.structs.replace(subscription, cancel_at_period_end=False)
        case SubscriptionAction.REVOKE:
            return msgspec.structs.replace(
                subscription, status=SubscriptionStatus.CANCELED, cancel_at_period_end=False
            )
