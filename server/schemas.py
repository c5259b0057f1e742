"""Request and response bodies of the REST routes (camelCase on the wire, as API.md says)."""

from __future__ import annotations

import base64
from typing import Annotated
from uuid import UUID

import msgspec

from domain.entities import (
    Files,
    Fragment,
    JsonObject,
    OAuthConnection,
    ProjectAccess,
    Subscription,
)
from domain.enums import (
    BillingInterval,
    Framework,
    MessageRole,
    MessageStatus,
    MessageType,
    OAuthProvider,
    ProjectRole,
    SubscriptionStatus,
)
from domain.errors import FieldError, InvalidInput
from domain.inputs import Attachments
from domain.rules.prompts import (
    MESSAGE_VALUE_MAX,
    MESSAGE_VALUE_MIN,
    PROJECT_MESSAGE_MAX,
    PROJECT_MESSAGE_MIN,
    PROJECT_NAME_MAX,
)
from domain.views import (
    FragmentSummary,
    FragmentView,
    ImportView,
    MessageView,
    ProjectView,
    RunView,
    Timestamp,
    iso_ms,
    iso_ms_or_none,
)


def documented(minimum: int, maximum: int, example: str | None = None) -> msgspec.Meta:
    """Length limits shown in the schema; the domain enforces them, for REST and frames alike."""
    schema: dict[str, object] = {"minLength": minimum, "maxLength": maximum}
    if example is not None:
        schema["examples"] = [example]
    return msgspec.Meta(extra_json_schema=schema)


class Body(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class CreateProject(Body, frozen=True, kw_only=True):
    """With `message`: a project built from that prompt (1 credit). Without: a plain project."""

    message: (
        Annotated[
            str,
            documented(
                PROJECT_MESSAGE_MIN,
                PROJECT_MESSAGE_MAX,
                "Build a to-do list app with a clean, minimal design",
            ),
        ]
        | None
    ) = None
    image_url: Annotated[str, msgspec.Meta(max_length=2048)] | None = None
    """A design screenshot for the agent; Pro only."""
    attachments: Attachments = []
    framework: Framework | None = None
    model: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    name: Annotated[str, documented(1, PROJECT_NAME_MAX)] | None = None
    """Required without `message`."""


class CreateMessage(Body, frozen=True, kw_only=True):
    """With `value`: a prompt the agent answers (1 credit). With `content`, `role` and `type`
    instead: a message stored as given, no credit and no run (seed: messages.create)."""

    value: (
        Annotated[str, documented(MESSAGE_VALUE_MIN, MESSAGE_VALUE_MAX, "Add a dark mode toggle")] | None
    ) = None
    attachments: Attachments = []
    content: str | None = None
    role: MessageRole | None = None
    type: MessageType | None = None
    status: MessageStatus = MessageStatus.COMPLETE


class DraftFiles(Body, frozen=True, kw_only=True):
    files: Files
    version: Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)]
    """The version the editor started from; a stale one is refused with 409."""


class MetadataBody(Body, frozen=True, kw_only=True):
    metadata: JsonObject


class FailRun(Body, frozen=True, kw_only=True):
    error: str


class ListedProject(ProjectView, frozen=True, kw_only=True):
    """A project as the caller's list shows it: with the caller's role on it."""

    role: ProjectRole

    @classmethod
    def of(cls, access: ProjectAccess) -> ListedProject:
        return cls(**msgspec.structs.asdict(ProjectView.from_entity(access.project)), role=access.role)


class ProjectDetail(ListedProject, frozen=True, kw_only=True):
    latest_fragment: FragmentSummary | None

    @classmethod
    def build(cls, access: ProjectAccess, fragment: Fragment | None) -> ProjectDetail:
        return cls(
            **msgspec.structs.asdict(ListedProject.of(access)),
            latest_fragment=None
            if fragment is None
            else FragmentSummary.of(FragmentView.from_entity(fragment)),
        )


class ConnectionView(Body, frozen=True, kw_only=True):
    """A connection as its owner sees it: never its tokens."""

    provider: OAuthProvider
    scope: str
    expires_at: Timestamp | None
    has_refresh_token: bool
    metadata: JsonObject | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_entity(cls, connection: OAuthConnection) -> ConnectionView:
        return cls(
            provider=connection.provider,
            scope=connection.scope,
            expires_at=iso_ms_or_none(connection.expires_at),
            has_refresh_token=connection.refresh_token_encrypted is not None,
            metadata=connection.metadata,
            created_at=iso_ms(connection.created_at),
            updated_at=iso_ms(connection.updated_at),
        )


class SubscriptionView(Body, frozen=True, kw_only=True):
    id: UUID
    polar_subscription_id: str
    customer_id: str
    product_id: str
    price_id: str
    status: SubscriptionStatus
    interval: BillingInterval
    current_period_start: Timestamp
    current_period_end: Timestamp
    cancel_at_period_end: bool
    canceled_at: Timestamp | None
    trial_start: Timestamp | None
    trial_end: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_entity(cls, s: Subscription) -> SubscriptionView:
        return cls(
            id=s.id,
            polar_subscription_id=s.polar_subscription_id,
            customer_id=s.customer_id,
            product_id=s.product_id,
            price_id=s.price_id,
            status=s.status,
            interval=s.interval,
            current_period_start=iso_ms(s.current_period_start),
            current_period_end=iso_ms(s.current_period_end),
            cancel_at_period_end=s.cancel_at_period_end,
            canceled_at=iso_ms_or_none(s.canceled_at),
            trial_start=iso_ms_or_none(s.trial_start),
            trial_end=iso_ms_or_none(s.trial_end),
            created_at=iso_ms(s.created_at),
            updated_at=iso_ms(s.updated_at),
        )


class MessagePage(Body, frozen=True, kw_only=True):
    items: list[MessageView]
    next_cursor: str | None
    """Pass as `?cursor=` for the next page; null on the last page."""


class FragmentPage(Body, frozen=True, kw_only=True):
    items: list[FragmentView]
    next_cursor: str | None


class ImportPage(Body, frozen=True, kw_only=True):
    items: list[ImportView]
    next_cursor: str | None


class RunPage(Body, frozen=True, kw_only=True):
    items: list[RunView]
    next_cursor: str | None


class ConnectionList(Body, frozen=True, kw_only=True):
    items: list[ConnectionView]
    next_cursor: None = None
    """Always null: a user has at most one connection per provider."""


class ClaimedRunOut(Body, frozen=True, kw_only=True):
    run: RunView
    files: Files


class CompletedRunOut(Body, frozen=True, kw_only=True):
    run: RunView
    message: MessageView
    fragment: FragmentView


class Success(Body, frozen=True, kw_only=True):
    success: bool = True


def encode_cursor(key: UUID | None) -> str | None:
    return None if key is None else base64.urlsafe_b64encode(key.bytes).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> UUID | None:
    if cursor is None:
        return None
    try:
        return UUID(bytes=base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise InvalidInput([FieldError("cursor", "is not a cursor this server returned")]) from None
