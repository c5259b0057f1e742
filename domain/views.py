"""The public shapes of the entities, as API.md names them on the wire (REST bodies and frames).

They live in the domain because both the REST layer and the event stream send them: one shape,
one place. Timestamps are ISO 8601 UTC strings with milliseconds, which msgspec cannot emit itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from domain.entities import (
    AgentRun,
    Attachment,
    Files,
    Fragment,
    FragmentDraft,
    Import,
    JsonObject,
    Message,
    Profile,
    Project,
    ProjectMember,
    RunUsage,
    TokenUsage,
)
from domain.enums import (
    AttachmentType,
    Framework,
    ImportSource,
    ImportStatus,
    MessageRole,
    MessageStatus,
    MessageType,
    Plan,
    ProjectRole,
    RunSource,
    RunStatus,
)
from domain.ids import UserId

Timestamp = Annotated[
    str, msgspec.Meta(extra_json_schema={"format": "date-time", "example": "2024-04-05T12:00:00.000Z"})
]


def iso_ms(moment: datetime) -> Timestamp:
    """`2024-04-05T12:00:00.000Z`: UTC with exactly three fractional digits."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def iso_ms_or_none(moment: datetime | None) -> Timestamp | None:
    return None if moment is None else iso_ms(moment)


class View(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    pass


class ProjectView(View, frozen=True, kw_only=True):
    id: UUID
    name: str
    user_id: str
    framework: Framework
    model_preference: str | None
    sandbox_id: str | None
    image_url: str | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_entity(cls, project: Project) -> ProjectView:
        return cls(
            id=project.id,
            name=project.name,
            user_id=project.user_id,
            framework=project.framework,
            model_preference=project.model_preference,
            sandbox_id=project.sandbox_id,
            image_url=project.image_url,
            created_at=iso_ms(project.created_at),
            updated_at=iso_ms(project.updated_at),
        )


class FragmentView(View, frozen=True, kw_only=True):
    id: UUID
    message_id: UUID
    project_id: UUID
    sandbox_url: str
    title: str
    files: Files
    framework: Framework
    metadata: JsonObject | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_entity(cls, fragment: Fragment) -> FragmentView:
        return cls(
            id=fragment.id,
            message_id=fragment.message_id,
            project_id=fragment.project_id,
            sandbox_url=fragment.sandbox_url,
            title=fragment.title,
            files=fragment.files,
            framework=fragment.framework,
            metadata=fragment.metadata,
            created_at=iso_ms(fragment.created_at),
            updated_at=iso_ms(fragment.updated_at),
        )


class FragmentSummary(View, frozen=True, kw_only=True):
    """A fragment without its files or metadata: what a `hello` shows of every version, so it
    stays small for a long project (the files come from REST)."""

    id: UUID
    message_id: UUID
    project_id: UUID
    sandbox_url: str
    title: str
    framework: Framework
    file_count: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def of(cls, fragment: FragmentView) -> FragmentSummary:
        return cls(
            id=fragment.id,
            message_id=fragment.message_id,
            project_id=fragment.project_id,
            sandbox_url=fragment.sandbox_url,
            title=fragment.title,
            framework=fragment.framework,
            file_count=len(fragment.files),
            created_at=fragment.created_at,
            updated_at=fragment.updated_at,
        )


class AttachmentView(View, frozen=True, kw_only=True):
    id: UUID
    message_id: UUID
    type: AttachmentType
    url: str
    size: int
    width: int | None
    height: int | None
    import_id: UUID | None
    source_metadata: JsonObject | None
    created_at: Timestamp

    @classmethod
    def from_entity(cls, attachment: Attachment) -> AttachmentView:
        return cls(
            id=attachment.id,
            message_id=attachment.message_id,
            type=attachment.type,
            url=attachment.url,
            size=attachment.size,
            width=attachment.width,
            height=attachment.height,
            import_id=attachment.import_id,
            source_metadata=attachment.source_metadata,
            created_at=iso_ms(attachment.created_at),
        )


class MessageView(View, frozen=True, kw_only=True):
    id: UUID
    project_id: UUID
    content: str
    role: MessageRole
    type: MessageType
    status: MessageStatus
    created_at: Timestamp
    updated_at: Timestamp
    fragment: FragmentView | None = None
    attachments: list[AttachmentView] = []
    user_id: str | None = None
    """Who sent a USER message: the owner or a member. Null for the agent's messages."""

    @classmethod
    def from_entity(
        cls,
        message: Message,
        fragment: Fragment | None = None,
        attachments: list[Attachment] | None = None,
    ) -> MessageView:
        return cls(
            id=message.id,
            project_id=message.project_id,
            content=message.content,
            role=message.role,
            type=message.type,
            status=message.status,
            created_at=iso_ms(message.created_at),
            updated_at=iso_ms(message.updated_at),
            fragment=None if fragment is None else FragmentView.from_entity(fragment),
            attachments=[AttachmentView.from_entity(a) for a in attachments or ()],
            user_id=message.user_id,
        )


class MemberView(View, frozen=True, kw_only=True, omit_defaults=True):
    """Someone who may watch a project, with their role; the owner too."""

    user_id: str
    role: ProjectRole
    name: str | None = None
    image_url: str | None = None
    added_at: Timestamp

    @classmethod
    def of(cls, member: ProjectMember, profile: Profile | None) -> MemberView:
        return cls(
            user_id=member.user_id,
            role=ProjectRole(member.role),
            name=None if profile is None else profile.name,
            image_url=None if profile is None else profile.image_url,
            added_at=iso_ms(member.added_at),
        )

    @classmethod
    def members_of(
        cls, project: Project, members: list[ProjectMember], profiles: dict[UserId, Profile]
    ) -> list[MemberView]:
        """The owner first (there since the project was made), then the members as they came."""
        owner = profiles.get(project.user_id)
        first = cls(
            user_id=project.user_id,
            role=ProjectRole.OWNER,
            name=None if owner is None else owner.name,
            image_url=None if owner is None else owner.image_url,
            added_at=iso_ms(project.created_at),
        )
        return [first, *(cls.of(m, profiles.get(m.user_id)) for m in members)]


class SummarizedMessage(MessageView, frozen=True, kw_only=True):
    """A message as a `hello` lists it: its fragment summarized."""

    fragment: FragmentSummary | None = None  # type: ignore[assignment]  # the summary, by design

    @classmethod
    def of(cls, message: MessageView) -> SummarizedMessage:
        fields = msgspec.structs.asdict(message)
        fields["fragment"] = None if message.fragment is None else FragmentSummary.of(message.fragment)
        return cls(**fields)


class DraftView(View, frozen=True, kw_only=True):
    id: UUID
    project_id: UUID
    files: Files
    framework: Framework
    version: int
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_entity(cls, draft: FragmentDraft) -> DraftView:
        return cls(
            id=draft.id,
            project_id=draft.project_id,
            files=draft.files,
            framework=draft.framework,
            version=draft.version,
            created_at=iso_ms(draft.created_at),
            updated_at=iso_ms(draft.updated_at),
        )


class TokenUsageView(View, frozen=True, kw_only=True):
    input_tokens: int
    """Read afresh: not from the model's prompt cache, nor written into it."""
    output_tokens: int
    cache_read_input_tokens: int
    cache_creation_input_tokens: int

    @classmethod
    def from_entity(cls, usage: TokenUsage) -> TokenUsageView:
        return cls(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cache_read_input_tokens=usage.cache_read_input_tokens,
            cache_creation_input_tokens=usage.cache_creation_input_tokens,
        )


class RunUsageView(TokenUsageView, frozen=True, kw_only=True):
    """The run's totals, and each completed model call's own figures in order."""

    rounds: list[TokenUsageView]

    @classmethod
    def from_run_usage(cls, usage: RunUsage) -> RunUsageView:
        total = usage.total
        return cls(
            input_tokens=total.input_tokens,
            output_tokens=total.output_tokens,
            cache_read_input_tokens=total.cache_read_input_tokens,
            cache_creation_input_tokens=total.cache_creation_input_tokens,
            rounds=[TokenUsageView.from_entity(r) for r in usage.rounds],
        )


class RunView(View, frozen=True, kw_only=True):
    id: UUID
    project_id: UUID
    source: RunSource
    status: RunStatus
    value: str
    message_id: UUID | None
    reply_message_id: UUID | None
    model: str | None
    framework: Framework | None
    stage: str | None
    claimed_by: str | None
    attempts: int
    error: str | None
    usage: RunUsageView | None
    """Tokens of the run's completed model calls; null before the first completed."""
    created_at: Timestamp
    updated_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None

    @classmethod
    def from_entity(cls, run: AgentRun) -> RunView:
        return cls(
            id=run.id,
            project_id=run.project_id,
            source=run.source,
            status=run.status,
            value=run.value,
            message_id=run.message_id,
            reply_message_id=run.reply_message_id,
            model=run.model,
            framework=run.framework,
            stage=run.stage,
            claimed_by=run.claimed_by,
            attempts=run.attempts,
            error=run.error,
            usage=None if run.usage is None else RunUsageView.from_run_usage(run.usage),
            created_at=iso_ms(run.created_at),
            updated_at=iso_ms(run.updated_at),
            started_at=iso_ms_or_none(run.started_at),
            finished_at=iso_ms_or_none(run.finished_at),
        )


class ImportView(View, frozen=True, kw_only=True):
    id: UUID
    project_id: UUID
    message_id: UUID | None
    source: ImportSource
    source_id: str
    source_name: str
    source_url: str
    status: ImportStatus
    error: str | None
    metadata: JsonObject | None
    created_at: Timestamp
    updated_at: Timestamp

    @classmethod
    def from_entity(cls, record: Import) -> ImportView:
        return cls(
            id=record.id,
            project_id=record.project_id,
            message_id=record.message_id,
            source=record.source,
            source_id=record.source_id,
            source_name=record.source_name,
            source_url=record.source_url,
            status=record.status,
            error=record.error,
            metadata=record.metadata,
            created_at=iso_ms(record.created_at),
            updated_at=iso_ms(record.updated_at),
        )


class UsageView(View, frozen=True, kw_only=True):
    plan: Plan
    credits_remaining: int | None
    """None on a plan without a limit."""
    credits_per_day: int | None
    resets_at: Timestamp | None
    """When the next credit comes back: 24 hours after the oldest spend that still counts; None
    when none counts."""
    allowed_models: list[str] = []
    """The models this plan may choose (a project's `modelPreference`, a prompt's `model`),
    the default one among them."""
