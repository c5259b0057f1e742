"""Fan-out in one process: one feed per project with tabs here, many tabs per feed.

A feed receives its project's frames from the broker and hands them to its tabs strictly in
`seq` order, without gaps or repeats: a frame that arrives ahead of its predecessors makes the
feed fetch the missing ones from the history first; if the history lost them, every tab is told
to resync (a fresh hello). A tab takes events of its own epoch only, and starts over on another.
Each frame is turned into text once and that one string goes to every tab. A tab's outgoing buffer
is bounded in frames and bytes: a tab that falls behind is closed with 4408, and nobody else waits
for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from channels.broker import Broker, seq_of
from channels.close_codes import CLOSE_TOO_SLOW
from domain.ids import ProjectId

logger = logging.getLogger("forge.channels")

CATCH_UP_SECONDS = 5.0
"""A quiet feed asks the broker this often whether it missed anything (a lost pub/sub frame)."""
_DELETED_MARK = b'"type":"project.deleted"'


@dataclass(frozen=True, slots=True)
class Event:
    """A sequenced frame."""

    epoch: str
    seq: int
    text: str
    ends_project: bool = False
    """A `project.deleted`: after it the tab is closed with 4404."""


@dataclass(frozen=True, slots=True)
class Direct:
    """An unsequenced frame (presence, pong, error): sent as it comes."""

    text: str


@dataclass(frozen=True, slots=True)
class Resync:
    """The tab must start over from a fresh snapshot."""


Outgoing = Event | Direct | Resync


class Tab:
    """One connected tab's outgoing side: a bounded buffer its writer drains.

    Idle tabs are most of a server's tabs, so an idle one holds only an empty list and, while its
    writer waits, one future: no deque or Event (each carries a 64-slot block).
    """

    __slots__ = ("_wakeup", "client_id", "close_code", "limit", "limit_bytes", "pending", "pending_bytes")

    def __init__(self, client_id: str, limit: int, limit_bytes: int = 16 * 1024 * 1024) -> None:
        self.client_id = client_id
        self.limit = limit
        self.limit_bytes = limit_bytes
        self.pending: list[Outgoing] = []
        self.pending_bytes = 0
        self.close_code: int | None = None
        self._wakeup: asyncio.Future[None] | None = None

    def offer(self, item: Outgoing) -> None:
        """Queues the item, or, past either limit (frames or bytes), marks the tab too slow (never
        blocks, never drops silently). Frames are shared with the other tabs, not copied: the
        byte limit bounds what a stalled tab keeps alive."""
        if self.close_code is not None:
            return
        size = len(item.text) if isinstance(item, Event | Direct) else 0
        if len(self.pending) >= self.limit or self.pending_bytes + size > self.limit_bytes:
            self.close(CLOSE_TOO_SLOW)
            return
        self.pending.append(item)
        self.pending_bytes += size
        self._wake()

    def close(self, code: int) -> None:
        if self.close_code is None:
            self.close_code = code
        self._wake()

    async def next_batch(self) -> list[Outgoing]:
        """Everything queued, once there is something or the tab is closed. The writer sends a
        batch while the next one fills: a tab falls too far behind when `limit` frames queue up
        behind the batch it is still sending."""
        while not self.pending and self.close_code is None:
            self._wakeup = asyncio.get_running_loop().create_future()
            try:
                await self._wakeup
            finally:
                self._wakeup = None
        batch, self.pending, self.pending_bytes = self.pending, [], 0
        return batch

    def _wake(self) -> None:
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)


class ProjectFeed:
    def __init__(self, project_id: ProjectId, broker: Broker) -> None:
        self.project_id = project_id
        self.broker = broker
        self.tabs: set[Tab] = set()
        self.epoch = ""
        self.last_seq = 0
        self._inbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listens first, then reads where the stream is: nothing published after the read is
        missed, and anything before it is the joining tab's snapshot or history. A project without
        a stream yet has epoch "": the first one to appear is followed from its start."""
        await self.broker.listen(self.project_id, self._receive)
        head = await self.broker.read(self.project_id)
        self.epoch, self.last_seq = head.epoch, head.seq
        self._task = asyncio.create_task(self._run(), name=f"feed-{self.project_id}")

    async def stop(self) -> None:
        await self.broker.unlisten(self.project_id, self._receive)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def catch_up(self) -> None:
        """Asks the feed to compare itself with the broker soon (after a pub/sub reconnect)."""
        self._inbox.put_nowait(("", b""))

    def _receive(self, epoch: str, frame: bytes) -> None:
        self._inbox.put_nowait((epoch, frame))

    async def _run(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that
            # coincides with its timeout, and the feed would never stop.
            try:
                async with asyncio.timeout(CATCH_UP_SECONDS):
                    epoch, frame = await self._inbox.get()
            except TimeoutError:
                epoch, frame = "", b""
            try:
                if frame and not epoch:
                    self._fan_out(Direct(frame.decode()))
                elif frame:
                    await self._sequenced(epoch, frame)
                else:
                    await self._check_broker()
            except Exception:  # a failed fetch must not end the feed; tabs resync instead
                logger.exception("feed %s failed to deliver; its tabs resync", self.project_id)
                self._fan_out(Resync())

    async def _sequenced(self, epoch: str, frame: bytes) -> None:
        seq = seq_of(frame)
        if epoch != self.epoch:
            # A stream began, or began again after the broker lost one: follow it from its start.
            # Tabs of another epoch start over when its frames reach them.
            self.epoch, self.last_seq = epoch, 0
        if seq <= self.last_seq:
            return  # already delivered (fetched from history during a gap)
        if seq > self.last_seq + 1 and not await self._fill_gap(seq - 1):
            return
        self._deliver(seq, frame)

    async def _fill_gap(self, up_to: int) -> bool:
        history = await self.broker.read(self.project_id, self.last_seq)
        if history.epoch != self.epoch or not history.complete:
            self.epoch, self.last_seq = history.epoch, history.seq
            self._fan_out(Resync())
            return False
        for frame in history.frames:
            seq = seq_of(frame)
            if seq > up_to:
                break
            self._deliver(seq, frame)
        return True

    async def _check_broker(self) -> None:
        head = await self.broker.read(self.project_id)
        if not head.epoch:
            return  # the stream is gone; the next event starts a new one, and the tabs over
        if head.epoch != self.epoch:
            self.epoch, self.last_seq = head.epoch, 0
        if head.seq > self.last_seq:
            await self._fill_gap(head.seq)

    def _deliver(self, seq: int, frame: bytes) -> None:
        self.last_seq = seq
        self._fan_out(Event(self.epoch, seq, frame.decode(), _DELETED_MARK in frame))

    def _fan_out(self, item: Outgoing) -> None:
        for tab in self.tabs:
            tab.offer(item)


class ProjectHub:
    """The feeds of this process, created with a project's first tab and stopped with its last."""

    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self.feeds: dict[ProjectId, ProjectFeed] = {}
        self._starting: dict[ProjectId, asyncio.Future[ProjectFeed]] = {}

    async def join(self, project_id: ProjectId, tab: Tab) -> ProjectFeed:
        """Registers the tab; from now on it gets every frame of the project."""
        feed = self.feeds.get(project_id)
        if feed is None:
            feed = await self._start_feed(project_id)
        feed.tabs.add(tab)  # no await since the feed started: nothing slipped past the tab
        return feed

    async def leave(self, project_id: ProjectId, tab: Tab) -> None:
        feed = self.feeds.get(project_id)
        if feed is None:
            return
        feed.tabs.discard(tab)
        if not feed.tabs and project_id not in self._starting:
            del self.feeds[project_id]
            await feed.stop()

    def tabs(self) -> list[tuple[ProjectId, Tab]]:
        return [(project_id, tab) for project_id, feed in self.feeds.items() for tab in feed.tabs]

    def catch_up_all(self) -> None:
        for feed in self.feeds.values():
            feed.catch_up()

    def close_all(self, code: int) -> None:
        for feed in self.feeds.values():
            for tab in feed.tabs:
                tab.close(code)

    async def stop(self) -> None:
        for feed in list(self.feeds.values()):
            await feed.stop()
        self.feeds.clear()

    async def _start_feed(self, project_id: ProjectId) -> ProjectFeed:
        # Two tabs joining at once must share one feed, not start two.
        starting = self._starting.get(project_id)
        if starting is not None:
            return await asyncio.shield(starting)
        future: asyncio.Future[ProjectFeed] = asyncio.get_running_loop().create_future()
        self._starting[project_id] = future
        try:
            feed = ProjectFeed(project_id, self.broker)
            await feed.start()
            self.feeds[project_id] = feed
            future.set_result(feed)
            return feed
        except BaseException as error:
            future.set_exception(error)
            raise
        finally:
            del self._starting[project_id]
