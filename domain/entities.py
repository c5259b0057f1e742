"""The entities of the seeds, as frozen Structs the stores return and the services pass around."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

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
    OAuthProvider,
    ProjectRole,
    RunSource,
    RunStatus,
    SubscriptionStatus,
)
from domain.ids import (
    AttachmentId,
    ConnectionId,
    DocUpdateId,
    DraftId,
    FragmentId,
    ImportId,
    InvitationId,
    MessageId,
    ProjectId,
    RunId,
    SpendId,
    SubscriptionId,
    UserId,
)

JsonObject = dict[str, object]
"""Free-form metadata as the seeds allow it (`metadata?: any`), always a JSON object here."""

Files = dict[str, str]
"""A tree of files: path → content."""


class Entity(msgspec.Struct, frozen=True, kw_only=True):
    pass


class Project(Entity, frozen=True, kw_only=True):
    id: ProjectId
    user_id: UserId
    name: str
    framework: Framework
    model_preference: str | None = None
    sandbox_id: str | None = None
    image_url: str | None = None
    created_at: datetime
    updated_at: datetime


class ProjectMember(Entity, frozen=True, kw_only=True):
    """Someone the project is shared with; the owner is the project's user, never a member."""

    project_id: ProjectId
    user_id: UserId
    role: MemberRole
    added_at: datetime


class Profile(Entity, frozen=True, kw_only=True):
    """How a person is shown to the others of their projects, as their latest token said."""

    user_id: UserId
    name: str | None = None
    image_url: str | None = None
    updated_at: datetime


class ProjectAccess(Entity, frozen=True, kw_only=True):
    """A project as one person reaches it: with their role on it."""

    project: Project
    role: ProjectRole


class Invitation(Entity, frozen=True, kw_only=True):
    """An invite link's terms. Only the hash of its token is kept: the token is the link's secret,
    shown once to whoever made it."""

    id: InvitationId
    project_id: ProjectId
    token_hash: str
    role: MemberRole
    expires_at: datetime
    max_uses: int
    uses: int = 0
    revoked_at: datetime | None = None
    created_by: UserId
    created_at: datetime


class Message(Entity, frozen=True, kw_only=True):
    id: MessageId
    project_id: ProjectId
    content: str
    role: MessageRole
    type: MessageType
    status: MessageStatus
    user_id: UserId | None = None
    """Who sent a USER message (the owner or a member); None for the agent's."""
    created_at: datetime
    updated_at: datetime


class Fragment(Entity, frozen=True, kw_only=True):
    id: FragmentId
    message_id: MessageId
    project_id: ProjectId
    sandbox_url: str
    title: str
    files: Files
    framework: Framework
    metadata: JsonObject | None = None
    created_at: datetime
    updated_at: datetime


class Attachment(Entity, frozen=True, kw_only=True):
    id: AttachmentId
    message_id: MessageId
    type: AttachmentType
    url: str
    size: int
    width: int | None = None
    height: int | None = None
    import_id: ImportId | None = None
    source_metadata: JsonObject | None = None
    created_at: datetime


class FragmentDraft(Entity, frozen=True, kw_only=True):
    id: DraftId
    project_id: ProjectId
    files: Files
    framework: Framework
    version: int
    created_at: datetime
    updated_at: datetime


class DocUpdate(Entity, frozen=True, kw_only=True):
    """One change of a project's shared code document (a Yjs update), or many merged into one."""

    id: DocUpdateId
    project_id: ProjectId
    data: bytes
    created_at: datetime


class CreditSpend(Entity, frozen=True, kw_only=True):
    """One credit spent: a row of the user's spend ledger. It counts against the user's credits
    for 24 hours after `spent_at`, unless it is given back before."""

    id: SpendId
    user_id: UserId
    run_id: RunId | None
    """The run the credit paid for; None once that run was deleted with its project (the credit
    still counts: deleting a project gives nothing back)."""
    spent_at: datetime
    refunded_at: datetime | None = None
    """When it was given back: the run failed on our side, or an administrator reset the user."""


