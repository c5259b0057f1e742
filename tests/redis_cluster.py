"""A Redis Cluster of the test session's own: three masters on free ports, in a folder of their own,
made by `redis-cli --cluster create` as an operator would, and stopped at the end of the session."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis

from tests.ports import free_port

MASTERS = 3
READY_TIMEOUT_SECONDS = 20
MIN_REDIS_VERSION = (7, 0)
"""Sharded pub/sub (SSUBSCRIBE, SPUBLISH) came with Redis 7."""
BUS_PORT_OFFSET = 10000
"""Each node also listens on its port + 10000 for the other nodes."""


class ClusterUnavailable(Exception):
    """The cluster could not be started here; the message says why."""


class LocalCluster:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ports: list[int] = []
        while len(self.ports) < MASTERS:
            port = _free_node_port()
            if port not in self.ports:
                self.ports.append(port)
        self.url = f"redis://127.0.0.1:{self.ports[0]}/0"
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        """Starts the masters, joins them into one cluster and waits until it serves every slot."""
        for tool in ("redis-server", "redis-cli"):
            if shutil.which(tool) is None:
                raise ClusterUnavailable(f"{tool} is not installed")
        _check_version()
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            self._create()
        except BaseException:
            self.stop()
            raise

    def _create(self) -> None:
        for port in self.ports:
            self.processes.append(self._start_master(port))
        for port in self.ports:
            _wait_for_ping(port)
        nodes = [f"127.0.0.1:{port}" for port in self.ports]
        created = subprocess.run(
            ["redis-cli", "--cluster", "create", *nodes, "--cluster-replicas", "0", "--cluster-yes"],
            capture_output=True,
            text=True,
            timeout=READY_TIMEOUT_SECONDS,
        )
        if created.returncode != 0:
            raise ClusterUnavailable(f"redis-cli --cluster create failed: {created.stdout}{created.stderr}")
        for port in self.ports:
            _wait_for_cluster_ok(port)

    def stop(self) -> None:
        for process in self.processes:
            process.kill()
            process.wait()
        self.processes.clear()

    def _start_master(self, port: int) -> subprocess.Popen[bytes]:
        folder = self.folder / str(port)
        folder.mkdir()
        with (folder / "redis.log").open("wb") as log:  # the server keeps its own copy of the file
            return subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--dir",
                    str(folder),
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    str(folder / "nodes.conf"),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )


def _free_node_port() -> int:
    """A free port whose bus port is free too (and, like every port, below 65536)."""
    while True:
        port = free_port()
        if port + BUS_PORT_OFFSET < 65536 and _is_free(port + BUS_PORT_OFFSET):
            return port


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _check_version() -> None:
    output = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    version = output.partition(" v=")[2].split(" ", 1)[0]
    numbers = tuple(int(part) for part in version.split(".")[:2] if part.isdigit())
    if numbers < MIN_REDIS_VERSION:
        raise ClusterUnavailable(f"Redis 7 or later is needed for sharded pub/sub, found {output.strip()}")


def _wait_for_ping(port: int) -> None:
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    try:
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError as error:
                if time.monotonic() > deadline:
                    raise ClusterUnavailable(f"redis-server on port {port} did not start: {error}") from error
                time.sleep(0.02)
    finally:
        client.close()


def _wait_for_cluster_ok(port: int) -> None:
    """Every node must agree the cluster is up, or a client could be sent to one that is not yet."""
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    try:
        while client.execute_command("CLUSTER INFO").get("cluster_state") != "ok":
            if time.monotonic() > deadline:
                raise ClusterUnavailable(f"the cluster node on port {port} never reported cluster_state:ok")
            time.sleep(0.05)
    finally:
        client.close()
