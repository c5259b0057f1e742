"""What the services need from the outside, as protocols that `db` and `channels` implement."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import NamedTuple, Protocol

from domain.entities import (
    AgentRun,
    Attachment,
    CreditSpend,
    DocUpdate,
    Files,
    Fragment,
    FragmentDraft,
    Import,
    Invitation,
    Message,
    OAuthConnection,
    Profile,
    Project,
    ProjectAccess,
    ProjectMember,
    RunCheckpoint,
    RunQueue,
    Subscription,
)
from domain.enums import DeliveryOutcome, ImportStatus, OAuthProvider, RunStatus
from domain.events import LoggedBatch, LoggedEvent, ProjectEvent
from domain.idempotency import AnyAnswer, IdempotencyRecord
from domain.ids import DocUpdateId, FragmentId, ImportId, InvitationId, MessageId, ProjectId, RunId, UserId
from domain.rules.rate_limits import Decision, RateLimit
from domain.signals import AnyUserSignal


class ProjectStore(Protocol):
    async def insert(self, project: Project) -> None: ...

    async def get(self, project_id: ProjectId) -> Project | None: ...

    async def list_for_user(self, user_id: UserId) -> list[ProjectAccess]:
        """The projects the user owns or is a member of, with their role on each, most recently
        updated first."""
        ...

    async def update(self, project: Project) -> None: ...

    async def touch(self, project_id: ProjectId, at: datetime) -> Project | None:
        """Marks the project as updated at `at` (a message or fragment changed); the project as it
        is now, None if there is none."""
        ...

    async def delete(self, project_id: ProjectId) -> None:
        """Removes the project and everything that belongs to it."""
        ...


class MemberStore(Protocol):
    async def get(self, project_id: ProjectId, user_id: UserId) -> ProjectMember | None: ...

    async def list_for_project(self, project_id: ProjectId) -> list[ProjectMember]:
        """In the order they were added."""
        ...

    async def save(self, member: ProjectMember) -> None:
        """Adds the member, or replaces the role of the one already there."""
        ...

    async def delete(self, project_id: ProjectId, user_id: UserId) -> bool:
        """False if the user was not a member."""
        ...


class ProfileStore(Protocol):
    async def get_many(self, user_ids: Sequence[UserId]) -> dict[UserId, Profile]:
        """The profiles of those users that have one."""
        ...

    async def save(self, profile: Profile) -> None:
        """Adds the profile, or replaces the user's one."""
        ...


class DocLog(Protocol):
    """Each project's shared code document as the updates that made it, oldest first. Applying
    them all, in any order and any number of times, gives the document (a CRDT)."""

    async def append(self, update: DocUpdate) -> None: ...

    async def read(self, project_id: ProjectId) -> list[DocUpdate]: ...

    async def compact(self, merged: DocUpdate, replaced: Sequence[DocUpdateId]) -> None:
        """Stores `merged` (those updates in one) and deletes exactly them: an update committed
        meanwhile by another process stays, since it was not among them."""
        ...


class InvitationStore(Protocol):
    async def insert(self, invitation: Invitation) -> None: ...

    async def get(self, invitation_id: InvitationId) -> Invitation | None: ...

    async def lock_by_token_hash(self, token_hash: str) -> Invitation | None:
        """The invitation with this token, locked until the transaction ends, so two people
        accepting a link with one use left cannot both count it."""
        ...

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: InvitationId | None = None
    ) -> list[Invitation]:
        """The invitations not revoked, newest first, starting before the invitation `before`."""
        ...

    async def count_use(self, invitation_id: InvitationId) -> None:
        """One more use, inside the transaction that locked the invitation."""
        ...

    async def revoke(self, invitation_id: InvitationId, at: datetime) -> bool:
        """Revokes the invitation; False if it was revoked already."""
        ...


class MessageStore(Protocol):
    async def insert(self, message: Message) -> None: ...

    async def get(self, message_id: MessageId) -> Message | None: ...

    async def update(self, message: Message) -> None: ...

    async def list_for_project(
        self, project_id: ProjectId, limit: int, after: MessageId | None = None
    ) -> list[Message]:
        """Oldest first, starting after the message `after`."""
        ...

    async def list_latest(self, project_id: ProjectId, limit: int) -> list[Message]:
        """The last `limit` messages, oldest of them first."""
        ...


