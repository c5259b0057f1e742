"""How a round that failed for a passing reason is asked again: exponential backoff with jitter,
within a number of tries and a total wait per round, never sooner than the service asked."""

from __future__ import annotations

import math

import msgspec

RETRY_ATTEMPTS = 5
RETRY_MAX_WAIT_SECONDS = 120.0
RETRY_FIRST_DELAY_SECONDS = 2.0
RETRY_MAX_DELAY_SECONDS = 30.0
ASKING_AGAIN = "Asking the model again…"


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    attempts: int = RETRY_ATTEMPTS
    """Tries of one round, the first included."""
    max_wait_seconds: float = RETRY_MAX_WAIT_SECONDS
    """The most one round waits between its tries, in all: past it the run fails."""
    first_delay_seconds: float = RETRY_FIRST_DELAY_SECONDS
    """The wait after a round's first failure; each further failure doubles it."""
    max_delay_seconds: float = RETRY_MAX_DELAY_SECONDS
    """No single wait of our own is longer (a `retry-after` may be)."""


def retry_delay(
    policy: RetryPolicy, failures: int, waited: float, retry_after: float | None, jitter: float
) -> float | None:
    """Seconds to wait before trying again a round that has failed `failures` times and waited
    `waited` seconds so far; None when it has had its tries or its time.

    `jitter` (0 to 1) takes up to half off the backoff, so that the runs an overload failed all at
    once do not come back all at once. A `retry-after` the service sent is the least we wait.
    """
    if failures >= policy.attempts:
        return None
    backoff = min(policy.max_delay_seconds, policy.first_delay_seconds * 2.0 ** (failures - 1))
    delay = backoff * (1 - jitter / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    if waited + delay > policy.max_wait_seconds:
        return None
    return delay


def retry_stage(waiting: str, delay: float) -> str:
    """What tabs read meanwhile: "The model is busy, retrying in 4 s"."""
    return f"{waiting}, retrying in {max(1, math.ceil(delay))} s"
