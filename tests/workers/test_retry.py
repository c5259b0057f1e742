"""The retry policy of a failed round: backoff, jitter, the service's own wait, and the bounds."""

from __future__ import annotations

from workers.agent.retry import RetryPolicy, retry_delay, retry_stage

POLICY = RetryPolicy(attempts=5, max_wait_seconds=60, first_delay_seconds=2, max_delay_seconds=10)


def test_each_failure_doubles_the_wait_without_jitter() -> None:
    waits = [retry_delay(POLICY, failures, 0, None, jitter=0) for failures in (1, 2, 3)]

    assert waits == [2, 4, 8]


def test_jitter_takes_at_most_half_off_the_wait() -> None:
    assert retry_delay(POLICY, 2, 0, None, jitter=0.999) > 2


def test_no_wait_of_our_own_passes_the_longest_delay() -> None:
    assert retry_delay(POLICY, 4, 0, None, jitter=0) == 10


def test_the_wait_the_service_asked_for_is_the_least_we_wait() -> None:
    assert retry_delay(POLICY, 1, 0, retry_after=7, jitter=0.5) == 7


def test_a_round_that_had_its_tries_gives_up() -> None:
    assert retry_delay(POLICY, 5, 0, None, jitter=0) is None


def test_a_round_that_would_wait_past_its_total_gives_up() -> None:
    assert retry_delay(POLICY, 1, 59, None, jitter=0) is None


def test_the_stage_says_why_and_for_how_long_in_whole_seconds() -> None:
    assert retry_stage("The model is busy", 3.2) == "The model is busy, retrying in 4 s"
