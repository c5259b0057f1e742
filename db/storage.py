"""Every Piccolo store behind the domain's `Storage` protocol."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager

from db.engine import Database
from db.stores.messages import PiccoloAttachmentStore, PiccoloFragmentStore, PiccoloMessageStore
from db.stores.projects import PiccoloProjectStore
from db.stores.runs import PiccoloRunStore
from db.stores.usage import PiccoloSubscriptionStore, PiccoloUsageStore


class PiccoloStorage:
    def __init__(self, database: Database) -> None:
        self.database = database
        self.projects = PiccoloProjectStore()
        self.messages = PiccoloMessageStore()
        self.attachments = PiccoloAttachmentStore()
        self.fragments = PiccoloFragmentStore()
        self.runs = PiccoloRunStore()
        self.usage = PiccoloUsageStore(can_lock_rows=database.is_postgres)
        self.subscriptions = PiccoloSubscriptionStore()

    def transaction(self) -> AbstractAsyncContextManager[None]:
        return self.database.transaction()
