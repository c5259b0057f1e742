"""E2B sandboxes through the official SDK: one per project, created from a template per framework.

The SDK sits behind one seam (`sandbox_class`) so the adapter can be tested at the SDK boundary;
every SDK failure becomes a SandboxError with a sentence a user can read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

from e2b import AsyncSandbox
from e2b.exceptions import AuthenticationException, NotFoundException, SandboxException, TimeoutException
from e2b.sandbox.commands.command_handle import CommandExitException

from domain.entities import Files
from domain.enums import Framework
from domain.ids import ProjectId
from domain.rules.files import path_error
from workers.sandboxes.base import DEV_SERVER_PORTS, CommandResult, SandboxError

ROOT = "/home/user"
"""The templates' working directory: the project's files live here."""


class E2BSandbox:
    def __init__(self, sandbox: Any) -> None:
        self._sandbox = sandbox
        self.id: str = sandbox.sandbox_id

    async def write_files(self, files: Files) -> None:
        for path, content in files.items():
            try:
                await self._sandbox.files.write(_absolute(path), content)
            except SandboxException as error:
                raise SandboxError(f"Writing {path} into the sandbox failed.") from error

    async def read_file(self, path: str) -> str | None:
        try:
            return str(await self._sandbox.files.read(_absolute(path)))
        except NotFoundException:
            return None
        except SandboxException as error:
            raise SandboxError(f"Reading {path} from the sandbox failed.") from error

    async def run(self, command: str, timeout_seconds: float) -> CommandResult:
        try:
            result = await self._sandbox.commands.run(command, cwd=ROOT, timeout=timeout_seconds)
        except CommandExitException as exited:  # a failing command is an answer for the model
            return CommandResult(exit_code=exited.exit_code, stdout=exited.stdout, stderr=exited.stderr)
        except TimeoutException as error:
            raise SandboxError(f"The command timed out after {timeout_seconds:g} seconds.") from error
        except SandboxException as error:
            raise SandboxError("The sandbox could not run the command.") from error
        return CommandResult(exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr)

    async def preview_url(self, framework: Framework) -> str:
        host: str = self._sandbox.get_host(DEV_SERVER_PORTS[framework])
        return f"https://{host}"

    async def keep_alive(self, seconds: int) -> None:
        try:
            await self._sandbox.set_timeout(seconds)
        except SandboxException as error:
            raise SandboxError("The sandbox could not be kept alive.") from error


class E2BSandboxProvider:
    name = "e2b"

    def __init__(
        self,
        api_key: str,
        templates: Mapping[Framework, str],
        timeout_seconds: int = 1800,
        sandbox_class: Any = AsyncSandbox,
    ) -> None:
        self.api_key = api_key
        self.templates = dict(templates)
        self.timeout_seconds = timeout_seconds
        self._sandbox_class = sandbox_class

    async def connect(self, sandbox_id: str) -> E2BSandbox | None:
        try:
            sandbox = await self._sandbox_class.connect(
                sandbox_id, timeout=self.timeout_seconds, api_key=self.api_key
            )
        except NotFoundException:
            return None  # expired or killed: the run creates a new one and restores the files
        except (SandboxException, AuthenticationException, OSError) as error:
            raise SandboxError("The sandbox service could not be reached.") from error
        return E2BSandbox(sandbox)

    async def create(self, project_id: ProjectId, framework: Framework) -> E2BSandbox:
        try:
            sandbox = await self._sandbox_class.create(
                template=self.templates[framework],
                timeout=self.timeout_seconds,
                metadata={"projectId": str(project_id)},
                api_key=self.api_key,
            )
        except (SandboxException, AuthenticationException, OSError) as error:
            raise SandboxError("A sandbox could not be created.") from error
        return E2BSandbox(sandbox)


def _absolute(path: str) -> str:
    reason = path_error(path)
    if reason is not None:
        raise SandboxError(f"The path {path!r} {reason}.")
    return posixpath.join(ROOT, path)
