"""Reconnect storm after a deploy: N tabs open their project's channel at once, at most
`--concurrency` handshakes in flight (as through a load balancer), each waiting for its `hello`;
then the same tabs leave and come back with `?since=<seq>&epoch=<epoch>` from their hello (a
resume storm: each should get `resumed`). In the same run, the floor: a bare Litestar WebSocket
app under uvicorn (bench/bare_ws.py) sending a frame of the same size, under the same clients.

    .venv/bin/python bench/joins.py [--layouts 100/1,1000/1,1000/50] [--concurrency 100]
        [--clients 2] [--deployments embedded,scaled] [--no-ceiling]

A layout `T/P` is T tabs spread evenly over P fresh projects. Each deployment is one `forge serve`
process (embedded: SQLite and the in-process broker; scaled: a scratch PostgreSQL database and a
Redis prefix), serving every layout in turn. The tabs run in `--clients` processes that read
every frame after the hello, as a browser does.

Reading a table: total s is from the storm's first handshake to the last tab's first frame;
joins/s is tabs / total; p50/p99 are one tab's time from the start of its handshake to its first
frame (queueing behind the concurrency bound not included); server and client CPU s are the CPU
time the server process and the client processes used during the storm (the server is on one
core, so server CPU s close to total s means the server was the bottleneck); rest of machine CPU s
is what every other process used meanwhile: PostgreSQL and Redis in the scaled rows, and whatever
else runs on a shared machine (a large figure in a bare row means noise); the ratio is total s
over the bare floor's. The client ceiling table is the bare floor under 1 and 2 client processes:
if 2 are much faster than 1, one client process is the bottleneck of the floor.
Needs PostgreSQL and Redis (as the test suite does) for the scaled deployment.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bare_ws import BareServe
from bench.common import (
    DEPLOYMENTS,
    ServerProcess,
    cpu_seconds,
    create_project,
    deployment,
    heading,
    machine_cpu_seconds,
    markdown_table,
    percentile,
    raise_fd_limit,
    token,
    wait_idle,
)

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

SCRIPT = str(Path(__file__).resolve())
BARE = "bare Litestar + uvicorn"
OPEN_TIMEOUT_SECONDS = 300.0
TARGET_RATIO = 3.0
TARGET_LAYOUT = (1000, 1)
"""The issue's target: 1000 tabs on one project joined within 3x the bare floor's time."""


# --- the client processes ------------------------------------------------------------------------


class FirstFrame(msgspec.Struct):
    type: str
    epoch: str = ""
    seq: int = 0
    to: int = 0


@dataclass
class ClientTab:
    url: str
    epoch: str = ""
    seq: int = 0
    connection: ClientConnection | None = None
    reader: asyncio.Task[None] | None = None


async def _read_all(connection: ClientConnection) -> None:
    """Reads every frame after the first (presence of later joins), as a browser would."""
    from websockets.exceptions import ConnectionClosed

    try:
        while True:
            await connection.recv(decode=False)
    except ConnectionClosed:
        return


async def storm(tabs: list[ClientTab], concurrency: int, resume: bool) -> dict[str, Any]:
    """Opens every tab, at most `concurrency` handshakes in flight, each until its first frame."""
    from websockets.asyncio.client import connect

    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []
    first_frames: Counter[str] = Counter()
    errors: list[str] = []

    async def open_tab(tab: ClientTab) -> None:
        url = f"{tab.url}&since={tab.seq}&epoch={tab.epoch}" if resume else tab.url
        async with gate:
            started = time.monotonic()
            try:
                connection = await connect(
                    url, compression=None, open_timeout=OPEN_TIMEOUT_SECONDS, ping_interval=None
                )
                async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
                    data = await connection.recv(decode=False)
            except Exception as error:  # counted and shown: a refused tab is a finding
                errors.append(f"{type(error).__name__}: {error}")
                return
            latencies.append((time.monotonic() - started) * 1000)
        frame = msgspec.json.decode(data, type=FirstFrame)
        first_frames[frame.type] += 1
        if frame.type == "hello":
            tab.epoch, tab.seq = frame.epoch, frame.seq
        elif frame.type == "resumed":
            tab.seq = frame.to
        tab.connection = connection
        tab.reader = asyncio.create_task(_read_all(connection), name="tab-reader")

    started = time.monotonic()
    await asyncio.gather(*(open_tab(tab) for tab in tabs))
    return {
        "started": started,
        "finished": time.monotonic(),
        "latencies": latencies,
        "first_frames": dict(first_frames),
        "errors": errors,
    }


async def close_tabs(tabs: list[ClientTab]) -> dict[str, Any]:
    open_tabs = [tab for tab in tabs if tab.connection is not None]
    await asyncio.gather(*(tab.connection.close() for tab in open_tabs if tab.connection is not None))
    for tab in open_tabs:
        if tab.reader is not None:
            tab.reader.cancel()
        tab.connection = tab.reader = None
    return {"closed": len(open_tabs)}


async def client_main() -> None:
    """Says it is ready, then answers one JSON line per command read from stdin: join, resume,
    close, exit."""
    import websockets.asyncio.client  # noqa: F401 - imported before the first storm, not during it

    raise_fd_limit()
    print(json.dumps({"ready": True}), flush=True)
    tabs: list[ClientTab] = []
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command = json.loads(line)
        if command["op"] == "join":
            tabs = [ClientTab(url) for url in command["urls"]]
            answer = await storm(tabs, command["concurrency"], resume=False)
        elif command["op"] == "resume":
            answer = await storm(tabs, command["concurrency"], resume=True)
        elif command["op"] == "close":
            answer = await close_tabs(tabs)
        else:
            await close_tabs(tabs)
            return
        print(json.dumps(answer), flush=True)


class Clients:
    """`count` client processes sharing the tabs (round-robin) and the concurrency bound."""

    def __init__(self, count: int) -> None:
        self.processes = [
            subprocess.Popen(
                [sys.executable, SCRIPT, "client"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
            for _ in range(count)
        ]
        try:
            for process in self.processes:
                self._answer(process)  # ready
        except BaseException:
            self.__exit__()
            raise

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *_: object) -> None:
        for process in self.processes:
            try:
                self._send(process, {"op": "exit"})
                process.wait(timeout=60)
            except (OSError, RuntimeError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()

    def cpu_seconds(self) -> float:
        return sum(cpu_seconds(process.pid) for process in self.processes)

    def ask(self, op: str, urls: list[str] | None = None, concurrency: int = 0) -> list[dict[str, Any]]:
        count = len(self.processes)
        for index, process in enumerate(self.processes):
            command: dict[str, Any] = {"op": op, "concurrency": max(1, concurrency // count)}
            if urls is not None:
                command["urls"] = urls[index::count]
            self._send(process, command)
        return [self._answer(process) for process in self.processes]

    @staticmethod
    def _send(process: subprocess.Popen[str], command: dict[str, Any]) -> None:
        if process.stdin is None or process.poll() is not None:
            raise RuntimeError("the client process is gone")
        process.stdin.write(json.dumps(command) + "\n")
        process.stdin.flush()

    @staticmethod
    def _answer(process: subprocess.Popen[str]) -> dict[str, Any]:
        line = process.stdout.readline() if process.stdout is not None else ""
        if not line:
            raise RuntimeError(f"a client process ended (exit code {process.wait()})")
        return dict(json.loads(line))


# --- measuring -----------------------------------------------------------------------------------


@dataclass
class Storm:
    system: str
    kind: str
    """Either "join" or "resume"."""
    tabs: int
    projects: int
    total_s: float
    latencies_ms: list[float]
    first_frames: Counter[str]
    errors: list[str]
    server_cpu_s: float
    client_cpu_s: float
    other_cpu_s: float
    """CPU time every other process on the machine used meanwhile: PostgreSQL and Redis (scaled), and
    whatever else runs there (others share the machine)."""

    @property
    def joins_per_s(self) -> float:
        return len(self.latencies_ms) / self.total_s


def measure(
    system: str,
    server: ServerProcess,
    clients: Clients,
    urls: list[str],
    projects: int,
    concurrency: int,
    kinds: tuple[str, ...] = ("join", "resume"),
) -> list[Storm]:
    """The join storm, then (after every tab left) the resume storm, on the tabs at `urls`."""
    storms = []
    for kind in kinds:
        wait_idle(server.pid)
        server_cpu, client_cpu, machine_cpu = (
            cpu_seconds(server.pid),
            clients.cpu_seconds(),
            machine_cpu_seconds(),
        )
        answers = clients.ask(kind, urls if kind == "join" else None, concurrency)
        server_cpu = cpu_seconds(server.pid) - server_cpu
        client_cpu = clients.cpu_seconds() - client_cpu
        storms.append(
            Storm(
                system=system,
                kind=kind,
                tabs=len(urls),
                projects=projects,
                total_s=max(a["finished"] for a in answers) - min(a["started"] for a in answers),
                latencies_ms=[ms for a in answers for ms in a["latencies"]],
                first_frames=sum((Counter(a["first_frames"]) for a in answers), Counter()),
                errors=[error for a in answers for error in a["errors"]],
                server_cpu_s=server_cpu,
                client_cpu_s=client_cpu,
                other_cpu_s=max(0.0, machine_cpu_seconds() - machine_cpu - server_cpu - client_cpu),
            )
        )
        _progress(storms[-1])
        clients.ask("close")
    wait_idle(server.pid)
    return storms


def _progress(storm: Storm) -> None:
    print(
        f"  {storm.system:24} {storm.kind:6} {storm.tabs:>5} tabs / {storm.projects:<3} projects: "
        f"{storm.total_s:6.2f} s, first frames {dict(storm.first_frames)}, errors {len(storm.errors)}",
        file=sys.stderr,
        flush=True,
    )


def tab_urls(server: ServerProcess, tabs: int, projects: int, fake_projects: bool) -> list[str]:
    ids = [f"p{n}" if fake_projects else create_project(server.url, f"Storm {n}") for n in range(projects)]
    return [server.ws_url(f"/ws/projects/{ids[n % projects]}?token={token()}") for n in range(tabs)]


def bare_storms(args: argparse.Namespace, workdir: Path) -> tuple[list[Storm], list[Storm]]:
    """(the floor for every layout under `--clients` processes, the client ceiling table)."""
    storms, ceiling = [], []
    with BareServe(workdir) as server:
        with Clients(args.clients) as clients:
            for tabs, projects in args.layouts:
                urls = tab_urls(server, tabs, projects, fake_projects=True)
                storms += measure(BARE, server, clients, urls, projects, args.concurrency)
        if args.ceiling:
            tabs = max(tabs for tabs, _ in args.layouts)
            for count in (1, 2):
                with Clients(count) as clients:
                    urls = tab_urls(server, tabs, 1, fake_projects=True)
                    system = f"{BARE}, {count} client(s)"
                    ceiling += measure(system, server, clients, urls, 1, args.concurrency, kinds=("join",))
    return storms, ceiling


async def forge_storms(args: argparse.Namespace, kind: str, workdir: Path) -> list[Storm]:
    storms = []
    async with deployment(kind, workdir) as server:
        with Clients(args.clients) as clients:
            for tabs, projects in args.layouts:
                urls = tab_urls(server, tabs, projects, fake_projects=False)
                storms += measure(f"forge {kind}", server, clients, urls, projects, args.concurrency)
    return storms


# --- the report ----------------------------------------------------------------------------------


def report(args: argparse.Namespace, storms: list[Storm], ceiling: list[Storm]) -> None:
    params = (
        f"at most {args.concurrency} handshakes in flight, {args.clients} client process(es)"
        f" with uvloop, the server on one process"
    )
    print()
    for tabs, projects in args.layouts:
        for kind in ("join", "resume"):
            cell = [s for s in storms if (s.tabs, s.projects, s.kind) == (tabs, projects, kind)]
            floor = next(s for s in cell if s.system == BARE)
            what = "join storm (hello)" if kind == "join" else "resume storm (since/epoch → resumed)"
            print(heading("joins", f"{what}, {tabs} tabs over {projects} project(s), {params}"))
            print()
            print(markdown_table(HEADERS, [_row(s, floor) for s in cell]))
            print()
            if notes := _notes(cell, floor, kind):
                print("\n".join(notes))
                print()
    if ceiling:
        what = f"client ceiling: the bare floor's join storm, {ceiling[0].tabs} tabs, vs 1 client process"
        print(heading("joins", what))
        print()
        print(markdown_table(HEADERS, [_row(s, ceiling[0]) for s in ceiling]))
        print()


HEADERS = (
    "system",
    "tabs",
    "projects",
    "total s",
    "joins/s",
    "p50 ms",
    "p99 ms",
    "server CPU s",
    "client CPU s",
    "rest of machine CPU s",
    "vs baseline",
)


def _row(storm: Storm, floor: Storm) -> list[object]:
    return [
        storm.system,
        storm.tabs,
        storm.projects,
        f"{storm.total_s:.2f}",
        f"{storm.joins_per_s:.0f}",
        f"{percentile(storm.latencies_ms, 0.5):.1f}",
        f"{percentile(storm.latencies_ms, 0.99):.1f}",
        f"{storm.server_cpu_s:.2f}",
        f"{storm.client_cpu_s:.2f}",
        f"{storm.other_cpu_s:.2f}",
        "" if storm is floor else f"{storm.total_s / floor.total_s:.2f}x",
    ]


def _notes(cell: list[Storm], floor: Storm, kind: str) -> list[str]:
    """Tabs that failed or got another first frame, and the issue's target where it applies."""
    expected = "hello" if kind == "join" else "resumed"
    notes = []
    for storm in cell:
        got = storm.first_frames.get(expected, 0)
        if got != storm.tabs:
            others = {k: v for k, v in storm.first_frames.items() if k != expected}
            notes.append(
                f"- {storm.system}: {got} of {storm.tabs} tabs got `{expected}` first; other: {others}"
            )
        if storm.errors:
            notes.append(f"- {storm.system}: {len(storm.errors)} tabs failed, e.g. {storm.errors[0]}")
    if kind == "join" and (floor.tabs, floor.projects) == TARGET_LAYOUT:
        verdicts = ", ".join(
            f"{s.system} {s.total_s / floor.total_s:.2f}x "
            f"({'met' if s.total_s <= TARGET_RATIO * floor.total_s else 'missed'})"
            for s in cell
            if s is not floor
        )
        notes.append(
            f"Target (from the issue): 1000 tabs on one project joined within {TARGET_RATIO:g}x the bare "
            f"floor's time ({TARGET_RATIO * floor.total_s:.2f} s here): {verdicts}."
        )
    return notes


