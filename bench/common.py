"""What the benchmarks share: a scratch PostgreSQL database, `forge serve` processes, a token."""

from __future__ import annotations

import asyncio
import os
import platform
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
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


class Serve:
    """`forge serve` in the scaled deployment, for the length of a `with` block."""

    def __init__(self, database_url: str, prefix: str, workdir: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("FORGE_")}
        env.update(
            FORGE_PORT=str(self.port),
            FORGE_DATABASE_URL=database_url,
            FORGE_REDIS_URL=REDIS_URL,
            FORGE_REDIS_PREFIX=prefix,
            FORGE_JWT_SECRET=JWT_SECRET,
            FORGE_OAUTH_ENCRYPTION_KEY=OAUTH_KEY,
            FORGE_LOG_LEVEL="WARNING",
            FORGE_RATE_LIMIT_WRITES_PER_MINUTE="1000000",
            FORGE_WORKER_IN_PROCESS="false",  # the channel benchmarks measure tabs, not runs
        )
        env.update(settings)
        self.log = (workdir / f"serve-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [FORGE, "serve"],
            cwd=workdir,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=raise_fd_limit,
        )

    def __enter__(self) -> Serve:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("forge serve did not start")

    def __exit__(self, error_type: object, *_: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if error_type is not None:  # the server's side of a failed run, before its folder goes
            sys.stderr.write(Path(self.log.name).read_text()[-5000:])


def token(user: str = "bench") -> str:
    return issue_dev_token(JWT_SECRET, user)


def create_project(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/api/projects",
        json={"name": "Benchmark", "framework": "REACT"},
        headers={"Authorization": f"Bearer {token()}"},
    )
    response.raise_for_status()
    return str(response.json()["id"])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no RSS for {pid}")


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]
