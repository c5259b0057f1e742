"""Credits per plan over a rolling 24-hour window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.entities import Usage
from domain.enums import Plan
from domain.errors import OutOfCredits
from domain.ids import UserId
from domain.rules.credits import consume_credit, credits_left, refund_credit, reset_usage, resets_at

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def fresh() -> Usage:
    return Usage(user_id=UserId("alice"), credits_used=0, window_ends_at=None, updated_at=NOW)


def spend(usage: Usage, times: int, plan: Plan = Plan.FREE, at: datetime = NOW) -> Usage:
    for _ in range(times):
        usage = consume_credit(usage, plan, at)
    return usage


@pytest.mark.parametrize(("plan", "credits"), [(Plan.FREE, 5), (Plan.PRO, 100), (Plan.UNLIMITED, None)])
def test_a_fresh_user_has_the_plans_credits(plan, credits):
    assert credits_left(fresh(), plan, NOW) == credits


def test_the_first_credit_opens_a_24_hour_window():
    usage = spend(fresh(), 1)

    assert (usage.credits_used, usage.window_ends_at) == (1, NOW + timedelta(hours=24))


def test_later_credits_keep_the_window():
    usage = spend(spend(fresh(), 1), 1, at=NOW + timedelta(hours=3))

    assert (usage.credits_used, usage.window_ends_at) == (2, NOW + timedelta(hours=24))


def test_the_sixth_credit_on_free_is_refused_until_the_window_ends():
    usage = spend(fresh(), 5)
    later = NOW + timedelta(hours=20)

    with pytest.raises(OutOfCredits) as refused:
        consume_credit(usage, Plan.FREE, later)

    assert refused.value.retry_after == timedelta(hours=4)
    assert refused.value.resets_at == NOW + timedelta(hours=24)


def test_every_credit_is_back_after_the_window():
    usage = spend(fresh(), 5)

    after = NOW + timedelta(hours=24)

    assert credits_left(usage, Plan.FREE, after) == 5
    assert resets_at(usage, after) is None
    assert consume_credit(usage, Plan.FREE, after).window_ends_at == after + timedelta(hours=24)


def test_pro_can_spend_a_hundred():
    usage = spend(fresh(), 100, Plan.PRO)

    with pytest.raises(OutOfCredits):
        consume_credit(usage, Plan.PRO, NOW)


def test_unlimited_never_runs_out():
    usage = spend(fresh(), 1000, Plan.UNLIMITED)

    assert credits_left(usage, Plan.UNLIMITED, NOW) is None


def test_an_upgrade_counts_credits_already_spent():
    usage = spend(fresh(), 5)

    assert credits_left(usage, Plan.PRO, NOW) == 95


def test_a_refund_gives_one_credit_back():
    usage = spend(fresh(), 3)

    assert credits_left(refund_credit(usage, NOW), Plan.FREE, NOW) == 3


def test_a_refund_after_the_window_changes_nothing():
    usage = spend(fresh(), 3)
    after = NOW + timedelta(hours=25)

    assert refund_credit(usage, after) == usage


def test_a_reset_gives_every_credit_back():
    usage = reset_usage(spend(fresh(), 5), NOW)

    assert (credits_left(usage, Plan.FREE, NOW), resets_at(usage, NOW)) == (5, None)
