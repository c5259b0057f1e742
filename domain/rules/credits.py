"""Credits per plan over a sliding 24-hour window (seed: usage.checkAndConsumeCredit).

Every credit spent is a row of the user's spend ledger and comes back 24 hours after it was spent,
on its own: there is no window that opens and resets, so no more than a plan's credits can ever be
spent within any 24 hours. The rules see the times of the spends that still count (spent within
the last 24 hours and not given back), oldest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.enums import Plan
from domain.errors import OutOfCredits

CREDIT_WINDOW = timedelta(hours=24)

CREDITS_PER_DAY: dict[Plan, int | None] = {
    Plan.FREE: 5,
    Plan.PRO: 100,
    Plan.UNLIMITED: None,  # no limit
}


def counted_since(now: datetime) -> datetime:
    """Spends made after this moment still count; one made at it came back just now."""
    return now - CREDIT_WINDOW


def credits_left(spent: Sequence[datetime], plan: Plan) -> int | None:
    """Credits available now, given the spends that still count; None for a plan without a limit."""
    limit = CREDITS_PER_DAY[plan]
    if limit is None:
        return None
    return max(0, limit - len(spent))


def next_credit_back(spent: Sequence[datetime]) -> datetime | None:
    """When the oldest spend that still counts comes back; None when none counts."""
    return min(spent) + CREDIT_WINDOW if spent else None


def check_can_spend(spent: Sequence[datetime], plan: Plan, now: datetime) -> None:
    """Raises OutOfCredits, with the wait until the next credit comes back, when none is left."""
    back = next_credit_back(spent)
    if back is not None and credits_left(spent, plan) == 0:
        raise OutOfCredits(retry_after=back - now, resets_at=back)
