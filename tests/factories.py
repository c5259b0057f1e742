"""Rows the API cannot make yet (or should not need to), written straight through the tables."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from db.stores.rows import to_row
from db.tables import (
    AttachmentTable,
    FragmentDraftTable,
    FragmentTable,
    ImportTable,
    MessageTable,
    RunCheckpointTable,
    SubscriptionTable,
)
from domain.entities import (
    Attachment,
    Fragment,
    FragmentDraft,
    Import,
    Message,
    RunCheckpoint,
    Subscription,
)
from domain.enums import (
    AttachmentType,
    BillingInterval,
    Framework,
    ImportSource,
    ImportStatus,
    MessageRole,
    MessageStatus,
    MessageType,
    SubscriptionStatus,
)
from domain.ids import (
    AttachmentId,
    DraftId,
    FragmentId,
    ImportId,
    MessageId,
    ProjectId,
    RunId,
    SubscriptionId,
    UserId,
    new_id,
)


async def subscribe(user_id: str, product_id: str, now: datetime, **overrides: Any) -> Subscription:
    """An active subscription to `product_id` for the month around `now`."""
    values: dict[str, Any] = {
        "id": SubscriptionId(new_id()),
        "user_id": UserId(user_id),
        "polar_subscription_id": f"sub_{new_id().hex[:12]}",
        "customer_id": f"cus_{user_id}",
        "product_id": product_id,
        "price_id": "price_1",
        "status": SubscriptionStatus.ACTIVE,
        "interval": BillingInterval.MONTHLY,
        "current_period_start": now - timedelta(days=1),
        "current_period_end": now + timedelta(days=29),
        "cancel_at_period_end": False,
        "created_at": now,
        "updated_at": now,
    }
    subscription = Subscription(**{**values, **overrides})
    await SubscriptionTable.insert(SubscriptionTable(**to_row(subscription, frozenset({"metadata"}))))
    return subscription


async def add_fragment(
    project_id: str, message_id: str, now: datetime, files: dict[str, str] | None = None
) -> Fragment:
    """`files` may break the rules the API enforces: a row stored before they existed."""
    fragment = Fragment(
        id=FragmentId(new_id()),
        message_id=MessageId(UUID(message_id)),
        project_id=ProjectId(UUID(project_id)),
        sandbox_url="https://sandbox.example/preview",
        title="To-do list",
        files=files or {"app/page.tsx": "export default function Page() { return null }"},
        framework=Framework.NEXTJS,
        created_at=now,
        updated_at=now,
    )
    await FragmentTable.insert(FragmentTable(**to_row(fragment, frozenset({"files", "metadata"}))))
    return fragment


async def add_draft(project_id: str, now: datetime, files: dict[str, str] | None = None) -> FragmentDraft:
    """`files` may break the rules the API enforces: a row stored before they existed."""
    draft = FragmentDraft(
        id=DraftId(new_id()),
        project_id=ProjectId(UUID(project_id)),
        files=files or {"index.html": "<h1>draft</h1>"},
        framework=Framework.NEXTJS,
        version=1,
        created_at=now,
        updated_at=now,
    )
    await FragmentDraftTable.insert(FragmentDraftTable(**to_row(draft, frozenset({"files"}))))
    return draft


async def add_conversation(project_id: str, now: datetime, count: int, length: int) -> list[Message]:
    """`count` finished messages, a person's and the agent's in turn, each `length` characters long:
    a conversation that went on long before the test (written at once, no run behind them)."""
    messages = []
    for n in range(count):
        role = MessageRole.USER if n % 2 == 0 else MessageRole.ASSISTANT
        words = f"message {n} from the {role.value.lower()}: " + "lorem ipsum " * length
        message = Message(
            id=MessageId(new_id()),
            project_id=ProjectId(UUID(project_id)),
            content=words[:length],
            role=role,
            type=MessageType.RESULT,
            status=MessageStatus.COMPLETE,
            user_id=UserId("alice") if role == MessageRole.USER else None,
            created_at=now,
            updated_at=now,
        )
        await MessageTable.insert(MessageTable(**to_row(message)))
        messages.append(message)
    return messages


async def add_checkpoint(run_id: str, now: datetime) -> RunCheckpoint:
    """A checkpoint after one round, as a worker that then died would have left it."""
    checkpoint = RunCheckpoint(
        run_id=RunId(UUID(run_id)), rounds=1, reply="First the page.", state={}, updated_at=now
    )
    await RunCheckpointTable.insert(RunCheckpointTable(**to_row(checkpoint, frozenset({"state"}))))
    return checkpoint


async def add_import(
    user_id: str, project_id: str, now: datetime, status: ImportStatus = ImportStatus.PENDING
) -> Import:
    record = Import(
        id=ImportId(new_id()),
        user_id=UserId(user_id),
        project_id=ProjectId(UUID(project_id)),
        source=ImportSource.GITHUB,
        source_id="42",
        source_name="octo/app",
        source_url="https://github.com/octo/app",
        status=status,
        created_at=now,
        updated_at=now,
    )
    await ImportTable.insert(ImportTable(**to_row(record, frozenset({"metadata"}))))
    return record


async def add_attachment(message_id: str, now: datetime) -> Attachment:
    attachment = Attachment(
        id=AttachmentId(new_id()),
        message_id=MessageId(UUID(message_id)),
        type=AttachmentType.IMAGE,
        url="https://img.example/shot.png",
        size=1234,
        created_at=now,
    )
    await AttachmentTable.insert(AttachmentTable(**to_row(attachment, frozenset({"source_metadata"}))))
    return attachment
