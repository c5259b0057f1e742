"""Piccolo tables, one per entity of the seeds. The schema itself is made by `db/migrations`.

Indexes and composite constraints, which Piccolo columns cannot express, live only in the
migrations; `tests/db/test_migrations.py` checks that columns, keys and uniques agree.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Bytea,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class ProjectTable(Table, tablename="projects"):
    id = UUID(primary_key=True)
    user_id = Varchar(length=255)
    name = Varchar(length=255)
    framework = Varchar(length=16)
    model_preference = Varchar(length=255, null=True)
    sandbox_id = Varchar(length=255, null=True)
    image_url = Text(null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ProjectMemberTable(Table, tablename="project_members"):
    """Primary key (project_id, user_id), which Piccolo cannot declare; see COMPOSITE_PRIMARY_KEYS."""

    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    user_id = Varchar(length=255, primary_key=True)
    role = Varchar(length=16)
    added_at = Timestamptz()


class ProfileTable(Table, tablename="profiles"):
    user_id = Varchar(length=255, primary_key=True)
    name = Varchar(length=255, null=True)
    image_url = Text(null=True)
    updated_at = Timestamptz()


class InvitationTable(Table, tablename="invitations"):
    id = UUID(primary_key=True)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, unique=True)
    role = Varchar(length=16)
    expires_at = Timestamptz()
    max_uses = Integer()
    uses = Integer()
    revoked_at = Timestamptz(null=True)
    created_by = Varchar(length=255)
    created_at = Timestamptz()


class MessageTable(Table, tablename="messages"):
    id = UUID(primary_key=True)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    content = Text()
    role = Varchar(length=16)
    type = Varchar(length=16)
    status = Varchar(length=16)
    user_id = Varchar(length=255, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class FragmentTable(Table, tablename="fragments"):
    id = UUID(primary_key=True)
    message_id = ForeignKey(MessageTable, on_delete=OnDelete.cascade, unique=True, null=False)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    sandbox_url = Text()
    title = Text()
    files = JSON()
    framework = Varchar(length=16)
    metadata = JSON(null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class ImportTable(Table, tablename="imports"):
    id = UUID(primary_key=True)
    user_id = Varchar(length=255)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    message_id = ForeignKey(MessageTable, on_delete=OnDelete.set_null, null=True)
    source = Varchar(length=16)
    source_id = Text()
    source_name = Text()
    source_url = Text()
    status = Varchar(length=16)
    error = Text(null=True)
    metadata = JSON(null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AttachmentTable(Table, tablename="attachments"):
    id = UUID(primary_key=True)
    message_id = ForeignKey(MessageTable, on_delete=OnDelete.cascade, null=False)
    type = Varchar(length=16)
    url = Text()
    size = Integer()
    width = Integer(null=True)
    height = Integer(null=True)
    import_id = ForeignKey(ImportTable, on_delete=OnDelete.set_null, null=True)
    source_metadata = JSON(null=True)
    created_at = Timestamptz()


class FragmentDraftTable(Table, tablename="fragment_drafts"):
    id = UUID(primary_key=True)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, unique=True, null=False)
    files = JSON()
    framework = Varchar(length=16)
    version = Integer()
    created_at = Timestamptz()
    updated_at = Timestamptz()


class DocUpdateTable(Table, tablename="doc_updates"):
    """A project's shared code document, as the Yjs updates that made it (merged now and then)."""

    id = UUID(primary_key=True)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    data = Bytea()
    created_at = Timestamptz()


class UsageTable(Table, tablename="usage"):
    """A user's credit account: the row their spends lock, so that they take turns. The credits
    themselves are the spends of CreditSpendTable."""

    user_id = Varchar(length=255, primary_key=True)
    updated_at = Timestamptz()
    """When the user last spent (or tried to spend) a credit."""


