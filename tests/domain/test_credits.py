"""Credits per plan over a sliding 24-hour window: each credit comes back 24 hours after it was spent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.enums import Plan
from domain.errors import OutOfCredits
from domain.rules.credits import check_can_spend, counted_since, credits_left, next_credit_back

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def still_counting(spends: list[datetime], now: datetime) -> list[datetime]:
    """What the ledger answers at `now`: the spends made after the window's start, oldest first."""
    return sorted(s for s in spends if s > counted_since(now))


@pytest.mark.parametrize(("plan", "credits"), [(Plan.FREE, 5), (Plan.PRO, 100), (Plan.UNLIMITED, None)])
def test_a_fresh_user_has_the_plans_credits(plan, credits):
    assert credits_left([], plan) == credits


def test_nothing_comes_back_when_nothing_was_spent():
    assert next_credit_back([]) is None


def test_each_spend_counts_for_24_hours():
    spends = [NOW, NOW + timedelta(hours=3)]

    assert credits_left(still_counting(spends, NOW + timedelta(hours=23)), Plan.FREE) == 3


def test_a_credit_comes_back_exactly_24_hours_after_it_was_spent():
    spends = [NOW, NOW + timedelta(hours=3)]

    assert credits_left(still_counting(spends, NOW + DAY - timedelta(microseconds=1)), Plan.FREE) == 3
    assert credits_left(still_counting(spends, NOW + DAY), Plan.FREE) == 4


def test_the_next_credit_back_is_the_oldest_spend_plus_24_hours():
    assert next_credit_back([NOW, NOW + timedelta(hours=3)]) == NOW + DAY


def test_the_sixth_credit_on_free_is_refused_until_the_oldest_comes_back():
    spends = [NOW + timedelta(hours=h) for h in range(5)]
    later = NOW + timedelta(hours=20)

    with pytest.raises(OutOfCredits) as refused:
        check_can_spend(still_counting(spends, later), Plan.FREE, later)

    assert refused.value.retry_after == timedelta(hours=4)
    assert refused.value.resets_at == NOW + DAY


def test_ten_credits_do_not_fit_in_two_minutes_across_the_end_of_a_day():
    first_spend = NOW
    before_the_day_ends = NOW + DAY - timedelta(minutes=1)
    spends = [first_spend] + [before_the_day_ends] * 4
    after_the_day_ends = NOW + DAY + timedelta(minutes=1)

    assert credits_left(still_counting(spends, after_the_day_ends), Plan.FREE) == 1


def test_pro_can_spend_a_hundred():
    spends = [NOW] * 100

    with pytest.raises(OutOfCredits):
        check_can_spend(spends, Plan.PRO, NOW)


def test_unlimited_never_runs_out():
    check_can_spend([NOW] * 1000, Plan.UNLIMITED, NOW)

    assert credits_left([NOW] * 1000, Plan.UNLIMITED) is None


def test_an_upgrade_counts_credits_already_spent():
    assert credits_left([NOW] * 5, Plan.PRO) == 95
