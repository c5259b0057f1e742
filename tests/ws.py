"""A test's browser tab: a WebSocket client that keeps every frame it got and can rebuild text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.auth import issue_dev_token
from tests.conftest import JWT_SECRET

Frame = dict[str, Any]


def channel_url(base_url: str, project_id: str, **query: Any) -> str:
    url = base_url.replace("http://", "ws://") + f"/ws/projects/{project_id}"
    present = {k: v for k, v in query.items() if v is not None}
    return f"{url}?{urlencode(present)}" if present else url


class TabClient:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.frames: list[Frame] = []

    async def next(self, timeout: float = 5.0) -> Frame:
        async with asyncio.timeout(timeout):
            frame: Frame = json.loads(await self.connection.recv())
        self.frames.append(frame)
        return frame

    async def until(self, predicate: Callable[[Frame], bool], timeout: float = 5.0) -> Frame:
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.next(timeout)
                if predicate(frame):
                    return frame

    async def next_of(self, frame_type: str, timeout: float = 5.0) -> Frame:
        return await self.until(lambda f: f["type"] == frame_type, timeout)

    async def sequenced_within(self, seconds: float) -> list[Frame]:
        """The sequenced frames that arrive within `seconds` (presence and the like left out)."""
        received: list[Frame] = []
        try:
            async with asyncio.timeout(seconds):
                while True:
                    frame = await self.next(seconds)
                    if "seq" in frame:
                        received.append(frame)
        except TimeoutError:
            return received

    async def send(self, frame: Frame | str) -> None:
        await self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def closed_with(self, timeout: float = 5.0) -> int | None:
        """Reads until the server closes; the close code it sent."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    await self.next(timeout)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None

    def sequenced(self) -> list[Frame]:
        return [f for f in self.frames if "seq" in f and f["type"] not in ("hello",)]

    async def close(self) -> None:
        await self.connection.close()


async def open_tab(
    base_url: str,
    project_id: str,
    user: str = "alice",
    *,
    token: str | None = "default",
    header: bool = False,
    max_queue: int | None = 256,
    **query: Any,
) -> TabClient:
    """Connects a tab; the token goes in `?token=` unless `header` (then Authorization)."""
    token = issue_dev_token(JWT_SECRET, user) if token == "default" else token
    headers = {"Authorization": f"Bearer {token}"} if header and token else None
    url = channel_url(base_url, project_id, token=None if header else token, **query)
    connection = await connect(url, additional_headers=headers, max_queue=max_queue, compression=None)
    return TabClient(connection)


class TextRebuilder:
    """What a client does with a streamed message: start from the snapshot's content, then apply
    each delta at its offset, ignoring what it already has."""

    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.text = ""
        self.gaps: list[str] = []

    def apply(self, frame: Frame) -> None:
        if frame["type"] == "hello":
            contents = [m["content"] for m in frame["messages"] if m["id"] == self.message_id]
            self.text = contents[0] if contents else ""
        elif frame["type"] == "message.delta" and frame["messageId"] == self.message_id:
            offset = frame["offset"]
            if offset > len(self.text):
                self.gaps.append(f"delta at {offset} after only {len(self.text)} characters")
            else:
                self.text = self.text[:offset] + frame["text"]


class ShownText:
    """What a browser tab shows of one streamed message, applying frames as docs/protocol.md tells
    a client to: a whole message replaces the text; a delta extends it at its offset unless the
    tab already has that much. Every length the tab showed is kept, to see it never shrink."""

    def __init__(self, message_id: str) -> None:
        self.message_id = message_id
        self.text = ""
        self.lengths: list[int] = []

    def apply_all(self, frames: list[Frame]) -> ShownText:
        for frame in frames:
            self.apply(frame)
        return self

    def apply(self, frame: Frame) -> None:
        message = frame.get("message")
        if frame["type"].startswith("message.") and message and message["id"] == self.message_id:
            self.text = message["content"]
        elif frame["type"] == "message.delta" and frame["messageId"] == self.message_id:
            offset, text = frame["offset"], frame["text"]
            if offset + len(text) > len(self.text):
                self.text = self.text[:offset] + text
        else:
            return
        self.lengths.append(len(self.text))


async def open_me(base_url: str, user: str = "alice", *, token: str | None = "default") -> TabClient:
    """Connects a person's own channel (`/ws/me`) with the token in `?token=`."""
    token = issue_dev_token(JWT_SECRET, user) if token == "default" else token
    url = (
        base_url.replace("http://", "ws://") + "/ws/me" + (f"?{urlencode({'token': token})}" if token else "")
    )
    return TabClient(await connect(url, compression=None))
