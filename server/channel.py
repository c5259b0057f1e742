"""`GET /ws/projects/{projectId}`: one project's live channel for one tab (API.md).

Joining: register with the project's feed first (frames start buffering), then send `resumed` and
the missed frames (from the feed's recent frames, else the broker's history) if the tab's
`since`/`epoch` allow it, else a `hello` from the state the feed shares with the tabs joining about
now; buffered frames the tab already has (seq at or below what it was sent) are skipped. Only the
writer sends; the reader turns the tab's frames into service calls and queues their answers.

Most tabs sit idle, so each costs little: the handler's own task is the writer, the reader is the
one other task, and the token and resume point are read from the raw scope rather than through
Litestar's cached header and query objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.params import FromPath

from channels.close_codes import (
    CLOSE_FORBIDDEN,
    CLOSE_INTERNAL_ERROR,
    CLOSE_NOT_FOUND,
    CLOSE_POLICY_VIOLATION,
    CLOSE_UNAUTHORIZED,
)
from channels.feed import ProjectFeed
from channels.frames import (
    ErrorFrame,
    Pong,
    PresenceClient,
    PresenceJoined,
    PresenceLeft,
    Resumed,
    encode,
    hello_frame,
)
from channels.tab import Direct, Event, Tab
from channels.watchers import member_change
from domain.enums import ProjectRole
from domain.errors import DomainError, NotFound
from domain.ids import ProjectId, UserId
from domain.rules.permissions import Action
from domain.views import iso_ms
from forge.metrics import COMMIT_TO_TAB, FRAMES_SENT, OPEN_TABS
from server.auth import Identity
from server.client_frames import Auth, BadFrame, DraftPut, NotProtocol, Ping, Prompt, frame_of
from server.errors import error_frame
from server.prompt_refs import PromptRefs
from server.socket_auth import TokenLease, authenticate
from server.socket_scope import resume_point
from server.web import WebTier

logger = logging.getLogger("forge.server")

CLOSE_TIMEOUT_SECONDS = 5.0
TAB_GONE = 0
"""Not a close code: the tab went away, so there is nobody to send one to."""


class NotWatching(Exception):
    """The tab's user may not watch the project (any more)."""


@websocket("/ws/projects/{project_id:uuid}", opt={"exclude_from_auth": True})
async def project_channel(socket: WebSocket[Any, Any, Any], project_id: FromPath[UUID]) -> None:
    web: WebTier = socket.app.state.web
    # Accept first: a browser sees close codes only on an open connection.
    await socket.accept()
    identity = await authenticate(socket, web)
    if identity is None:
        await socket.close(CLOSE_UNAUTHORIZED, "a valid token is required")
        return
    role = await _role(web, identity.user_id, ProjectId(project_id))
    if role is None:
        await socket.close(CLOSE_NOT_FOUND, "no such project")
        return
    await TabSession(socket, web, identity, role, ProjectId(project_id)).run()


async def _role(web: WebTier, user_id: UserId, project_id: ProjectId) -> ProjectRole | None:
    """The user's role, None if they may not watch: the service's access check, asked only when
    no feed of this process knows who may watch the project."""

    async def check() -> ProjectRole | None:
        try:
            return (await web.core.services.projects.access(user_id, project_id, Action.READ)).role
        except NotFound:
            return None

    return await web.hub.role_of(project_id, user_id, check)


