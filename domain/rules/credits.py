"""Credits per plan over a rolling 24-hour window (seed: usage.checkAndConsumeCredit)."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from domain.entities import Usage
from domain.enums import Plan
from domain.errors import OutOfCredits

CREDIT_WINDOW = timedelta(hours=24)

CREDITS_PER_DAY: dict[Plan, int | None] = {
    Plan.FREE: 5,
    Plan.PRO: 100,
    Plan.UNLIMITED: None,  # no limit
}


def is_window_open(usage: Usage | None, now: datetime) -> bool:
    return usage is not None and usage.window_ends_at is not None and now < usage.window_ends_at


def credits_used(usage: Usage | None, now: datetime) -> int:
    """Credits spent in the current window; an expired window counts as none spent."""
    return usage.credits_used if usage is not None and is_window_open(usage, now) else 0


def credits_left(usage: Usage | None, plan: Plan, now: datetime) -> int | None:
    """Credits still available now, or None for a plan without a limit."""
    limit = CREDITS_PER_DAY[plan]
    if limit is None:
        return None
    return max(0, limit - credits_used(usage, now))


def resets_at(usage: Usage | None, now: datetime) -> datetime | None:
    """When the current window ends and every credit is back; None without an open window."""
    return usage.window_ends_at if usage is not None and is_window_open(usage, now) else None


def consume_credit(usage: Usage, plan: Plan, now: datetime) -> Usage:
    """The usage after spending one credit, opening a new window if the last one expired.

    Raises OutOfCredits (with the time until the reset) when none is left.
    """
    window_end = resets_at(usage, now)
    if window_end is not None and credits_left(usage, plan, now) == 0:
        raise OutOfCredits(retry_after=window_end - now, resets_at=window_end)
    if is_window_open(usage, now):
        return msgspec.structs.replace(usage, credits_used=usage.credits_used + 1, updated_at=now)
    return msgspec.structs.replace(usage, credits_used=1, window_ends_at=now + CREDIT_WINDOW, updated_at=now)


def refund_credit(usage: Usage, now: datetime) -> Usage:
    """The usage with one credit given back; a credit from an expired window is already back."""
    if not is_window_open(usage, now) or usage.credits_used == 0:
        return usage
    return msgspec.structs.replace(usage, credits_used=usage.credits_used - 1, updated_at=now)


def reset_usage(usage: Usage, now: datetime) -> Usage:
    """The usage after an admin reset: every credit back, no open window (seed: usage.resetUsage)."""
    return msgspec.structs.replace(usage, credits_used=0, window_ends_at=None, updated_at=now)
