"""Memory blow-up repro: one user sends big draft PUTs to a fresh `forge serve` while one tab of the
project is connected (a tab watching makes the server keep the frames), inside the default rate
limit; measured is the server process's resident memory (VmRSS) and, in the scaled deployment,
Redis's `used_memory`, before and after.

    .venv/bin/python bench/memory.py [--puts 110] [--interval 0.55] [--put-bytes 4000000]
        [--files 8] [--checkpoint 40] [--deployments embedded,scaled]

Each deployment is a fresh `forge serve` with the server's defaults (rate limit, in-process
worker): embedded (SQLite and the in-process broker), scaled (a scratch PostgreSQL database and a
Redis prefix). The baseline, measured in the same run, is the idle process: after start-up, with
the project created and its tab connected. Then `--puts` PUTs of `/api/projects/{id}/draft`
(`--put-bytes` of fresh text over `--files` paths, inside the per-draft limits and the 5 MiB body
limit) start every `--interval` seconds (110 at 0.55 s: about a minute, under the 120 writes a
minute allowed), while the tab reads every frame.

Reading the table: one row at the `--checkpoint` PUT (the Redis repro is 40 PUTs) and one after
the last. RSS growth is the larger of "after the PUTs" and "after 5 s idle" minus the idle
baseline; Redis growth is `used_memory` after minus before (the whole Redis instance, which
others may share: the keys under the run's own prefix are printed under the table). The target is
at most +64 MiB RSS and, scaled, at most +64 MB in Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    DEPLOYMENTS,
    REDIS_URL,
    Serve,
    deployment,
    heading,
    markdown_table,
    rss_kib,
    token,
    wait_idle,
)
from domain.rules.files import MAX_FILES, MAX_TOTAL_BYTES
from forge.settings import Settings

if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection

MIB = 1024 * 1024
MB = 1000 * 1000
TARGET_RSS_MIB = 64
TARGET_REDIS_MB = 64
SETTLE_SECONDS = 3.0
FRAMES_TIMEOUT_SECONDS = 120.0
_DRAFT_UPDATED = b'"type":"draft.updated"'


@dataclass(frozen=True)
class Reading:
    rss_kib: int
    redis_used: int | None
    """`used_memory` of the whole Redis instance, bytes (scaled only)."""
    redis_ours: int | None
    """`MEMORY USAGE` of the keys under this run's prefix, bytes (scaled only)."""


@dataclass(frozen=True)
class Row:
    deployment: str
    puts: int
    idle: Reading
    after: Reading
    after_idle: Reading | None
    """After the last PUT and `--idle-seconds` of quiet; None at the checkpoint."""

    @property
    def rss_growth_mib(self) -> float:
        return (max(r.rss_kib for r in self._after()) - self.idle.rss_kib) / 1024

    @property
    def redis_growth_mb(self) -> float | None:
        if self.idle.redis_used is None:
            return None
        return (max(r.redis_used or 0 for r in self._after()) - self.idle.redis_used) / MB

    def _after(self) -> list[Reading]:
        return [self.after] if self.after_idle is None else [self.after, self.after_idle]

    @property
    def met(self) -> bool:
        redis = self.redis_growth_mb
        return self.rss_growth_mib <= TARGET_RSS_MIB and (redis is None or redis <= TARGET_REDIS_MB)


@dataclass
class Outcome:
    rows: list[Row]
    frames: int
    """draft.updated frames the tab received."""
    refused: int
    """PUTs answered 429 (each retried after its Retry-After)."""
    seconds: float
    tab_closed: int | None
    """The close code if the server closed the tab (4408: too slow)."""


# --- the tab -------------------------------------------------------------------------------------


