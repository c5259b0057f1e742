"""Values the use cases take from a person, the same whether they came by REST or by a frame."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.entities import Files, JsonObject
from domain.enums import (
    AttachmentType,
    BillingInterval,
    Framework,
    ImportSource,
    ImportStatus,
    MemberRole,
    MessageRole,
    MessageStatus,
    MessageType,
    SubscriptionStatus,
)
from domain.rules.invitations import (
    EXPIRES_IN_HOURS_DEFAULT,
    EXPIRES_IN_HOURS_MAX,
    EXPIRES_IN_HOURS_MIN,
    MAX_USES_DEFAULT,
    MAX_USES_MAX,
    MAX_USES_MIN,
)

NonNegative = Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]
"""Stored in a 32-bit integer column."""
EpochMs = Annotated[int, msgspec.Meta(ge=0, le=253_402_300_799_999)]
"""Milliseconds since the epoch, up to the end of year 9999."""
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
ShortText = Annotated[str, msgspec.Meta(max_length=255)]


class Input(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class NewAttachment(Input, frozen=True, kw_only=True):
    url: Url
    size: NonNegative
    """Size in bytes."""
    width: NonNegative | None = None
    height: NonNegative | None = None
    type: AttachmentType = AttachmentType.IMAGE
    import_id: UUID | None = None
    source_metadata: JsonObject | None = None


MAX_ATTACHMENTS = 10
"""Per message: each one is stored, listed with the message and sent in every `hello`."""
Attachments = Annotated[list[NewAttachment], msgspec.Meta(max_length=MAX_ATTACHMENTS)]


class ProjectChanges(Input, frozen=True, kw_only=True):
    """A partial update: fields left out stay as they are (seed: projects.update)."""

    name: str | msgspec.UnsetType = msgspec.UNSET
    framework: Framework | msgspec.UnsetType = msgspec.UNSET
    model_preference: ShortText | msgspec.UnsetType | None = msgspec.UNSET


class NewMessage(Input, frozen=True, kw_only=True):
    """A message written as is, with no credit and no run (seed: messages.create / createForUser)."""

    content: str
    role: MessageRole
    type: MessageType
    status: MessageStatus = MessageStatus.COMPLETE


class MessageChanges(Input, frozen=True, kw_only=True):
    """Seed: messages.updateMessage (content, optionally status) and messages.updateStatus."""

    content: str | msgspec.UnsetType = msgspec.UNSET
    status: MessageStatus | msgspec.UnsetType = msgspec.UNSET


class FragmentContent(Input, frozen=True, kw_only=True):
    """Seed: messages.createFragment / createFragmentForUser."""

    sandbox_url: Url
    title: Annotated[str, msgspec.Meta(max_length=255)]
    files: Files
    framework: Framework
    metadata: JsonObject | None = None


class NewImport(Input, frozen=True, kw_only=True):
    """Seed: imports.createImport."""

    source: ImportSource
    source_id: ShortText
    source_name: ShortText
    source_url: Url
    message_id: UUID | None = None
    metadata: JsonObject | None = None


class ImportChanges(Input, frozen=True, kw_only=True):
    """Seed: imports.updateStatus (and markProcessing, markComplete, markFailed)."""

    status: ImportStatus
    error: str | None = None
    metadata: JsonObject | None = None
    """Merged into the import's metadata, key by key."""


class NewConnection(Input, frozen=True, kw_only=True):
    """Seed: oauth.storeConnection."""

    access_token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)]
    refresh_token: Annotated[str, msgspec.Meta(min_length=1, max_length=8192)] | None = None
    expires_at: Annotated[datetime, msgspec.Meta(tz=True)] | EpochMs | None = None
    """An ISO 8601 timestamp, or milliseconds since the epoch as the seed gives it."""
    scope: Annotated[str, msgspec.Meta(max_length=2048)]
    metadata: JsonObject | None = None


class RunRequest(Input, frozen=True, kw_only=True):
    """Seed: agentRuns.enqueueForSystem."""

    value: str
    model: ShortText | None = None
    framework: Framework | None = None


class RunResult(Input, frozen=True, kw_only=True):
    """Seed: agentRuns.completeRun."""

    summary: str
    files: Files
    framework: Framework
    message_type: MessageType = MessageType.RESULT
    message_status: MessageStatus = MessageStatus.COMPLETE
    metadata: JsonObject | None = None


class NewInvitation(Input, frozen=True, kw_only=True):
    """An invite link: who follows it becomes a member with `role`, while it lasts and has uses."""

    role: MemberRole
    expires_in_hours: Annotated[int, msgspec.Meta(ge=EXPIRES_IN_HOURS_MIN, le=EXPIRES_IN_HOURS_MAX)] = (
        EXPIRES_IN_HOURS_DEFAULT
    )
    max_uses: Annotated[int, msgspec.Meta(ge=MAX_USES_MIN, le=MAX_USES_MAX)] = MAX_USES_DEFAULT


class RoleChange(Input, frozen=True, kw_only=True):
    role: MemberRole


class SubscriptionData(Input, frozen=True, kw_only=True):
    """A subscription as Polar reports it (seed: subscriptions.createOrUpdateSubscription)."""

    polar_subscription_id: str
    customer_id: str
    product_id: str
    price_id: str
    status: SubscriptionStatus
    interval: BillingInterval
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    canceled_at: datetime | None = None
    trial_start: datetime | None = None
    trial_end: datetime | None = None
    metadata: JsonObject | None = None
    user_id: str | None = None
    """Our user, when the event names it; otherwise looked up from the customer."""
    polar_modified_at: datetime
    """The state's age: the subscription's `modified_at`, else the event's own `timestamp` (which a
    retry keeps), else when the delivery was signed."""
    polar_sent_at: datetime
    """When the delivery was signed (`webhook-timestamp`): orders events about the same moment."""
