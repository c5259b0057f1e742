"""What follows a burst of people's edits to a project's shared code, a moment later: the draft
row (and its `draft.updated` event), and the project's sandbox, so the preview shows what people
typed too, not only what the agent wrote."""

from __future__ import annotations

from domain.ids import ProjectId
from domain.ports import Storage
from domain.services.drafts import DraftService
from workers.sandbox_sync import SandboxSync


class CodeFollower:
    def __init__(self, storage: Storage, drafts: DraftService, sandbox_sync: SandboxSync) -> None:
        self.storage = storage
        self.drafts = drafts
        self.sandbox_sync = sandbox_sync

    async def checkpoint(self, project_id: ProjectId) -> None:
        before = await self.storage.drafts.get_for_project(project_id)
        after = await self.drafts.follow_doc(project_id)
        if after is None or (before is not None and before.version == after.version):
            return
        project = await self.storage.projects.get(project_id)
        if project is not None:
            self.sandbox_sync.restored(project, after.files)
