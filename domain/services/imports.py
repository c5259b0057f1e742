"""Imports from Figma and GitHub (seed: imports.*): the records and their status transitions.

Doing the import is a worker's job; these are the operations it and the API use. Every status
change is told to the project's tabs as `import.updated`.
"""

from __future__ import annotations

from datetime import timedelta

import msgspec

from domain.entities import Attachment, Import
from domain.enums import AttachmentType, ImportSource, ImportStatus
from domain.errors import FieldError, InvalidInput, InvalidTransition, NotFound
from domain.events import ImportUpdated, MessageUpdated
from domain.ids import AttachmentId, ImportId, MessageId, ProjectId, UserId, new_id
from domain.inputs import ImportChanges, NewImport
from domain.rules.permissions import Action
from domain.rules.transitions import check_import_transition
from domain.services.base import Outbox, Page, Service, page_of
from domain.views import ImportView, MessageView

ERROR_MAX = 2000
SUMMARY_KEY = "designSummary"
"""The metadata key of an import's summary, which the agent reads from the message's attachment."""
INTERRUPTED = "The import was interrupted (its worker stopped answering); try again."
ATTACHMENT_TYPES = {
    ImportSource.FIGMA: AttachmentType.FIGMA_FILE,
    ImportSource.GITHUB: AttachmentType.GITHUB_REPO,
}