class AttachmentStore(Protocol):
    async def insert_many(self, attachments: Sequence[Attachment]) -> None: ...

    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Attachment]: ...

    async def update(self, attachment: Attachment) -> None:
        """Rewrites the attachment's source metadata (an import finished and summarised it)."""
        ...


class FragmentStore(Protocol):
    async def get(self, fragment_id: FragmentId) -> Fragment | None: ...

    async def get_for_message(self, message_id: MessageId) -> Fragment | None: ...

    async def save(self, fragment: Fragment) -> None:
        """Inserts the fragment, or replaces the one its message already has."""
        ...

    async def list_for_messages(self, message_ids: Sequence[MessageId]) -> list[Fragment]: ...

    async def latest_for_project(self, project_id: ProjectId) -> Fragment | None: ...

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: FragmentId | None = None
    ) -> list[Fragment]:
        """Newest first, starting before the fragment `before`."""
        ...


class DraftStore(Protocol):
    async def get_for_project(self, project_id: ProjectId) -> FragmentDraft | None: ...

    async def insert_if_missing(self, draft: FragmentDraft) -> FragmentDraft:
        """The project's draft: `draft` if it had none, else the one it already has."""
        ...

    async def replace(self, draft: FragmentDraft, expected_version: int) -> bool:
        """Writes `draft` only if the stored version is still `expected_version`."""
        ...


class RunStore(Protocol):
    async def insert(self, run: AgentRun) -> None: ...

    async def get(self, run_id: RunId) -> AgentRun | None: ...

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: RunId | None = None
    ) -> list[AgentRun]:
        """Newest first, starting before the run `before`."""
        ...

    async def transition(self, run: AgentRun, expected: RunStatus) -> bool:
        """Writes `run` only if the stored run still has status `expected` (so one of two racers wins)."""
        ...

    async def update_held(self, run: AgentRun, held: AgentRun) -> bool:
        """Writes `run` only if the stored run is still `held`: same status, claimant and attempt.

        A worker whose lease expired and whose run was taken again cannot overwrite the new
        attempt's progress.
        """
        ...

    async def next_pending(self) -> AgentRun | None:
        """The oldest PENDING server run that may start now: the first in its project's line, with
        no server run of its project RUNNING, and no import of its message (linked by the import or
        by an attachment) still PENDING or PROCESSING. Inside a transaction it stays reserved for the caller
        until the transaction ends (PostgreSQL: a row lock other claimers skip)."""
        ...

    async def next_expired(self, now: datetime) -> AgentRun | None:
        """The oldest RUNNING server run whose lease ended before `now`, reserved the same way."""
        ...

    async def queue(self) -> RunQueue:
        """The PENDING server runs: how many, and the oldest one's creation time. Cheap enough to
        ask on every metrics scrape (the queue's partial index on PostgreSQL)."""
        ...


class CheckpointStore(Protocol):
    """Each running server run's latest checkpoint (at most one per run)."""

    async def save(self, checkpoint: RunCheckpoint) -> None:
        """Inserts the run's checkpoint, or replaces the one it had."""
        ...

    async def get(self, run_id: RunId) -> RunCheckpoint | None: ...

    async def delete(self, run_id: RunId) -> None:
        """Forgets the run's checkpoint, if it has one (the run ended)."""
        ...


class ImportStore(Protocol):
    async def insert(self, record: Import) -> None: ...

    async def get(self, import_id: ImportId) -> Import | None: ...

    async def list_for_project(
        self, project_id: ProjectId, limit: int, before: ImportId | None = None
    ) -> list[Import]:
        """Newest first, starting before the import `before`."""
        ...

    async def transition(self, record: Import, expected: ImportStatus) -> bool:
        """Writes `record` only if the stored import still has status `expected`."""
        ...

    async def next_pending(self) -> Import | None:
        """The oldest PENDING import, reserved for the caller until the transaction ends
        (PostgreSQL: a row lock other claimers skip)."""
        ...

    async def next_stale(self, before: datetime) -> Import | None:
        """The oldest PROCESSING import last updated before `before` (its worker is presumed
        gone), reserved the same way."""
        ...


class CreditLedger(Protocol):
    """Each user's credit spends, and the account row that makes one user's spends take turns."""

    async def lock_account(self, user_id: UserId, at: datetime) -> None:
        """Creates the user's account if missing and locks it until the transaction ends.

        Concurrent transactions locking the same user wait for each other, so a count of the
        spends and the spend it allows cannot interleave with another's.
        """
        ...

    async def counting(self, user_id: UserId, since: datetime) -> list[datetime]:
        """When each of the user's spends made after `since` and not given back was made, oldest
        first."""
        ...

    async def insert(self, spend: CreditSpend) -> None: ...

    async def refund_run(self, run_id: RunId, at: datetime) -> bool:
        """Gives back the spend that paid for the run, if it was not given back yet (False)."""
        ...

    async def refund_since(self, user_id: UserId, since: datetime, at: datetime) -> int:
        """Gives back every spend of the user made after `since`; returns how many."""
        ...


