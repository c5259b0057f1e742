"""The tabs of bench/scale.py: browser-like clients of the project channel, and their bookkeeping.

A tab checks the stream as it reads it, so that nothing but counters and arrival stamps has to be
kept for a thousand tabs: within an epoch each `seq` must be its predecessor's plus one; a `hello`
sets the count afresh (one that is not the tab's first is a snapshot fallback, counted apart).
When its connection drops, it does what the browser editor does (server/static/editor/channel.js):
waits a growing, jittered back-off, then resumes with `?since=&epoch=`, here on the next server of
the list, as a load balancer without stickiness would send it to one that is up.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.protocol import State

from bench.common import percentile

MAX_BACKOFF_SECONDS = 2.0
"""channel.js: min(2 s, 0.2 s x 2^attempt), times 0.75 to 1.25."""
OPEN_TIMEOUT_SECONDS = 60.0
FINAL_CLOSE_CODES = frozenset({4401, 4404})
"""Close codes after which a browser stops instead of reconnecting."""
CONNECT_OPTIONS = {"compression": None, "max_queue": None, "ping_interval": None}
"""No keep-alive pings: a busy client loop must not close its own tabs."""


class _Entity(msgspec.Struct, rename="camel"):
    """What a tab reads of a frame's run, message, fragment or project."""

    updated_at: str | None = None
    status: str | None = None
    claimed_by: str | None = None


class _Frame(msgspec.Struct):
    type: str
    seq: int | None = None
    epoch: str = ""
    to: int = 0
    run: _Entity | None = None
    message: _Entity | None = None
    fragment: _Entity | None = None
    project: _Entity | None = None


_decode = msgspec.json.Decoder(_Frame).decode


@dataclass
class Board:
    """What the tabs saw together, for the scenario to decide when to act: how many sequenced frames
    arrived and when the last did (wall clock), which projects streamed deltas (`streamed` is set
    once `enough_streaming` did), and each project's run as its latest `run.updated` said (seq,
    status, claimedBy)."""

    enough_streaming: int
    deliveries: int = 0
    last_delivery: float = 0.0
    streaming: set[str] = field(default_factory=set)
    streamed: asyncio.Event = field(default_factory=asyncio.Event)
    runs: dict[str, tuple[int, str, str]] = field(default_factory=dict)


class Tab:
    def __init__(self, project: str, token: str, servers: list[str], server: int, board: Board) -> None:
        self.project = project
        self.token = token
        self.servers = servers
        self.server = server
        self.board = board
        self.epoch = ""
        self.seq = 0
        """The last seq applied: the hello's, then each sequenced frame's."""
        self.seen: set[int] = set()
        self.replayed_to = 0
        """A resume's frames up to here were committed before the tab came back: no latency."""
        self.lost = self.duplicated = self.reordered = self.fallbacks = 0
        self.stamps: list[tuple[int, str]] = []
        """(arrival in ns since the epoch, the frame's entity's updatedAt), for commit-to-tab."""
        self.reconnects_ms: list[float] = []
        self.attempts = 0
        """Connections tried to come back: refused, closed before their first frame, or good."""
        self.failure: str | None = None
        self.connection: ClientConnection | None = None
        self.task: asyncio.Task[None] | None = None

    def url(self) -> str:
        base = self.servers[self.server].replace("http", "ws", 1)
        query = f"token={self.token}" + (f"&since={self.seq}&epoch={self.epoch}" if self.epoch else "")
        return f"{base}/ws/projects/{self.project}?{query}"

    async def start(self) -> None:
        """Connects and applies the hello, then follows the stream in the background until `stop`."""
        self.connection = await connect(self.url(), open_timeout=OPEN_TIMEOUT_SECONDS, **CONNECT_OPTIONS)
        self.apply(await self.connection.recv(decode=False))
        self.task = asyncio.create_task(self._follow(), name="scale-tab")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        if self.connection is not None:
            await self.connection.close()

    async def _follow(self) -> None:
        try:
            await self._read_and_reconnect()
        except Exception as error:  # a tab that stops following for any other reason is a finding
            self.failure = f"{type(error).__name__}: {error}"

    async def _read_and_reconnect(self) -> None:
        while True:
            assert self.connection is not None
            try:
                while True:
                    self.apply(await self.connection.recv(decode=False))
            except ConnectionClosed:
                pass
            if self.connection.close_code in FINAL_CLOSE_CODES:
                self.failure = f"closed with {self.connection.close_code}"
                return
            closed_at = time.monotonic()
            first = await self._reconnect()
            self.reconnects_ms.append((time.monotonic() - closed_at) * 1000)
            self.apply(first)

    async def _reconnect(self) -> bytes:
        """The first frame of a new connection, after as many attempts as it takes."""
        attempt = 0
        while True:
            delay = min(MAX_BACKOFF_SECONDS, 0.2 * 2**attempt) * random.uniform(0.75, 1.25)
            await asyncio.sleep(delay)
            attempt += 1
            self.attempts += 1
            self.server = (self.server + 1) % len(self.servers)
            try:
                self.connection = await connect(
                    self.url(), open_timeout=OPEN_TIMEOUT_SECONDS, **CONNECT_OPTIONS
                )
                async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
                    return bytes(await self.connection.recv(decode=False))
            except (OSError, TimeoutError, InvalidHandshake, ConnectionClosed):
                continue

    def apply(self, data: bytes | str) -> None:
        frame = _decode(data)
        if frame.type == "hello":
            self.fallbacks += bool(self.epoch)
            self.epoch, self.seq, self.seen, self.replayed_to = frame.epoch, frame.seq or 0, set(), 0
            return
        if frame.type == "resumed":
            self.epoch, self.replayed_to = frame.epoch, frame.to
            return
        seq = frame.seq
        if seq is None:
            return  # presence, pong, error
        if seq in self.seen:
            self.duplicated += 1
        elif seq < self.seq:
            self.reordered += 1
        elif seq > self.seq + 1:
            self.lost += seq - self.seq - 1
        self.seen.add(seq)
        self.seq = max(self.seq, seq)
        self._note(frame, seq)

    def _note(self, frame: _Frame, seq: int) -> None:
        arrived = time.time_ns()
        board = self.board
        board.deliveries += 1
        board.last_delivery = arrived / 1e9
        run = frame.run
        if frame.type == "message.delta":
            board.streaming.add(self.project)
            if len(board.streaming) >= board.enough_streaming:
                board.streamed.set()
        elif run is not None and run.status and seq > board.runs.get(self.project, (0, "", ""))[0]:
            board.runs[self.project] = (seq, run.status, run.claimed_by or "")
        entity = run or frame.message or frame.fragment or frame.project
        if entity is not None and entity.updated_at and seq > self.replayed_to:
            self.stamps.append((arrived, entity.updated_at))

    def latencies_ms(self) -> list[float]:
        """Commit-to-tab: arrival minus the updatedAt its transaction set (ms precision)."""
        return [ns / 1e6 - datetime.fromisoformat(at).timestamp() * 1000 for ns, at in self.stamps]


