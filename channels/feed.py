"""One project's feed in this process: its frames from the broker to every tab here.

A feed hands its project's frames to its tabs strictly in `seq` order, without gaps or repeats: a
frame that arrives ahead of its predecessors makes the feed fetch the missing ones from the history
first; if the history lost them, every tab is told to resync (a fresh hello). Each frame is turned
into text once and that one string goes to every tab.

Joining costs the same whatever the number of tabs already there: the feed keeps the frames it
delivered lately, so tabs joining together share one hello state (caught up from those frames)
and a resuming tab is served from them; it knows who may watch from the hellos made here and the
member events it delivers, and who is watching from the presence frames that pass through it;
and past the hello's list of watchers it sends presence changes to its tabs as a summary now and
then instead of one frame per tab per join.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

import msgspec

from channels.broker import Broker, seq_of
from channels.frames import PresenceJoined, PresenceLeft
from channels.hellos import SharedHello
from channels.presence import PRESENCE_LIST_LIMIT, Presence, PresenceView
from channels.tab import Direct, Event, Outgoing, Resync, Tab
from channels.watchers import Watchers, member_change
from domain.ids import ProjectId
from forge.logs import detached

logger = logging.getLogger("forge.channels")

CATCH_UP_SECONDS = 5.0
"""A quiet feed asks the broker this often whether it missed anything (a lost pub/sub frame)."""
RECENT_FRAMES = 1024
RECENT_BYTES = 4 * 1024 * 1024
"""The frames a feed keeps after delivering them, to catch joining and resuming tabs up."""
PRESENCE_SUMMARY_SECONDS = 1.0
"""Past the hello's list of watchers, tabs hear of presence changes this often, at most."""
_DELETED_MARK = b'"type":"project.deleted"'
_presence_decoder = msgspec.json.Decoder(PresenceJoined | PresenceLeft)