class ImportService(Service):
    async def create(self, user_id: UserId, project_id: ProjectId, new: NewImport) -> Import:
        """A PENDING import of the user's project (seed: imports.createImport)."""
        now = self.clock.now()
        record = Import(
            id=ImportId(new_id()),
            user_id=user_id,
            project_id=project_id,
            message_id=None if new.message_id is None else MessageId(new.message_id),
            source=new.source,
            source_id=new.source_id,
            source_name=new.source_name,
            source_url=new.source_url,
            status=ImportStatus.PENDING,
            metadata=new.metadata,
            created_at=now,
            updated_at=now,
        )
        async with self.committed() as outbox:
            await self.access(user_id, project_id, Action.BUILD)
            if record.message_id is not None:
                message = await self.storage.messages.get(record.message_id)
                if message is None or message.project_id != project_id:
                    raise InvalidInput([FieldError("messageId", "is not a message of this project")])
            await self.storage.imports.insert(record)
            outbox.add(project_id, ImportUpdated(import_=ImportView.from_entity(record)))
        return record

    async def get(self, user_id: UserId, import_id: ImportId, action: Action = Action.READ) -> Import:
        """The import, if the user's role on its project allows `action`; an import of a project
        not shared with the user is as missing as none."""
        record = await self.storage.imports.get(import_id)
        if record is None:
            raise NotFound("Import not found.")
        try:
            await self.access(user_id, record.project_id, action)
        except NotFound:
            raise NotFound("Import not found.") from None
        return record

    async def list_for_project(
        self, user_id: UserId, project_id: ProjectId, limit: int, before: ImportId | None = None
    ) -> Page[Import]:
        """Newest first."""
        await self.access(user_id, project_id, Action.READ)
        rows = await self.storage.imports.list_for_project(project_id, limit + 1, before)
        return page_of(rows, limit, lambda record: record.id)

    async def update_status(self, user_id: UserId, import_id: ImportId, changes: ImportChanges) -> Import:
        """Moves the import along PENDING → PROCESSING → COMPLETE or FAILED, merging metadata.

        Seed: imports.updateStatus; markProcessing, markComplete and markFailed are this with a
        fixed status. A FAILED import needs its `error`; other moves → InvalidTransition (409).
        """
        if changes.status == ImportStatus.FAILED and not (changes.error or "").strip():
            raise InvalidInput([FieldError("error", "is required when the import failed")])
        if changes.error is not None and len(changes.error) > ERROR_MAX:
            raise InvalidInput([FieldError("error", f"must be at most {ERROR_MAX} characters")])
        async with self.committed() as outbox:
            record = await self.get(user_id, import_id, Action.BUILD)
            check_import_transition(record.status, changes.status)
            updated = msgspec.structs.replace(
                record,
                status=changes.status,
                error=changes.error if changes.status == ImportStatus.FAILED else record.error,
                metadata={**(record.metadata or {}), **(changes.metadata or {})} or None,
                updated_at=self.clock.now(),
            )
            await self._write(outbox, updated, record)
            if updated.status == ImportStatus.COMPLETE:
                await self._share_summary(outbox, updated)
        return updated

    async def claim_next(self, stale_after: timedelta) -> Import | None:
        """The oldest PENDING import, now PROCESSING, for a worker to do; None when none waits.

        An import PROCESSING for longer than `stale_after` lost its worker: it is FAILED first, so
        that nothing (a run waiting for it among others) waits on it forever.
        """
        while True:
            async with self.committed() as outbox:
                now = self.clock.now()
                stale = await self.storage.imports.next_stale(now - stale_after)
                if stale is not None:
                    failed = msgspec.structs.replace(
                        stale, status=ImportStatus.FAILED, error=INTERRUPTED, updated_at=now
                    )
                    await self._write(outbox, failed, stale)
                    continue
                waiting = await self.storage.imports.next_pending()
                if waiting is None:
                    return None
                claimed = msgspec.structs.replace(waiting, status=ImportStatus.PROCESSING, updated_at=now)
                await self._write(outbox, claimed, waiting)
                return claimed

    async def _write(self, outbox: Outbox, updated: Import, current: Import) -> None:
        if not await self.storage.imports.transition(updated, expected=current.status):
            raise InvalidTransition("The import changed in the meantime; read it again.")
        outbox.add(updated.project_id, ImportUpdated(import_=ImportView.from_entity(updated)))

    async def _share_summary(self, outbox: Outbox, record: Import) -> None:
        """Puts a finished import's summary on the attachment of its message, where the agent that
        answers the message reads it; the message gets such an attachment if it has none."""
        summary = (record.metadata or {}).get(SUMMARY_KEY)
        if record.message_id is None or not summary:
            return
        message = await self.storage.messages.get(record.message_id)
        if message is None:
            return
        attachments = await self.storage.attachments.list_for_messages([message.id])
        linked = [a for a in attachments if a.import_id == record.id]
        if linked:
            for attachment in linked:
                shared = msgspec.structs.replace(
                    attachment, source_metadata={**(attachment.source_metadata or {}), SUMMARY_KEY: summary}
                )
                await self.storage.attachments.update(shared)
                attachments[attachments.index(attachment)] = shared
        else:
            added = Attachment(
                id=AttachmentId(new_id()),
                message_id=message.id,
                type=ATTACHMENT_TYPES[record.source],
                url=record.source_url,
                size=0,
                import_id=record.id,
                source_metadata={"sourceName": record.source_name, SUMMARY_KEY: summary},
                created_at=self.clock.now(),
            )
            await self.storage.attachments.insert_many([added])
            attachments.append(added)
        fragment = await self.storage.fragments.get_for_message(message.id)
        outbox.add(
            message.project_id,
            MessageUpdated(message=MessageView.from_entity(message, fragment, attachments)),
        )

    async def mark_processing(self, user_id: UserId, import_id: ImportId) -> Import:
        return await self.update_status(user_id, import_id, ImportChanges(status=ImportStatus.PROCESSING))

    async def mark_complete(
        self, user_id: UserId, import_id: ImportId, metadata: dict[str, object] | None = None
    ) -> Import:
        changes = ImportChanges(status=ImportStatus.COMPLETE, metadata=metadata)
        return await self.update_status(user_id, import_id, changes)

    async def mark_failed(self, user_id: UserId, import_id: ImportId, error: str) -> Import:
        return await self.update_status(
            user_id, import_id, ImportChanges(status=ImportStatus.FAILED, error=error)
        )
