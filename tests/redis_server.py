"""A Redis server of a test's own, on a free port and a folder of its own, so that a test can
restart it empty, or from an older dump, without touching the shared one."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis

from tests.ports import free_port

READY_TIMEOUT_SECONDS = 10


class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Starts the server, loading `dump.rdb` from its folder if there is one."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            try:
                if client.ping():
                    break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
        client.close()

    def save(self) -> Path:
        """Writes a dump of what the server holds now; returns a copy of it."""
        client = redis.Redis.from_url(self.url)
        client.save()
        client.close()
        copy = self.folder / "older.rdb"
        shutil.copy(self.folder / "dump.rdb", copy)
        return copy

    def stop(self) -> None:
        """Stops the server without saving: what it held is gone."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def restart_from(self, dump: Path | None) -> None:
        """Stops the server and starts it again, empty or holding what `dump` held."""
        self.stop()
        (self.folder / "dump.rdb").unlink(missing_ok=True)
        if dump is not None:
            shutil.copy(dump, self.folder / "dump.rdb")
        self.start()
