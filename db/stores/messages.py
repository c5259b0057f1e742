"""Messages, their attachments and their fragments."""

from __future__ import annotations

from collections.abc import Sequence

from db.stores.rows import from_row, to_row
from db.tables import AttachmentTable, FragmentTable, MessageTable
from domain.entities import Attachment, Fragment, Message
from domain.ids import MessageId, ProjectId

FRAGMENT_JSON = frozenset({"files", "metadata"})
ATTACHMENT_JSON = frozenset({"source_metadata"})


class PiccoloMessageStore:
    async def insert(self, message: Message) -> None:
        await MessageTable.insert(MessageTable(**to_row(message)))

    async def list_for_project(
        self, project_id: ProjectId, limit: int, after: MessageId | None = None
    ) -> list[Message]:
        # Ids are UUIDv7, so id order is creation order and doubles as the page cursor.
        query = MessageTable.select().where(MessageTable.project_id == project_id)
        if after is not None:
            query = query.where(MessageTable.id > after)
        rows = await query.order_by(MessageTable.id).limit(limit)
        return [from_row(row, Message) for row in rows]


class PiccoloAttachmentStore:
    async def insert_many(self, attachments: Sequence[Attachment]) -> None:
        if attachments:
            await AttachmentTable.insert(
                *(AttachmentTable(**to_row(a, ATTACHMENT_JSON)) for a in attachments)
            )

    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Attachment]:
        if not message_ids:
            return []
        rows = (
            await AttachmentTable.select()
            .where(AttachmentTable.message_id.is_in(list(message_ids)))
            .order_by(AttachmentTable.id)
        )
        return [from_row(row, Attachment, ATTACHMENT_JSON) for row in rows]


class PiccoloFragmentStore:
    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Fragment]:
        if not message_ids:
            return []
        rows = await FragmentTable.select().where(FragmentTable.message_id.is_in(list(message_ids)))
        return [from_row(row, Fragment, FRAGMENT_JSON) for row in rows]

    async def latest_for_project(self, project_id: ProjectId) -> Fragment | None:
        row = (
            await FragmentTable.select()
            .where(FragmentTable.project_id == project_id)
            .order_by(FragmentTable.created_at, FragmentTable.id, ascending=False)
            .first()
        )
        return None if row is None else from_row(row, Fragment, FRAGMENT_JSON)
