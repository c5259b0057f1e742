"""Every Piccolo store behind the domain's `Storage` protocol."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from db.engine import Database
from db.stores.messages import PiccoloAttachmentStore, PiccoloFragmentStore, PiccoloMessageStore
from db.stores.projects import PiccoloProjectStore
from db.stores.runs import PiccoloRunStore
from db.stores.usage import PiccoloSubscriptionStore, PiccoloUsageStore
from domain.ports import (
    AttachmentStore,
    FragmentStore,
    MessageStore,
    ProjectStore,
    RunStore,
    SubscriptionStore,
    UsageStore,
)


class PiccoloStorage:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.projects: ProjectStore = PiccoloProjectStore()
        self.messages: MessageStore = PiccoloMessageStore()
        self.attachments: AttachmentStore = PiccoloAttachmentStore()
        self.fragments: FragmentStore = PiccoloFragmentStore()
        self.runs: RunStore = PiccoloRunStore()
        self.usage: UsageStore = PiccoloUsageStore(can_lock_rows=database.is_postgres)
        self.subscriptions: SubscriptionStore = PiccoloSubscriptionStore()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self.database.transaction()
