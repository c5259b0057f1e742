"""What the benchmarks share: the two deployments (`forge serve` embedded, or on a scratch PostgreSQL
database and a Redis prefix), server processes, a token, process CPU and memory readings, tables."""

from __future__ import annotations

import asyncio
import math
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

from db.migrate import migrate
from server.auth import issue_dev_token

POSTGRES_ADMIN_URL = os.environ.get(
    "FORGE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("FORGE_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
JWT_SECRET = "bench-secret-" + "b" * 40
OAUTH_KEY = "b" * 43
FORGE = str(Path(sys.executable).with_name("forge"))


def raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    system = f"{platform.system()} {platform.release()}"
    return f"{os.cpu_count()} x {cpu}, Python {platform.python_version()}, {system}"


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


class ScratchDatabase:
    """A migrated PostgreSQL database that exists for one benchmark run."""

    def __init__(self) -> None:
        self.name = f"forge_bench_{secrets.token_hex(4)}"
        self.url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + self.name

    async def __aenter__(self) -> str:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'CREATE DATABASE "{self.name}"')
        finally:
            await admin.close()
        await migrate(self.url)
        return self.url

    async def __aexit__(self, *_: object) -> None:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        finally:
            await admin.close()


class Process:
    """A process for the length of a `with` block, its output in `workdir/<name>.log`: stopped with
    SIGTERM (then killed if it does not stop within a minute); after a failed block, the end of its
    log goes to stderr, since its folder is about to go."""

    def __init__(self, command: list[str], name: str, workdir: Path, env: dict[str, str]) -> None:
        self.log = (workdir / f"{name}.log").open("w")
        self.process = subprocess.Popen(
            command,
            cwd=workdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_fd_limit,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def __enter__(self) -> Process:
        return self

    def __exit__(self, error_type: object, *_: object) -> None:
        self.process.send_signal(signal.SIGTERM)  # nothing, if it was killed and waited for already
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if error_type is not None:
            sys.stderr.write(Path(self.log.name).read_text()[-5000:])


class ServerProcess(Process):
    """A server process, ready once `/readyz` answers 200."""

    def __init__(self, command: list[str], port: int, workdir: Path, env: dict[str, str]) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        super().__init__(command, f"server-{port}", workdir, env)

    def ws_url(self, path: str) -> str:
        return self.url.replace("http", "ws", 1) + path

    def __enter__(self) -> ServerProcess:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.__exit__(RuntimeError)
        raise RuntimeError(f"the server on port {self.port} did not start")


BENCH_SETTINGS = {
    "FORGE_LOG_LEVEL": "WARNING",
    "FORGE_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
    "FORGE_WORKER_IN_PROCESS": "false",  # the channel benchmarks measure tabs, not runs
}
"""What the channel benchmarks change from the server's defaults; `defaults=True` keeps only the
log level (e.g. to repro an attack inside the default rate limit)."""


def forge_env(
    database_url: str | None, prefix: str | None, data_dir: Path, *, defaults: bool = False, **settings: str
) -> dict[str, str]:
    """The environment of a `forge` process: none of the caller's FORGE_ variables, the bench's
    secrets, PostgreSQL at `database_url` and Redis keys under `prefix` when given, the bench's
    settings (only the log level with `defaults`), then `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORGE_")}
    env.update(FORGE_DATA_DIR=str(data_dir), FORGE_JWT_SECRET=JWT_SECRET)
    env.update(FORGE_OAUTH_ENCRYPTION_KEY=OAUTH_KEY)
    if database_url is not None:
        env["FORGE_DATABASE_URL"] = database_url
    if prefix is not None:
        env.update(FORGE_REDIS_URL=REDIS_URL, FORGE_REDIS_PREFIX=prefix)
    env.update({"FORGE_LOG_LEVEL": "WARNING"} if defaults else BENCH_SETTINGS)
    env.update(settings)
    return env


class Serve(ServerProcess):
    """`forge serve` for the length of a `with` block: scaled (PostgreSQL at `database_url`, Redis
    keys under `prefix`), or embedded (SQLite and the in-process broker under a fresh data folder
    in `workdir`) when both are None."""

    def __init__(
        self,
        database_url: str | None,
        prefix: str | None,
        workdir: Path,
        *,
        defaults: bool = False,
        **settings: str,
    ) -> None:
        port = free_port()
        self.database_url = database_url
        self.redis_prefix = prefix
        data_dir = workdir / f"data-{port}"
        env = forge_env(database_url, prefix, data_dir, defaults=defaults, FORGE_PORT=str(port), **settings)
        super().__init__([FORGE, "serve"], port, workdir, env)

    def __enter__(self) -> Serve:
        super().__enter__()
        return self


class Worker(Process):
    """`forge worker` for the length of a `with` block, with the environment of `forge_env`. It has
    no readiness to wait for: a run it misses at start-up it finds at its next poll."""

    def __init__(self, workdir: Path, data_dir: Path, **settings: str) -> None:
        env = forge_env(None, None, data_dir, **settings)
        super().__init__([FORGE, "worker"], f"worker-{secrets.token_hex(3)}", workdir, env)

    def __enter__(self) -> Worker:
        return self


DEPLOYMENTS = ("embedded", "scaled")


@asynccontextmanager
async def deployment(
    kind: str, workdir: Path, *, defaults: bool = False, **settings: str
) -> AsyncIterator[Serve]:
    """One `forge serve` of the given deployment; afterwards its scratch database is dropped and its
    Redis keys are deleted."""
    if kind == "embedded":
        with Serve(None, None, workdir, defaults=defaults, **settings) as server:
            yield server
        return
    if kind != "scaled":
        raise ValueError(f"unknown deployment {kind!r}: expected one of {', '.join(DEPLOYMENTS)}")
    prefix = new_redis_prefix()
    try:
        async with ScratchDatabase() as database_url:
            with Serve(database_url, prefix, workdir, defaults=defaults, **settings) as server:
                yield server
    finally:
        await delete_redis_prefix(prefix)


def new_redis_prefix() -> str:
    return f"forge-bench:{secrets.token_hex(4)}:"


async def delete_redis_prefix(prefix: str, url: str = REDIS_URL, *, cluster: bool = False) -> int:
    """Deletes every key under `prefix` (which holds no glob characters) on the Redis at `url`, or on
    every node of the cluster it belongs to; returns how many."""
    from redis.asyncio import Redis, RedisCluster

    redis = RedisCluster.from_url(url) if cluster else Redis.from_url(url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await redis.unlink(*keys)  # a cluster client splits the keys by slot
        return len(keys)
    finally:
        await redis.aclose()


def token(user: str = "bench") -> str:
    return issue_dev_token(JWT_SECRET, user)


def create_project(base_url: str, name: str = "Benchmark", *, message: str | None = None) -> str:
    """A plain project (no message: no credit spent, no run); with `message`, one built from that
    prompt instead (1 credit of the bench user's, a PENDING run for a worker to claim)."""
    body = {"name": name} if message is None else {"message": message}
    response = httpx.post(
        f"{base_url}/api/projects",
        json={**body, "framework": "REACT"},
        headers={"Authorization": f"Bearer {token()}"},
    )
    response.raise_for_status()
    return str(response.json()["id"])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no RSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system, all threads) the process has used so far."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time every process on the machine has used so far (all cores, idle and I/O wait excluded):
    what the other processes used during a measurement is this minus one's own."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class CpuSince:
    """CPU time from now on of some processes, of this one, and of the rest of the machine. A process
    about to be killed is read with `stop` just before."""

    def __init__(self, pids: Sequence[int]) -> None:
        self.processes = -sum(cpu_seconds(pid) for pid in pids)
        self.own = -cpu_seconds(os.getpid())
        self.machine = -machine_cpu_seconds()

    def stop(self, pids: Sequence[int]) -> None:
        self.processes += sum(cpu_seconds(pid) for pid in pids)

    def used(self, running: Sequence[int]) -> tuple[float, float, float]:
        """(the processes, this one, the rest of the machine) so far; `running`: those not stopped."""
        processes = self.processes + sum(cpu_seconds(pid) for pid in running)
        own = self.own + cpu_seconds(os.getpid())
        return processes, own, self.machine + machine_cpu_seconds() - processes - own


def wait_idle(pid: int, timeout: float = 120.0, window: float = 0.5, busy_share: float = 0.05) -> None:
    """Returns once the process used under `busy_share` of a core over `window` seconds, e.g. once a
    server has finished the work the last storm left behind (leaves, presence frames)."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(window)
        after = cpu_seconds(pid)
        if after - before < busy_share * window:
            return
        before = after
    raise RuntimeError(f"process {pid} was still busy after {timeout:g} s")


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (`share` 0.5 for the median, 0.99 for p99); NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def heading(name: str, params: str) -> str:
    """The title every benchmark table carries: what, when, where, with which parameters."""
    return f"bench/{name} — {today()} — {machine()} — {params}"


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A markdown table, the first column left-aligned and the others right-aligned."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "| --- |" + " ---: |" * (len(headers) - 1),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]
    return "\n".join(lines)


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]
