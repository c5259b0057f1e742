"""Messages of a project (seed: messages.*), with their fragments and attachments."""

from __future__ import annotations

from collections import defaultdict

import msgspec

from domain.entities import Attachment
from domain.ids import MessageId, ProjectId, UserId
from domain.services.base import Service
from domain.views import MessageView


class MessagePage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[MessageView]
    next_after: MessageId | None
    """Where the next page starts, or None on the last page."""


class MessageService(Service):
    async def list_messages(
        self, user_id: UserId, project_id: ProjectId, limit: int, after: MessageId | None = None
    ) -> MessagePage:
        """Oldest first, each with its fragment and attachments."""
        await self.owned_project(user_id, project_id)
        messages = await self.storage.messages.list_for_project(project_id, limit + 1, after)
        page, more = messages[:limit], len(messages) > limit
        ids = [m.id for m in page]
        fragments = {f.message_id: f for f in await self.storage.fragments.list_for_messages(ids)}
        attachments: dict[MessageId, list[Attachment]] = defaultdict(list)
        for attachment in await self.storage.attachments.list_for_messages(ids):
            attachments[attachment.message_id].append(attachment)
        return MessagePage(
            items=[MessageView.from_entity(m, fragments.get(m.id), attachments[m.id]) for m in page],
            next_after=page[-1].id if more else None,
        )