class SubscriptionStore(Protocol):
    async def list_for_user(self, user_id: UserId) -> list[Subscription]: ...

    async def get_by_polar_id(self, polar_subscription_id: str) -> Subscription | None: ...

    async def save_unless_older(self, subscription: Subscription) -> bool:
        """Inserts the subscription, or replaces the one with the same Polar id unless that one is
        of a later state: modified later (`polar_modified_at`), or at the same time by an event sent
        later (`polar_sent_at`). False when it was, and nothing was written.

        The comparison and the write are one step, so of two events racing about the same
        subscription the later state wins whatever order they commit in.
        """
        ...

    async def assign_customer(self, customer_id: str, user_id: UserId) -> int:
        """Gives every subscription of the customer that has no user to `user_id`; returns how many."""
        ...


class CustomerStore(Protocol):
    async def user_of(self, customer_id: str) -> UserId | None: ...

    async def link(self, customer_id: str, user_id: UserId, at: datetime) -> None: ...


class WebhookLedger(Protocol):
    async def first_delivery(self, webhook_id: str, event_type: str, at: datetime) -> bool:
        """Records the delivery as applied; False if this webhook id was recorded before (a replay)."""
        ...

    async def record_outcome(self, webhook_id: str, outcome: DeliveryOutcome) -> None:
        """Records what a delivery recorded by `first_delivery` turned out to do."""
        ...


class OAuthStore(Protocol):
    async def get(self, user_id: UserId, provider: OAuthProvider) -> OAuthConnection | None: ...

    async def save(self, connection: OAuthConnection) -> None:
        """Inserts, or replaces the user's connection to the same provider."""
        ...

    async def list_for_user(self, user_id: UserId) -> list[OAuthConnection]: ...

    async def delete(self, user_id: UserId, provider: OAuthProvider) -> bool: ...


class EventLog(Protocol):
    """The transactional outbox: every project's events, numbered in the order their transactions
    committed, kept until the broker has them."""

    async def append(
        self, project_id: ProjectId, events: Sequence[ProjectEvent], fence: str | None = None
    ) -> LoggedBatch:
        """Inside the caller's transaction: stores the events under the project's next numbers.

        Taking the numbers locks the project's stream until the transaction ends, so a later
        transaction of the project gets later numbers only once this one committed (or rolled
        back, which gives the numbers back): numbers follow commit order, without gaps.
        """
        ...

    async def read(self, project_id: ProjectId, after: int, upto: int) -> list[LoggedEvent]:
        """The stored events numbered `after` + 1 … `upto`, oldest first."""
        ...

    async def head(self, project_id: ProjectId) -> int:
        """The project's last number (0 before its first event)."""
        ...

    async def unpublished(self, limit: int) -> list[tuple[ProjectId, int, int]]:
        """(project, published up to, last number) of streams the broker may still miss."""
        ...

    async def mark_published(self, marks: dict[ProjectId, int]) -> None:
        """Records that the broker holds each project's events up to the number given, and forgets
        them: the broker is their copy from now on."""


class IdempotencyStore(Protocol):
    """Idempotency keys by user. Every write but the first is fenced by the reservation that
    holds the key, so a request whose lease ended cannot overwrite the one that took over."""

    async def get(self, user_id: UserId, key: str) -> IdempotencyRecord | None: ...

    async def insert(self, record: IdempotencyRecord) -> bool:
        """Inserts the record unless the user has the key already (False, even if the other
        request has not committed yet: it waits for it to end)."""
        ...

    async def replace(self, record: IdempotencyRecord, previous: IdempotencyRecord) -> bool:
        """Writes `record` over `previous` only if the stored key is still held by `previous`'s
        reservation."""
        ...

    async def complete(self, record: IdempotencyRecord, answer: AnyAnswer) -> bool:
        """Stores the first answer only if `record`'s reservation still holds the key unanswered."""
        ...

    async def release(self, record: IdempotencyRecord) -> None:
        """Deletes the key only if `record`'s reservation still holds it unanswered."""
        ...

    async def remove_created_before(self, moment: datetime) -> int:
        """Forgets the keys created before `moment`; returns how many."""
        ...


