"""The tools the model works with, and how they act on the project's shared code and its sandbox.

A tool that fails answers the model with an error result it can correct, never an exception that
ends the run: only the sandbox itself failing (SandboxError, but for one file it refused) ends it.
"""

from __future__ import annotations

from typing import Any, Protocol

import msgspec

from domain.entities import Files
from domain.errors import InvalidInput
from domain.rules.files import check_files, path_error
from workers.agent.model import ContentBlock, ToolCall, ToolSpec
from workers.sandboxes.base import CommandsDisabled, FileRefused, Sandbox

TERMINAL_TIMEOUT_SECONDS = 120.0
TERMINAL_MAX_TIMEOUT_SECONDS = 600.0
OUTPUT_LIMIT = 4000
"""Characters of command output the model gets back (the end of it, where errors are)."""
READ_LIMIT = 40_000
"""Characters of file contents one readFiles answers with: the rest it names, to be read next."""


class WriteGuard(Protocol):
    """What stands between a run's tools and its sandbox: a worker that lost its run writes nothing."""

    def check(self) -> None:
        """Raises LeaseLost once the run is no longer this worker's."""
        ...

    async def announce(self, files: Files) -> None:
        """Tells the tabs these files are being written; raises LeaseLost as `check` does."""
        ...


class SharedCode(Protocol):
    """The project's code as people and the agent share it (workers/run_code.py)."""

    async def read(self, path: str) -> str | None: ...

    async def write(self, files: Files) -> Files:
        """Merges the files in; answers them as the code has them now (others' edits kept)."""
        ...


TOOLS: list[ToolSpec] = [
    ToolSpec(
        name="createOrUpdateFiles",
        description="Create or replace files in the project. Paths are relative to the project root.",
        input_schema={
            "type": "object",
            "properties": {
                "files": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"path": {"type": "string"}, "content": {"type": "string"}},
                        "required": ["path", "content"],
                    },
                }
            },
            "required": ["files"],
        },
    ),
    ToolSpec(
        name="readFiles",
        description="Read files of the project. Answers each file's content, or that it does not exist.",
        input_schema={
            "type": "object",
            "properties": {"files": {"type": "array", "items": {"type": "string"}}},
            "required": ["files"],
        },
    ),
    ToolSpec(
        name="editFile",
        description=(
            "Replace one exact occurrence of `search` with `replace` in one file. Prefer it to "
            "rewriting a whole file for a small change. `search` must occur exactly once."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "path": {"type": "string"},
                "search": {"type": "string"},
                "replace": {"type": "string"},
            },
            "required": ["path", "search", "replace"],
        },
    ),
    ToolSpec(
        name="terminal",
        description=(
            "Run a shell command in the project folder (e.g. `npm install`). Answers exit code and output. "
            "Commands may run without network access; `npm install <packages>` always reaches the registry."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "command": {"type": "string"},
                "timeoutSeconds": {"type": "number", "minimum": 1, "maximum": TERMINAL_MAX_TIMEOUT_SECONDS},
            },
            "required": ["command"],
        },
    ),
]

STAGE_OF_TOOL = {
    "createOrUpdateFiles": "Generating project files…",
    "editFile": "Generating project files…",
    "readFiles": "Reading project files…",
}


def stage_of(call: ToolCall) -> str:
    """What a tab should read while the tool runs."""
    if call.name == "terminal":
        command = str(call.input.get("command", ""))
        return (
            "Installing packages…"
            if " install" in f" {command}" or command.startswith("npm i")
            else ("Running a command…")
        )
    return STAGE_OF_TOOL.get(call.name, "Working…")


class ToolError(Exception):
    """A tool call the model got wrong; the message goes back to it as the tool's result."""


class FileInput(msgspec.Struct, frozen=True):
    path: str
    content: str


