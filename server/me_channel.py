"""`GET /ws/me`: a person's own channel (API.md): their project list and credits, live.

The services signal after each commit whose list or credits changed (channels/user_signals.py);
the channel then reads the project or the credits as they are and sends that, so signals that
race or repeat still leave the tab with what the REST routes return. Signals that arrive while
the writer is busy are merged: a project changed ten times is read once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from litestar import WebSocket, websocket

from channels.close_codes import CLOSE_INTERNAL_ERROR, CLOSE_POLICY_VIOLATION, CLOSE_UNAUTHORIZED
from channels.frames import ErrorFrame, Pong, encode
from channels.user_signals import listen_for_signals, user_channel
from domain.errors import NotFound
from domain.ids import ProjectId
from domain.rules.permissions import Action
from domain.signals import AnyUserSignal, ListingChanged
from forge.metrics import FRAMES_SENT
from server.auth import Identity
from server.client_frames import Auth, BadFrame, NotProtocol, Ping, frame_of
from server.me_frames import MeHello, ProjectListed, ProjectUnlisted, UsageUpdated, encode_me
from server.schemas import ListedProject
from server.socket_auth import TokenLease, authenticate
from server.web import WebTier

logger = logging.getLogger("forge.server")

MAX_PENDING_PROJECTS = 200
"""Changed projects a tab may have waiting; past that one fresh hello is cheaper."""
CLOSE_TIMEOUT_SECONDS = 5.0
ONLY_PING_AND_AUTH = "This channel takes `ping` and `auth` frames; prompts go to a project's channel."


@websocket("/ws/me", opt={"exclude_from_auth": True})
async def me_channel(socket: WebSocket[Any, Any, Any]) -> None:
    web: WebTier = socket.app.state.web
    await socket.accept()  # first: a browser sees close codes only on an open connection
    identity = await authenticate(socket, web)
    if identity is None:
        await socket.close(CLOSE_UNAUTHORIZED, "a valid token is required")
        return
    await MeSession(socket, web, identity).run()


class MeSession:
    def __init__(self, socket: WebSocket[Any, Any, Any], web: WebTier, identity: Identity) -> None:
        self.socket = socket
        self.web = web
        self.user_id = identity.user_id
        self.lease = TokenLease(identity, lambda: self.close(CLOSE_UNAUTHORIZED))
        self.needs_hello = True
        self.changed_projects: set[ProjectId] = set()
        self.usage_changed = False
        self.answers: list[str] = []
        self.close_code: int | None = None
        self._wake = asyncio.Event()
        self._wake.set()  # the hello goes first

    def close(self, code: int) -> None:
        """Ends the session; the writer sends `code`."""
        self.close_code = code
        self._wake.set()

    def resync(self) -> None:
        """Signals may have been missed (the broker reconnected): a fresh hello replaces the list."""
        self.needs_hello = True
        self._wake.set()

    async def run(self) -> None:
        broker = self.web.core.broker
        listener = await listen_for_signals(broker, self.user_id, self._heard)
        self.web.me_sessions.add(self)
        reader = asyncio.create_task(self._read(), name=f"me-reader-{self.user_id}")
        reader.add_done_callback(lambda _: self.close(self.close_code or 0))
        self.lease.start()
        try:
            code = await self._write()
        except Exception:  # the socket failed under the writer, or a read did
            logger.warning("the own channel of %s failed", self.user_id, exc_info=True)
            code = CLOSE_INTERNAL_ERROR
        finally:
            self.lease.stop()
            self.web.me_sessions.discard(self)
            await broker.unlisten(user_channel(self.user_id), listener)
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        if code:
            with contextlib.suppress(Exception):  # the peer may be gone
                async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                    await self.socket.close(code)

    def _heard(self, signal: AnyUserSignal) -> None:
        if isinstance(signal, ListingChanged):
            self.changed_projects.add(signal.project_id)
            if len(self.changed_projects) > MAX_PENDING_PROJECTS:
                self.needs_hello = True
        else:
            self.usage_changed = True
        self._wake.set()

    async def _write(self) -> int:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self.close_code is not None:
                return self.close_code
            answers, self.answers = self.answers, []
            for answer in answers:
                await self._send(answer)
            if self.needs_hello:
                self.needs_hello, self.changed_projects, self.usage_changed = False, set(), False
                await self._hello()
                continue
            changed, self.changed_projects = sorted(self.changed_projects, key=str), set()
            for project_id in changed:
                await self._send(await self._listing(project_id))
            if self.usage_changed:
                self.usage_changed = False
                usage = await self.web.core.services.usage.status(self.user_id)
                await self._send(encode_me(UsageUpdated(usage=usage)))

    async def _hello(self) -> None:
        services = self.web.core.services
        listed = await services.projects.list_projects(self.user_id)
        projects = [ListedProject.of(access) for access in listed]
        usage = await services.usage.status(self.user_id)
        await self._send(encode_me(MeHello(projects=projects, usage=usage)))

    async def _listing(self, project_id: ProjectId) -> str:
        try:
            access = await self.web.core.services.projects.access(self.user_id, project_id, Action.READ)
        except NotFound:
            return encode_me(ProjectUnlisted(project_id=project_id))
        return encode_me(ProjectListed(project=ListedProject.of(access)))

    async def _read(self) -> None:
        """Pings and token renewals; anything else is refused, and what is not protocol ends it."""
        while True:
            message = await self.socket.receive()
            if message["type"] == "websocket.disconnect":
                return
            try:
                frame = frame_of(message.get("text"))
            except NotProtocol:
                self.close(CLOSE_POLICY_VIOLATION)
                return
            except BadFrame as error:
                self._answer(ErrorFrame(code="invalid_frame", message=str(error), ref=error.ref))
                continue
            if isinstance(frame, Ping):
                self._answer(Pong(ref=frame.ref))
            elif isinstance(frame, Auth):
                refusal = await self.lease.renew(self.web.verifier, frame)
                if refusal is not None:
                    self._answer(refusal)
            else:
                self._answer(ErrorFrame(code="invalid_frame", message=ONLY_PING_AND_AUTH, ref=frame.ref))

    def _answer(self, frame: Pong | ErrorFrame) -> None:
        self.answers.append(encode(frame))
        self._wake.set()

    async def _send(self, text: str) -> None:
        await self.socket.send_data(text, mode="text")
        FRAMES_SENT.inc()
