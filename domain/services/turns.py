"""A turn of the conversation: the user's message, its attachments and the run that answers it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.entities import AgentRun, Attachment, Message, Project
from domain.enums import MessageRole, MessageStatus, MessageType, RunSource, RunStatus
from domain.errors import FieldError, InvalidInput
from domain.events import MessageCreated, RunUpdated
from domain.ids import AttachmentId, ImportId, MessageId, RunId, UserId, new_id
from domain.inputs import NewAttachment
from domain.ports import Storage
from domain.services.base import Outbox
from domain.services.usage import UsageService
from domain.views import MessageView, RunView


async def enqueue_turn(
    storage: Storage,
    outbox: Outbox,
    usage: UsageService,
    project: Project,
    author: UserId,
    text: str,
    attachments: Sequence[NewAttachment],
    now: datetime,
) -> MessageView:
    """Writes `author`'s USER message (RESULT, COMPLETE) and a PENDING server run inside the
    caller's transaction, and spends the owner's credit that pays for the run (raising
    OutOfCredits, which rolls the transaction back, when none is left); returns the message as its
    `message.created` event shows it."""
    message = Message(
        id=MessageId(new_id()),
        project_id=project.id,
        content=text,
        role=MessageRole.USER,
        type=MessageType.RESULT,
        status=MessageStatus.COMPLETE,
        user_id=author,
        created_at=now,
        updated_at=now,
    )
    stored = [new_attachment(message.id, a, now) for a in attachments]
    run = AgentRun(
        id=RunId(new_id()),
        project_id=project.id,
        user_id=project.user_id,  # who pays: the owner, whichever member asked
        source=RunSource.SERVER,
        status=RunStatus.PENDING,
        value=text,
        message_id=message.id,
        model=project.model_preference,
        framework=project.framework,
        credit_consumed=True,
        created_at=now,
        updated_at=now,
    )
    await storage.messages.insert(message)
    await storage.attachments.insert_many(stored)
    await storage.runs.insert(run)
    await usage.spend_for(run)  # after the run: the spend is the ledger row of this run
    outbox.usage_changed(run.user_id)
    view = MessageView.from_entity(message, None, stored)
    outbox.add(project.id, MessageCreated(message=view))
    outbox.add(project.id, RunUpdated(run=RunView.from_entity(run)))
    return view


def new_attachment(message_id: MessageId, new: NewAttachment, now: datetime) -> Attachment:
    return Attachment(
        id=AttachmentId(new_id()),
        message_id=message_id,
        type=new.type,
        url=new.url,
        size=new.size,
        width=new.width,
        height=new.height,
        import_id=None if new.import_id is None else ImportId(new.import_id),
        source_metadata=new.source_metadata,
        created_at=now,
    )


async def check_attachment_imports(
    storage: Storage, user_id: UserId, attachments: Sequence[NewAttachment]
) -> None:
    """An attachment may only point at an import of the same user."""
    errors = []
    for index, attachment in enumerate(attachments):
        if attachment.import_id is None:
            continue
        record = await storage.imports.get(ImportId(attachment.import_id))
        if record is None or record.user_id != user_id:
            errors.append(FieldError(f"attachments[{index}].importId", "is not one of your imports"))
    if errors:
        raise InvalidInput(errors)
