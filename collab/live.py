"""The shared documents open in this process: one copy per project with tabs here, kept in step
with the other processes through the broker and stored in the update log.

An update from a tab is applied to the copy, stored, then passed on (to the broker and to the
other tabs here), one at a time per document: what another tab sees is already durable, and the
answer to a tab's later message follows the storing of its earlier ones. A change ends with a
checkpoint a moment later (the draft follows the document, the log is merged).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from typing import Protocol

from channels.broker import Broker
from channels.close_codes import CLOSE_FORBIDDEN, CLOSE_NOT_FOUND
from channels.watchers import member_change
from collab import doc_log
from collab.awareness import AwarenessBook, Entry, decode, encode
from collab.channel_names import (
    KIND_AWARENESS,
    KIND_UPDATE,
    doc_channel,
    doc_message,
    read_doc_message,
)
from collab.files_doc import FilesDoc
from collab.protocol import BadMessage, awareness, sync_update
from domain.clock import Clock
from domain.enums import ProjectRole
from domain.ids import ProjectId
from domain.ports import Storage

logger = logging.getLogger("forge.collab")

_DELETED_MARK = b'"type":"project.deleted"'


class Peer(Protocol):
    """A tab on a document, as the document sees it."""

    user_id: str
    role: ProjectRole
    client_ids: set[int]
    """The awareness clients this tab introduced: it speaks for them only."""

    def send(self, frame: bytes) -> None:
        """Queues a frame for the tab; never blocks."""
        ...

    def close(self, code: int) -> None: ...


class LiveDoc:
    def __init__(self, project_id: ProjectId, doc: FilesDoc) -> None:
        self.project_id = project_id
        self.doc = doc
        self.peers: set[Peer] = set()
        self.awareness = AwarenessBook()
        self.lock = asyncio.Lock()
        self.listeners: list[tuple[ProjectId, Callable[[str, bytes, float | None], None]]] = []

    def forward(self, frame: bytes, skip: Peer | None = None) -> None:
        for peer in list(self.peers):
            if peer is not skip:
                peer.send(frame)


class LiveDocs:
    def __init__(
        self,
        storage: Storage,
        broker: Broker,
        clock: Clock,
        changed: Callable[[ProjectId], None],
    ) -> None:
        self.storage = storage
        self.broker = broker
        self.clock = clock
        self.changed = changed
        """Told after each stored change (the checkpoints are scheduled from it)."""
        self.origin = uuid.uuid4().bytes
        self.docs: dict[ProjectId, LiveDoc] = {}
        self._opening: dict[ProjectId, asyncio.Lock] = {}

    async def join(self, project_id: ProjectId, peer: Peer) -> LiveDoc:
        """The project's open copy (opened from the log first if need be), with the peer in it."""
        lock = self._opening.setdefault(project_id, asyncio.Lock())
        async with lock:
            live = self.docs.get(project_id)
            if live is None:
                live = await self._open(project_id)
            live.peers.add(peer)
        return live

    async def leave(self, live: LiveDoc, peer: Peer) -> None:
        """Takes the peer out; its awareness clients leave; the last one closes the copy."""
        live.peers.discard(peer)
        gone = live.awareness.leave(peer.client_ids)
        if gone is not None:
            live.forward(awareness(gone))
            await self._publish(live, KIND_AWARENESS, gone)
        if not live.peers and self.docs.get(live.project_id) is live:
            del self.docs[live.project_id]
            for channel, listener in live.listeners:
                with contextlib.suppress(Exception):
                    await self.broker.unlisten(channel, listener)

    async def edit(self, live: LiveDoc, peer: Peer, update: bytes) -> None:
        """Applies, stores and passes on a tab's update; BadMessage if it is not one."""
        async with live.lock:
            try:
                live.doc.apply(update)
            except ValueError as error:
                raise BadMessage(str(error)) from None
            async with self.storage.transaction():
                await doc_log.append(self.storage, self.clock, live.project_id, update)
            live.forward(sync_update(update), skip=peer)
            await self._publish(live, KIND_UPDATE, update)
        self.changed(live.project_id)

    async def announce_presence(self, live: LiveDoc, peer: Peer, entries: list[Entry]) -> None:
        """Passes on a tab's awareness entries that are newer than what the document has."""
        taken = live.awareness.take(entries)
        if taken:
            update = encode(taken)
            live.forward(awareness(update), skip=peer)
            await self._publish(live, KIND_AWARENESS, update)

    def close_all(self, code: int) -> None:
        for live in self.docs.values():
            for peer in list(live.peers):
                peer.close(code)

    async def catch_up_all(self) -> None:
        """After the broker reconnected (messages may have been missed): each copy reads the log
        again and passes on to its tabs what it did not have."""
        for live in list(self.docs.values()):
            async with live.lock:
                before = live.doc.state()
                async with self.storage.transaction():
                    fresh, _ = await doc_log.load(self.storage, self.clock, live.project_id)
                live.doc.apply(fresh.update(before))
                live.forward(sync_update(live.doc.update(before)))

    async def _open(self, project_id: ProjectId) -> LiveDoc:
        async with self.storage.transaction():
            doc, _ = await doc_log.load(self.storage, self.clock, project_id)
        live = LiveDoc(project_id, doc)
        self.docs[project_id] = live
        for channel, listener in (
            (doc_channel(project_id), self._doc_listener(live)),
            (project_id, self._project_listener(live)),
        ):
            await self.broker.listen(channel, listener)
            live.listeners.append((channel, listener))
        # Updates stored between the read and the subscription: read them again (harmless twice).
        async with self.storage.transaction():
            fresh, _ = await doc_log.load(self.storage, self.clock, project_id)
        live.doc.apply(fresh.update(live.doc.state()))
        return live

    def _doc_listener(self, live: LiveDoc) -> Callable[[str, bytes, float | None], None]:
        def heard(_epoch: str, frame: bytes, _committed_at: float | None) -> None:
            message = read_doc_message(frame)
            if message is None or message.origin == self.origin:
                return
            try:
                if message.kind == KIND_UPDATE:
                    live.doc.apply(message.payload)
                    live.forward(sync_update(message.payload))
                elif message.kind == KIND_AWARENESS:
                    taken = live.awareness.take(decode(message.payload))
                    if taken:
                        live.forward(awareness(encode(taken)))
            except (ValueError, BadMessage):
                logger.warning("a shared-document message for %s could not be read", live.project_id)

        return heard

    def _project_listener(self, live: LiveDoc) -> Callable[[str, bytes, float | None], None]:
        """Member and deletion events of the project reach its document's tabs too: a removed
        member is closed with 4403, a changed role holds from the next update on."""

        def heard(_epoch: str, frame: bytes, _committed_at: float | None) -> None:
            if _DELETED_MARK in frame:
                for peer in list(live.peers):
                    peer.close(CLOSE_NOT_FOUND)
                return
            change = member_change(frame)
            if change is None:
                return
            for peer in list(live.peers):
                if peer.user_id != change.user_id:
                    continue
                if change.role is None:
                    peer.close(CLOSE_FORBIDDEN)
                else:
                    peer.role = change.role

        return heard

    async def _publish(self, live: LiveDoc, kind: int, payload: bytes) -> None:
        try:
            await self.broker.broadcast(doc_channel(live.project_id), doc_message(kind, self.origin, payload))
        except Exception:  # the others catch up from the log after their broker reconnects
            logger.warning("passing on a change of %s failed", live.project_id, exc_info=True)
