"""Which status changes runs and imports may make; everything else is a 409."""

from __future__ import annotations

from domain.enums import ImportStatus, RunStatus
from domain.errors import InvalidTransition

IMPORT_TRANSITIONS: dict[ImportStatus, frozenset[ImportStatus]] = {
    # Staying in a working status is allowed: it merges progress metadata.
    ImportStatus.PENDING: frozenset({ImportStatus.PENDING, ImportStatus.PROCESSING, ImportStatus.FAILED}),
    ImportStatus.PROCESSING: frozenset({ImportStatus.PROCESSING, ImportStatus.COMPLETE, ImportStatus.FAILED}),
    ImportStatus.COMPLETE: frozenset(),
    ImportStatus.FAILED: frozenset(),
}

RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.PENDING: frozenset({RunStatus.RUNNING, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.RUNNING: frozenset(
        {RunStatus.RUNNING, RunStatus.PENDING, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED}
    ),
    RunStatus.COMPLETED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}
"""RUNNING → RUNNING is a stage change or lease renewal; RUNNING → PENDING gives a run back."""


def check_import_transition(current: ImportStatus, target: ImportStatus) -> None:
    if target not in IMPORT_TRANSITIONS[current]:
        raise InvalidTransition(f"An import cannot go from {current.value} to {target.value}.")


def check_run_transition(current: RunStatus, target: RunStatus) -> None:
    if target not in RUN_TRANSITIONS[current]:
        raise InvalidTransition(f"A run cannot go from {current.value} to {target.value}.")
