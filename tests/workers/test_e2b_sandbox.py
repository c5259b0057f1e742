"""The E2B adapter at the SDK boundary: a stand-in for `AsyncSandbox` raising the SDK's own exceptions,
and once the real SDK against a local server playing E2B's API. Nothing here reaches E2B."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

# The SDK reads this once, when `e2b.api` is first imported: a fake API that stops answering then fails
# the test at once instead of after seconds of connection retries.
os.environ["E2B_CONNECTION_RETRIES"] = "0"

import pytest
from e2b import CommandExitException, CommandResult
from e2b.exceptions import (
    AuthenticationException,
    FileNotFoundException,
    SandboxNotFoundException,
    TimeoutException,
)
from e2b.sandbox.filesystem.filesystem import WriteEntry

from domain.enums import Framework
from domain.ids import ProjectId
from workers.sandboxes.base import SandboxError
from workers.sandboxes.e2b import E2BSandbox, E2BSandboxProvider

TEMPLATES = {framework: f"tpl-{framework.value.lower()}" for framework in Framework}
PROJECT = ProjectId(uuid4())


class FakeFiles:
    def __init__(self) -> None:
        self.stored: dict[str, str] = {}

    async def write_files(self, files: list[WriteEntry]) -> list[Any]:
        for entry in files:
            self.stored[entry["path"]] = str(entry["data"])
        return []

    async def read(self, path: str) -> str:
        if path not in self.stored:
            raise FileNotFoundException(f"path '{path}' does not exist")  # as the SDK maps envd's 404
        return self.stored[path]

    async def remove(self, path: str) -> None:
        if path not in self.stored:
            raise FileNotFoundException(f"path '{path}' does not exist")
        del self.stored[path]


class FakeCommands:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.outcome: CommandResult[str] | Exception = CommandResult(
            stderr="", stdout="ok\n", exit_code=0, error=None
        )

    async def run(self, cmd: str, cwd: str | None = None, timeout: float | None = 60) -> CommandResult[str]:
        self.calls.append({"cmd": cmd, "cwd": cwd, "timeout": timeout})
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


class FakeSandbox:
    """What the adapter uses of `e2b.AsyncSandbox`: the running sandboxes and the options of each create."""

    running: dict[str, FakeSandbox] = {}
    created_with: list[dict[str, Any]] = []
    connected_to: list[str] = []
    killed: list[tuple[str, str]] = []
    """(sandbox id, API key) of each kill."""
    failure: Exception | None = None
    """Raised by the next create or connect, as the SDK raises its API's errors."""

    def __init__(self) -> None:
        self.sandbox_id = f"i{uuid4().hex[:19]}"
        self.files = FakeFiles()
        self.commands = FakeCommands()
        self.timeouts: list[int] = []

    @classmethod
    async def create(cls, **options: Any) -> FakeSandbox:
        cls.created_with.append(options)
        if cls.failure is not None:
            raise cls.failure
        sandbox = cls()
        cls.running[sandbox.sandbox_id] = sandbox
        return sandbox

    @classmethod
    async def connect(cls, sandbox_id: str, **options: Any) -> FakeSandbox:
        cls.connected_to.append(sandbox_id)
        if sandbox_id not in cls.running:
            raise SandboxNotFoundException(f"Paused sandbox {sandbox_id} not found")  # as the SDK does
        return cls.running[sandbox_id]

    @classmethod
    async def kill(cls, sandbox_id: str, **options: Any) -> bool:
        cls.killed.append((sandbox_id, options["api_key"]))
        return cls.running.pop(sandbox_id, None) is not None

    def get_host(self, port: int) -> str:
        return f"{port}-{self.sandbox_id}.e2b.app"

    async def set_timeout(self, timeout: int) -> None:
        self.timeouts.append(timeout)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> E2BSandboxProvider:
    for name, fresh in (
        ("running", {}),
        ("created_with", []),
        ("connected_to", []),
        ("killed", []),
        ("failure", None),
    ):
        monkeypatch.setattr(FakeSandbox, name, fresh)
    return E2BSandboxProvider("e2b-key", TEMPLATES, timeout_seconds=900, sandbox_class=FakeSandbox)  # type: ignore[arg-type]


async def _created(provider: E2BSandboxProvider) -> tuple[E2BSandbox, FakeSandbox]:
    sandbox = await provider.create(PROJECT, Framework.REACT)
    return sandbox, FakeSandbox.running[sandbox.id]


async def test_create_uses_the_frameworks_template_and_the_api_key(provider: E2BSandboxProvider) -> None:
    await provider.create(PROJECT, Framework.VUE)

    [options] = FakeSandbox.created_with
    assert (options["template"], options["api_key"], options["timeout"]) == ("tpl-vue", "e2b-key", 900)
    assert options["metadata"] == {"projectId": str(PROJECT)}


async def test_connect_reaches_a_running_sandbox(provider: E2BSandboxProvider) -> None:
    sandbox, _ = await _created(provider)

    connected = await provider.connect(sandbox.id)

    assert connected is not None and connected.id == sandbox.id


async def test_connecting_to_a_sandbox_that_is_gone_gives_none(provider: E2BSandboxProvider) -> None:
    assert await provider.connect("igone0000000000000000") is None


async def test_a_local_sandbox_id_is_not_looked_up_at_e2b(provider: E2BSandboxProvider) -> None:
    assert await provider.connect(f"local-{PROJECT}") is None
    assert FakeSandbox.connected_to == []


