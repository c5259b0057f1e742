"""A project's draft: its shared code document (API.md) as files with a version. People edit the
document live; a draft PUT, an import or `draft.put` replace its files with the smallest text
edits, so whatever someone types elsewhere at that moment survives. The draft row follows the
document (`follow_doc`, a moment after each burst of edits), and each change of it is a
`draft.updated` event with a higher `version`."""

from __future__ import annotations

from domain.clock import Clock
from domain.entities import Files, FragmentDraft, Project
from domain.enums import Framework
from domain.errors import StaleVersion
from domain.events import DraftUpdated
from domain.ids import DraftId, ProjectId, UserId, new_id
from domain.ports import EventPublisher, SharedDocs, Storage, UserSignals
from domain.rules.files import check_files
from domain.rules.permissions import Action
from domain.services.base import Outbox, Service
from domain.views import DraftView


class DraftService(Service):
    def __init__(
        self,
        storage: Storage,
        events: EventPublisher,
        clock: Clock,
        docs: SharedDocs,
        signals: UserSignals | None = None,
    ) -> None:
        super().__init__(storage, events, clock, signals=signals)
        self.docs = docs

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
            return await self._create(outbox, project_id, project.framework, {})

    async def replace_files(
        self, user_id: UserId, project_id: ProjectId, files: Files, version: int
    ) -> FragmentDraft:
        """Makes the draft's files these if `version` is the one stored, and bumps it: the
        document gets the smallest edits that do it.

        A stale version raises StaleVersion with the current one, so the editor can reload.
        """
        check_files(files)
        current = await self.get_or_create(user_id, project_id, Action.BUILD)
        async with self.committed() as outbox:
            if current.version != version:
                raise StaleVersion(current.version)
            # Merged with what people typed since this version: their keystrokes elsewhere stay.
            written = await self.docs.write(project_id, files, remove_others=True, base=current.files)
            updated = await self._replace(outbox, current, written.files)
            if updated is None:
                latest = await self.storage.drafts.get_for_project(project_id)
                raise StaleVersion(latest.version if latest else 0)
        if written.update is not None:
            await self.docs.announce(project_id, written.update)
        return updated

    async def follow_doc(self, project_id: ProjectId) -> FragmentDraft | None:
        """Brings the draft up to the shared document (merging its log on the way); None when
        the project is gone."""
        async with self.committed() as outbox:
            project = await self.storage.projects.get(project_id)
            if project is None:
                return None
            files = await self.docs.checkpoint(project_id)
            return await follow_files(self.storage, self.clock, outbox, project, files)

    async def _create(
        self, outbox: Outbox, project_id: ProjectId, framework: Framework, files: Files
    ) -> FragmentDraft:
        return await _create(self.storage, self.clock, outbox, project_id, framework, files)

    async def _replace(self, outbox: Outbox, current: FragmentDraft, files: Files) -> FragmentDraft | None:
        return await _replace(self.storage, self.clock, outbox, current, files)


async def follow_files(
    storage: Storage, clock: Clock, outbox: Outbox, project: Project, files: Files
) -> FragmentDraft | None:
    """Inside a transaction that wrote the shared document: the draft row takes the document's
    files (and the next version, with a `draft.updated` event) unless it has them already. None
    when a draft PUT wrote it meanwhile: that one wrote the document too, and is followed."""
    current = await storage.drafts.get_for_project(project.id)
    if current is None:
        return await _create(storage, clock, outbox, project.id, project.framework, files)
    if current.files == files:
        return current
    return await _replace(storage, clock, outbox, current, files)


async def _create(
    storage: Storage, clock: Clock, outbox: Outbox, project_id: ProjectId, framework: Framework, files: Files
) -> FragmentDraft:
    now = clock.now()
    fresh = FragmentDraft(
        id=DraftId(new_id()),
        project_id=project_id,
        files=files,
        framework=framework,
        version=0,
        created_at=now,
        updated_at=now,
    )
    draft = await storage.drafts.insert_if_missing(fresh)
    if draft.id == fresh.id:
        outbox.add(project_id, DraftUpdated(draft=DraftView.from_entity(draft)))
    return draft


async def _replace(
    storage: Storage, clock: Clock, outbox: Outbox, current: FragmentDraft, files: Files
) -> FragmentDraft | None:
    """The draft with these files and the next version; None if another writer got there."""
    updated = FragmentDraft(
        id=current.id,
        project_id=current.project_id,
        files=files,
        framework=current.framework,
        version=current.version + 1,
        created_at=current.created_at,
        updated_at=clock.now(),
    )
    if not await storage.drafts.replace(updated, expected_version=current.version):
        return None
    outbox.add(current.project_id, DraftUpdated(draft=DraftView.from_entity(updated)))
    return updated
