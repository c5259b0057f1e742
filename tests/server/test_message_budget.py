"""The message budget of a socket (server/message_budget.py)."""

from __future__ import annotations

from server.message_budget import MessageBudget


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_fits_and_the_next_message_does_not():
    budget = MessageBudget(per_second=10, burst=5, clock=Clock())

    assert [budget.take() for _ in range(6)] == [True] * 5 + [False]


def test_the_budget_refills_with_time():
    clock = Clock()
    budget = MessageBudget(per_second=10, burst=5, clock=clock)
    for _ in range(5):
        budget.take()

    clock.now = 0.3

    assert [budget.take() for _ in range(4)] == [True, True, True, False]


def test_a_budget_of_bytes_counts_sizes():
    budget = MessageBudget(per_second=100, burst=1000, clock=Clock())

    assert [budget.take(600), budget.take(300), budget.take(200)] == [True, True, False]