async def test_an_sdk_failure_is_a_sandbox_error_a_user_can_read(provider: E2BSandboxProvider) -> None:
    FakeSandbox.failure = AuthenticationException("401: Unauthorized, please check your credentials.")

    with pytest.raises(SandboxError, match=r"^Creating the sandbox failed: E2B refused the API key\.$"):
        await provider.create(PROJECT, Framework.REACT)


async def test_a_written_file_reads_back_from_the_project_root(provider: E2BSandboxProvider) -> None:
    sandbox, fake = await _created(provider)

    await sandbox.write_files({"src/App.jsx": "export default 1", "package.json": "{}"})

    assert await sandbox.read_file("src/App.jsx") == "export default 1"
    assert set(fake.files.stored) == {"/home/user/src/App.jsx", "/home/user/package.json"}


async def test_reading_a_missing_file_gives_none(provider: E2BSandboxProvider) -> None:
    sandbox, _ = await _created(provider)

    assert await sandbox.read_file("missing.js") is None


@pytest.mark.parametrize("path", ["../etc/passwd", "src/../../x", "/etc/passwd"])
async def test_a_path_leaving_the_project_is_refused(provider: E2BSandboxProvider, path: str) -> None:
    sandbox, fake = await _created(provider)

    with pytest.raises(SandboxError, match="path"):
        await sandbox.write_files({"ok.txt": "fine", path: "x"})
    assert fake.files.stored == {}


async def test_removing_files_removes_those_that_exist(provider: E2BSandboxProvider) -> None:
    sandbox, fake = await _created(provider)
    await sandbox.write_files({"index.html": "1", "src/extra.js": "2"})

    await sandbox.remove_files(["src/extra.js", "never-written.js"])

    assert set(fake.files.stored) == {"/home/user/index.html"}


async def test_removing_a_deleted_projects_sandbox_kills_it(provider: E2BSandboxProvider) -> None:
    sandbox, _ = await _created(provider)

    await provider.remove(PROJECT, sandbox.id)

    assert FakeSandbox.killed == [(sandbox.id, "e2b-key")]
    assert await provider.connect(sandbox.id) is None


async def test_a_project_without_an_e2b_sandbox_has_nothing_to_kill(provider: E2BSandboxProvider) -> None:
    await provider.remove(PROJECT, None)
    await provider.remove(PROJECT, f"local-{PROJECT}")

    assert FakeSandbox.killed == []


async def test_a_command_runs_in_the_project_root_with_its_timeout(provider: E2BSandboxProvider) -> None:
    sandbox, fake = await _created(provider)

    result = await sandbox.run("ls", 30)

    assert (result.exit_code, result.stdout) == (0, "ok\n")
    assert fake.commands.calls == [{"cmd": "ls", "cwd": "/home/user", "timeout": 30}]


async def test_a_failing_command_is_a_result_with_its_stderr(provider: E2BSandboxProvider) -> None:
    sandbox, fake = await _created(provider)
    fake.commands.outcome = CommandExitException(
        stderr="npm ERR! missing script: nope", stdout="", exit_code=1, error="exit status 1"
    )

    result = await sandbox.run("npm run nope", 10)

    assert (result.exit_code, result.stderr) == (1, "npm ERR! missing script: nope")


async def test_a_command_that_times_out_is_a_sandbox_error(provider: E2BSandboxProvider) -> None:
    sandbox, fake = await _created(provider)
    fake.commands.outcome = TimeoutException("context deadline exceeded: likely due to 'timeout'")

    with pytest.raises(SandboxError, match=r"^The command timed out after 1 seconds\.$"):
        await sandbox.run("sleep 100", 1)


@pytest.mark.parametrize(("framework", "port"), [(Framework.NEXTJS, 3000), (Framework.REACT, 5173)])
async def test_the_preview_url_is_the_dev_servers_host(
    provider: E2BSandboxProvider, framework: Framework, port: int
) -> None:
    sandbox = await provider.create(PROJECT, framework)

    assert await sandbox.preview_url(framework) == f"https://{port}-{sandbox.id}.e2b.app"


async def test_keep_alive_sets_the_sandboxs_timeout(provider: E2BSandboxProvider) -> None:
    sandbox, fake = await _created(provider)

    await sandbox.keep_alive(1800)

    assert fake.timeouts == [1800]


class SandboxUnknownToFakeApi:
    """A local server in E2B's API's place that knows no sandbox: every request gets a 404."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str | None]] = []
        """(method, path, X-API-KEY header) of each request."""
        self.url = ""

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode().split("\r\n")
        method, path, _ = head[0].split(" ")
        fields = (line.partition(":") for line in head[1:])
        headers = {name.strip().lower(): value.strip() for name, _, value in fields}
        await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append((method, path, headers.get("x-api-key")))
        body = b'{"code":404,"message":"sandbox not found"}'
        writer.write(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


@pytest.fixture
async def fake_api(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SandboxUnknownToFakeApi]:
    api = SandboxUnknownToFakeApi()
    server = await asyncio.start_server(api.serve, "127.0.0.1", 0)
    api.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    monkeypatch.setenv("E2B_API_URL", api.url)  # the SDK's documented override of the API's address
    monkeypatch.delenv("E2B_DEBUG", raising=False)  # debug mode would skip the API altogether
    async with server:
        yield api


async def test_the_real_sdk_connecting_to_a_sandbox_the_api_does_not_know_gives_none(
    fake_api: SandboxUnknownToFakeApi,
) -> None:
    provider = E2BSandboxProvider("e2b-key", TEMPLATES)  # the real AsyncSandbox

    assert await provider.connect("igone0000000000000000") is None
    assert fake_api.requests == [("POST", "/v2/sandboxes/igone0000000000000000/connect", "e2b-key")]