class Toolbox:
    """Runs the model's tool calls against the project's code and its sandbox: files are read
    from and written into the shared code, and the sandbox gets what the code then holds."""

    def __init__(
        self, sandbox: Sandbox, guard: WriteGuard, code: SharedCode, read_limit: int = READ_LIMIT
    ) -> None:
        self.sandbox = sandbox
        self.code = code
        self.read_limit = read_limit
        """Keeps one answer within the request's context budget, however many files are asked."""
        self._guard = guard

    async def run(self, call: ToolCall) -> ContentBlock:
        """The tool_result block answering `call`; LeaseLost if the run is no longer ours."""
        self._guard.check()
        try:
            text = await self._dispatch(call.name, call.input)
        except (ToolError, FileRefused) as error:
            return {"type": "tool_result", "tool_use_id": call.id, "content": str(error), "is_error": True}
        return {"type": "tool_result", "tool_use_id": call.id, "content": text}

    async def _dispatch(self, name: str, arguments: dict[str, Any]) -> str:
        if name == "createOrUpdateFiles":
            return await self._create_or_update(arguments)
        if name == "readFiles":
            return await self._read(arguments)
        if name == "editFile":
            return await self._edit(arguments)
        if name == "terminal":
            return await self._terminal(arguments)
        raise ToolError(f"There is no tool named {name!r}.")

    async def _create_or_update(self, arguments: dict[str, Any]) -> str:
        try:
            files = msgspec.convert(arguments.get("files"), list[FileInput])
        except msgspec.ValidationError as error:
            raise ToolError(f"`files` must be a list of {{path, content}}: {error}") from None
        if not files:
            raise ToolError("`files` is empty.")
        tree = {f.path: f.content for f in files}
        try:
            check_files(tree)  # the rules a draft or a fragment follows, before anything is written
        except InvalidInput as error:
            raise ToolError(f"Nothing was written: {error.message}") from None
        await self._write(tree)
        return "Wrote " + ", ".join(tree)

    async def _read(self, arguments: dict[str, Any]) -> str:
        paths = arguments.get("files")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths) or not paths:
            raise ToolError("`files` must be a non-empty list of paths.")
        for path in paths:
            _check_path(path)
        answers: list[str] = []
        room = self.read_limit
        for index, path in enumerate(paths):
            content = await self.code.read(path)
            answer = f"--- {path}\n" + ("(does not exist)" if content is None else content)
            if len(answer) > room and answers:
                rest = ", ".join(paths[index:])
                answers.append(f"(Not read, to keep this answer short: {rest}. Read them next.)")
                break
            answers.append(answer[:room] + (" …(cut here)" if len(answer) > room else ""))
            room -= len(answer)
        return "\n".join(answers)

    async def _edit(self, arguments: dict[str, Any]) -> str:
        path, search, replace = (arguments.get(k) for k in ("path", "search", "replace"))
        if not isinstance(path, str) or not isinstance(search, str) or not isinstance(replace, str):
            raise ToolError("`path`, `search` and `replace` must be strings.")
        _check_path(path)
        if not search:
            raise ToolError("`search` is empty.")
        content = await self.code.read(path)
        if content is None:
            raise ToolError(f"{path} does not exist; create it with createOrUpdateFiles.")
        count = content.count(search)
        if count != 1:
            where = "does not occur" if count == 0 else f"occurs {count} times"
            raise ToolError(f"`search` {where} in {path}; it must occur exactly once.")
        await self._write({path: content.replace(search, replace, 1)})
        return f"Edited {path}"

    async def _terminal(self, arguments: dict[str, Any]) -> str:
        command = arguments.get("command")
        if not isinstance(command, str) or not command.strip():
            raise ToolError("`command` must be a non-empty string.")
        timeout = arguments.get("timeoutSeconds", TERMINAL_TIMEOUT_SECONDS)
        if not isinstance(timeout, int | float) or not 1 <= timeout <= TERMINAL_MAX_TIMEOUT_SECONDS:
            raise ToolError(f"`timeoutSeconds` must be between 1 and {TERMINAL_MAX_TIMEOUT_SECONDS:g}.")
        try:
            result = await self.sandbox.run(command, float(timeout))
        except CommandsDisabled as error:
            raise ToolError(f"The terminal is not available here: {error}") from None
        output = (result.stdout + ("\n" + result.stderr if result.stderr else "")).strip()
        if len(output) > OUTPUT_LIMIT:
            output = "…" + output[-OUTPUT_LIMIT:]
        return f"exit code {result.exit_code}\n{output}"

    async def _write(self, files: Files) -> None:
        self._guard.check()  # a run that lost its lease writes nothing
        merged = await self.code.write(files)
        await self._guard.announce(merged)
        await self.sandbox.write_files(merged)


def _check_path(path: str) -> None:
    reason = path_error(path)
    if reason is not None:
        raise ToolError(f"{path!r} {reason}.")
