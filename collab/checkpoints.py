"""A checkpoint of a shared document a moment after its edits: the draft row follows the
document (so `GET /draft`, `draft.updated` and the next run see the edits) and the update log is
merged into one row. Debounced per project, so a burst of keystrokes costs one checkpoint, yet
bounded, so someone typing without pause still gets one every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from domain.ids import ProjectId

logger = logging.getLogger("forge.collab")

QUIET_SECONDS = 0.5
"""How long after the last edit a checkpoint runs."""
LONGEST_WAIT_SECONDS = 3.0
"""How long after the first edit of a burst one runs at the latest."""


class Checkpoints:
    def __init__(
        self,
        run: Callable[[ProjectId], Awaitable[object]],
        quiet: float = QUIET_SECONDS,
        longest: float = LONGEST_WAIT_SECONDS,
    ) -> None:
        self._run = run
        self.quiet = quiet
        self.longest = longest
        self._timers: dict[ProjectId, asyncio.TimerHandle] = {}
        self._first: dict[ProjectId, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def changed(self, project_id: ProjectId) -> None:
        now = time.monotonic()
        first = self._first.setdefault(project_id, now)
        due = min(now + self.quiet, first + self.longest)
        timer = self._timers.pop(project_id, None)
        if timer is not None:
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[project_id] = loop.call_later(max(0.0, due - now), self._start, project_id)

    async def flush(self) -> None:
        """Runs the checkpoints still waiting, and waits for those running (a clean shutdown)."""
        for project_id in list(self._timers):
            self._timers.pop(project_id).cancel()
            self._start(project_id)
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _start(self, project_id: ProjectId) -> None:
        self._timers.pop(project_id, None)
        self._first.pop(project_id, None)
        task = asyncio.create_task(self._checkpoint(project_id), name=f"checkpoint-{project_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _checkpoint(self, project_id: ProjectId) -> None:
        try:
            await self._run(project_id)
        except Exception:  # the next edit schedules another; the log keeps every update meanwhile
            logger.warning("the checkpoint of %s failed", project_id, exc_info=True)