class ProjectFeed:
    def __init__(
        self,
        project_id: ProjectId,
        broker: Broker,
        presence: Presence,
        presence_summary_seconds: float = PRESENCE_SUMMARY_SECONDS,
    ) -> None:
        self.project_id = project_id
        self.presence_summary_seconds = presence_summary_seconds
        self.broker = broker
        self.presence_store = presence
        self.tabs: set[Tab] = set()
        self.epoch = ""
        self.last_seq = 0
        self.presence = PresenceView()
        self.watchers = Watchers()
        self._recent: deque[Event] = deque()
        self._recent_bytes = 0
        self._hello: SharedHello | None = None
        self._loading: asyncio.Future[SharedHello] | None = None
        self._presence_summary: Direct | None = None
        self._reload_presence = False
        self._inbox: asyncio.Queue[tuple[str, bytes, float | None]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listens first, then reads where the stream is and who watches: nothing published after
        the reads is missed, and anything before them is in the joining tab's snapshot or history.
        A project without a stream yet has epoch "": the first one to appear is followed from its
        start."""
        await self.broker.listen(self.project_id, self._receive)
        head = await self.broker.read(self.project_id)
        self.epoch, self.last_seq = head.epoch, head.seq
        self.presence.load(await self.presence_store.everyone(self.project_id))
        # The feed serves every tab of the project here, not only the one whose connection started it.
        self._task = asyncio.create_task(self._run(), name=f"feed-{self.project_id}", context=detached())

    async def stop(self) -> None:
        await self.broker.unlisten(self.project_id, self._receive)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def catch_up(self) -> None:
        """Asks the feed to compare itself with the broker, and to read again who watches, soon:
        after a pub/sub reconnect, frames of either kind may have been missed."""
        self._reload_presence = True
        self._inbox.put_nowait(("", b"", None))

    async def shared_hello(self, load: Callable[[], Awaitable[SharedHello]]) -> SharedHello:
        """A hello state this feed's recent frames can bring up to date: the last one made here if
        they still reach back to it, else a new one, made once for every tab asking meanwhile."""
        hello = self._hello
        # One ahead of this feed is fine too: its frames in between are on their way to the tabs.
        if (
            hello is not None
            and hello.epoch == self.epoch
            and (hello.seq >= self.last_seq or self.frames_after(hello.epoch, hello.seq) is not None)
        ):
            return hello
        if self._loading is None:
            self._loading = asyncio.ensure_future(self._load(load))
        return await asyncio.shield(self._loading)

    def frames_after(self, epoch: str, seq: int) -> list[Event] | None:
        """The delivered frames after `seq`, if this feed still has all of them (None if not, or
        if `seq` is beyond what it delivered)."""
        if epoch != self.epoch or seq > self.last_seq:
            return None
        if seq == self.last_seq:
            return []
        if not self._recent or self._recent[0].seq > seq + 1:
            return None
        return [event for event in self._recent if event.seq > seq]

    def _receive(self, epoch: str, frame: bytes, committed_at: float | None) -> None:
        self._inbox.put_nowait((epoch, frame, committed_at))

    async def _load(self, load: Callable[[], Awaitable[SharedHello]]) -> SharedHello:
        try:
            hello = self._hello = await load()
            # A hello behind what this feed delivered misses the member events in between.
            if hello.epoch == self.epoch and hello.seq >= self.last_seq:
                self.watchers.load(hello.roles, hello.seq)
            return hello
        finally:
            self._loading = None

    async def _run(self) -> None:
        while True:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation that
            # coincides with its timeout, and the feed would never stop.
            try:
                async with asyncio.timeout(CATCH_UP_SECONDS):
                    epoch, frame, committed_at = await self._inbox.get()
            except TimeoutError:
                epoch, frame, committed_at = "", b"", None
            try:
                if frame and not epoch:
                    self._presence_changed(frame)
                elif frame:
                    await self._sequenced(epoch, frame, committed_at)
                else:
                    await self._check_broker()
            except Exception:  # a failed fetch must not end the feed; tabs resync instead
                logger.exception("feed %s failed to deliver; its tabs resync", self.project_id)
                self._fan_out(Resync())

    def _presence_changed(self, frame: bytes) -> None:
        change = _presence_decoder.decode(frame)
        if isinstance(change, PresenceJoined):
            self.presence.joined(change.client)
        else:
            self.presence.left(change.client_id)
        item = Direct(frame.decode())
        if len(self.presence.clients) <= PRESENCE_LIST_LIMIT and self._presence_summary is None:
            self._fan_out(item)
            return
        # A crowd: the latest change, with the count as it then is, stands for all of them.
        if self._presence_summary is None:
            asyncio.get_running_loop().call_later(self.presence_summary_seconds, self._send_presence_summary)
        self._presence_summary = item

    def _send_presence_summary(self) -> None:
        summary, self._presence_summary = self._presence_summary, None
        if summary is not None:
            self._fan_out(summary)

    async def _sequenced(self, epoch: str, frame: bytes, committed_at: float | None) -> None:
        seq = seq_of(frame)
        if epoch != self.epoch:
            # A stream began, or began again after the broker lost one: follow it from its start.
            # Tabs of another epoch start over when its frames reach them.
            self._restart(epoch)
        if seq <= self.last_seq:
            return  # already delivered (fetched from history during a gap)
        if seq > self.last_seq + 1 and not await self._fill_gap(seq - 1):
            return
        self._deliver(seq, frame, committed_at)

    async def _fill_gap(self, up_to: int) -> bool:
        history = await self.broker.read(self.project_id, self.last_seq)
        if history.epoch != self.epoch or not history.complete:
            self._restart(history.epoch)
            self.last_seq = history.seq
            self._fan_out(Resync())
            return False
        for frame in history.frames:
            seq = seq_of(frame)
            if seq > up_to:
                break
            self._deliver(seq, frame)
        return True

    async def _check_broker(self) -> None:
        if self._reload_presence:
            self._reload_presence = False
            self.presence.load(await self.presence_store.everyone(self.project_id))
        head = await self.broker.read(self.project_id)
        if not head.epoch:
            return  # the stream is gone; the next event starts a new one, and the tabs over
        if head.epoch != self.epoch:
            self._restart(head.epoch)
        if head.seq > self.last_seq:
            await self._fill_gap(head.seq)

    def _restart(self, epoch: str) -> None:
        self.epoch, self.last_seq = epoch, 0
        self._recent.clear()
        self._recent_bytes = 0
        self._hello = None
        self.watchers.forget()

    def _deliver(self, seq: int, frame: bytes, committed_at: float | None = None) -> None:
        self.last_seq = seq
        event = Event(
            self.epoch,
            seq,
            frame.decode(),
            _DELETED_MARK in frame,
            member=member_change(frame),
            committed_at=committed_at,
        )
        if event.member is not None:
            self.watchers.apply(event.member, seq)
        self._remember(event)
        self._fan_out(event)

    def _remember(self, event: Event) -> None:
        self._recent.append(event)
        self._recent_bytes += len(event.text)
        while len(self._recent) > RECENT_FRAMES or self._recent_bytes > RECENT_BYTES:
            self._recent_bytes -= len(self._recent.popleft().text)

    def _fan_out(self, item: Outgoing) -> None:
        for tab in self.tabs:
            tab.offer(item)
