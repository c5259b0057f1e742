"""The local sandbox: a folder per project under the data directory, the default without E2B.

The server serves the folder at `/preview/{projectId}/`. Running commands on the host is off
unless the deployment allows it; then they run confined (`confinement.py`) and, with Node.js
installed, the framework's dev server runs on a free local port and the preview points there
(`dev_servers.py`): a real local alternative to E2B.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
from pathlib import Path
from urllib.parse import urlsplit
from uuid import UUID

from domain.entities import Files
from domain.enums import Framework
from domain.ids import ProjectId
from domain.rules.files import path_error
from workers.sandboxes import folder as folder_files
from workers.sandboxes.base import CommandResult, CommandsDisabled, FileRefused, SandboxError
from workers.sandboxes.confinement import SYSTEM_PATH, Confinement, npm_install, run_command
from workers.sandboxes.dev_servers import DevServers

logger = logging.getLogger("forge.sandbox")

ID_PREFIX = "local-"
COMMANDS_OFF = "running commands on this machine is off (FORGE_SANDBOX_ALLOW_COMMANDS=true turns it on)"


def sandbox_folder(root: Path, project_id: UUID) -> Path:
    """Where a project's local sandbox lives; the preview route serves the same folder."""
    return root / str(project_id)


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

    async def remove_files(self, paths: list[str]) -> None:
        await asyncio.to_thread(folder_files.remove_files, self.folder, [_checked(p) for p in paths])

    async def run(self, command: str, timeout_seconds: float) -> CommandResult:
        confinement = self._provider.confinement
        if confinement is None:
            raise CommandsDisabled(COMMANDS_OFF)
        # Where commands have no network, npm's own install is the one that gets it.
        install = npm_install(command) if confinement.isolates_network else None
        launch = confinement.launch(install or command, self.folder, network=install is not None)
        return await run_command(launch, timeout_seconds)

    async def preview_url(self, framework: Framework) -> str:
        provider = self._provider
        if provider.dev_servers is not None and shutil.which("npm", path=SYSTEM_PATH):
            address = await provider.dev_servers.address(self.folder)
            if address is not None:
                return address
            logger.warning("the dev server of %s did not start; serving its files instead", self.folder)
        return f"{provider.public_url}/preview/{self.project_id}/"

    async def keep_alive(self, seconds: int) -> None:
        """Nothing expires here."""


class LocalSandboxProvider:
    name = "local"

    def __init__(self, root: Path, public_url: str, confinement: Confinement | None = None) -> None:
        self.root = root
        self.public_url = public_url.rstrip("/")
        self.confinement = confinement
        """How commands run; None: they do not (FORGE_SANDBOX_ALLOW_COMMANDS is off)."""
        host = urlsplit(self.public_url).hostname or "127.0.0.1"
        self.dev_servers = DevServers(confinement, host) if confinement is not None else None

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

    async def remove(self, project_id: ProjectId, sandbox_id: str | None) -> None:
        folder = sandbox_folder(self.root, project_id)
        # Renamed away first: the folder is gone for every process sharing it at once (the
        # preview, a dev server in another worker), however long deleting node_modules takes.
        doomed = self.root / f".removed-{project_id}-{secrets.token_hex(4)}"
        try:
            await asyncio.to_thread(folder.rename, doomed)
        except FileNotFoundError:
            return
        except OSError as error:
            raise SandboxError(f"The sandbox folder could not be removed: {error.strerror}.") from error
        finally:
            if self.dev_servers is not None:
                self.dev_servers.stop(folder)
        await asyncio.to_thread(shutil.rmtree, doomed, ignore_errors=True)


def _checked(path: str) -> str:
    reason = path_error(path)
    if reason is not None:
        raise FileRefused(f"The path {path!r} {reason}.")
    return path
