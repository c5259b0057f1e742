"""Real `forge` processes for tests that need more than one server, or a signal."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests import services
from tests.conftest import JWT_SECRET, OAUTH_KEY
from tests.ports import free_port

FORGE = str(Path(sys.executable).with_name("forge"))
READY_TIMEOUT_SECONDS = 30


def forge_env(**settings: str) -> dict[str, str]:
    """The test's environment without any FORGE_ setting of the developer's, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FORGE_") or k.startswith("FORGE_TEST_")}
    return {**env, **settings}


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until `forge serve` at `url` says it is ready; its log tells why when it never does."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"forge serve exited: {log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"forge serve did not become ready: {log.read_text()}")


@contextlib.contextmanager
def scaled_deployment(
    postgres_url: str | services.Unavailable,
    redis_problem: services.Unavailable | None,
    cluster_url: str | services.Unavailable | None = None,
) -> Iterator[dict[str, str]]:
    """The settings of processes sharing the test PostgreSQL database (emptied first) and a Redis
    prefix of their own (deleted after), on the Redis Cluster when given its URL; skips, or fails
    when services are required, without them."""
    if isinstance(postgres_url, services.Unavailable):
        services.unavailable(postgres_url.reason)
    redis = services.redis_target(redis_problem, cluster_url)
    assert isinstance(postgres_url, str)
    asyncio.run(services.truncate_all(postgres_url))
    prefix = f"forge-test:{secrets.token_hex(6)}:"
    try:
        yield {
            "FORGE_DATABASE_URL": postgres_url,
            "FORGE_REDIS_URL": redis.url,
            "FORGE_REDIS_CLUSTER": str(redis.cluster).lower(),
            "FORGE_REDIS_PREFIX": prefix,
            "FORGE_OAUTH_ENCRYPTION_KEY": OAUTH_KEY,
            "FORGE_JWT_SECRET": JWT_SECRET,
        }
    finally:
        asyncio.run(services.delete_prefix(redis, prefix))


class ServeProcess:
    """`forge serve` on a free port; its output goes to `log` (read it when something fails)."""

    def __init__(self, cwd: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = cwd / f"serve-{self.port}.log"
        # Channel tests count events: an agent worker runs only where a test asks for one.
        defaults = {
            "FORGE_PORT": str(self.port),
            "FORGE_LOG_LEVEL": "WARNING",
            "FORGE_WORKER_IN_PROCESS": "false",
        }
        env = forge_env(**{**defaults, **settings})
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [FORGE, "serve"], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self) -> None:
        wait_until_ready(self.url, self.process, self.log)

    def terminate(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=20)


class WorkerProcess:
    """`forge worker` with `settings`; its output goes to `log`."""

    def __init__(self, cwd: Path, **settings: str) -> None:
        self.log = cwd / f"worker-{secrets.token_hex(3)}.log"
        defaults = {
            "FORGE_LOG_LEVEL": "WARNING",
            "FORGE_OFFLINE_WORD_DELAY_MS": "0",
            "FORGE_WORKER_POLL_SECONDS": "1",
        }
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [FORGE, "worker"],
                cwd=cwd,
                env=forge_env(**{**defaults, **settings}),
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
