"""The local sandbox: a folder per project under the data directory, the default without E2B.

The server serves the folder at `/preview/{projectId}/`. Running commands on the host is off
unless the deployment allows it; then, with Node.js installed, the framework's dev server runs on
a free local port and the preview points there: a real local alternative to E2B.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import socket
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

from domain.entities import Files
from domain.enums import Framework
from domain.ids import ProjectId
from domain.rules.files import path_error
from workers.sandboxes import folder as folder_files
from workers.sandboxes.base import CommandResult, CommandsDisabled, FileRefused, SandboxError

logger = logging.getLogger("forge.sandbox")

ID_PREFIX = "local-"
INSTALL_TIMEOUT_SECONDS = 600.0
DEV_SERVER_START_SECONDS = 90.0
COMMANDS_OFF = "running commands on this machine is off (FORGE_SANDBOX_ALLOW_COMMANDS=true turns it on)"


def sandbox_folder(root: Path, project_id: UUID) -> Path:
    """Where a project's local sandbox lives; the preview route serves the same folder."""
    return root / str(project_id)


class DevServers:
    """The dev servers this process started, one per sandbox folder, reused while they live."""

    def __init__(self) -> None:
        self._running: dict[Path, tuple[asyncio.subprocess.Process, int]] = {}
        self._starting = asyncio.Lock()

    async def address(self, folder: Path, host: str) -> str | None:
        """The dev server's URL, started if needed; None when it would not start."""
        async with self._starting:
            running = self._running.get(folder)
            if running is not None and running[0].returncode is None:
                return f"http://{host}:{running[1]}/"
            if not (folder / "node_modules").is_dir():
                install = await _shell("npm install --no-audit --no-fund", folder, INSTALL_TIMEOUT_SECONDS)
                if install.exit_code != 0:
                    logger.warning("npm install failed in %s: %s", folder, install.stderr[-2000:])
                    return None
            port = _free_port()
            process = await asyncio.create_subprocess_shell(
                f"npm run dev -- --port {port}",
                cwd=folder,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
                start_new_session=True,
            )
            if not await _listening(port, process):
                _kill(process)
                return None
            self._running[folder] = (process, port)
            return f"http://{host}:{port}/"

    def stop_all(self) -> None:
        for process, _ in self._running.values():
            _kill(process)
        self._running.clear()


class LocalSandbox:
    def __init__(self, folder: Path, project_id: UUID, provider: LocalSandboxProvider) -> None:
        self.id = ID_PREFIX + str(project_id)
        self.folder = folder
        self.project_id = project_id
        self._provider = provider

    async def write_files(self, files: Files) -> None:
        # Every path is checked before anything is written, so a bad one leaves the tree untouched.
        encoded = {_checked(path): content.encode() for path, content in files.items()}
        await asyncio.to_thread(folder_files.write_files, self.folder, encoded)

    async def read_file(self, path: str) -> str | None:
        content = await asyncio.to_thread(folder_files.read_file, self.folder, _checked(path))
        if content is None:
            return None
        try:
            return content.decode()
        except UnicodeDecodeError:
            return "(binary file)"

    async def run(self, command: str, timeout_seconds: float) -> CommandResult:
        if not self._provider.allow_commands:
            raise CommandsDisabled(COMMANDS_OFF)
        return await _shell(command, self.folder, timeout_seconds)

    async def preview_url(self, framework: Framework) -> str:
        provider = self._provider
        if provider.allow_commands and shutil.which("npm"):
            address = await provider.dev_servers.address(self.folder, provider.public_host)
            if address is not None:
                return address
            logger.warning("the dev server of %s did not start; serving its files instead", self.folder)
        return f"{provider.public_url}/preview/{self.project_id}/"

    async def keep_alive(self, seconds: int) -> None:
        """Nothing expires here."""


class LocalSandboxProvider:
    name = "local"

    def __init__(self, root: Path, public_url: str, allow_commands: bool = False) -> None:
        self.root = root
        self.public_url = public_url.rstrip("/")
        self.public_host = urlsplit(self.public_url).hostname or "127.0.0.1"
        self.allow_commands = allow_commands
        self.dev_servers = DevServers()

    async def connect(self, sandbox_id: str) -> LocalSandbox | None:
        try:
            project_id = UUID(sandbox_id.removeprefix(ID_PREFIX))
        except ValueError:
            return None  # another provider's sandbox (the deployment switched from E2B)
        folder = sandbox_folder(self.root, project_id)
        if not sandbox_id.startswith(ID_PREFIX) or not folder.is_dir():
            return None
        return LocalSandbox(folder, project_id, self)

    async def create(self, project_id: ProjectId, framework: Framework) -> LocalSandbox:
        folder = sandbox_folder(self.root, project_id)
        try:
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        except OSError as error:
            raise SandboxError(f"The sandbox folder could not be created: {error.strerror}.") from error
        return LocalSandbox(folder, project_id, self)


def _checked(path: str) -> str:
    reason = path_error(path)
    if reason is not None:
        raise FileRefused(f"The path {path!r} {reason}.")
    return path


async def _shell(command: str, folder: Path, timeout_seconds: float) -> CommandResult:
    process = await asyncio.create_subprocess_shell(
        command,
        cwd=folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, so a timeout kills its children too
    )
    try:
        async with asyncio.timeout(timeout_seconds):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        _kill(process)
        raise SandboxError(f"The command timed out after {timeout_seconds:g} seconds.") from None
    return CommandResult(
        exit_code=process.returncode if process.returncode is not None else -1,
        stdout=stdout.decode(errors="replace"),
        stderr=stderr.decode(errors="replace"),
    )


async def _listening(port: int, process: asyncio.subprocess.Process) -> bool:
    """Whether something answers on the port before the process dies or the time is up."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEV_SERVER_START_SECONDS
    while loop.time() < deadline and process.returncode is None:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        writer.close()
        return True
    return False


def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
