"""Which plan a user is on, derived from their Polar subscriptions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import msgspec

from domain.entities import Subscription
from domain.enums import PLAN_GRANTING_STATUSES, Plan

_PLAN_RANK = {Plan.FREE: 0, Plan.PRO: 1, Plan.UNLIMITED: 2}


class PlanCatalog(msgspec.Struct, frozen=True, kw_only=True):
    """Which Polar product ids grant which plan (from settings)."""

    pro_product_ids: frozenset[str] = frozenset()
    unlimited_product_ids: frozenset[str] = frozenset()

    def plan_of_product(self, product_id: str) -> Plan:
        if product_id in self.unlimited_product_ids:
            return Plan.UNLIMITED
        if product_id in self.pro_product_ids:
            return Plan.PRO
        return Plan.FREE


def grants_plan(subscription: Subscription, now: datetime) -> bool:
    """Only an active or trialing subscription whose period has not ended grants its plan."""
    return subscription.status in PLAN_GRANTING_STATUSES and now < subscription.current_period_end


def plan_for(subscriptions: Iterable[Subscription], catalog: PlanCatalog, now: datetime) -> Plan:
    """The best plan any of the user's subscriptions grants now; Free without one."""
    plans = [catalog.plan_of_product(s.product_id) for s in subscriptions if grants_plan(s, now)]
    return max(plans, key=_PLAN_RANK.__getitem__, default=Plan.FREE)