def tally(tabs: list[Tab], heads: dict[str, int]) -> dict[str, float]:
    """The tabs' figures: commit-to-tab and reconnect times, what they got wrong, and how many end
    elsewhere than their project's head (`heads`: project → a fresh hello's seq)."""
    latencies = [ms for tab in tabs for ms in tab.latencies_ms()]
    reconnects = [ms for tab in tabs for ms in tab.reconnects_ms]
    return {
        "commit_to_tab_p50_ms": round(percentile(latencies, 0.5), 1),
        "commit_to_tab_p99_ms": round(percentile(latencies, 0.99), 1),
        "reconnects": len(reconnects),
        "reconnect_attempts": sum(tab.attempts for tab in tabs),
        "reconnect_p50_ms": round(percentile(reconnects, 0.5), 1),
        "reconnect_p99_ms": round(percentile(reconnects, 0.99), 1),
        "reconnect_max_ms": round(max(reconnects, default=math.nan), 1),
        "lost": sum(tab.lost for tab in tabs),
        "duplicated": sum(tab.duplicated for tab in tabs),
        "reordered": sum(tab.reordered for tab in tabs),
        "snapshot_fallbacks": sum(tab.fallbacks for tab in tabs),
        "tab_failures": sum(tab.failure is not None for tab in tabs),
        "tabs_off_head": sum(tab.seq != heads[tab.project] for tab in tabs),
    }


async def open_tabs(tabs: list[Tab], concurrency: int = 100) -> None:
    """Starts every tab, at most `concurrency` handshakes in flight."""
    gate = asyncio.Semaphore(concurrency)

    async def start(tab: Tab) -> None:
        async with gate:
            await tab.start()

    await asyncio.gather(*(start(tab) for tab in tabs))


async def head(server: str, project: str, token: str) -> int:
    """The seq of a fresh tab's hello: where the project's stream is now."""
    url = f"{server.replace('http', 'ws', 1)}/ws/projects/{project}?token={token}"
    async with connect(url, open_timeout=OPEN_TIMEOUT_SECONDS, **CONNECT_OPTIONS) as connection:
        hello = _decode(await connection.recv(decode=False))
    if hello.type != "hello" or hello.seq is None:
        raise RuntimeError(f"expected a hello, got {hello.type}")
    return hello.seq


async def wait_quiet(board: Board, tabs: list[Tab], seconds: float) -> None:
    """Until no sequenced frame arrived for `seconds` and every tab that may is connected."""
    while True:
        connected = all(
            t.failure is not None or (t.connection is not None and t.connection.state is State.OPEN)
            for t in tabs
        )
        if connected and time.time() - board.last_delivery >= seconds:
            return
        await asyncio.sleep(0.2)
