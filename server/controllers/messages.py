"""Messages of a project, and each message's fragment and attachments."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from domain.errors import FieldError, InvalidInput
from domain.idempotency import RequestKey
from domain.ids import MessageId, ProjectId, UserId
from domain.inputs import FragmentContent, MessageChanges, NewAttachment, NewMessage
from domain.services.messages import MessageService
from domain.views import AttachmentView, FragmentView, MessageView
from server.controllers.params import DEFAULT_LIMIT, Cursor, Limit
from server.idempotency import IDEMPOTENCY
from server.openapi import ROLE_REQUIRED, problems
from server.schemas import CreateMessage, MessagePage, decode_cursor, encode_cursor


class MessageController(Controller):
    path = ""
    tags = ["messages"]

    @get("/projects/{project_id:uuid}/messages", operation_id="listMessages", responses=problems(404))
    async def list_messages(
        self,
        project_id: FromPath[UUID],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> MessagePage:
        """The conversation, oldest first, each message with its fragment and attachments."""
        after = decode_cursor(cursor)
        page = await messages.list_messages(
            user_id, ProjectId(project_id), limit, None if after is None else MessageId(after)
        )
        return MessagePage(items=page.items, next_cursor=encode_cursor(page.next_key))

    @post(
        "/projects/{project_id:uuid}/messages",
        operation_id="createMessage",
        responses=problems(403, 404, 409, 422, overrides=ROLE_REQUIRED),
        status_code=201,
        dependencies=IDEMPOTENCY,
    )
    async def create_message(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[CreateMessage],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
        request_key: NamedDependency[RequestKey | None],
    ) -> MessageView:
        """Send a prompt (`value`): a USER message the agent answers, for 1 credit. Or store a
        message as given (`content`, `role`, `type`): no credit, no run. With an
        `Idempotency-Key`, a retry gets the first answer."""
        if data.value is not None:
            return await messages.post_message(
                user_id, ProjectId(project_id), data.value, data.attachments, key=request_key
            )
        if data.content is None or data.role is None or data.type is None:
            raise InvalidInput([FieldError("value", "is required (or `content`, `role` and `type`)")])
        new = NewMessage(content=data.content, role=data.role, type=data.type, status=data.status)
        return await messages.create_message(user_id, ProjectId(project_id), new, key=request_key)

    @patch(
        "/messages/{message_id:uuid}",
        operation_id="updateMessage",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
    )
    async def update_message(
        self,
        message_id: FromPath[UUID],
        data: JSONBody[MessageChanges],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
    ) -> MessageView:
        """Change a message's content and/or status."""
        return await messages.update_message(user_id, MessageId(message_id), data)

    @put(
        "/messages/{message_id:uuid}/fragment",
        operation_id="saveFragment",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
    )
    async def save_fragment(
        self,
        message_id: FromPath[UUID],
        data: JSONBody[FragmentContent],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
    ) -> FragmentView:
        """Create the message's fragment, or replace it."""
        return FragmentView.from_entity(await messages.save_fragment(user_id, MessageId(message_id), data))

    @post(
        "/messages/{message_id:uuid}/attachments",
        operation_id="addAttachment",
        responses=problems(403, 404, overrides=ROLE_REQUIRED),
        status_code=201,
    )
    async def add_attachment(
        self,
        message_id: FromPath[UUID],
        data: JSONBody[NewAttachment],
        user_id: NamedDependency[UserId],
        messages: NamedDependency[MessageService],
    ) -> AttachmentView:
        """Attach an image, a Figma file or a GitHub repository to a message."""
        return AttachmentView.from_entity(await messages.add_attachment(user_id, MessageId(message_id), data))
