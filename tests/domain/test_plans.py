"""The plan a user's Polar subscriptions grant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.entities import Subscription
from domain.enums import BillingInterval, Plan, SubscriptionStatus
from domain.ids import SubscriptionId, UserId, new_id
from domain.rules.plans import PlanCatalog, plan_for

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CATALOG = PlanCatalog(pro_product_ids=frozenset({"pro"}), unlimited_product_ids=frozenset({"unlimited"}))


def subscription(
    product: str = "pro",
    status: SubscriptionStatus = SubscriptionStatus.ACTIVE,
    ends: timedelta = timedelta(days=3),
) -> Subscription:
    return Subscription(
        id=SubscriptionId(new_id()),
        user_id=UserId("alice"),
        polar_subscription_id=f"sub_{new_id().hex}",
        customer_id="cus_1",
        product_id=product,
        price_id="price_1",
        status=status,
        interval=BillingInterval.MONTHLY,
        current_period_start=NOW - timedelta(days=27),
        current_period_end=NOW + ends,
        cancel_at_period_end=False,
        created_at=NOW,
        updated_at=NOW,
    )


def test_no_subscription_is_free():
    assert plan_for([], CATALOG, NOW) == Plan.FREE


@pytest.mark.parametrize("status", [SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING])
def test_active_or_trialing_grants_the_plan(status):
    assert plan_for([subscription(status=status)], CATALOG, NOW) == Plan.PRO


@pytest.mark.parametrize(
    "status",
    [
        SubscriptionStatus.CANCELED,
        SubscriptionStatus.PAST_DUE,
        SubscriptionStatus.UNPAID,
        SubscriptionStatus.INCOMPLETE,
    ],
)
def test_other_statuses_grant_nothing(status):
    assert plan_for([subscription(status=status)], CATALOG, NOW) == Plan.FREE


def test_an_ended_period_grants_nothing():
    assert plan_for([subscription(ends=timedelta(seconds=-1))], CATALOG, NOW) == Plan.FREE


def test_the_best_plan_wins():
    subscriptions = [subscription("pro"), subscription("unlimited")]

    assert plan_for(subscriptions, CATALOG, NOW) == Plan.UNLIMITED


def test_an_unknown_product_is_free():
    assert plan_for([subscription("mystery")], CATALOG, NOW) == Plan.FREE
