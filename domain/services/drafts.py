"""A project's draft: files a person edits by hand, replaced with an optimistic version."""

from __future__ import annotations

from domain.entities import Files, FragmentDraft
from domain.errors import StaleVersion
from domain.events import DraftUpdated
from domain.ids import DraftId, ProjectId, UserId, new_id
from domain.rules.files import check_files
from domain.rules.permissions import Action
from domain.services.base import Service
from domain.views import DraftView


class DraftService(Service):
    async def get_or_create(
        self, user_id: UserId, project_id: ProjectId, action: Action = Action.READ
    ) -> FragmentDraft:
        """The project's draft; the first call makes an empty one (seed: getOrCreateFragmentDraft).
        Reading it is enough to make it: an empty draft is what the project had all along."""
        async with self.committed() as outbox:
            project = (await self.access(user_id, project_id, action)).project
            existing = await self.storage.drafts.get_for_project(project_id)
            if existing is not None:
                return existing
            now = self.clock.now()
            empty = FragmentDraft(
                id=DraftId(new_id()),
                project_id=project_id,
                files={},
                framework=project.framework,
                version=0,
                created_at=now,
                updated_at=now,
            )
            draft = await self.storage.drafts.insert_if_missing(empty)
            if draft.id == empty.id:
                outbox.add(project_id, DraftUpdated(draft=DraftView.from_entity(draft)))
        return draft

    async def replace_files(
        self, user_id: UserId, project_id: ProjectId, files: Files, version: int
    ) -> FragmentDraft:
        """Replaces the draft's files if `version` is the one stored, and bumps it.

        A stale version raises StaleVersion with the current one, so the editor can reload.
        """
        check_files(files)
        current = await self.get_or_create(user_id, project_id, Action.BUILD)
        async with self.committed() as outbox:
            if current.version != version:
                raise StaleVersion(current.version)
            updated = FragmentDraft(
                id=current.id,
                project_id=project_id,
                files=files,
                framework=current.framework,
                version=version + 1,
                created_at=current.created_at,
                updated_at=self.clock.now(),
            )
            if not await self.storage.drafts.replace(updated, expected_version=version):
                latest = await self.storage.drafts.get_for_project(project_id)
                raise StaleVersion(latest.version if latest else 0)
            outbox.add(project_id, DraftUpdated(draft=DraftView.from_entity(updated)))
        return updated