class Tab:
    """One tab of the project, reading every frame and counting the draft updates."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.draft_updates = 0
        self.close_code: int | None = None
        self.closed = False
        self._changed = asyncio.Event()
        self._connection: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Tab:
        from websockets.asyncio.client import connect

        self._connection = await connect(self.url, compression=None, max_size=None, ping_interval=None)
        first = await self._connection.recv(decode=False)
        if b'"type":"hello"' not in first[:32]:
            await self._connection.close()
            raise RuntimeError(f"expected a hello, got {first[:80]!r}")
        self._reader = asyncio.create_task(self._read(self._connection), name="tab-reader")
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._connection is not None:
            await self._connection.close()
        if self._reader is not None:
            self._reader.cancel()

    async def wait_for(self, updates: int) -> None:
        """Until the tab has `updates` draft updates, is closed, or the timeout passed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FRAMES_TIMEOUT_SECONDS):
                while self.draft_updates < updates and not self.closed:
                    self._changed.clear()
                    await self._changed.wait()

    async def _read(self, connection: ClientConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                frame = await connection.recv(decode=False)
                if _DRAFT_UPDATED in frame[:64]:
                    self.draft_updates += 1
                    self._changed.set()
        except ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
        self.closed = True
        self._changed.set()


# --- measuring -----------------------------------------------------------------------------------


async def read_memory(server: Serve) -> Reading:
    prefix = server.redis_prefix
    if prefix is None:
        return Reading(rss_kib(server.pid), None, None)
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        used = int((await redis.info("memory"))["used_memory"])
        ours = 0
        async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
            ours += int(await redis.memory_usage(key, samples=0) or 0)
    finally:
        await redis.aclose()
    return Reading(rss_kib(server.pid), used, ours)


def draft_body(put: int, version: int, put_bytes: int, files: int) -> bytes:
    """`put_bytes` of fresh text (hex, nothing to escape) over `files` paths."""
    size = put_bytes // files
    contents = {
        f"src/generated/chunk{n:02}.ts": f"// {put}\n"
        + secrets.token_hex(size // 2)[: size - len(f"// {put}\n")]
        for n in range(files)
    }
    return msgspec.json.encode({"files": contents, "version": version})


async def put_draft(http: httpx.AsyncClient, path: str, body: bytes) -> tuple[int, int]:
    """(the draft's new version, 429s met on the way); waits out each Retry-After."""
    refused = 0
    while True:
        response = await http.put(path, content=body, headers={"Content-Type": "application/json"})
        if response.status_code != 429:
            response.raise_for_status()
            return int(response.json()["version"]), refused
        refused += 1
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))


async def repro(args: argparse.Namespace, kind: str, workdir: Path) -> Outcome:
    async with (
        deployment(kind, workdir, defaults=True) as server,
        httpx.AsyncClient(
            base_url=server.url, headers={"Authorization": f"Bearer {token()}"}, timeout=120
        ) as http,
    ):
        created = await http.post("/api/projects", json={"name": "Memory", "framework": "REACT"})
        created.raise_for_status()
        project = created.json()["id"]
        path = f"/api/projects/{project}/draft"
        draft = await http.get(path)
        draft.raise_for_status()
        version = int(draft.json()["version"])
        async with Tab(server.ws_url(f"/ws/projects/{project}?token={token()}")) as tab:
            await asyncio.to_thread(wait_idle, server.pid)
            await asyncio.sleep(SETTLE_SECONDS)
            idle = await read_memory(server)
            rows, refused, started = [], 0, time.monotonic()
            for put in range(args.puts):
                await asyncio.sleep(max(0.0, started + put * args.interval - time.monotonic()))
                body = draft_body(put, version, args.put_bytes, args.files)
                version, refusals = await put_draft(http, path, body)
                refused += refusals
                if put + 1 == args.checkpoint and args.checkpoint < args.puts:
                    rows.append(Row(kind, put + 1, idle, await read_memory(server), None))
            seconds = time.monotonic() - started
            await tab.wait_for(args.puts)
            after = await read_memory(server)
            await asyncio.sleep(args.idle_seconds)
            rows.append(Row(kind, args.puts, idle, after, await read_memory(server)))
            return Outcome(rows, tab.draft_updates, refused, seconds, tab.close_code)


# --- the report ----------------------------------------------------------------------------------


