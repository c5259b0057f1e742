"""Every Piccolo store behind the domain's `Storage` protocol."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from db.engine import Database
from db.stores.billing import PiccoloCustomerStore, PiccoloSubscriptionStore, PiccoloWebhookLedger
from db.stores.credits import PiccoloCreditLedger
from db.stores.docs import PiccoloDocLog
from db.stores.events import PiccoloEventLog
from db.stores.fragments import PiccoloDraftStore, PiccoloFragmentStore
from db.stores.idempotency import PiccoloIdempotencyStore
from db.stores.messages import PiccoloAttachmentStore, PiccoloMessageStore
from db.stores.oauth import PiccoloOAuthStore
from db.stores.projects import PiccoloProjectStore
from db.stores.runs import PiccoloCheckpointStore, PiccoloImportStore, PiccoloRunStore
from db.stores.sharing import PiccoloInvitationStore, PiccoloMemberStore, PiccoloProfileStore
from domain.ports import (
    AttachmentStore,
    CheckpointStore,
    CreditLedger,
    CustomerStore,
    DocLog,
    DraftStore,
    EventLog,
    FragmentStore,
    IdempotencyStore,
    ImportStore,
    InvitationStore,
    MemberStore,
    MessageStore,
    OAuthStore,
    ProfileStore,
    ProjectStore,
    RunStore,
    SubscriptionStore,
    WebhookLedger,
)


class PiccoloStorage:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.projects: ProjectStore = PiccoloProjectStore()
        self.members: MemberStore = PiccoloMemberStore()
        self.profiles: ProfileStore = PiccoloProfileStore()
        self.docs: DocLog = PiccoloDocLog()
        self.invitations: InvitationStore = PiccoloInvitationStore(can_lock_rows=database.is_postgres)
        self.messages: MessageStore = PiccoloMessageStore()
        self.attachments: AttachmentStore = PiccoloAttachmentStore()
        self.fragments: FragmentStore = PiccoloFragmentStore()
        self.drafts: DraftStore = PiccoloDraftStore()
        self.runs: RunStore = PiccoloRunStore(can_lock_rows=database.is_postgres)
        self.checkpoints: CheckpointStore = PiccoloCheckpointStore()
        self.imports: ImportStore = PiccoloImportStore(can_lock_rows=database.is_postgres)
        self.credits: CreditLedger = PiccoloCreditLedger()
        self.subscriptions: SubscriptionStore = PiccoloSubscriptionStore()
        self.customers: CustomerStore = PiccoloCustomerStore()
        self.webhooks: WebhookLedger = PiccoloWebhookLedger()
        self.oauth: OAuthStore = PiccoloOAuthStore()
        self.events: EventLog = PiccoloEventLog()
        self.idempotency: IdempotencyStore = PiccoloIdempotencyStore()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self.database.transaction()

    def snapshot(self) -> AbstractAsyncContextManager[None]:
        return self.database.snapshot()
