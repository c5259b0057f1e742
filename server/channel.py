"""`GET /ws/projects/{projectId}`: one project's live channel for one tab (API.md).

Joining: register with the hub first (frames start buffering), then send `resumed` and the missed
frames from history if the tab's `since`/`epoch` allow it, else a `hello` snapshot; buffered frames
the tab already has (seq at or below what it was sent) are skipped. Only the writer sends; the
reader turns the tab's frames into service calls and queues their answers.

Most tabs sit idle, so each costs little: the handler's own task is the writer, the reader is the
one other task, and the token and resume point are read from the raw scope rather than through
Litestar's cached header and query objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

import msgspec
from litestar import WebSocket, websocket
from litestar.params import FromPath

from channels.broker import Head, seq_of
from channels.close_codes import (
    CLOSE_INTERNAL_ERROR,
    CLOSE_NOT_FOUND,
    CLOSE_POLICY_VIOLATION,
    CLOSE_UNAUTHORIZED,
)
from channels.frames import (
    ErrorFrame,
    Hello,
    Pong,
    PresenceClient,
    PresenceJoined,
    PresenceLeft,
    Resumed,
    encode,
)
from channels.hub import Direct, Event, Tab
from domain.enums import MessageStatus
from domain.errors import DomainError, NotFound
from domain.events import MessageDelta
from domain.ids import ProjectId, UserId
from domain.rules.streaming import apply_delta
from domain.services.snapshots import ProjectSnapshot
from domain.views import MessageView, iso_ms
from server.auth import InvalidToken
from server.authentication import bearer_token
from server.client_frames import BadFrame, DraftPut, NotProtocol, Ping, Prompt, parse_frame
from server.errors import error_frame
from server.prompt_refs import PromptRefs
from server.runtime import Runtime

logger = logging.getLogger("forge.server")

CLOSE_TIMEOUT_SECONDS = 5.0
SNAPSHOT_ATTEMPTS = 4
TAB_GONE = 0
"""Not a close code: the tab went away, so there is nobody to send one to."""
_DELTA_MARK = b'"type":"message.delta"'
_delta_decoder = msgspec.json.Decoder(MessageDelta)


@websocket("/ws/projects/{project_id:uuid}", opt={"exclude_from_auth": True})
async def project_channel(socket: WebSocket[Any, Any, Any], project_id: FromPath[UUID]) -> None:
    runtime: Runtime = socket.app.state.runtime
    # Accept first: a browser sees close codes only on an open connection.
    await socket.accept()
    user_id = await _authenticate(socket, runtime)
    if user_id is None:
        await socket.close(CLOSE_UNAUTHORIZED, "a valid token is required")
        return
    try:
        await runtime.services.projects.get(user_id, ProjectId(project_id))
    except NotFound:
        await socket.close(CLOSE_NOT_FOUND, "no such project")
        return
    await TabSession(socket, runtime, user_id, ProjectId(project_id)).run()


async def _authenticate(socket: WebSocket[Any, Any, Any], runtime: Runtime) -> UserId | None:
    token = bearer_token(_header(socket, b"authorization")) or _query(socket).get("token")
    try:
        if not token:
            raise InvalidToken("no token")
        return await runtime.verifier.verify(token)
    except InvalidToken:
        client = socket.client.host if socket.client else "unknown"
        with contextlib.suppress(DomainError):  # a refused address is refused all the same
            await runtime.services.rate_limiter.check(
                f"auth-failures:{client}", runtime.rate_limits.auth_failures
            )
        return None


class TabSession:
    def __init__(
        self, socket: WebSocket[Any, Any, Any], runtime: Runtime, user_id: UserId, project_id: ProjectId
    ):
        self.socket = socket
        self.runtime = runtime
        self.user_id = user_id
        self.project_id = project_id
        self.tab = Tab(
            client_id=str(uuid.uuid4()),
            limit=runtime.settings.ws_send_buffer_frames,
            limit_bytes=runtime.settings.ws_send_buffer_bytes,
        )
        self.epoch = ""
        """The stream this tab follows; an event of another makes it start over."""
        self.watermark = 0
        """The highest seq this tab has been sent (or that its snapshot covers)."""
        self.prompts = PromptRefs()

    async def run(self) -> None:
        runtime, project_id = self.runtime, self.project_id
        await runtime.hub.join(project_id, self.tab)
        try:
            await self._announce_join()
            code = await self._serve()
        finally:
            await runtime.hub.leave(project_id, self.tab)
            await self._announce_leave()
        if code is not None:
            with contextlib.suppress(Exception):  # the peer may be gone or never read again
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await self.socket.close(code)

    async def _serve(self) -> int | None:
        """Runs reader and writer until one ends; returns the close code to send, if any."""
        try:
            await self._start()
        except NotFound:
            return CLOSE_NOT_FOUND
        except Exception:  # e.g. the database or broker did not answer in time: the tab retries
            logger.exception("tab %s of project %s could not start", self.tab.client_id, self.project_id)
            return CLOSE_INTERNAL_ERROR
        reader = asyncio.create_task(self._read(), name=f"tab-reader-{self.tab.client_id}")
        # Whatever ends the reader (the tab left, or broke the protocol) ends the writer too.
        reader.add_done_callback(lambda _: self.tab.close(TAB_GONE))
        try:
            code = await self._write()
        except Exception:  # the socket failed under the writer: the tab went away
            code = TAB_GONE
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        return None if code == TAB_GONE else code

    async def _start(self) -> None:
        since, epoch = _resume_point(self.socket)
        if since is not None and epoch:
            history = await self.runtime.broker.read(self.project_id, since)
            if history.epoch == epoch and history.complete:
                await self._send(encode(Resumed(epoch=epoch, from_=since + 1, to=history.seq)))
                for frame in history.frames:
                    await self._send(frame.decode())
                self.epoch, self.watermark = epoch, history.seq
                return
        await self._hello()

    async def _hello(self) -> None:
        head, snapshot = await self._consistent_snapshot()
        messages = await self._caught_up(snapshot.messages, head.seq)
        presence = await self.runtime.presence.current(self.project_id)
        hello = Hello(
            epoch=head.epoch,
            seq=head.seq,
            client_id=self.tab.client_id,
            project=snapshot.project,
            messages=messages,
            fragment=snapshot.fragment,
            draft=snapshot.draft,
            runs=snapshot.runs,
            presence=presence,
        )
        await self._send(encode(hello))
        self.epoch, self.watermark = head.epoch, head.seq

    async def _consistent_snapshot(self) -> tuple[Head, ProjectSnapshot]:
        """The project's state and the point of its stream that state is at: the stream's head when
        it holds exactly the commits the state includes. A stream behind the database is brought
        up to date from the event log first (its publisher may still be at it, or have died)."""
        broker, snapshots = self.runtime.broker, self.runtime.services.snapshots
        for _ in range(SNAPSHOT_ATTEMPTS):
            head = (await broker.read(self.project_id)).head
            snapshot = await snapshots.load(self.user_id, self.project_id)
            if not head.epoch:
                head = await broker.open(self.project_id, snapshot.commit)
            if head.commit == snapshot.commit:
                return head, snapshot
            if head.commit < snapshot.commit:
                await self.runtime.publisher.catch_up(self.project_id, snapshot.commit)
        # Commits keep coming faster than we read: this state is a little ahead of the stream's
        # head, and the events in between, which the tab gets again, only repeat what it shows.
        return head, snapshot

    async def _caught_up(self, messages: list[MessageView], seq: int) -> list[MessageView]:
        """A streaming message is saved a few times a second while its deltas go out at once, so
        its stored content may lag the stream at `seq`; the deltas up to `seq` still in history
        bring it level, and the tab can take every later delta as it comes."""
        streaming = {m.id: m for m in messages if m.status == MessageStatus.STREAMING}
        if not streaming:
            return messages
        history = await self.runtime.broker.read(self.project_id, 0)
        contents = {message_id: m.content for message_id, m in streaming.items()}
        for frame in history.frames:
            if seq_of(frame) > seq:
                break
            if _DELTA_MARK not in frame:
                continue
            delta = _delta_decoder.decode(frame)
            current = contents.get(delta.message_id)
            if current is not None:
                contents[delta.message_id] = apply_delta(current, delta.offset, delta.text) or current
        return [
            msgspec.structs.replace(m, content=contents[m.id]) if m.id in contents else m for m in messages
        ]

    async def _write(self) -> int:
        tab = self.tab
        while True:
            for item in await tab.next_batch():
                if tab.close_code is not None:
                    break
                if isinstance(item, Event) and item.epoch == self.epoch:
                    if item.seq <= self.watermark:
                        continue  # the snapshot or the history already had it
                    await self._send(item.text)
                    self.watermark = item.seq
                    if item.ends_project:
                        return CLOSE_NOT_FOUND
                elif isinstance(item, Direct):
                    await self._send(item.text)
                else:  # a resync, or an event of a stream that replaced the one this tab followed
                    try:
                        await self._hello()
                    except NotFound:  # deleted while the tab was resyncing
                        return CLOSE_NOT_FOUND
            if tab.close_code is not None:
                return tab.close_code

    async def _read(self) -> None:
        while True:
            message = await self.socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            try:
                if not isinstance(text, str):
                    raise NotProtocol("frames are JSON text")
                frame = parse_frame(text)
            except NotProtocol:
                self.tab.close(CLOSE_POLICY_VIOLATION)
                return
            except BadFrame as error:
                self._answer(ErrorFrame(code="invalid_frame", message=str(error), ref=error.ref))
                continue
            await self._handle(frame)

    async def _handle(self, frame: Ping | Prompt | DraftPut) -> None:
        if isinstance(frame, Ping):
            self._answer(Pong(ref=frame.ref))
            return
        services = self.runtime.services
        try:
            await services.rate_limiter.check(f"writes:{self.user_id}", self.runtime.rate_limits.writes)
            if isinstance(frame, Prompt):
                await self._prompt(frame)
            else:
                await services.drafts.replace_files(self.user_id, self.project_id, frame.files, frame.version)
        except DomainError as error:
            self._answer(error_frame(error, frame.ref))
        except Exception:  # the tab gets an answer; the traceback goes to the log once
            logger.exception("frame %s of tab %s failed", type(frame).__name__, self.tab.client_id)
            self._answer(
                ErrorFrame(code="internal", message="Something went wrong on our side.", ref=frame.ref)
            )

    async def _prompt(self, frame: Prompt) -> None:
        """Posts the prompt once per ref: a retry gets the first answer (API.md: one credit)."""
        post = self.runtime.services.messages.post_message
        if frame.ref is None:
            await post(self.user_id, self.project_id, frame.value, frame.attachments)
            return
        replay = self.prompts.begin(frame.ref, frame)
        if replay is not None:
            if replay.refusal is not None:
                self._answer(replay.refusal)
            return
        try:
            await post(self.user_id, self.project_id, frame.value, frame.attachments)
        except DomainError as error:
            refusal = error_frame(error, frame.ref)
            self.prompts.settle(frame.ref, refusal)
            self._answer(refusal)
            return
        except BaseException:
            self.prompts.forget(frame.ref)
            raise
        self.prompts.settle(frame.ref, None)

    def _answer(self, frame: Pong | ErrorFrame) -> None:
        self.tab.offer(Direct(encode(frame)))

    async def _send(self, text: str) -> None:
        await self.socket.send_data(text, mode="text")

    async def _announce_join(self) -> None:
        client = PresenceClient(
            client_id=self.tab.client_id, user_id=self.user_id, joined_at=iso_ms(self.runtime.clock.now())
        )
        count = await self.runtime.presence.join(self.project_id, client)
        await self.runtime.broker.broadcast(
            self.project_id, encode(PresenceJoined(client=client, count=count)).encode()
        )

    async def _announce_leave(self) -> None:
        with contextlib.suppress(Exception):  # leaving must finish even if the broker is down
            count = await self.runtime.presence.leave(self.project_id, self.tab.client_id)
            left = PresenceLeft(client_id=self.tab.client_id, count=count)
            await self.runtime.broker.broadcast(self.project_id, encode(left).encode())


def _header(socket: WebSocket[Any, Any, Any], name: bytes) -> str | None:
    for key, value in socket.scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def _query(socket: WebSocket[Any, Any, Any]) -> dict[str, str]:
    return dict(parse_qsl(socket.scope["query_string"].decode("latin-1")))


def _resume_point(socket: WebSocket[Any, Any, Any]) -> tuple[int | None, str | None]:
    query = _query(socket)
    since, epoch = query.get("since"), query.get("epoch")
    try:
        return (int(since) if since is not None else None), epoch
    except ValueError:
        return None, None  # an unreadable resume point gets a fresh hello