class TabSession:
    def __init__(
        self,
        socket: WebSocket[Any, Any, Any],
        web: WebTier,
        identity: Identity,
        role: ProjectRole,
        project_id: ProjectId,
    ):
        self.socket = socket
        self.web = web
        self.user_id = identity.user_id
        self.name, self.image_url = identity.name, identity.image_url
        self.lease = TokenLease(identity, lambda: self.tab.close(CLOSE_UNAUTHORIZED))
        self.role = role
        """As it was when the tab joined: what its presence entry shows. Writes ask the services,
        which read the role as it is."""
        self.project_id = project_id
        self.tab = Tab(
            client_id=str(uuid.uuid4()),
            limit=web.settings.ws_send_buffer_frames,
            limit_bytes=web.settings.ws_send_buffer_bytes,
        )
        self.epoch = ""
        """The stream this tab follows; an event of another makes it start over."""
        self.watermark = 0
        """The highest seq this tab has been sent (or that its snapshot covers)."""
        self.prompts = PromptRefs()
        self.feed: ProjectFeed
        """This process's feed of the project, from the moment the tab joined it."""

    async def run(self) -> None:
        web, project_id = self.web, self.project_id
        self.feed = await web.hub.join(project_id, self.tab)
        OPEN_TABS.inc()
        try:
            code = await self._serve()
            if code is not None:
                # Before leaving the hub: a server shutting down waits for the hub to empty, then
                # closes whatever is left with uvicorn's 1012; this tab was promised its code.
                with contextlib.suppress(Exception):  # the peer may be gone or never read again
                    async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                        await self.socket.close(code)
        finally:
            OPEN_TABS.dec()
            await web.hub.leave(project_id, self.tab)
            await self._announce_leave()

    async def _serve(self) -> int | None:
        """Runs reader and writer until one ends; returns the close code to send, if any."""
        try:
            await self._announce_join()
            await self._start()
        except (NotFound, NotWatching):
            return CLOSE_NOT_FOUND
        except Exception:  # e.g. the database or broker did not answer in time: the tab retries
            logger.exception("tab %s of project %s could not start", self.tab.client_id, self.project_id)
            return CLOSE_INTERNAL_ERROR
        reader = asyncio.create_task(self._read(), name=f"tab-reader-{self.tab.client_id}")
        # Whatever ends the reader (the tab left, or broke the protocol) ends the writer too.
        reader.add_done_callback(lambda _: self.tab.close(TAB_GONE))
        self.lease.start()
        try:
            code = await self._write()
        except Exception:  # the socket failed under the writer: the tab went away
            code = TAB_GONE
        finally:
            self.lease.stop()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        return None if code == TAB_GONE else code

    async def _start(self) -> None:
        since, epoch = resume_point(self.socket)
        if since is None or not epoch or not await self._resume(since, epoch):
            await self._hello()

    async def _resume(self, since: int, epoch: str) -> bool:
        """Sends `resumed` and the frames after `since`, from this feed's recent frames or else
        the broker's history; False if neither holds them all (the tab needs a hello)."""
        recent = self.feed.frames_after(epoch, since)
        if recent is not None:
            frames, last = [(event.text, event.member) for event in recent], self.feed.last_seq
        else:
            history = await self.web.core.broker.read(self.project_id, since)
            if history.epoch != epoch or not history.complete:
                return False
            frames, last = [(f.decode(), member_change(f)) for f in history.frames], history.seq
        await self._send(encode(Resumed(epoch=epoch, from_=since + 1, to=last)))
        for text, member in frames:
            await self._send(text)
            if member is not None and member.removes(self.user_id):
                self.tab.close(CLOSE_FORBIDDEN)  # the writer sends it before anything else
        self.epoch, self.watermark = epoch, last
        return True

    async def _hello(self) -> None:
        """The hello state the feed shares with every tab joining about now, brought up to where
        this tab joined with the feed's recent frames (a fresh state of its own when those no
        longer reach back to the shared one)."""
        hellos, feed = self.web.hellos, self.feed
        shared = await feed.shared_hello(lambda: hellos.load(self.project_id))
        recent = feed.frames_after(shared.epoch, shared.seq)
        if recent is None and shared.seq < feed.last_seq:
            shared, recent = await hellos.load(self.project_id), []
        role = shared.roles.get(self.user_id)
        for event in recent or ():  # the hello is sent with these frames: they count too
            if event.member is not None and event.member.user_id == self.user_id:
                role = event.member.role
        if role is None:
            raise NotWatching()
        await self._send(hello_frame(shared.state, self.tab.client_id, role, feed.presence.listed()))
        self.epoch, self.watermark = shared.epoch, shared.seq
        for event in recent or ():
            await self._send(event.text)
            self.watermark = event.seq

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
                    if item.committed_at is not None:  # clocks of two machines may differ a little
                        COMMIT_TO_TAB.observe(max(0.0, time.time() - item.committed_at))
                    if item.ends_project:
                        return CLOSE_NOT_FOUND
                    if item.member is not None and item.member.removes(self.user_id):
                        return CLOSE_FORBIDDEN
                elif isinstance(item, Direct):
                    await self._send(item.text)
                else:  # a resync, or an event of a stream that replaced the one this tab followed
                    try:
                        await self._hello()
                    except NotFound:  # deleted while the tab was resyncing
                        return CLOSE_NOT_FOUND
                    except NotWatching:  # removed while the tab was resyncing
                        return CLOSE_FORBIDDEN
            if tab.close_code is not None:
                return tab.close_code

    async def _read(self) -> None:
        while True:
            message = await self.socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                frame = frame_of(message.get("text"))
            except NotProtocol:
                self.tab.close(CLOSE_POLICY_VIOLATION)
                return
            except BadFrame as error:
                self._answer(ErrorFrame(code="invalid_frame", message=str(error), ref=error.ref))
                continue
            await self._handle(frame)

    async def _handle(self, frame: Ping | Prompt | DraftPut | Auth) -> None:
        if isinstance(frame, Ping):
            self._answer(Pong(ref=frame.ref))
            return
        if isinstance(frame, Auth):
            refusal = await self.lease.renew(self.web.verifier, frame)
            if refusal is not None:
                self._answer(refusal)
            return
        services = self.web.core.services
        try:
            await self.web.limits.write(self.user_id)
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
        post = self.web.core.services.messages.post_message
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
        FRAMES_SENT.inc()

    async def _announce_join(self) -> None:
        client = PresenceClient(
            client_id=self.tab.client_id,
            user_id=self.user_id,
            name=self.name,
            image_url=self.image_url,
            role=self.role,
            joined_at=iso_ms(self.web.core.clock.now()),
        )
        self.feed.presence.joined(client)  # in this tab's own hello, before the broadcast comes back
        count = await self.web.presence.join(self.project_id, client)
        await self.web.core.broker.broadcast(
            self.project_id, encode(PresenceJoined(client=client, count=count)).encode()
        )

    async def _announce_leave(self) -> None:
        self.feed.presence.left(self.tab.client_id)
        with contextlib.suppress(Exception):  # leaving must finish even if the broker is down
            count = await self.web.presence.leave(self.project_id, self.tab.client_id)
            left = PresenceLeft(client_id=self.tab.client_id, count=count)
            await self.web.core.broker.broadcast(self.project_id, encode(left).encode())
