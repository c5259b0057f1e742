"""Which committed changes are worth waking idle workers for."""

from __future__ import annotations

from collections.abc import Iterable

from domain.enums import ImportStatus, RunSource, RunStatus
from domain.events import ImportUpdated, ProjectEvent, RunUpdated

# A run waiting, or a run ending (the next one of its project may start now).
_WAKING_RUNS = frozenset({RunStatus.PENDING, RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})
# An import waiting, or an import ending (a run waiting for it may start now).
_WAKING_IMPORTS = frozenset({ImportStatus.PENDING, ImportStatus.COMPLETE, ImportStatus.FAILED})


def wakes_workers(events: Iterable[ProjectEvent]) -> bool:
    """Runs a browser executes itself (WEBCONTAINER) are not the workers' business."""
    return any(
        (isinstance(e, RunUpdated) and e.run.source == RunSource.SERVER and e.run.status in _WAKING_RUNS)
        or (isinstance(e, ImportUpdated) and e.import_.status in _WAKING_IMPORTS)
        for e in events
    )