class Storage(Protocol):
    """Every store, plus the transaction that makes several of their writes one."""

    projects: ProjectStore
    members: MemberStore
    profiles: ProfileStore
    docs: DocLog
    invitations: InvitationStore
    messages: MessageStore
    attachments: AttachmentStore
    fragments: FragmentStore
    drafts: DraftStore
    runs: RunStore
    checkpoints: CheckpointStore
    imports: ImportStore
    credits: CreditLedger
    subscriptions: SubscriptionStore
    customers: CustomerStore
    webhooks: WebhookLedger
    oauth: OAuthStore
    events: EventLog
    idempotency: IdempotencyStore

    def transaction(self) -> AbstractAsyncContextManager[None]:
        """Store calls made inside the block commit together or not at all.

        Writers are serialized where the engine cannot lock rows (SQLite), so a transaction that
        reads and then writes never sees a write sneak in between.
        """
        ...

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        """Reads made inside the block see one consistent state of the database."""
        ...


class EventPublisher(Protocol):
    async def publish(self, batches: Sequence[LoggedBatch]) -> None:
        """Hands committed batches to the live stream at once. Never raises: whatever it could not
        publish (a broker outage, a crash right after the commit) the relay publishes later."""
        ...

    async def publish_live(self, project_id: ProjectId, events: Sequence[ProjectEvent], fence: str) -> None:
        """Streams frames that are not stored (a reply's deltas, a file being written) for the run
        holding `fence`, after every committed event of the project before them.

        Raises LeaseLost once the project's stream belongs to another attempt or run: a worker
        that lost its run can publish nothing. A broker that cannot be reached drops the frames
        (the run's committed end carries the whole result).
        """
        ...


class WorkerWakeups(Protocol):
    async def runs_waiting(self) -> None:
        """Tells idle workers that a run may start now (one is waiting, or one ended and the next
        of its project may go). Best effort: a worker that misses it finds the run on its next
        poll."""
        ...


class UserSignals(Protocol):
    async def send(self, signals: Sequence[AnyUserSignal]) -> None:
        """Tells the users' own channels, in every process, what changed for them. Best effort:
        a channel that misses one (the broker was away) is whole again after a reconnect."""
        ...


class NoSignals:
    """For a composition without people's own channels (and for tests of one service)."""

    async def send(self, signals: Sequence[AnyUserSignal]) -> None:
        return None


class WrittenCode(NamedTuple):
    update: bytes | None
    """What the write changed, to announce; None when nothing did."""
    files: Files
    """Every file of the document after the write (others' edits merged in)."""


class SharedDocs(Protocol):
    """Each project's shared code document (API.md: it **is** the draft). `write` and `checkpoint`
    run inside the caller's transaction; `announce` after it committed."""

    async def write(
        self,
        project_id: ProjectId,
        files: Files,
        remove_others: bool,
        base: Files | None = None,
        remove: Collection[str] = (),
    ) -> WrittenCode:
        """Makes the document's files as given with the smallest text edits (removing the files
        not given when `remove_others`, and those in `remove`). With `base`, the files as the
        writer last saw them, others' edits since then are kept (a 3-way merge)."""
        ...

    async def read(self, project_id: ProjectId) -> Files:
        """The document's files."""
        ...

    async def checkpoint(self, project_id: ProjectId) -> Files:
        """Merges the document's log into one update; the files it holds."""
        ...

    async def announce(self, project_id: ProjectId, update: bytes) -> None:
        """Tells the document's open copies in every process (best effort: they catch up)."""
        ...


class NoWakeups:
    """For a composition without workers to wake (and for tests of one service): workers poll."""

    async def runs_waiting(self) -> None:
        return None


class RateLimitStore(Protocol):
    async def hit(self, key: str, rule: RateLimit, now: datetime) -> Decision:
        """Counts one hit of `key` atomically, across every process sharing the store."""
        ...

    async def remove_expired(self, now: datetime) -> int:
        """Forgets windows that ended (seed: rateLimit.resetExpiredRateLimits); returns how many."""
        ...


class TokenCipher(Protocol):
    """Encrypts provider tokens at rest; `context` binds a ciphertext to its owner and purpose."""

    def encrypt(self, plaintext: str, context: str) -> bytes: ...

    def decrypt(self, ciphertext: bytes, context: str) -> str: ...
