"""The one small interface the code agent needs from a sandbox, whoever provides it."""

from __future__ import annotations

from typing import Protocol

import msgspec

from domain.entities import Files
from domain.enums import Framework
from domain.ids import ProjectId

DEV_SERVER_PORTS: dict[Framework, int] = {
    Framework.NEXTJS: 3000,
    Framework.ANGULAR: 4200,
    Framework.REACT: 5173,
    Framework.VUE: 5173,
    Framework.SVELTE: 5173,
}


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    exit_code: int
    stdout: str
    stderr: str


class SandboxError(Exception):
    """The sandbox failed (unreachable, expired, refused): not the user's fault."""


class FileRefused(SandboxError):
    """One file the sandbox will not write where it was asked (a path no folder can hold, a folder
    or a symbolic link in the way): the model's mistake, which it is told and can correct."""


class CommandsDisabled(SandboxError):
    """This sandbox does not run commands (the local sandbox unless the host allows it)."""


class Sandbox(Protocol):
    id: str
    """Stored on the project (`sandboxId`) so the next run reconnects to it."""

    async def write_files(self, files: Files) -> None:
        """Creates or replaces each file, creating folders as needed."""
        ...

    async def read_file(self, path: str) -> str | None:
        """The file's text, or None when it does not exist."""
        ...

    async def remove_files(self, paths: list[str]) -> None:
        """Removes each of these files that exists (a failed run's, when the sandbox goes back to
        the last good fragment)."""
        ...

    async def run(self, command: str, timeout_seconds: float) -> CommandResult:
        """Runs a shell command in the project folder; a non-zero exit is a result, not an error.
        Raises CommandsDisabled or SandboxError (also on timeout)."""
        ...

    async def preview_url(self, framework: Framework) -> str:
        """Where the app can be seen: the dev server's public address, or the served folder."""
        ...

    async def keep_alive(self, seconds: int) -> None:
        """Asks the sandbox to live at least `seconds` longer (a no-op where nothing expires)."""
        ...


class SandboxProvider(Protocol):
    name: str
    """Recorded in the fragment's metadata: `e2b`, `local`."""

    async def connect(self, sandbox_id: str) -> Sandbox | None:
        """The project's existing sandbox, or None when it is gone (expired, deleted)."""
        ...

    async def create(self, project_id: ProjectId, framework: Framework) -> Sandbox:
        """A fresh sandbox for the project's framework; raises SandboxError."""
        ...

    async def remove(self, project_id: ProjectId, sandbox_id: str | None) -> None:
        """Stops and removes the project's sandbox, whichever process made it (its project was
        deleted); nothing when there is none. Raises SandboxError."""
        ...
