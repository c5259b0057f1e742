"""The agent worker: claims server-side runs and executes up to `concurrency` of them at a time,
and, given an import processor, imports (GitHub, Figma) beside them.

It wakes when a run is announced on the broker and otherwise polls slowly, never spins. On stop
it claims nothing more, lets running runs finish for a grace period, and gives back the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import msgspec

from domain.ids import ImportId, RunId
from domain.services.agent_runs import AgentRunService
from workers.imports.processor import ImportProcessor
from workers.runner import RunExecutor

logger = logging.getLogger("forge.worker")

K = TypeVar("K", RunId, ImportId)

CLAIM_RETRY_SECONDS = 2.0
CLAIM_FINISH_SECONDS = 5.0
"""On stop, how long a claim in progress may take to finish before it is cancelled."""
IMPORT_CONCURRENCY = 2
"""Imports a worker process does at once, beside its runs (they mostly wait on a provider's API)."""


class WorkerSettings(msgspec.Struct, frozen=True, kw_only=True):
    concurrency: int = 2
    lease: timedelta = timedelta(seconds=30)
    poll_seconds: float = 5.0
    shutdown_grace_seconds: float = 20.0


def worker_id() -> str:
    """Names the claimant in the runs it takes: which machine, which process."""
    return f"worker:{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class AgentWorker:
    def __init__(
        self,
        runs: AgentRunService,
        executor: RunExecutor,
        settings: WorkerSettings,
        imports: ImportProcessor | None = None,
    ) -> None:
        self.runs = runs
        self.executor = executor
        self.settings = settings
        self.imports = imports
        self.id = worker_id()
        self.active: dict[RunId, asyncio.Task[None]] = {}
        self.importing: dict[ImportId, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Runs may be waiting: look now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._loop_task = asyncio.create_task(self._claim_loop(), name=f"agent-worker-{self.id}")

    async def stop(self) -> None:
        """Claims nothing more; after the grace period, runs still going are given back and imports
        still going are failed (a person retries them in a moment)."""
        self._stopping.set()
        self.wake()
        if self._loop_task is not None:
            # The loop ends after the claim it is making: cancelled inside a claim's transaction,
            # the database driver can strand the transaction's connection (seen with asyncpg).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._loop_task), CLAIM_FINISH_SECONDS)
            self._loop_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop_task
        if going := self._going():
            await asyncio.wait(going, timeout=self.settings.shutdown_grace_seconds)
        for task in self._going():
            task.cancel()  # the executor gives its run back when cancelled, the processor fails its import
        if going := self._going():
            await asyncio.wait(going)

    def _going(self) -> list[asyncio.Task[None]]:
        return [*self.active.values(), *self.importing.values()]

    async def _claim_loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                await self._claim_while_free()
                await self._claim_imports_while_free()
            except Exception:  # the database may be away for a moment: try again soon
                logger.exception("claiming runs failed")
                await asyncio.sleep(CLAIM_RETRY_SECONDS)
                continue
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.poll_seconds):
                    await self._wake.wait()

    async def _claim_while_free(self) -> None:
        while len(self.active) < self.settings.concurrency and not self._stopping.is_set():
            run = await self.runs.claim_next(self.id, self.settings.lease)
            if run is None:
                return
            logger.info("worker %s took run %s (attempt %d)", self.id, run.id, run.attempts)
            task = asyncio.create_task(self.executor.execute(run), name=f"run-{run.id}")
            self.active[run.id] = task
            # A slot is free when it ends, and the project's next run may start.
            task.add_done_callback(self._untrack(self.active, run.id))

    async def _claim_imports_while_free(self) -> None:
        while (
            self.imports is not None
            and len(self.importing) < IMPORT_CONCURRENCY
            and not self._stopping.is_set()
        ):
            record = await self.imports.claim()
            if record is None:
                return
            logger.info("worker %s took import %s (%s)", self.id, record.id, record.source.value)
            task = asyncio.create_task(self.imports.process(record), name=f"import-{record.id}")
            self.importing[record.id] = task
            task.add_done_callback(self._untrack(self.importing, record.id))

    def _untrack(self, tasks: dict[K, asyncio.Task[None]], key: K) -> Callable[[asyncio.Task[None]], None]:
        """Forgets a finished task and looks for more work: its slot is free."""

        def done(_: asyncio.Task[None]) -> None:
            tasks.pop(key, None)
            self.wake()

        return done