class SubscriptionTable(Table, tablename="subscriptions"):
    id = UUID(primary_key=True)
    user_id = Varchar(length=255, null=True)
    polar_subscription_id = Varchar(length=255, unique=True)
    customer_id = Varchar(length=255)
    product_id = Varchar(length=255)
    price_id = Varchar(length=255)
    status = Varchar(length=32)
    interval = Varchar(length=16)
    current_period_start = Timestamptz()
    current_period_end = Timestamptz()
    cancel_at_period_end = Boolean()
    canceled_at = Timestamptz(null=True)
    trial_start = Timestamptz(null=True)
    trial_end = Timestamptz(null=True)
    metadata = JSON(null=True)
    polar_modified_at = Timestamptz(null=True)
    polar_sent_at = Timestamptz(null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class OAuthConnectionTable(Table, tablename="oauth_connections"):
    id = UUID(primary_key=True)
    user_id = Varchar(length=255)
    provider = Varchar(length=16)
    access_token_encrypted = Bytea()
    refresh_token_encrypted = Bytea(null=True)
    expires_at = Timestamptz(null=True)
    scope = Text()
    metadata = JSON(null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class RateLimitWindowTable(Table, tablename="rate_limit_windows"):
    key = Varchar(length=255, primary_key=True)
    hits = Integer()
    window_ends_at = Timestamptz()


class AgentRunTable(Table, tablename="agent_runs"):
    id = UUID(primary_key=True)
    project_id = ForeignKey(ProjectTable, on_delete=OnDelete.cascade, null=False)
    user_id = Varchar(length=255)
    message_id = ForeignKey(MessageTable, on_delete=OnDelete.set_null, null=True)
    reply_message_id = ForeignKey(MessageTable, on_delete=OnDelete.set_null, null=True)
    source = Varchar(length=16)
    status = Varchar(length=16)
    value = Text()
    model = Varchar(length=255, null=True)
    framework = Varchar(length=16, null=True)
    stage = Text(null=True)
    claimed_by = Varchar(length=255, null=True)
    lease_expires_at = Timestamptz(null=True)
    attempts = Integer()
    credit_consumed = Boolean()
    error = Text(null=True)
    usage = JSON(null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
    started_at = Timestamptz(null=True)
    finished_at = Timestamptz(null=True)


class RunCheckpointTable(Table, tablename="run_checkpoints"):
    """A running server run's state after its last completed round (one row per run)."""

    run_id = ForeignKey(AgentRunTable, on_delete=OnDelete.cascade, null=False, primary_key=True)
    rounds = Integer()
    reply = Text()
    state = JSON()
    updated_at = Timestamptz()


class CreditSpendTable(Table, tablename="credit_spends"):
    """The spend ledger: one row per credit spent, counting for 24 hours unless refunded."""

    id = UUID(primary_key=True)
    user_id = Varchar(length=255)
    run_id = ForeignKey(AgentRunTable, on_delete=OnDelete.set_null, null=True)
    spent_at = Timestamptz()
    refunded_at = Timestamptz(null=True)


class WebhookDeliveryTable(Table, tablename="webhook_deliveries"):
    webhook_id = Varchar(length=255, primary_key=True)
    event_type = Varchar(length=64)
    received_at = Timestamptz()
    outcome = Varchar(length=16)


class PolarCustomerTable(Table, tablename="polar_customers"):
    customer_id = Varchar(length=255, primary_key=True)
    user_id = Varchar(length=255)
    linked_at = Timestamptz()


class ProjectStreamTable(Table, tablename="project_streams"):
    """Each project's event counter: the last number given, and how far the broker has them."""

    project_id = UUID(primary_key=True)
    seq = Integer()
    published_seq = Integer()


class ProjectEventTable(Table, tablename="project_events"):
    """The outbox: events not yet known to be in the broker. Its key is (project_id, seq), which a
    Piccolo column cannot say; see COMPOSITE_PRIMARY_KEYS."""

    project_id = UUID()
    seq = Integer(primary_key=True)
    payload = Bytea()
    fence = Varchar(length=255, null=True)


class IdempotencyKeyTable(Table, tablename="idempotency_keys"):
    """Primary key (user_id, key), which Piccolo cannot declare; see COMPOSITE_PRIMARY_KEYS."""

    user_id = Varchar(length=255, primary_key=True)
    key = Varchar(length=255)
    fingerprint = Text()
    reservation_id = UUID()
    reserved_until = Timestamptz()
    answer = JSON(null=True)
    created_at = Timestamptz()


COMPOSITE_PRIMARY_KEYS: dict[str, list[str]] = {
    "project_events": ["project_id", "seq"],
    "idempotency_keys": ["user_id", "key"],
    "project_members": ["project_id", "user_id"],
}
"""Primary keys of more than one column, as the migrations declare them."""

TABLES: tuple[type[Table], ...] = (
    ProjectTable,
    ProjectMemberTable,
    ProfileTable,
    InvitationTable,
    MessageTable,
    FragmentTable,
    ImportTable,
    AttachmentTable,
    FragmentDraftTable,
    DocUpdateTable,
    UsageTable,
    SubscriptionTable,
    OAuthConnectionTable,
    RateLimitWindowTable,
    AgentRunTable,
    RunCheckpointTable,
    CreditSpendTable,
    WebhookDeliveryTable,
    PolarCustomerTable,
    ProjectStreamTable,
    ProjectEventTable,
    IdempotencyKeyTable,
)
"""In dependency order: a table comes after every table it references."""
