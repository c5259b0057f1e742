"""The domain's SharedDocs over the update log and the broker: the draft routes, imports and the
agent edit the shared document through it, inside their own transactions."""

from __future__ import annotations

import logging
from collections.abc import Collection

from channels.broker import Broker
from channels.publisher import BROKER_ERRORS
from collab import doc_log
from collab.channel_names import KIND_UPDATE, NO_ORIGIN, doc_channel, doc_message
from domain.clock import Clock
from domain.entities import Files
from domain.ids import ProjectId
from domain.ports import Storage, WrittenCode

logger = logging.getLogger("forge.collab")


class LoggedSharedDocs:
    def __init__(self, storage: Storage, clock: Clock, broker: Broker) -> None:
        self.storage = storage
        self.clock = clock
        self.broker = broker

    async def write(
        self,
        project_id: ProjectId,
        files: Files,
        remove_others: bool,
        base: Files | None = None,
        remove: Collection[str] = (),
    ) -> WrittenCode:
        doc, _ = await doc_log.load(self.storage, self.clock, project_id)
        update = doc.write(files, remove_others, base, remove)
        if update is not None:
            await doc_log.append(self.storage, self.clock, project_id, update)
        return WrittenCode(update, doc.files())

    async def read(self, project_id: ProjectId) -> Files:
        doc, _ = await doc_log.load(self.storage, self.clock, project_id)
        return doc.files()

    async def checkpoint(self, project_id: ProjectId) -> Files:
        return (await doc_log.compact(self.storage, self.clock, project_id)).files()

    async def announce(self, project_id: ProjectId, update: bytes) -> None:
        try:
            await self.broker.broadcast(doc_channel(project_id), doc_message(KIND_UPDATE, NO_ORIGIN, update))
        except BROKER_ERRORS:  # open copies catch up from the log when their tabs resync
            logger.warning("announcing an edit of %s failed", project_id, exc_info=True)
