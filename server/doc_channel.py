"""`GET /ws/projects/{projectId}/doc`: the shared code of a project over the standard
y-websocket protocol (API.md), so any Yjs client connects. The same authentication, roles and
close codes as the project channel: a VIEWER syncs and watches, but their updates are refused
with a permission-denied message and not applied (their client then starts over from the
server's document)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.params import FromPath

from channels.close_codes import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_NOT_FOUND,
    CLOSE_POLICY_VIOLATION,
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHORIZED,
)
from channels.frames import encode
from collab import awareness as awareness_updates
from collab.live import LiveDoc
from collab.protocol import (
    AwarenessMessage,
    BadMessage,
    Message,
    QueryAwareness,
    SyncStep1,
    SyncUpdate,
    awareness,
    parse,
    permission_denied,
    sync_step1,
    sync_step2,
)
from domain.enums import ProjectRole
from domain.errors import NotFound
from domain.ids import ProjectId
from domain.rules.permissions import Action
from server.auth import Identity
from server.client_frames import Auth, BadFrame, NotProtocol, parse_frame
from server.message_budget import (
    DOC_BYTE_BURST,
    DOC_BYTES_PER_SECOND,
    DOC_MESSAGE_BURST,
    DOC_MESSAGES_PER_SECOND,
    MessageBudget,
)
from server.socket_auth import TokenLease, authenticate
from server.web import WebTier

logger = logging.getLogger("forge.server")

MAX_DOC_FRAME_BYTES = 8 * 1024 * 1024
SEND_BUFFER_FRAMES = 1024
"""Frames queued for a tab before it counts as too slow (closed with 4408; it syncs again)."""
CLOSE_TIMEOUT_SECONDS = 5.0
READ_ONLY = "You can view this project; its owner or an editor can change the code."


@websocket("/ws/projects/{project_id:uuid}/doc", opt={"exclude_from_auth": True})
async def doc_channel(socket: WebSocket[Any, Any, Any], project_id: FromPath[UUID]) -> None:
    web: WebTier = socket.app.state.web
    await socket.accept()  # first: a browser sees close codes only on an open connection
    identity = await authenticate(socket, web)
    if identity is None:
        await socket.close(CLOSE_UNAUTHORIZED, "a valid token is required")
        return
    try:
        access = await web.core.services.projects.access(identity.user_id, ProjectId(project_id), Action.READ)
    except NotFound:
        await socket.close(CLOSE_NOT_FOUND, "no such project")
        return
    await DocSession(socket, web, identity, access.role, ProjectId(project_id)).run()


class DocSession:
    """One tab on a shared document: a Peer of the document (collab/live.py)."""

    def __init__(
        self,
        socket: WebSocket[Any, Any, Any],
        web: WebTier,
        identity: Identity,
        role: ProjectRole,
        project_id: ProjectId,
    ) -> None:
        self.socket = socket
        self.web = web
        self.user_id: str = identity.user_id
        self.shown = {"userId": identity.user_id, "name": identity.name or identity.user_id}
        self.role = role
        self.project_id = project_id
        self.client_ids: set[int] = set()
        self.lease = TokenLease(identity, lambda: self.close(CLOSE_UNAUTHORIZED))
        self._outgoing: asyncio.Queue[bytes | str | None] = asyncio.Queue()
        """Binary y-websocket messages, and the rare text `error` answering an `auth` frame."""
        self.close_code: int | None = None
        self.messages = MessageBudget(DOC_MESSAGES_PER_SECOND, DOC_MESSAGE_BURST)
        self.bytes = MessageBudget(DOC_BYTES_PER_SECOND, DOC_BYTE_BURST)

    def send(self, frame: bytes | str) -> None:
        if self._outgoing.qsize() >= SEND_BUFFER_FRAMES:
            self.close(CLOSE_TOO_SLOW)
            return
        self._outgoing.put_nowait(frame)

    def close(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
            self._outgoing.put_nowait(None)

    async def run(self) -> None:
        docs = self.web.docs
        try:
            live = await docs.join(self.project_id, self)
        except Exception:
            logger.exception("the shared document of %s could not be opened", self.project_id)
            await self._close(CLOSE_INTERNAL_ERROR)
            return
        self.send(sync_step1(live.doc.state()))
        everyone = live.awareness.everyone()
        if everyone is not None:
            self.send(awareness(everyone))
        reader = asyncio.create_task(self._read(live), name=f"doc-reader-{self.project_id}")
        reader.add_done_callback(lambda _: self.close(0))
        self.lease.start()
        try:
            await self._write()
        finally:
            self.lease.stop()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
            await docs.leave(live, self)
        if self.close_code:
            await self._close(self.close_code)

    async def _write(self) -> None:
        while (frame := await self._outgoing.get()) is not None:
            try:
                await self.socket.send_data(frame, mode="text" if isinstance(frame, str) else "binary")
            except Exception:  # the tab went away under the writer
                self.close(0)
                return

    async def _read(self, live: LiveDoc) -> None:
        while True:
            message = await self.socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            frame, text = message.get("bytes"), message.get("text")
            size = len(frame) if isinstance(frame, bytes) else len(text) if isinstance(text, str) else 0
            if not (self.messages.take() and self.bytes.take(size)):
                logger.warning("a socket on the shared code of %s sent too many messages", self.project_id)
                self.close(CLOSE_POLICY_VIOLATION)
                return
            try:
                if isinstance(text, str):
                    await self._renew(text)
                    continue
                if not isinstance(frame, bytes) or len(frame) > MAX_DOC_FRAME_BYTES:
                    raise BadMessage("frames are binary y-websocket messages of at most 8 MiB")
                await self._handle(live, parse(frame))
            except BadMessage:
                self.close(CLOSE_POLICY_VIOLATION)
                return
            except Exception:
                logger.exception("a shared-document message of %s failed", self.project_id)
                self.close(CLOSE_INTERNAL_ERROR)
                return

    async def _handle(self, live: LiveDoc, message: Message) -> None:
        if isinstance(message, SyncStep1):
            try:
                self.send(sync_step2(live.doc.update(message.state)))
            except ValueError:
                raise BadMessage("not a state vector") from None
        elif isinstance(message, AwarenessMessage):
            await self._announce(live, awareness_updates.decode(message.update))
        elif isinstance(message, QueryAwareness):
            everyone = live.awareness.everyone()
            if everyone is not None:
                self.send(awareness(everyone))
        elif self.role == ProjectRole.VIEWER:
            # A viewer's step 2 answers the server's step 1 and carries the whole delete set, so
            # it is never empty: it is dropped quietly. An update is an edit: refused out loud.
            if isinstance(message, SyncUpdate):
                self.send(permission_denied(READ_ONLY))
        else:  # step 2 or an update: both carry an update
            await self.web.docs.edit(live, self, message.update)

    async def _renew(self, text: str) -> None:
        """The one text frame: `{"type":"auth","token"}` renews the tab's token, as on the project
        channel (y-websocket has no frame for it); its refusal is answered as a text `error`."""
        try:
            frame = parse_frame(text)
        except (NotProtocol, BadFrame):
            raise BadMessage("the only text frame is an auth frame") from None
        if not isinstance(frame, Auth):
            raise BadMessage("the only text frame is an auth frame")
        refusal = await self.lease.renew(self.web.verifier, frame)
        if refusal is not None:
            self.send(encode(refusal))

    async def _announce(self, live: LiveDoc, entries: list[awareness_updates.Entry]) -> None:
        """Speaks only for this tab's own clients, stamped with who the tab really is."""
        mine = []
        for entry in entries:
            if entry.client_id not in self.client_ids and entry.client_id in live.awareness.entries:
                continue  # another tab's client
            self.client_ids.add(entry.client_id)
            mine.append(entry._replace(state=awareness_updates.stamped(entry.state, self.shown)))
        await self.web.docs.announce_presence(live, self, mine)

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):  # the peer may be gone
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                await self.socket.close(code)
