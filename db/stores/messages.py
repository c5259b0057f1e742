"""Messages and their attachments."""

from __future__ import annotations

from collections.abc import Sequence

from db.stores.rows import from_row, to_row, update_values
from db.tables import AttachmentTable, MessageTable
from domain.entities import Attachment, Message
from domain.ids import MessageId, ProjectId

ATTACHMENT_JSON = frozenset({"source_metadata"})
KEEP = frozenset({"id", "project_id", "user_id", "created_at"})
ATTACHMENT_KEEP = frozenset({"id", "message_id", "created_at"})


class PiccoloMessageStore:
    async def insert(self, message: Message) -> None:
        await MessageTable.insert(MessageTable(**to_row(message)))

    async def get(self, message_id: MessageId) -> Message | None:
        row = await MessageTable.select().where(MessageTable.id == message_id).first()
        return None if row is None else from_row(row, Message)

    async def update(self, message: Message) -> None:
        await MessageTable.update(update_values(message, KEEP)).where(MessageTable.id == message.id)

    async def list_for_project(
        self, project_id: ProjectId, limit: int, after: MessageId | None = None
    ) -> list[Message]:
        # Ids are UUIDv7, so id order is creation order and doubles as the page cursor.
        query = MessageTable.select().where(MessageTable.project_id == project_id)
        if after is not None:
            query = query.where(MessageTable.id > after)
        rows = await query.order_by(MessageTable.id).limit(limit)
        return [from_row(row, Message) for row in rows]

    async def list_latest(self, project_id: ProjectId, limit: int) -> list[Message]:
        rows = (
            await MessageTable.select()
            .where(MessageTable.project_id == project_id)
            .order_by(MessageTable.id, ascending=False)
            .limit(limit)
        )
        return [from_row(row, Message) for row in reversed(rows)]


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

    async def update(self, attachment: Attachment) -> None:
        await AttachmentTable.update(update_values(attachment, ATTACHMENT_KEEP, ATTACHMENT_JSON)).where(
            AttachmentTable.id == attachment.id
        )
