"""The project's sandbox follows what the web tier changed: a restored fragment's files go back
into it, so its preview shows the restored app at once instead of after the next run (which writes
them again anyway); a deleted project's sandbox is stopped and removed.

The web process that handles the request may not be the one running the project (scaled, runs go
to `forge worker`s), but it reaches the same sandboxes through the provider: local sandboxes are a
folder every process shares (a dev server in another process stops once its folder is gone), E2B
sandboxes are reached by id."""

from __future__ import annotations

import asyncio
import logging

from domain.entities import Files, Project
from domain.enums import RunStatus
from domain.ports import Storage
from workers.sandboxes.base import SandboxProvider

logger = logging.getLogger("forge.server")

RECENT_RUNS = 50
"""Runs looked at for one still RUNNING: a project's runs go one at a time, newest first."""


class SandboxSync:
    def __init__(self, storage: Storage, sandboxes: SandboxProvider) -> None:
        self.storage = storage
        self.sandboxes = sandboxes
        self._writing: set[asyncio.Task[None]] = set()

    def restored(self, project: Project, files: Files) -> None:
        """Writes `files` into the project's sandbox in the background; the request does not wait
        for a remote sandbox to answer."""
        if project.sandbox_id is None or not files:
            return
        task = asyncio.create_task(self._write(project, project.sandbox_id, files))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def removed(self, project: Project) -> None:
        """Stops and removes the deleted project's sandbox before the request answers. Its preview
        is already gone (the preview serves only projects that exist); a failure here leaves only
        files behind, so it is logged, not raised."""
        try:
            await self.sandboxes.remove(project.id, project.sandbox_id)
        except Exception:
            logger.warning("the sandbox of deleted project %s was not removed", project.id, exc_info=True)

    async def stop(self) -> None:
        for task in list(self._writing):
            task.cancel()
        await asyncio.gather(*self._writing, return_exceptions=True)

    async def _write(self, project: Project, sandbox_id: str, files: Files) -> None:
        try:
            runs = await self.storage.runs.list_for_project(project.id, RECENT_RUNS)
            if any(run.status == RunStatus.RUNNING for run in runs):
                return  # the agent is working in it; the next run starts from the restored files
            sandbox = await self.sandboxes.connect(sandbox_id)
            if sandbox is not None:
                await sandbox.write_files(files)
        except Exception:  # best effort: the next run restores the files all the same
            logger.warning(
                "the restored files of project %s did not reach its sandbox", project.id, exc_info=True
            )