class Subscription(Entity, frozen=True, kw_only=True):
    id: SubscriptionId
    user_id: UserId | None
    """None while the Polar customer is not yet linked to a user."""
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
    polar_modified_at: datetime | None = None
    """When Polar last modified the subscription, as the event applied last said: an event about
    an older state changes nothing. None for subscriptions stored before it was recorded."""
    polar_sent_at: datetime | None = None
    """When that event was sent: of two events about the same modification, the one sent later
    wins."""
    created_at: datetime
    updated_at: datetime


class Import(Entity, frozen=True, kw_only=True):
    id: ImportId
    user_id: UserId
    project_id: ProjectId
    message_id: MessageId | None = None
    source: ImportSource
    source_id: str
    source_name: str
    source_url: str
    status: ImportStatus
    error: str | None = None
    metadata: JsonObject | None = None
    created_at: datetime
    updated_at: datetime


class OAuthConnection(Entity, frozen=True, kw_only=True):
    """A stored connection; tokens stay encrypted here and are decrypted only by their callers."""

    id: ConnectionId
    user_id: UserId
    provider: OAuthProvider
    access_token_encrypted: bytes
    refresh_token_encrypted: bytes | None = None
    expires_at: datetime | None = None
    scope: str
    metadata: JsonObject | None = None
    created_at: datetime
    updated_at: datetime


class RateLimitWindow(Entity, frozen=True, kw_only=True):
    key: str
    hits: int
    window_ends_at: datetime


class TokenUsage(msgspec.Struct, frozen=True, kw_only=True):
    """Tokens of one model call, or a sum of them, as the model service counts them: `input_tokens`
    are those it read afresh, apart from those it read from its prompt cache or wrote into it."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    @property
    def total(self) -> int:
        """Every token read or written: what bounds a run (`FORGE_AGENT_MAX_TOKENS_PER_RUN`)."""
        return (
            self.input_tokens
            + self.output_tokens
            + self.cache_read_input_tokens
            + self.cache_creation_input_tokens
        )

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            input_tokens=self.input_tokens + other.input_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cache_read_input_tokens=self.cache_read_input_tokens + other.cache_read_input_tokens,
            cache_creation_input_tokens=self.cache_creation_input_tokens + other.cache_creation_input_tokens,
        )


class RunUsage(msgspec.Struct, frozen=True, kw_only=True):
    """What a run's completed model calls (its rounds) cost, one entry per call in order."""

    rounds: list[TokenUsage] = msgspec.field(default_factory=list)

    @property
    def total(self) -> TokenUsage:
        return sum(self.rounds, TokenUsage())

    def plus(self, round_usage: TokenUsage) -> RunUsage:
        return RunUsage(rounds=[*self.rounds, round_usage])


class AgentRun(Entity, frozen=True, kw_only=True):
    id: RunId
    project_id: ProjectId
    user_id: UserId
    source: RunSource
    status: RunStatus
    value: str
    """The prompt the run answers."""
    message_id: MessageId | None = None
    """The USER message that asked for the run."""
    reply_message_id: MessageId | None = None
    """The ASSISTANT message a server run streams its answer into."""
    model: str | None = None
    framework: Framework | None = None
    stage: str | None = None
    claimed_by: str | None = None
    lease_expires_at: datetime | None = None
    attempts: int = 0
    credit_consumed: bool = False
    """Whether a credit was spent for this run, so a failure not caused by the user refunds it."""
    error: str | None = None
    usage: RunUsage | None = None
    """Tokens of the run's completed model calls; None until its first call completed."""
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None


class RunCheckpoint(Entity, frozen=True, kw_only=True):
    """A server run as it stood after its last completed round, so that the attempt taking it over
    after a crash goes on from there instead of starting again. Gone once the run ended."""

    run_id: RunId
    rounds: int
    """Model calls completed so far."""
    reply: str
    """The reply's text at the end of that round."""
    state: JsonObject
    """What the worker needs to go on (its conversation with the model, what it saw and wrote of
    the code), in the worker's own encoding: the domain only keeps it."""
    updated_at: datetime


class RunQueue(msgspec.Struct, frozen=True, kw_only=True):
    """The server runs waiting for a worker: how many, and when the oldest of them was asked for."""

    depth: int
    oldest_created_at: datetime | None

    def oldest_wait(self, now: datetime) -> timedelta:
        """How long the oldest has waited by `now` (nothing waiting: zero)."""
        if self.oldest_created_at is None:
            return timedelta(0)
        return max(timedelta(0), now - self.oldest_created_at)
