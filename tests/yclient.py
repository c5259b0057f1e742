"""A test's Yjs client: the y-websocket protocol over a WebSocket, with its own pycrdt document,
as any Yjs client speaks it (sync step 1 and 2, updates, awareness)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlencode

from pycrdt import Doc, Map, Text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from collab import protocol
from collab.protocol import AwarenessMessage, SyncStep1, SyncStep2, SyncUpdate
from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET

PERMISSION_DENIED_PREFIX = bytes([protocol.MESSAGE_AUTH, protocol.PERMISSION_DENIED])


def doc_url(base_url: str, project_id: str, token: str | None) -> str:
    url = base_url.replace("http://", "ws://") + f"/ws/projects/{project_id}/doc"
    return f"{url}?{urlencode({'token': token})}" if token else url


class YClient:
    def __init__(self, connection: ClientConnection, doc: Doc[Any] | None = None) -> None:
        self.connection = connection
        self.doc: Doc[Any] = doc if doc is not None else Doc()
        self.files: Map[Text] = self.doc.get("files", type=Map)
        self.denied: list[str] = []
        self.awareness: list[bytes] = []
        self._synced = asyncio.Event()
        self._acks: asyncio.Queue[None] = asyncio.Queue()
        self._sending = True
        self._outgoing: asyncio.Queue[bytes | str] = asyncio.Queue()
        """In order: an ack's step 1 goes after the updates made before it."""
        self._subscription = self.doc.observe(self._changed)
        self._reader = asyncio.create_task(self._read())
        self._writer = asyncio.create_task(self._write())
        self.close_code: int | None = None

    def _changed(self, event: Any) -> None:
        if self._sending and event.update != b"\x00\x00":
            self._outgoing.put_nowait(protocol.sync_update(event.update))

    async def _write(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.connection.send(await self._outgoing.get())

    async def _send(self, frame: bytes | str) -> None:
        self._outgoing.put_nowait(frame)

    async def _read(self) -> None:
        try:
            async for frame in self.connection:
                if isinstance(frame, str):
                    continue
                if frame.startswith(PERMISSION_DENIED_PREFIX):
                    self.denied.append(frame[3:].decode())
                    continue
                message = protocol.parse(frame)
                if isinstance(message, SyncStep1):
                    await self._send(protocol.sync_step2(self.doc.get_update(message.state)))
                elif isinstance(message, SyncStep2):
                    self._apply(message.update)
                    self._synced.set()
                    self._acks.put_nowait(None)
                elif isinstance(message, SyncUpdate):
                    self._apply(message.update)
                elif isinstance(message, AwarenessMessage):
                    self.awareness.append(message.update)
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None

    def _apply(self, update: bytes) -> None:
        self._sending = False  # a remote change is not sent back
        try:
            self.doc.apply_update(update)
        finally:
            self._sending = True

    async def synced(self, timeout: float = 5.0) -> None:
        """Sends sync step 1 and waits for the server's step 2."""
        await self.ack(timeout)

    async def ack(self, timeout: float = 5.0) -> None:
        """Every update sent before this is stored: the server answers a step 1 only after it
        handled the messages before it."""
        await self._send(protocol.sync_step1(self.doc.get_state()))
        async with asyncio.timeout(timeout):
            await self._acks.get()

    def text(self, path: str) -> str:
        value = self.files.get(path)
        return "" if value is None else str(value)

    def contents(self) -> dict[str, str]:
        return {path: str(text) for path, text in self.files.items()}

    def type_at(self, path: str, index: int, value: str) -> None:
        """Inserts at a code-point index (pycrdt counts UTF-8 bytes)."""
        text = self.files.get(path)
        if text is None:
            self.files[path] = Text(value)
            return
        current = str(text)
        text.insert(len(current[:index].encode()), value)

    async def closed_with(self, timeout: float = 5.0) -> int | None:
        async with asyncio.timeout(timeout):
            await self._reader
        return self.close_code

    async def close(self) -> None:
        self.doc.unobserve(self._subscription)
        await self.connection.close()
        self._writer.cancel()
        for task in (self._reader, self._writer):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def open_doc(
    base_url: str,
    project_id: str,
    user: str = "alice",
    *,
    token: str | None = "default",
    doc: Doc[Any] | None = None,
) -> YClient:
    token = issue_dev_token(JWT_SECRET, user) if token == "default" else token
    connection = await connect(doc_url(base_url, project_id, token), compression=None, max_size=None)
    return YClient(connection, doc)
