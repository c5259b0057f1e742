"""Co-editing: keystroke → other tabs latency with N editors on one shared document, and the
server memory an open document costs. In the same run, the floor: the bare relay of
bench/bare_ws.py, which passes each frame on to the other sockets without reading or storing it.

    .venv/bin/python bench/doc_latency.py [--editors 20] [--keystrokes 25] [--rate 5]
        [--docs 200] [--deployments embedded,scaled]

Each editor is a Yjs client (pycrdt) on its own WebSocket, all in this process; each types
`--keystrokes` single characters at random places of one file, `--rate` per second, all at once.
A keystroke's latency is from its update leaving the typist to it arriving at another editor
(every other editor counts: N-1 samples per keystroke). The server stores each update before it
passes it on, so the figures include that write (SQLite embedded, PostgreSQL scaled).

Memory per open doc: `--docs` projects, each with one tab that writes a 5 KB file, opened one
after the other; the server's RSS growth over the docs, divided by their number.
Needs PostgreSQL and Redis (as the test suite does) for the scaled deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pycrdt import Doc, Map, Text
from websockets.asyncio.client import ClientConnection, connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bare_ws import BareServe
from bench.common import (
    DEPLOYMENTS,
    create_project,
    deployment,
    heading,
    markdown_table,
    percentile,
    rss_kib,
    token,
    wait_idle,
)
from collab import protocol
from collab.protocol import SyncStep2, SyncUpdate

PATH = "app/page.tsx"
FILE_5KB = "const line = 'x';\n" * 280


class Editor:
    """One tab: a Yjs document on a socket, timing the keystrokes it receives."""

    def __init__(
        self, connection: ClientConnection, sent_at: dict[bytes, float], samples: list[float]
    ) -> None:
        self.connection = connection
        self.doc: Doc[Any] = Doc()
        self.files: Map[Text] = self.doc.get("files", type=Map)
        self.sent_at = sent_at
        self.samples = samples
        self.synced = asyncio.Event()
        self._outgoing: list[bytes] = []
        self._subscription = self.doc.observe(lambda event: self._outgoing.append(event.update))
        self._reader = asyncio.create_task(self._read())

    async def handshake(self) -> None:
        await self.connection.send(protocol.sync_step1(self.doc.get_state()))
        await self.synced.wait()

    async def type_one(self, rng: random.Random) -> None:
        text = self.files.get(PATH)
        if text is None:
            return
        current = str(text)
        at = rng.randint(0, len(current))
        text.insert(len(current[:at].encode()), rng.choice("abcdefgh"))
        pending, self._outgoing = self._outgoing, []
        for update in pending:
            self.sent_at[update] = time.perf_counter()
            await self.connection.send(protocol.sync_update(update))

    async def _read(self) -> None:
        async for frame in self.connection:
            if not isinstance(frame, bytes):
                continue
            message = protocol.parse(frame)
            if isinstance(message, SyncUpdate):
                sent = self.sent_at.get(message.update)
                if sent is not None:
                    self.samples.append(time.perf_counter() - sent)
                self._apply(message.update)
            elif isinstance(message, SyncStep2):
                self._apply(message.update)
                self.synced.set()

    def _apply(self, update: bytes) -> None:
        self.doc.apply_update(update)
        self._outgoing.clear()  # a remote change is not sent back

    async def close(self) -> None:
        await self.connection.close()
        self._reader.cancel()


async def keystrokes(url: str, editors: int, per_editor: int, rate: float, handshake: bool) -> list[float]:
    sent_at: dict[bytes, float] = {}
    samples: list[float] = []
    tabs = [
        Editor(await connect(url, compression=None, max_size=None), sent_at, samples) for _ in range(editors)
    ]
    if handshake:
        for tab in tabs:
            await tab.handshake()
    seed = tabs[0]
    seed.files[PATH] = Text(FILE_5KB)
    for update in seed._outgoing:
        await seed.connection.send(protocol.sync_update(update))
        for other in tabs[1:]:
            other._apply(update)  # everyone starts from the same file, whichever server
    seed._outgoing.clear()
    await asyncio.sleep(0.5)
    samples.clear()

    async def typist(tab: Editor, rng: random.Random) -> None:
        await asyncio.sleep(rng.random() / rate)
        for _ in range(per_editor):
            await tab.type_one(rng)
            await asyncio.sleep(1 / rate)

    await asyncio.gather(*(typist(tab, random.Random(i)) for i, tab in enumerate(tabs)))
    await asyncio.sleep(1.0)
    for tab in tabs:
        await tab.close()
    return samples


async def memory_per_doc(server: Any, docs: int) -> float:
    projects = [create_project(server.url, f"Doc {i}") for i in range(docs)]
    wait_idle(server.process.pid)
    before = rss_kib(server.process.pid)
    tabs = []
    for project_id in projects:
        url = server.ws_url(f"/ws/projects/{project_id}/doc?token={token()}")
        tab = Editor(await connect(url, compression=None, max_size=None), {}, [])
        await tab.handshake()
        tab.files[PATH] = Text(FILE_5KB)
        for update in tab._outgoing:
            await tab.connection.send(protocol.sync_update(update))
        tab._outgoing.clear()
        tabs.append(tab)
    await asyncio.sleep(2.0)
    wait_idle(server.process.pid)
    after = rss_kib(server.process.pid)
    for tab in tabs:
        await tab.close()
    return (after - before) / docs


def row(name: str, samples: list[float], floor_p99: float | None) -> list[object]:
    p50, p99 = percentile(samples, 0.5) * 1000, percentile(samples, 0.99) * 1000
    ratio = "" if floor_p99 is None else f"{p99 / (floor_p99 * 1000):.1f}x"
    return [name, len(samples), f"{p50:.1f}", f"{p99:.1f}", f"{max(samples) * 1000:.1f}", ratio]


async def main(args: argparse.Namespace) -> None:
    rows: list[list[object]] = []
    memory: list[list[object]] = []
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        with BareServe(workdir) as bare:
            floor = await keystrokes(
                bare.ws_url("/ws/projects/bench/doc"), args.editors, args.keystrokes, args.rate, False
            )
        floor_p99 = percentile(floor, 0.99)
        rows.append(row("bare relay (floor)", floor, None))
        for kind in args.deployments.split(","):
            async with deployment(kind, workdir) as server:
                project_id = create_project(server.url)
                url = server.ws_url(f"/ws/projects/{project_id}/doc?token={token()}")
                samples = await keystrokes(url, args.editors, args.keystrokes, args.rate, True)
                rows.append(row(kind, samples, floor_p99))
                per_doc = await memory_per_doc(server, args.docs)
                memory.append([kind, args.docs, f"{per_doc:.0f}"])
    params = f"{args.editors} editors x {args.keystrokes} keystrokes at {args.rate}/s each, one doc"
    print(heading("doc_latency", params))
    print()
    print(markdown_table(["server", "samples", "p50 ms", "p99 ms", "max ms", "p99 vs floor"], rows))
    print()
    print(markdown_table(["server", "open docs", "KiB per open doc"], memory))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--keystrokes", type=int, default=25)
    parser.add_argument("--rate", type=float, default=5.0)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--deployments", default=",".join(DEPLOYMENTS))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per project created otherwise
    asyncio.run(main(parser.parse_args()))
