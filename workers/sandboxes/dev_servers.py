"""The dev servers this process started for its local sandboxes, one per sandbox folder.

With the agent's commands allowed and Node.js installed, a project's preview is its own dev server
(`npm run dev`). It runs code the model wrote, so it runs as any command of the sandbox does
(`confinement.py`). Inside bubblewrap it has no network: this process listens on the port the
preview names and forwards each connection, through a Unix socket in a folder both see, to a
bridge inside the jail (`bridge.cjs`). Its install (`npm install`) skips the packages' scripts.

A dev server lives as long as its sandbox's folder. The folder is what every process shares (the
web process that deletes a project removes it, wherever the dev server runs), so this process stops
a server whose folder is gone: at its next connection, else within SWEEP_SECONDS.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from workers.sandboxes.base import SandboxError
from workers.sandboxes.confinement import Bind, Confinement, kill_group, npm_install, run_command

logger = logging.getLogger("forge.sandbox")

INSTALL = "npm install"
INSTALL_TIMEOUT_SECONDS = 600.0
START_SECONDS = 90.0
SWEEP_SECONDS = 2.0
BRIDGE = Path(__file__).with_name("bridge.cjs")
JAIL_BRIDGE = "/opt/forge/bridge.cjs"
JAIL_RUN = "/run/forge"
SOCKET_NAME = "dev.sock"
CHUNK = 64 * 1024


@dataclass
class _DevServer:
    process: asyncio.subprocess.Process
    port: int
    listener: asyncio.Server | None = None
    """This process's end of the bridge (bubblewrap only)."""
    run_folder: Path | None = None
    """Where the bridge's socket lives (bubblewrap only)."""

    def stop(self) -> None:
        kill_group(self.process.pid)
        if self.listener is not None:
            self.listener.close()
        if self.run_folder is not None:
            shutil.rmtree(self.run_folder, ignore_errors=True)


class DevServers:
    def __init__(self, confinement: Confinement, host: str) -> None:
        self.confinement = confinement
        self.host = host
        """The name browsers reach this machine by: the preview's address, and where the bridge listens."""
        self._running: dict[Path, _DevServer] = {}
        self._starting = asyncio.Lock()
        self._sweeper: asyncio.Task[None] | None = None

    async def address(self, folder: Path) -> str | None:
        """The dev server's URL, started if needed; None when it would not start."""
        async with self._starting:
            running = self._running.get(folder)
            if running is not None and running.process.returncode is None:
                return f"http://{self.host}:{running.port}/"
            self.stop(folder)
            if not (folder / "node_modules").is_dir() and not await self._install(folder):
                return None
            port = _free_port()
            if self.confinement.isolates_network:
                started = await self._start_bridged(folder, port)
            else:
                started = await self._start_listening(folder, port)
            if started is None:
                return None
            self._running[folder] = started
            if self._sweeper is None or self._sweeper.done():
                self._sweeper = asyncio.create_task(self._sweep(), name="dev-server-sweeper")
            return f"http://{self.host}:{port}/"

    def stop(self, folder: Path) -> None:
        running = self._running.pop(folder, None)
        if running is not None:
            running.stop()

    def stop_all(self) -> None:
        for folder in list(self._running):
            self.stop(folder)
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def _install(self, folder: Path) -> bool:
        launch = self.confinement.launch(npm_install(INSTALL) or INSTALL, folder, network=True)
        try:
            result = await run_command(launch, INSTALL_TIMEOUT_SECONDS)
        except SandboxError as error:
            logger.warning("npm install failed in %s: %s", folder, error)
            return False
        if result.exit_code != 0:
            logger.warning("npm install failed in %s: %s", folder, result.stderr[-2000:])
        return result.exit_code == 0

    async def _start_listening(self, folder: Path, port: int) -> _DevServer | None:
        """Unconfined: the dev server listens on the port itself."""
        process = await self._spawn(f"npm run dev -- --port {port}", folder, network=True)
        if not await _tcp_answers(port, process):
            kill_group(process.pid)
            return None
        return _DevServer(process, port)

    async def _start_bridged(self, folder: Path, port: int) -> _DevServer | None:
        """Bubblewrap: the dev server listens on the port inside the jail, the bridge on a socket
        beside it, and this process on the port outside, forwarding to the socket."""
        run_folder = Path(tempfile.mkdtemp(prefix="forge-dev-"))
        socket_path = run_folder / SOCKET_NAME
        command = f"node {JAIL_BRIDGE} {JAIL_RUN}/{SOCKET_NAME} {port} & exec npm run dev -- --port {port}"
        binds = (Bind(BRIDGE, JAIL_BRIDGE), Bind(run_folder, JAIL_RUN, writable=True))
        process = await self._spawn(command, folder, network=False, binds=binds)
        server = _DevServer(process, port, run_folder=run_folder)
        if not await _socket_answers(socket_path, process):
            server.stop()
            return None
        try:
            server.listener = await asyncio.start_server(
                lambda reader, writer: self._forward(folder, socket_path, reader, writer), self.host, port
            )
        except OSError as error:
            logger.warning("the dev server of %s cannot be reached on port %d: %s", folder, port, error)
            server.stop()
            return None
        return server

    async def _spawn(
        self, command: str, folder: Path, *, network: bool, binds: tuple[Bind, ...] = ()
    ) -> asyncio.subprocess.Process:
        launch = self.confinement.launch(command, folder, network=network, binds=binds)
        return await asyncio.create_subprocess_exec(
            *launch.argv,
            cwd=launch.cwd,
            env=launch.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            start_new_session=True,
        )

    async def _forward(
        self, folder: Path, socket_path: Path, client: asyncio.StreamReader, to_client: asyncio.StreamWriter
    ) -> None:
        if not await asyncio.to_thread(folder.is_dir):  # the project was deleted: so is its preview
            self.stop(folder)
            to_client.close()
            return
        try:
            upstream, to_upstream = await asyncio.open_unix_connection(socket_path)
        except OSError:
            to_client.close()
            return
        try:
            await asyncio.gather(_pipe(client, to_upstream), _pipe(upstream, to_client))
        finally:
            to_upstream.close()
            to_client.close()

    async def _sweep(self) -> None:
        while self._running:
            await asyncio.sleep(SWEEP_SECONDS)
            for folder, running in list(self._running.items()):
                if not folder.is_dir() or running.process.returncode is not None:
                    self.stop(folder)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while data := await source.read(CHUNK):
            sink.write(data)
            await sink.drain()
        if sink.can_write_eof():
            sink.write_eof()
    except OSError:
        sink.close()


async def _tcp_answers(port: int, process: asyncio.subprocess.Process) -> bool:
    """Whether something answers on the port before the process dies or the time is up."""
    return await _answers(lambda: asyncio.open_connection("127.0.0.1", port), process)


async def _socket_answers(path: Path, process: asyncio.subprocess.Process) -> bool:
    """Whether the bridge answers (it listens once the dev server does) before the time is up."""
    return await _answers(lambda: asyncio.open_unix_connection(path), process)


async def _answers(
    connect: Callable[[], Awaitable[tuple[asyncio.StreamReader, asyncio.StreamWriter]]],
    process: asyncio.subprocess.Process,
) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_SECONDS
    while loop.time() < deadline and process.returncode is None:
        try:
            _, writer = await connect()
        except OSError:
            await asyncio.sleep(0.3)
            continue
        writer.close()
        return True
    return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