def _layouts(text: str) -> list[tuple[int, int]]:
    layouts = []
    for item in text.split(","):
        tabs, _, projects = item.partition("/")
        layouts.append((int(tabs), int(projects or 1)))
    return layouts


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("role", nargs="?", default="run", choices=("run", "client"))
    parser.add_argument("--layouts", type=_layouts, default=_layouts("100/1,1000/1,1000/50"))
    parser.add_argument("--concurrency", type=int, default=100, help="handshakes in flight at most")
    parser.add_argument("--clients", type=int, default=2, help="client processes sharing the tabs")
    parser.add_argument(
        "--deployments", type=lambda s: s.split(","), default=list(DEPLOYMENTS), help="embedded,scaled"
    )
    parser.add_argument("--no-ceiling", dest="ceiling", action="store_false", help="skip the ceiling table")
    args = parser.parse_args()
    import uvloop  # the server runs on uvloop (uvicorn's default when installed); so do the clients

    if args.role == "client":
        uvloop.run(client_main())
        return
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per project created otherwise
    storms: list[Storm] = []
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        bare, ceiling = bare_storms(args, workdir)
        for kind in args.deployments:
            storms += asyncio.run(forge_storms(args, kind, workdir))
    report(args, storms + bare, ceiling)


if __name__ == "__main__":
    main()
