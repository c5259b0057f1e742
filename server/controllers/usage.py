"""`/api/usage`, the admin reset, and `/api/subscription`."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from domain.services.subscriptions import SubscriptionService
from domain.services.usage import UsageService
from domain.views import UsageView
from server.openapi import ADMIN_ONLY, problems
from server.schemas import SubscriptionView


class UsageController(Controller):
    path = ""
    tags = ["usage"]

    @get("/usage", operation_id="getUsage", responses=problems())
    async def get_usage(
        self, user_id: NamedDependency[UserId], usage: NamedDependency[UsageService]
    ) -> UsageView:
        """Plan, credits left over the last 24 hours, and when the next one comes back."""
        return await usage.status(user_id)

    @post(
        "/admin/usage/{target_user_id:str}/reset",
        operation_id="resetUsage",
        responses=problems(403, overrides=ADMIN_ONLY),
        status_code=200,
    )
    async def reset_usage(
        self,
        target_user_id: FromPath[str],
        user_id: NamedDependency[UserId],
        usage: NamedDependency[UsageService],
    ) -> UsageView:
        """Give a user every credit back. Administrators only (FORGE_ADMIN_USER_IDS); others get 403."""
        return await usage.reset(user_id, UserId(target_user_id))

    @get("/subscription", operation_id="getSubscription", responses=problems())
    async def get_subscription(
        self,
        user_id: NamedDependency[UserId],
        subscriptions: NamedDependency[SubscriptionService],
        catalog: NamedDependency[PlanCatalog],
    ) -> SubscriptionView | None:
        """The subscription that decides the caller's plan (else the latest one), or null."""
        subscription = await subscriptions.current_for_user(user_id, catalog)
        return None if subscription is None else SubscriptionView.from_entity(subscription)
