"""The closed vocabularies of the seeds, with the derived sets the rules use."""

from __future__ import annotations

from enum import StrEnum


class Framework(StrEnum):
    NEXTJS = "NEXTJS"
    ANGULAR = "ANGULAR"
    REACT = "REACT"
    VUE = "VUE"
    SVELTE = "SVELTE"


DEFAULT_FRAMEWORK = Framework.NEXTJS


class MessageRole(StrEnum):
    USER = "USER"
    ASSISTANT = "ASSISTANT"


class MessageType(StrEnum):
    RESULT = "RESULT"
    ERROR = "ERROR"
    STREAMING = "STREAMING"


class MessageStatus(StrEnum):
    PENDING = "PENDING"
    STREAMING = "STREAMING"
    COMPLETE = "COMPLETE"


class AttachmentType(StrEnum):
    IMAGE = "IMAGE"
    FIGMA_FILE = "FIGMA_FILE"
    GITHUB_REPO = "GITHUB_REPO"


class RunStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    """Stopped by a person (`POST /api/runs/{id}/cancel`): no refund, the reply as it stood."""


TERMINAL_RUN_STATUSES = frozenset({RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.CANCELLED})


class RunSource(StrEnum):
    SERVER = "SERVER"
    """Executed by our agent worker."""
    WEBCONTAINER = "WEBCONTAINER"
    """Executed by the user's browser, which claims it through the API."""


class ImportSource(StrEnum):
    FIGMA = "FIGMA"
    GITHUB = "GITHUB"


class ImportStatus(StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class SubscriptionStatus(StrEnum):
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"


PLAN_GRANTING_STATUSES = frozenset({SubscriptionStatus.ACTIVE, SubscriptionStatus.TRIALING})


class DeliveryOutcome(StrEnum):
    """What a Polar webhook delivery did, as the webhook ledger records it."""

    APPLIED = "APPLIED"
    STALE = "STALE"
    """Older than the subscription already stored: it changed nothing."""


class BillingInterval(StrEnum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


class Plan(StrEnum):
    FREE = "FREE"
    PRO = "PRO"
    UNLIMITED = "UNLIMITED"


class ProjectRole(StrEnum):
    """A person's role on a project (API.md, "Sharing"): the owner is the project's user."""

    OWNER = "OWNER"
    EDITOR = "EDITOR"
    VIEWER = "VIEWER"


class MemberRole(StrEnum):
    """The roles a member holds: every role but the owner's, which no one is given."""

    EDITOR = "EDITOR"
    VIEWER = "VIEWER"


class OAuthProvider(StrEnum):
    FIGMA = "figma"
    GITHUB = "github"
