"""Idle-connection benchmark: 5,000 tabs held open on one `forge serve` process, and the memory
each costs, beside a baseline: a bare `websockets` server holding as many idle connections.

    .venv/bin/python bench/connections.py [--tabs 5000] [--tabs-per-project 50]

The tabs watch projects of `--tabs-per-project` tabs each and read every frame, as a browser
does (each join sends every other tab of its project a presence frame). Memory per tab is the
server's resident memory with every tab connected minus what it used with one tab, divided by
the tabs. Needs PostgreSQL and Redis (as the test suite does).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ScratchDatabase,
    Serve,
    create_project,
    free_port,
    machine,
    raise_fd_limit,
    rss_kib,
    today,
    token,
)

SCRIPT = str(Path(__file__).resolve())
BATCH = 100
SETTLE_SECONDS = 3.0


async def hold(urls: list[str], count: int, ready_file: str) -> None:
    """Opens `count` tabs over `urls` in turn, writes `ready_file` once each has its first frame,
    then keeps reading whatever arrives."""
    from websockets.asyncio.client import ClientConnection, connect

    raise_fd_limit()
    connections: list[ClientConnection] = []

    async def drain(connection: ClientConnection) -> None:
        async for _ in connection:
            pass

    async def one(url: str) -> None:
        connection = await connect(url, compression=None, open_timeout=120, ping_interval=None)
        await connection.recv()
        connections.append(connection)
        readers.add(asyncio.create_task(drain(connection)))

    readers: set[asyncio.Task[None]] = set()
    for start in range(0, count, BATCH):
        await asyncio.gather(*(one(urls[i % len(urls)]) for i in range(start, min(start + BATCH, count))))
    Path(ready_file).write_text(str(len(connections)))  # noqa: ASYNC240 - once, at the end
    await asyncio.Event().wait()


async def baseline_server(port: int) -> None:
    from websockets.asyncio.server import serve

    raise_fd_limit()

    async def greet(connection) -> None:  # type: ignore[no-untyped-def]
        await connection.send('{"type":"hello"}')
        await connection.wait_closed()

    async with serve(greet, "127.0.0.1", port, compression=None, ping_interval=None):
        print("ready", flush=True)
        await asyncio.Event().wait()


def per_tab(server_pid: int, urls: list[str], tabs: int, workdir: Path) -> tuple[float, float]:
    """(KiB per tab, seconds to connect them all)."""
    clients: list[subprocess.Popen[bytes]] = []
    try:
        clients += _holders(urls[:1], 1, workdir)
        time.sleep(SETTLE_SECONDS)
        before = rss_kib(server_pid)
        started = time.monotonic()
        clients += _holders(urls, tabs - 1, workdir)
        elapsed = time.monotonic() - started
        time.sleep(SETTLE_SECONDS)
        after = rss_kib(server_pid)
    finally:
        for process in clients:
            process.terminate()
            process.wait()
    return (after - before) / (tabs - 1), elapsed


def _holders(urls: list[str], count: int, workdir: Path) -> list[subprocess.Popen[bytes]]:
    """Client processes (up to 2,500 tabs each), started and waited for until all are connected."""
    processes, files = [], []
    remaining = count
    url_file = workdir / f"urls-{secrets.token_hex(4)}"
    url_file.write_text("\n".join(urls))
    while remaining > 0:
        share = min(2500, remaining)
        ready = workdir / f"ready-{secrets.token_hex(4)}"
        processes.append(
            subprocess.Popen([sys.executable, SCRIPT, "hold", str(url_file), str(share), str(ready)])
        )
        files.append(ready)
        remaining -= share
    deadline = time.monotonic() + 600
    while not all(f.exists() for f in files):
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            for process in processes:
                process.kill()
            raise RuntimeError("the tab holders did not connect")
        time.sleep(0.2)
    return processes


async def _forge(tabs: int, per_project: int, workdir: Path) -> tuple[float, float]:
    prefix = f"forge-bench:{secrets.token_hex(4)}:"
    async with ScratchDatabase() as database_url:
        with Serve(database_url, prefix, workdir) as server:
            base = server.url.replace("http", "ws")
            urls = [
                f"{base}/ws/projects/{create_project(server.url)}?token={token()}"
                for _ in range(-(-tabs // per_project))
            ]
            return per_tab(server.process.pid, urls, tabs, workdir)


def _baseline(tabs: int, workdir: Path) -> tuple[float, float]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, SCRIPT, "baseline", str(port)], stdout=subprocess.PIPE, text=True
    )
    if server.stdout is None or server.stdout.readline().strip() != "ready":
        raise RuntimeError("baseline server did not start")
    try:
        return per_tab(server.pid, [f"ws://127.0.0.1:{port}/"], tabs, workdir)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("role", nargs="?", default="run")
    parser.add_argument("rest", nargs="*")
    parser.add_argument("--tabs", type=int, default=5000)
    parser.add_argument("--tabs-per-project", type=int, default=50)
    args = parser.parse_args()
    if args.role == "hold":
        url_file, count, ready = args.rest
        asyncio.run(hold(Path(url_file).read_text().split(), int(count), ready))
        return
    if args.role == "baseline":
        asyncio.run(baseline_server(int(args.rest[0])))
        return
    gc.collect()
    with tempfile.TemporaryDirectory() as workdir:
        base_kib, base_seconds = _baseline(args.tabs, Path(workdir))
        ours_kib, ours_seconds = asyncio.run(_forge(args.tabs, args.tabs_per_project, Path(workdir)))
    print(
        f"\nbench/connections — {today()} — {machine()} — {args.tabs} idle tabs on one process, "
        f"{args.tabs_per_project} per project\n"
    )
    print("| system | KiB per tab | connect all (s) |")
    print("| --- | ---: | ---: |")
    print(f"| forge | {ours_kib:.1f} | {ours_seconds:.1f} |")
    print(f"| baseline (bare websockets) | {base_kib:.1f} | {base_seconds:.1f} |")


if __name__ == "__main__":
    main()
