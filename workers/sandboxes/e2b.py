"""E2B sandboxes through the official SDK: one per project, created from a template per framework.

The SDK sits behind one seam (`sandbox_class`) so the adapter can be tested at the SDK boundary.
Every SDK failure becomes a SandboxError with a sentence a user can read; the SDK's own, often
long, explanation goes to the log.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Mapping

import httpx
from connectrpc.errors import ConnectError
from e2b import AsyncSandbox, CommandExitException
from e2b.exceptions import (
    AuthenticationException,
    FileNotFoundException,
    RateLimitException,
    SandboxException,
    SandboxNotFoundException,
    SandboxNotRunningException,
    SandboxUnreachableException,
    ServiceBusyException,
    TimeoutException,
)
from e2b.sandbox.filesystem.filesystem import WriteEntry

from domain.entities import Files
from domain.enums import Framework
from domain.ids import ProjectId
from domain.rules.files import path_error
from workers.sandboxes.base import DEV_SERVER_PORTS, CommandResult, FileRefused, SandboxError
from workers.sandboxes.local import ID_PREFIX as LOCAL_ID_PREFIX

logger = logging.getLogger("forge.sandbox")

PROJECT_ROOT = "/home/user"
"""The templates' working directory: the project's files live here and commands run here."""

SDK_FAILURES: tuple[type[Exception], ...] = (
    SandboxException,
    AuthenticationException,  # not a SandboxException
    ServiceBusyException,  # not a SandboxException either
    httpx.HTTPError,  # file transfers that failed below the SDK's own error mapping
    ConnectError,  # commands whose connection dropped while the sandbox still answers
    OSError,  # the transport's connection failures and timeouts
)
"""What the SDK raises when E2B or the sandbox fails, as opposed to a bug in this adapter."""


class E2BSandbox:
    def __init__(self, sandbox: AsyncSandbox) -> None:
        self._sandbox = sandbox
        self.id: str = sandbox.sandbox_id

    async def write_files(self, files: Files) -> None:
        # Every path is checked before anything is written, so a bad one leaves the tree untouched.
        entries = [WriteEntry(path=_in_project(path), data=content) for path, content in files.items()]
        try:
            await self._sandbox.files.write_files(entries)
        except SDK_FAILURES as error:
            raise _failure("Writing the files into the sandbox", error) from error

    async def read_file(self, path: str) -> str | None:
        try:
            return await self._sandbox.files.read(_in_project(path))
        except FileNotFoundException:
            return None
        except SDK_FAILURES as error:
            raise _failure(f"Reading {path}", error) from error

    async def remove_files(self, paths: list[str]) -> None:
        for path in paths:
            try:
                await self._sandbox.files.remove(_in_project(path))
            except FileNotFoundException:
                continue
            except SDK_FAILURES as error:
                raise _failure(f"Removing {path}", error) from error

    async def run(self, command: str, timeout_seconds: float) -> CommandResult:
        try:
            result = await self._sandbox.commands.run(command, cwd=PROJECT_ROOT, timeout=timeout_seconds)
        except CommandExitException as exited:  # a failing command is an answer for the model
            return CommandResult(exit_code=exited.exit_code, stdout=exited.stdout, stderr=exited.stderr)
        except (SandboxNotRunningException, SandboxUnreachableException) as error:
            # TimeoutExceptions by class, but the sandbox's end rather than the command's deadline
            raise _failure("Running the command", error) from error
        except TimeoutException as error:
            raise SandboxError(f"The command timed out after {timeout_seconds:g} seconds.") from error
        except SDK_FAILURES as error:
            raise _failure("Running the command", error) from error
        return CommandResult(exit_code=result.exit_code, stdout=result.stdout, stderr=result.stderr)

    async def preview_url(self, framework: Framework) -> str:
        return "https://" + self._sandbox.get_host(DEV_SERVER_PORTS[framework])

    async def keep_alive(self, seconds: int) -> None:
        try:
            await self._sandbox.set_timeout(seconds)
        except SDK_FAILURES as error:
            raise _failure("Keeping the sandbox alive", error) from error


class E2BSandboxProvider:
    name = "e2b"

    def __init__(
        self,
        api_key: str,
        templates: Mapping[Framework, str],
        timeout_seconds: int = 1800,
        domain: str | None = None,
        sandbox_class: type[AsyncSandbox] = AsyncSandbox,
    ) -> None:
        self.api_key = api_key
        self.templates = dict(templates)
        self.timeout_seconds = timeout_seconds
        self.domain = domain
        """E2B's domain (self-hosted E2B); None leaves it to the SDK (`E2B_DOMAIN`, else e2b.app)."""
        self._sandbox_class = sandbox_class

    async def connect(self, sandbox_id: str) -> E2BSandbox | None:
        if sandbox_id.startswith(LOCAL_ID_PREFIX):
            return None  # the local provider's sandbox: the deployment switched to E2B
        try:
            sandbox = await self._sandbox_class.connect(
                sandbox_id, timeout=self.timeout_seconds, api_key=self.api_key, domain=self.domain
            )
        except SandboxNotFoundException:
            return None  # expired or killed: the run creates a new one and restores the files
        except SDK_FAILURES as error:
            raise _failure("Connecting to the sandbox", error) from error
        return E2BSandbox(sandbox)

    async def create(self, project_id: ProjectId, framework: Framework) -> E2BSandbox:
        try:
            sandbox = await self._sandbox_class.create(
                template=self.templates[framework],
                timeout=self.timeout_seconds,
                metadata={"projectId": str(project_id)},
                api_key=self.api_key,
                domain=self.domain,
            )
        except SDK_FAILURES as error:
            raise _failure("Creating the sandbox", error) from error
        return E2BSandbox(sandbox)

    async def remove(self, project_id: ProjectId, sandbox_id: str | None) -> None:
        if sandbox_id is None or sandbox_id.startswith(LOCAL_ID_PREFIX):
            return
        try:
            await self._sandbox_class.kill(sandbox_id, api_key=self.api_key, domain=self.domain)
        except SDK_FAILURES as error:
            raise _failure("Removing the sandbox", error) from error


def _in_project(path: str) -> str:
    """The absolute path of a project file; refuses paths that would leave the project folder."""
    reason = path_error(path)
    if reason is not None:
        raise FileRefused(f"The path {path!r} {reason}.")
    return posixpath.join(PROJECT_ROOT, path)


def _failure(action: str, error: Exception) -> SandboxError:
    logger.warning("E2B: %s failed: %r", action, error)
    return SandboxError(f"{action} failed: {_reason(error)}.")


def _reason(error: Exception) -> str:
    if isinstance(error, AuthenticationException):
        return "E2B refused the API key"
    if isinstance(error, ServiceBusyException | RateLimitException):
        return "E2B is busy, try again in a moment"
    if isinstance(error, SandboxNotRunningException | SandboxUnreachableException):
        return "the sandbox stopped or cannot be reached"
    if isinstance(error, httpx.TransportError | OSError):
        return "E2B cannot be reached"
    return "E2B did not answer as expected"