def headers(idle_seconds: float) -> tuple[str, ...]:
    return (
        "deployment",
        "PUTs",
        "RSS idle MiB",
        "RSS after PUTs MiB",
        f"RSS +{idle_seconds:g} s idle MiB",
        "RSS growth MiB",
        "Redis before MB",
        "Redis after MB",
        "Redis growth MB",
        "target",
        "met",
    )


def _row(row: Row) -> list[object]:
    redis = row.redis_growth_mb
    scaled = row.idle.redis_used is not None
    last = row.after_idle or row.after
    return [
        row.deployment,
        row.puts,
        f"{row.idle.rss_kib / 1024:.0f}",
        f"{row.after.rss_kib / 1024:.0f}",
        "—" if row.after_idle is None else f"{row.after_idle.rss_kib / 1024:.0f}",
        f"{row.rss_growth_mib:+.0f}",
        "—" if row.idle.redis_used is None else f"{row.idle.redis_used / MB:.1f}",
        "—" if last.redis_used is None else f"{last.redis_used / MB:.1f}",
        "—" if redis is None else f"{redis:+.1f}",
        f"+{TARGET_RSS_MIB} MiB RSS" + (f", +{TARGET_REDIS_MB} MB Redis" if scaled else ""),
        "yes" if row.met else "no",
    ]


def report(args: argparse.Namespace, outcomes: dict[str, Outcome]) -> None:
    body = len(draft_body(args.puts, 2**31 - 1, args.put_bytes, args.files))
    params = (
        f"{args.puts} draft PUTs of {body / MIB:.2f} MiB ({args.files} files) every {args.interval:g} s, "
        f"one tab connected, default rate limit"
    )
    print()
    print(heading("memory", params))
    print()
    print(
        markdown_table(
            headers(args.idle_seconds), [_row(row) for outcome in outcomes.values() for row in outcome.rows]
        )
    )
    print()
    for kind, outcome in outcomes.items():
        ours = [
            (row.puts, row.idle.redis_ours, (row.after_idle or row.after).redis_ours) for row in outcome.rows
        ]
        redis = "; ".join(
            f"after {puts} PUTs {(after or 0) / MB:.1f} MB (idle {(before or 0) / MB:.1f} MB)"
            for puts, before, after in ours
            if before is not None
        )
        closed = "" if outcome.tab_closed is None else f", the server closed it with {outcome.tab_closed}"
        print(
            f"- {kind}: the PUTs took {outcome.seconds:.1f} s ({outcome.refused} answered 429); the tab got "
            f"{outcome.frames} of {args.puts} `draft.updated` frames{closed}."
            + (f" Keys under the run's Redis prefix: {redis}." if redis else "")
        )


def _check_sizes(args: argparse.Namespace) -> None:
    """Refuses a PUT the server would refuse for its size, rather than measure the refusals."""
    settings = Settings()
    body = len(draft_body(args.puts, 2**31 - 1, args.put_bytes, args.files))
    if args.put_bytes > MAX_TOTAL_BYTES or args.files > MAX_FILES:
        raise SystemExit(f"a draft holds at most {MAX_TOTAL_BYTES} bytes in at most {MAX_FILES} files")
    if body >= settings.max_body_bytes:
        raise SystemExit(f"a PUT body of {body} bytes is over the {settings.max_body_bytes}-byte body limit")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--puts", type=int, default=110)
    parser.add_argument("--interval", type=float, default=0.55, help="seconds between PUT starts")
    parser.add_argument("--put-bytes", type=int, default=4_000_000, help="file bytes per PUT")
    parser.add_argument("--files", type=int, default=8, help="paths the bytes are spread over")
    parser.add_argument("--checkpoint", type=int, default=40, help="also measure after this many PUTs")
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument(
        "--deployments", type=lambda s: s.split(","), default=list(DEPLOYMENTS), help="embedded,scaled"
    )
    args = parser.parse_args()
    _check_sizes(args)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per PUT otherwise
    outcomes: dict[str, Outcome] = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.deployments:
            outcomes[kind] = asyncio.run(repro(args, kind, Path(folder)))
    report(args, outcomes)


if __name__ == "__main__":
    main()
