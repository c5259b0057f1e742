"""Imports from Figma and GitHub (seed: imports.*): the records and their status transitions.

Doing the import is a worker's job; these are the operations it and the API use.
"""

from __future__ import annotations

import msgspec

from domain.entities import Import
from domain.enums import ImportStatus
from domain.errors import FieldError, InvalidInput, InvalidTransition, NotFound
from domain.ids import ImportId, MessageId, ProjectId, UserId, new_id
from domain.inputs import ImportChanges, NewImport
from domain.rules.transitions import check_import_transition
from domain.services.base import Page, Service, page_of

ERROR_MAX = 2000


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
        async with self.committed():
            await self.owned_project(user_id, project_id)
            if record.message_id is not None:
                message = await self.storage.messages.get(record.message_id)
                if message is None or message.project_id != project_id:
                    raise InvalidInput([FieldError("messageId", "is not a message of this project")])
            await self.storage.imports.insert(record)
        return record

    async def get(self, user_id: UserId, import_id: ImportId) -> Import:
        record = await self.storage.imports.get(import_id)
        if record is None or record.user_id != user_id:
            raise NotFound("Import not found.")
        return record

    async def list_for_project(
        self, user_id: UserId, project_id: ProjectId, limit: int, before: ImportId | None = None
    ) -> Page[Import]:
        """Newest first."""
        await self.owned_project(user_id, project_id)
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
        async with self.committed():
            record = await self.get(user_id, import_id)
            check_import_transition(record.status, changes.status)
            updated = msgspec.structs.replace(
                record,
                status=changes.status,
                error=changes.error if changes.status == ImportStatus.FAILED else record.error,
                metadata={**(record.metadata or {}), **(changes.metadata or {})} or None,
                updated_at=self.clock.now(),
            )
            if not await self.storage.imports.transition(updated, expected=record.status):
                raise InvalidTransition("The import changed in the meantime; read it again.")
        return updated

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
